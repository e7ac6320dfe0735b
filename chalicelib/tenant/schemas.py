"""Tenant records, their security settings, and the operator API's shapes."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.tenant.plans import ALL_MODULES, CUSTOM_PLAN, PLANS

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"www", "api", "app", "admin", "operator", "static", "assets", "mail", "status", "docs", "ws"})
Plan = Literal["free", "plus", "max", "custom"]


class PasswordPolicy(BaseModel):
    """PASSWORD_* settings of PatchMon, per tenant (features-install-env-agent.md §1.3)."""

    model_config = ConfigDict(extra="forbid")

    min_length: int = Field(default=8, ge=8, le=128)
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_number: bool = True
    require_special: bool = True


class SecuritySettings(BaseModel):
    """Per-tenant security settings with PatchMon's defaults."""

    model_config = ConfigDict(extra="forbid")

    password_policy: PasswordPolicy = Field(default_factory=PasswordPolicy)
    max_login_attempts: int = Field(default=5, ge=1, le=100)
    lockout_duration_minutes: int = Field(default=15, ge=1, le=1440)
    session_inactivity_timeout_minutes: int = Field(default=30, ge=5, le=1440)
    access_token_minutes: int = Field(default=60, ge=5, le=1440)
    refresh_token_days: int = Field(default=7, ge=1, le=90)
    remember_me_refresh_token_days: int = Field(default=30, ge=1, le=90)
    max_tfa_attempts: int = Field(default=5, ge=1, le=100)
    tfa_lockout_duration_minutes: int = Field(default=30, ge=1, le=1440)
    tfa_remember_me_days: int = Field(default=30, ge=1, le=90)
    tfa_max_remember_sessions: int = Field(default=5, ge=1, le=20)
    signup_enabled: bool = False
    default_user_role: str = "user"
    general_rate_limit: int = Field(default=5000, ge=10)
    general_rate_window_minutes: int = Field(default=15, ge=1)
    auth_rate_limit: int = Field(default=500, ge=5)
    auth_rate_window_minutes: int = Field(default=10, ge=1)
    password_rate_limit: int = Field(default=5, ge=1)
    password_rate_window_minutes: int = Field(default=15, ge=1)
    agent_update_interval_minutes: int = Field(default=60, ge=5, le=1440)
    agent_auto_update: bool = True
    # The URL agents are given by the install script; None means "the address the request came in on".
    server_url: str | None = Field(default=None, max_length=255, pattern=r"^https?://[^\s/]+(:\d+)?/?$")
    agent_report_retention_days: int = Field(default=30, ge=7, le=365)
    # How long an agent's WebSocket may be gone before its host is offline (reconnects inside it are not outages).
    host_offline_grace_seconds: int = Field(default=120, ge=30, le=3600)
    # The organisation's timezone: fixed-time patch policies without their own follow it.
    timezone: str = Field(default="UTC", min_length=1, max_length=64)


class Tenant(BaseModel):
    """A tenant as stored."""

    tenant_id: str
    slug: str
    name: str
    plan: Plan
    custom_modules: list[str] = Field(default_factory=list)
    host_limit: int
    status: Literal["active", "suspended"] = "active"
    settings: SecuritySettings = Field(default_factory=SecuritySettings)
    # While set, first-time setup needs the operator's setup link (only its SHA-256 is kept).
    setup_link_sha256: str | None = None
    setup_link_expires_at: str | None = None
    created_at: str
    updated_at: str


def _check_modules(modules: list[str] | None) -> list[str] | None:
    unknown = sorted(set(modules or ()) - ALL_MODULES)
    if unknown:
        raise ValueError(f"unknown modules: {', '.join(unknown)}")
    return sorted(set(modules)) if modules is not None else None


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str
    name: str = Field(min_length=1, max_length=120)
    plan: Plan = "free"
    custom_modules: list[str] | None = None
    host_limit: int | None = Field(default=None, ge=0, le=1_000_000)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value) or value in RESERVED_SLUGS:
            raise ValueError("slug must be 1-32 lowercase letters, digits or hyphens, not reserved")
        return value

    _modules = field_validator("custom_modules")(_check_modules)


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    plan: Plan | None = None
    custom_modules: list[str] | None = None
    host_limit: int | None = Field(default=None, ge=0, le=1_000_000)
    status: Literal["active", "suspended"] | None = None

    _modules = field_validator("custom_modules")(_check_modules)


class TenantRead(BaseModel):
    tenant_id: str
    slug: str
    name: str
    plan: str
    modules: list[str]
    host_limit: int
    status: str
    created_at: str
    updated_at: str


class SetupLink(BaseModel):
    """The one-time token of a tenant's setup link (`https://<slug>.<domain>/setup?token=…`), shown once."""

    setup_token: str
    expires_at: str


class TenantCreated(TenantRead):
    setup_link: SetupLink


class TenantPage(BaseModel):
    tenants: list[TenantRead]
    next_cursor: str | None = None


def is_known_plan(plan: str) -> bool:
    return plan in PLANS or plan == CUSTOM_PLAN


class OrganisationSignup(BaseModel):
    """Self-service sign-up of a new organisation and its first (superadmin) user."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    name: str = Field(min_length=1, max_length=120)
    username: str
    email: str
    password: str = Field(max_length=256)

    _slug = field_validator("slug")(TenantCreate._slug.__func__)  # type: ignore[attr-defined]
