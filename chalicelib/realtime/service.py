"""WebSocket connections: tickets, connect and disconnect, and messages pushed to a connection."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from chalicelib.aws import queue, ws_push
from chalicelib.core import clock, errors, ids
from chalicelib.core.observability import logger, metrics
from chalicelib.core.settings import get_settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.realtime import agents, store
from chalicelib.realtime.events import EchoRequested


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(ctx: TenantContext) -> dict[str, str]:
    """Issue the signed-in user a one-time ticket that authorises one WebSocket upgrade within the ticket TTL."""
    ticket = ids.new_token()
    expires = clock.now() + timedelta(seconds=get_settings().ws_ticket_ttl_seconds)
    store.put_ticket(ticket_hash=_hash(ticket), expires_at=clock.epoch_seconds(expires), tenant_id=ctx.tenant_id,
                     user_id=ctx.user_id or "")
    return {"ticket": ticket, "expires_at": clock.iso(expires)}


def open_connection(*, connection_id: str, query: dict[str, str] | None, source_ip: str) -> None:
    """Accept a connection that presents a valid, unused ticket; raise Unauthenticated otherwise."""
    ticket = (query or {}).get("ticket", "")
    now = clock.now()
    owner = store.consume_ticket(ticket_hash=_hash(ticket), now=clock.epoch_seconds(now)) if ticket else None
    if owner is None:
        metrics.add_metric(name="ConnectionsRefused", unit="Count", value=1)
        raise errors.Unauthenticated("Invalid or expired WebSocket ticket")
    store.put_connection(connection_id=connection_id, connected_at=clock.iso(now), source_ip=source_ip,
                         expires_at=clock.epoch_seconds(now + store.CONNECTION_RECORD_TTL), tenant_id=owner["tenant_id"],
                         user_id=owner["user_id"])
    logger.info("websocket connected", extra={"connection_id": connection_id})


def find_open_connection(connection_id: str) -> dict[str, Any] | None:
    """An open connection's record (tenant, user; `kind` "agent" for agents), or None."""
    return store.get_connection(connection_id=connection_id, now=clock.epoch_seconds(clock.now()))


def close_connection(*, connection_id: str) -> None:
    """Forget a connection after API Gateway reports it closed (an agent's also ends its presence)."""
    record = store.get_connection_record(connection_id)
    if record and record.get("kind") == "agent":
        agents.close_connection(record)
        return
    store.delete_connection(connection_id=connection_id)
    logger.info("websocket disconnected", extra={"connection_id": connection_id})


def _user_access(connection: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """The permissions and modules of a browser connection's user, read now (a role changed since the ticket counts)."""
    from chalicelib.rbac import service as rbac_service
    from chalicelib.tenant import service as tenant_service
    from chalicelib.user import service as user_service

    tenant = tenant_service.find_by_slug_or_id(connection["tenant_id"])
    user = user_service.find(connection["tenant_id"], connection.get("user_id") or "")
    if tenant is None or tenant.status != "active" or user is None or not user.get("is_active", True):
        return frozenset(), frozenset()
    return rbac_service.permissions_for(tenant.tenant_id, user["role"]), tenant_service.modules(tenant)


def handle_message(*, connection_id: str, message: Any) -> None:
    """Answer a client message: `hello` gets the connection's id, `ping` a pong, patch-log subscriptions are the
    patching stream's; others an error."""
    from chalicelib.patching import stream as patch_stream

    action = message.get("action") if isinstance(message, dict) else None
    if isinstance(message, dict) and patch_stream.handle(connection_id=connection_id, message=message, permissions_of=_user_access):
        return
    if action == "hello":
        reply = {"type": "welcome", "connection_id": connection_id}
    elif action == "ping":
        reply = {"type": "pong", "time": clock.iso(clock.now())}
    else:
        reply = {"type": "error", "error": "Unknown action"}
    try:
        ws_push.send(connection_id, reply)
    except ws_push.ConnectionGone:
        close_connection(connection_id=connection_id)


def request_echo(ctx: TenantContext, *, connection_id: str, message: str, delay_seconds: int) -> dict[str, Any]:
    """Queue `message` for delivery to one of the signed-in user's open connections after `delay_seconds`."""
    settings = get_settings()
    connection = store.get_connection(connection_id=connection_id, now=clock.epoch_seconds(clock.now()))
    if connection is None or connection.get("tenant_id") != ctx.tenant_id or connection.get("user_id") != ctx.user_id:
        raise errors.NotFound("Connection not found")
    deliver_at = clock.now() + timedelta(seconds=delay_seconds)
    event = EchoRequested(connection_id=connection_id, message=message, requested_at=clock.iso(clock.now()))
    reference = queue.send_at(settings.agent_commands_queue_url, settings.agent_commands_queue_arn, event.model_dump(),
                              deliver_at=deliver_at, schedule_name=f"echo-{ids.new_id()}")
    return {"queued": True, "reference": reference, "deliver_at": clock.iso(deliver_at)}


def deliver_echo(event: EchoRequested) -> bool:
    """Push a queued message to its connection; False when the connection has gone (not an error)."""
    try:
        ws_push.send(event.connection_id, {"type": "echo", "message": event.message, "requested_at": event.requested_at})
    except ws_push.ConnectionGone:
        close_connection(connection_id=event.connection_id)
        metrics.add_metric(name="PushesToGoneConnections", unit="Count", value=1)
        return False
    metrics.add_metric(name="MessagesPushed", unit="Count", value=1)
    return True


def request_agent_message(ctx: TenantContext, *, host_id: str, message_type: str, data: dict[str, Any] | None = None) -> str:
    """Queue a documented server→agent message for a host of the tenant; returns the SQS message id."""
    from chalicelib.agent_protocol import constants as protocol
    from chalicelib.realtime.events import AgentCommandRequested

    if message_type not in protocol.SERVER_TO_AGENT_MESSAGE_TYPES:
        raise errors.InvalidInput(f"Unknown agent message type: {message_type}")
    event = AgentCommandRequested(tenant_id=ctx.tenant_id, host_id=host_id, message_type=message_type, data=data or {},
                                  requested_at=clock.iso(clock.now()))
    return queue.send(get_settings().agent_commands_queue_url, event.model_dump())
