"""Host status: pending until the first report, then active, offline when its agent goes quiet, and back.

A host is offline when its agent's WebSocket has been gone longer than the tenant's grace period, or,
for an agent without a WebSocket, when it has not checked in for 3× the update interval. Whichever
happened last (the WebSocket closing, or a check-in without one) sets a *watch* on the agent record:
the moment the host is due to go offline unless the agent shows up again. Watches live in a sparse
index (gsi2, keys only), so:

- a check-in of an agent holding its WebSocket (the steady state) writes nothing to the index;
- the sweep reads only the watches that are due, i.e. hosts that are changing state, never the fleet;
- every decision is re-checked on the agent record with a conditional write, so a check-in or a
  reconnect racing the sweep wins.

Transitions emit `host_down` / `host_recovered` domain events.
"""
from __future__ import annotations

import zlib
from typing import Any

from chalicelib.core import clock, keys
from chalicelib.core.observability import logger
from chalicelib.events import service as events
from chalicelib.host import store
from chalicelib.inventory import service as inventory
from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import SecuritySettings

WATCH_SHARDS = 4
WATCH_FIELDS = ("watch_pk", "watch_due")
CHECKIN_MISSES = 3  # offline after this many update intervals without a check-in


def _due_text(epoch: int) -> str:
    return f"{epoch:012d}"  # a string sort key, so it compares in time order


def watch(api_id: str, due_epoch: int) -> dict[str, str]:
    """Agent-record attributes that put the agent in the sweep's index, due at `due_epoch`."""
    return {"watch_pk": keys.watch_partition(zlib.crc32(api_id.encode()) % WATCH_SHARDS), "watch_due": _due_text(due_epoch)}


def checkin_deadline(settings: SecuritySettings, seen_epoch: int) -> int:
    return seen_epoch + CHECKIN_MISSES * settings.agent_update_interval_minutes * 60


def checkin_changes(agent: dict[str, Any], settings: SecuritySettings, seen_epoch: int) -> dict[str, Any]:
    """What a check-in adds to its (single) agent-record write so that the host's status stays right."""
    if agent.get("ws_connected"):
        return {}  # its WebSocket vouches for it; $disconnect will set the watch
    return watch(agent["api_id"], checkin_deadline(settings, seen_epoch))


def disconnect_changes(agent: dict[str, Any], now_epoch: int) -> dict[str, Any]:
    settings = _settings(agent["tenant_id"])
    return watch(agent["api_id"], now_epoch + settings.host_offline_grace_seconds)


def mark_online(agent: dict[str, Any]) -> None:
    """The agent showed up (check-in, report or WebSocket): an offline host becomes active again."""
    if agent.get("status") != "offline":
        return
    _transition(agent, "active")
    store.update_agent(agent["api_id"], {"status": "active"}, remove=("offline_since",))
    recovered(agent)


def recovered(agent: dict[str, Any]) -> None:
    """Record that an offline host is back (its status has been set active by the caller)."""
    events.record(agent["tenant_id"], "host_recovered", subject_type="host", subject_id=agent["host_id"],
                  data={"api_id": agent["api_id"], "friendly_name": agent.get("friendly_name", ""), "offline_since": agent.get("offline_since")})


def _transition(agent: dict[str, Any], status: str) -> None:
    tenant_id, host_id = agent["tenant_id"], agent["host_id"]
    before = store.get(tenant_id, host_id)
    if not before:
        return
    after = store.update_host(tenant_id, host_id, {"status": status, "status_changed_at": clock.iso(clock.now())})
    if after:
        inventory.apply_fleet_delta(tenant_id, inventory.fleet_delta(before, after))


def _settings(tenant_id: str) -> SecuritySettings:
    tenant = tenant_service.find_by_slug_or_id(tenant_id)
    return tenant.settings if tenant else SecuritySettings()


def expected_offline_at(agent: dict[str, Any], settings: SecuritySettings) -> int | None:
    """When the host goes offline if nothing more is heard from its agent (None while its WebSocket is open)."""
    if agent.get("ws_connected"):
        return None
    seen = int(agent.get("last_seen_epoch") or 0)
    lost = int(agent.get("ws_disconnected_epoch") or 0)
    if lost and lost >= seen:  # the WebSocket closing is the latest news of the agent
        return lost + settings.host_offline_grace_seconds
    return checkin_deadline(settings, seen)


def sweep(now_epoch: int | None = None) -> dict[str, int]:
    """Settle every due watch: the host goes offline, or the watch moves to the agent's new deadline, or it is dropped."""
    now_epoch = clock.epoch_seconds(clock.now()) if now_epoch is None else now_epoch
    counts = {"due": 0, "offline": 0, "rescheduled": 0, "dropped": 0, "raced": 0}
    for shard in range(WATCH_SHARDS):
        due = store.watched_agents(keys.watch_partition(shard), due_by=_due_text(now_epoch))
        if not due:
            continue
        counts["due"] += len(due)
        agents = store.get_agents([k["pk"].split("#", 1)[1] for k in due], fields=None)
        for key in due:
            agent = agents.get(key["pk"].split("#", 1)[1])
            if agent is not None:
                counts[_settle(agent, key["watch_due"], now_epoch)] += 1
    if counts["due"]:
        logger.info("host status sweep", extra=counts)
    return counts


def _settle(agent: dict[str, Any], seen_due: str, now_epoch: int) -> str:
    unchanged = {"condition": "watch_due = :c_due", "condition_values": {":c_due": seen_due}}
    if agent.get("ws_connected") or agent.get("status") != "active":
        # Connected again, never reported (pending hosts stay pending), or already offline.
        return "dropped" if store.update_agent(agent["api_id"], {}, remove=WATCH_FIELDS, **unchanged) else "raced"
    deadline = expected_offline_at(agent, _settings(agent["tenant_id"]))
    if deadline is not None and deadline > now_epoch:
        moved = store.update_agent(agent["api_id"], {"watch_due": _due_text(deadline)}, **unchanged)
        return "rescheduled" if moved else "raced"
    at = clock.iso(clock.now())
    went_offline = store.update_agent(
        agent["api_id"], {"status": "offline", "offline_since": at}, remove=WATCH_FIELDS,
        condition="watch_due = :c_due AND (attribute_not_exists(ws_connected) OR ws_connected = :c_false)",
        condition_values={":c_due": seen_due, ":c_false": False})
    if not went_offline:
        return "raced"
    _transition(agent, "offline")
    lost = int(agent.get("ws_disconnected_epoch") or 0)
    events.record(agent["tenant_id"], "host_down", subject_type="host", subject_id=agent["host_id"],
                  data={"api_id": agent["api_id"], "friendly_name": agent.get("friendly_name", ""), "last_seen_at": agent.get("last_seen_at"),
                        "reason": "websocket_lost" if lost and lost >= int(agent.get("last_seen_epoch") or 0) else "missed_checkins"})
    return "offline"
