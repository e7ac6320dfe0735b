"""Agents' WebSocket presence as the UI reads it (reference-server.md §1 /ws/status, §3.3).

`chalicelib/realtime/agents.py` keeps presence on each agent's record (ws_connected,
ws_connected_since, ws_secure, ws_disconnected_at); this module only reads it. Agent records are
global (keyed by api_id), so every read checks the record's tenant: another tenant's api_id is
answered exactly like an unknown one.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import clock, errors
from chalicelib.core.pagination import MAX_PAGE_SIZE
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import service as host_service

MAX_API_IDS = MAX_PAGE_SIZE
SUMMARY_PAGE_SIZE = MAX_PAGE_SIZE
_NO_FILTERS = {"group": None, "status": None, "os_type": None, "needs_updates": False, "security": False, "reboot": False, "search": None}


def status_of(agent: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Return the presence fields of one agent record."""
    connected = bool(agent.get("ws_connected"))
    disconnected_at = None if connected else agent.get("ws_disconnected_at")
    seconds_ago = max(0, int((now - clock.parse_iso(disconnected_at)).total_seconds())) if disconnected_at else None
    return {"connected": connected, "secure": connected and bool(agent.get("ws_secure")),
            "last_connected_at": agent.get("ws_connected_since"), "disconnected_at": disconnected_at,
            "disconnected_seconds_ago": seconds_ago}


def _own_agent(ctx: TenantContext, api_id: str) -> dict[str, Any] | None:
    agent = host_service.find_agent(api_id) if api_id else None
    return agent if agent and agent.get("tenant_id") == ctx.tenant_id else None


def get(ctx: TenantContext, *, api_id: str) -> dict[str, Any]:
    """Return the presence of one of the tenant's agents; NotFound for unknown and other tenants' ids alike."""
    agent = _own_agent(ctx, api_id)
    if agent is None:
        raise errors.NotFound("Agent not found")
    return status_of(agent, now=clock.now())


def bulk(ctx: TenantContext, *, api_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Return {api_id: presence} for the given ids that belong to the tenant; others are left out."""
    if len(api_ids) > MAX_API_IDS:
        raise errors.InvalidInput(f"too many api_ids requested (at most {MAX_API_IDS})")
    now = clock.now()
    found = host_service.find_agents(list(dict.fromkeys(a for a in api_ids if 0 < len(a) <= 64)))
    return {api_id: status_of(agent, now=now) for api_id, agent in found.items() if agent.get("tenant_id") == ctx.tenant_id}


def page(ctx: TenantContext, *, limit: int, cursor: str | None) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Return the presence of one page of the tenant's hosts (by name), keyed by api_id, and the next cursor."""
    hosts = host_service.list_(ctx, limit=limit, cursor=cursor, **_NO_FILTERS)
    return bulk(ctx, api_ids=[h["api_id"] for h in hosts["hosts"]]), hosts["next_cursor"]


def summary(ctx: TenantContext) -> dict[str, int]:
    """Count the tenant's hosts whose agent is connected now (reads every page of the host list)."""
    connected = total = 0
    cursor: str | None = None
    while True:
        hosts = host_service.list_(ctx, limit=SUMMARY_PAGE_SIZE, cursor=cursor, **_NO_FILTERS)
        connected += sum(1 for h in hosts["hosts"] if h["connected"])
        total += len(hosts["hosts"])
        cursor = hosts["next_cursor"]
        if not cursor:
            return {"connected": connected, "total": total}
