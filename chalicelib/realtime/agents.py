"""Agents' WebSocket connections: presence, sending documented server→agent messages, and keepalive.

The official agent drops its connection when no frame arrives for 90 s (reference-agent.md §17).
Where the gateway does not answer the agent's ping frames (API Gateway's behaviour is not
documented; the local gateway's default is not to), the server must send something: every
KEEPALIVE_SECONDS the keepalive worker sends `{"type":"connected"}`, which the agent ignores.
Cost per host-month: ~32,400 messages ≈ $0.032 of API Gateway messages plus ~$0.001 of Lambda time
(docs/architecture.md). With AGENT_KEEPALIVE=pong (a gateway that answers pings) it costs nothing.
"""
from __future__ import annotations

import zlib
from typing import Any

from chalicelib.agent_protocol import constants as protocol
from chalicelib.aws import ws_push
from chalicelib.core import clock, errors
from chalicelib.core.observability import logger, metrics
from chalicelib.host import presence
from chalicelib.host import service as host_service
from chalicelib.realtime import store

KEEPALIVE_MESSAGE = {"type": "connected"}
# An agent that keeps its connection alive itself says so on the upgrade with its heartbeat period
# (our agent: `X-Agent-Heartbeat: 240`); under API Gateway's 10-minute idle timeout it needs no keepalive.
HEARTBEAT_HEADER = "x-agent-heartbeat"
MAX_SELF_HEARTBEAT_SECONDS = 540


def needs_keepalive(headers: dict[str, str]) -> bool:
    value = headers.get(HEARTBEAT_HEADER, "").strip()
    return not (value.isdigit() and 0 < int(value) <= MAX_SELF_HEARTBEAT_SECONDS)


def bucket_of(api_id: str) -> int:
    return zlib.crc32(api_id.encode()) % store.KEEPALIVE_BUCKETS


def open_connection(agent: dict[str, Any], *, connection_id: str, headers: dict[str, str]) -> None:
    """Record an authenticated agent's connection and its presence on the host."""
    now = clock.now()
    secure = headers.get("x-forwarded-proto", "").lower() == "https"
    store.put_agent_connection(connection_id=connection_id, api_id=agent["api_id"], tenant_id=agent["tenant_id"], host_id=agent["host_id"],
                               connected_at=clock.iso(now), secure=secure, expires_at=clock.epoch_seconds(now + store.CONNECTION_RECORD_TTL),
                               bucket=bucket_of(agent["api_id"]) if needs_keepalive(headers) else None)
    host_service.record_agent_state(agent["api_id"], {"ws_connected": True, "ws_connection_id": connection_id,
                                                      "ws_connected_since": clock.iso(now), "ws_secure": secure},
                                    remove=presence.WATCH_FIELDS)
    presence.mark_online(agent)
    if agent.get("waiting_patch_runs"):  # patch runs retried while it was away go now, not at their next 5-minute retry
        from chalicelib.patching import dispatch as patch_dispatch

        patch_dispatch.dispatch_waiting(agent)
    logger.info("agent connected", extra={"tenant_id": agent["tenant_id"], "api_id": agent["api_id"], "connection_id": connection_id})


def close_connection(record: dict[str, Any]) -> None:
    """Forget an agent connection; presence ends unless a newer connection of the agent replaced it, and
    the host goes offline if the agent is not back within the tenant's grace period (host/presence.py)."""
    store.delete_connection(connection_id=record["connection_id"])
    agent = host_service.find_agent(record["api_id"])
    if agent and agent.get("ws_connection_id") == record["connection_id"]:
        now = clock.now()
        epoch = clock.epoch_seconds(now)
        # Conditional: a reconnect that landed since the read above keeps its presence.
        host_service.record_agent_state(record["api_id"], {"ws_connected": False, "ws_disconnected_at": clock.iso(now),
                                                           "ws_disconnected_epoch": epoch, **presence.disconnect_changes(agent, epoch)},
                                        condition="ws_connection_id = :c_conn", condition_values={":c_conn": record["connection_id"]})
        if agent.get("patch_run_id"):  # it was running a patch: the run lost its agent (a later result still lands)
            from chalicelib.patching import runs as patch_runs

            patch_runs.mark_disconnected(agent["tenant_id"], agent["patch_run_id"])
    logger.info("agent disconnected", extra={"api_id": record["api_id"], "connection_id": record["connection_id"]})


def send(tenant_id: str, host_id: str, message_type: str, data: dict[str, Any] | None = None) -> bool:
    """Send one documented server→agent message to a host's agent; False when it is not connected."""
    if message_type not in protocol.SERVER_TO_AGENT_MESSAGE_TYPES:
        raise errors.InvalidInput(f"Unknown agent message type: {message_type}")
    host = host_service.host_record(tenant_id, host_id)
    agent = host_service.find_agent(host["api_id"]) if host else None
    if not agent or not agent.get("ws_connected") or not agent.get("ws_connection_id"):
        return False
    try:
        ws_push.send(agent["ws_connection_id"], {"type": message_type, **(data or {})})
    except ws_push.ConnectionGone:
        close_connection({"connection_id": agent["ws_connection_id"], "api_id": agent["api_id"]})
        return False
    metrics.add_metric(name="AgentMessagesSent", unit="Count", value=1)
    return True


def keepalive(bucket: int) -> dict[str, int]:
    """Send the keepalive frame to every agent connection of a bucket; prune the ones that are gone."""
    sent = gone = 0
    for record in store.agent_connections(bucket):
        try:
            ws_push.send(record["connection_id"], KEEPALIVE_MESSAGE)
            sent += 1
        except ws_push.ConnectionGone:
            close_connection(record)
            gone += 1
    return {"sent": sent, "gone": gone}
