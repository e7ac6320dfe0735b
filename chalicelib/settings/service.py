"""A tenant's agent and server settings (Settings → Agent Updates and Server URL) and their push to connected agents.

The values live in the tenant's settings (`chalicelib/tenant`), so one read serves every request that
needs them. A change of the update interval reaches connected agents as `settings_update`
(reference-server.md §3.1), sent by the agent-commands worker one page of hosts per message, so a
large fleet never runs into the worker's timeout.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from chalicelib.audit import service as audit
from chalicelib.aws import queue
from chalicelib.core import clock, errors
from chalicelib.core.observability import logger, metrics
from chalicelib.core.settings import get_settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import service as host_service
from chalicelib.realtime import agents as realtime_agents
from chalicelib.realtime.events import AgentSettingsChanged
from chalicelib.settings.schemas import SettingsUpdate
from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import SecuritySettings, Tenant

# settings_update carries these too (reference-server.md §3.1). We keep no compliance schedule or
# package-cache policy yet, so agents get the reference's defaults (its settings table, and
# reference-agent.md: the cache mode must come with a max age of 1-1440).
COMPLIANCE_SCAN_INTERVAL = 1440
PACKAGE_CACHE_REFRESH_MODE = "always"
PACKAGE_CACHE_REFRESH_MAX_AGE = 60
PUSH_PAGE_SIZE = 50
DEFAULT_PORTS = {"http": 80, "https": 443}
# The API field → where the tenant's settings keep it.
STORED_AS = {"update_interval": "agent_update_interval_minutes", "auto_update": "agent_auto_update",
             "signup_enabled": "signup_enabled", "agent_reports_retention_days": "agent_report_retention_days", "server_url": "server_url",
             "timezone": "timezone"}
URL_PARTS = ("server_protocol", "server_host", "server_port")
HOST_HEADER = re.compile(r"^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$")


def view(settings: SecuritySettings) -> dict[str, Any]:
    """Return the settings page's view of a tenant's settings."""
    url = settings.server_url
    parts = urlsplit(url) if url else None
    return {"update_interval": settings.agent_update_interval_minutes, "auto_update": settings.agent_auto_update,
            "signup_enabled": settings.signup_enabled, "server_url": url,
            "server_protocol": parts.scheme if parts else None, "server_host": parts.hostname if parts else None,
            "server_port": (parts.port or DEFAULT_PORTS[parts.scheme]) if parts else None,
            "agent_reports_retention_days": settings.agent_report_retention_days, "timezone": settings.timezone}


def get(ctx: TenantContext) -> dict[str, Any]:
    """Return the tenant's agent and server settings (read fresh: a warm instance caches tenants)."""
    return view(tenant_service.get(ctx.tenant_id).settings)


