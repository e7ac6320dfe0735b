"""Configuration read from the environment, parsed once and lazily (no I/O at import).

Every resource name comes from the environment that the infrastructure definition
(`infra/definition.py`) sets, both in the CloudFormation template and in the local stack.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise SettingsError(f"environment variable {name} is not set")
    return value


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"environment variable {name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    main_table: str
    agent_commands_queue_url: str
    scheduler_group: str
    scheduler_role_arn: str
    agent_commands_queue_arn: str
    websocket_management_endpoint: str
    heartbeat_interval_seconds: int
    ws_ticket_ttl_seconds: int
    jwt_secret_arn: str
    agent_key_pepper_arn: str
    data_key_arn: str
    base_domain: str
    default_tenant_slug: str
    operator_key_sha256: str
    cookie_secure: bool
    tenant_signup_enabled: bool
    edge_required: bool
    edge_key_secret_arn: str


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, reading the environment on first use."""
    return Settings(
        stage=os.environ.get("PATCHMON_STAGE", "dev"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        main_table=_required("MAIN_TABLE_NAME"),
        agent_commands_queue_url=_required("AGENT_COMMANDS_QUEUE_URL"),
        agent_commands_queue_arn=_required("AGENT_COMMANDS_QUEUE_ARN"),
        scheduler_group=_required("SCHEDULER_GROUP_NAME"),
        scheduler_role_arn=_required("SCHEDULER_ROLE_ARN"),
        websocket_management_endpoint=_required("WEBSOCKET_MANAGEMENT_ENDPOINT"),
        heartbeat_interval_seconds=_int("HEARTBEAT_INTERVAL_SECONDS", 60),
        ws_ticket_ttl_seconds=_int("WS_TICKET_TTL_SECONDS", 30),
        jwt_secret_arn=_required("JWT_SECRET_ARN"),
        agent_key_pepper_arn=_required("AGENT_KEY_PEPPER_ARN"),
        data_key_arn=_required("DATA_KEY_ARN"),
        base_domain=os.environ.get("BASE_DOMAIN", "localhost").strip().lower(),
        default_tenant_slug=os.environ.get("DEFAULT_TENANT_SLUG", "").strip().lower(),
        operator_key_sha256=os.environ.get("OPERATOR_KEY_SHA256", "").strip().lower(),
        cookie_secure=os.environ.get("COOKIE_SECURE", "true").strip().lower() not in ("0", "false", "no"),
        tenant_signup_enabled=os.environ.get("TENANT_SIGNUP_ENABLED", "false").strip().lower() in ("1", "true", "yes"),
        edge_required=os.environ.get("EDGE_REQUIRED", "false").strip().lower() in ("1", "true", "yes"),
        edge_key_secret_arn=os.environ.get("EDGE_KEY_SECRET_ARN", "").strip(),
    )


def reset_settings_cache() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