def update(ctx: TenantContext, data: SettingsUpdate) -> dict[str, Any]:
    """Apply a partial change; validate it whole before writing; queue `settings_update` when the interval changed."""
    current = tenant_service.get(ctx.tenant_id).settings
    changes = _changes(current, data)
    if not changes:
        return view(current)
    try:
        wanted = SecuritySettings.model_validate({**current.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise errors.InvalidInput(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    updated = tenant_service.update_settings(ctx.tenant_id, wanted).settings
    public = {name: getattr(updated, stored) for name, stored in STORED_AS.items() if stored in changes}
    audit.record(ctx, tenant_id=ctx.tenant_id, action="settings_updated", target_type="settings", target_id="agent",
                 details={"changed": public})
    if "agent_update_interval_minutes" in changes:
        _queue_push(ctx.tenant_id, updated, cursor=None)
    return view(updated)


def _changes(current: SecuritySettings, data: SettingsUpdate) -> dict[str, Any]:
    """Return {stored name: new value} for what the request changes."""
    given = data.model_fields_set
    changes: dict[str, Any] = {}
    for name, stored in STORED_AS.items():
        if name in given and name != "server_url":
            value = getattr(data, name)
            if value is None:
                raise errors.InvalidInput(f"{name}: must not be null")
            changes[stored] = value
    if "server_url" in given:
        changes["server_url"] = (data.server_url or "").strip().rstrip("/") or None
    elif given & set(URL_PARTS):
        changes["server_url"] = _compose_url(current.server_url, data)
    if changes.get("server_url"):
        _check_port(changes["server_url"])
    return {k: v for k, v in changes.items() if getattr(current, k) != v}


def _check_port(url: str) -> None:
    try:
        port = urlsplit(url).port
    except ValueError:
        port = 0
    if port == 0:
        raise errors.InvalidInput("server_url: port must be between 1 and 65535")


def _compose_url(current: str | None, data: SettingsUpdate) -> str:
    """Build the URL from protocol, host and port, taking parts not given from the current URL; default ports are left out."""
    parts = urlsplit(current) if current else None
    protocol = data.server_protocol or (parts.scheme if parts else "https")
    host = data.server_host or (parts.hostname if parts else None)
    if not host:
        raise errors.InvalidInput("server_host: required while no server URL is set")
    port = data.server_port or (parts.port if parts else None)
    return f"{protocol}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[protocol] else "")


def server_url(tenant: Tenant, *, headers: dict[str, str]) -> str:
    """Return the URL agents are given: the configured one, else the origin this request came in on."""
    if tenant.settings.server_url:
        return tenant.settings.server_url
    host = headers.get("host", "").strip()
    if not HOST_HEADER.match(host):
        raise errors.InvalidInput("Invalid Host header")
    proto = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return f"{proto if proto in DEFAULT_PORTS else 'http'}://{host.lower()}"


def agent_payload(settings: SecuritySettings) -> dict[str, Any]:
    """Return the fields of a `settings_update` message for these settings."""
    return {"update_interval": settings.agent_update_interval_minutes, "compliance_scan_interval": COMPLIANCE_SCAN_INTERVAL,
            "package_cache_refresh_mode": PACKAGE_CACHE_REFRESH_MODE, "package_cache_refresh_max_age": PACKAGE_CACHE_REFRESH_MAX_AGE}


def _queue_push(tenant_id: str, settings: SecuritySettings, *, cursor: str | None) -> None:
    event = AgentSettingsChanged(tenant_id=tenant_id, data=agent_payload(settings), cursor=cursor, requested_at=clock.iso(clock.now()))
    queue.send(get_settings().agent_commands_queue_url, event.model_dump())


def push_to_agents(ctx: TenantContext, *, cursor: str | None) -> dict[str, int]:
    """Send the tenant's current settings to the connected agents of one page of its hosts; queue the next page."""
    try:
        settings = tenant_service.get(ctx.tenant_id).settings  # current values, not the message's: safe to repeat or reorder
    except errors.NotFound:
        logger.warning("settings push dropped: tenant gone", extra={"tenant_id": ctx.tenant_id})
        return {"hosts": 0, "sent": 0}
    payload = agent_payload(settings)
    page = host_service.list_(ctx, limit=PUSH_PAGE_SIZE, cursor=cursor, group=None, status=None, os_type=None, needs_updates=False,
                              security=False, reboot=False, search=None)
    sent = sum(1 for host in page["hosts"]
               if host["connected"] and realtime_agents.send(ctx.tenant_id, host["host_id"], "settings_update", payload))
    if page["next_cursor"]:
        _queue_push(ctx.tenant_id, settings, cursor=page["next_cursor"])
    metrics.add_metric(name="AgentSettingsPushed", unit="Count", value=sent)
    logger.info("settings pushed to agents", extra={"tenant_id": ctx.tenant_id, "hosts": len(page["hosts"]), "sent": sent,
                                                    "more": bool(page["next_cursor"])})
    return {"hosts": len(page["hosts"]), "sent": sent}
