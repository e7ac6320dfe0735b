"""Live logs: browsers subscribed to a run over the WebSocket get its output as it arrives (C11.15).

A subscription is an item under the run (TTL past API Gateway's 2-hour connection cap); whichever Lambda
receives the agent's output pushes it to every subscriber through `@connections`, so nothing lives in one
process's memory. Chunks carry the run's output sequence number; the snapshot carries the last one it
includes, so a chunk that raced the snapshot is recognised and skipped by the browser.
"""
from __future__ import annotations

from typing import Any

from chalicelib.aws import ws_push
from chalicelib.core import errors
from chalicelib.core.observability import logger, metrics
from chalicelib.patching import model, run_store

SUBSCRIBE = "subscribe_patch_run"
UNSUBSCRIBE = "unsubscribe_patch_run"


def _push(tenant_id: str, run_id: str, connection_ids: list[str], message: dict[str, Any]) -> int:
    delivered = 0
    for connection_id in connection_ids:
        try:
            ws_push.send(connection_id, message)
            delivered += 1
        except ws_push.ConnectionGone:
            run_store.delete_subscriber(tenant_id, run_id, connection_id)
    if delivered:
        metrics.add_metric(name="PatchLogPushes", unit="Count", value=delivered)
    return delivered


def subscribe(*, connection_id: str, connection: dict[str, Any], run_id: str, can_view: bool) -> None:
    """Subscribe an open browser connection to a run of its tenant and send the snapshot (and `done` if it ended)."""
    tenant_id = connection["tenant_id"]
    run = run_store.get(tenant_id, run_id, consistent=True) if can_view else None
    if run is None:
        raise errors.NotFound("Patch run not found")
    if run["status"] not in model.TERMINAL:
        run_store.put_subscriber(tenant_id, run_id, connection_id, expires_at=int(connection["expires_at"]))
    # Read after subscribing: output that lands in between is in the snapshot or pushed (or both, told apart by seq).
    run = run_store.get(tenant_id, run_id, consistent=True) or run
    ws_push.send(connection_id, {"type": "snapshot", "patch_run_id": run_id, "stage": run["status"],
                                 "shell_output": run_store.read_output(tenant_id, run_id), "error_message": run.get("error_message"),
                                 "seq": int(run.get("output_seq") or 0)})
    if run["status"] in model.TERMINAL:
        ws_push.send(connection_id, done_message(run))
        run_store.delete_subscriber(tenant_id, run_id, connection_id)


def unsubscribe(*, connection_id: str, connection: dict[str, Any], run_id: str) -> None:
    run_store.delete_subscriber(connection["tenant_id"], run_id, connection_id)


def done_message(run: dict[str, Any]) -> dict[str, Any]:
    return {"type": "done", "patch_run_id": run["run_id"], "stage": run["status"], "error_message": run.get("error_message")}


def push_chunk(tenant_id: str, run_id: str, *, seq: int, chunk: str) -> int:
    subscribers = run_store.subscribers(tenant_id, run_id)
    return _push(tenant_id, run_id, subscribers, {"type": "chunk", "patch_run_id": run_id, "stage": "progress", "chunk": chunk, "seq": seq})


def push_status(tenant_id: str, run: dict[str, Any]) -> int:
    """Tell subscribers the run's status changed while it goes on (sent, started, back after a disconnect)."""
    subscribers = run_store.subscribers(tenant_id, run["run_id"])
    if not subscribers:
        return 0
    return _push(tenant_id, run["run_id"], subscribers, {"type": "status", "patch_run_id": run["run_id"], "stage": run["status"],
                                                          "started_at": run.get("started_at")})


def push_done(tenant_id: str, run: dict[str, Any]) -> int:
    """Send `done` to the run's subscribers and end their subscriptions."""
    subscribers = run_store.subscribers(tenant_id, run["run_id"])
    delivered = _push(tenant_id, run["run_id"], subscribers, done_message(run))
    for connection_id in subscribers:
        run_store.delete_subscriber(tenant_id, run["run_id"], connection_id)
    return delivered


def handle(*, connection_id: str, message: dict[str, Any], permissions_of: Any) -> bool:
    """Handle a browser's subscribe/unsubscribe message; False when the message is not one of them.

    `permissions_of(connection)` returns (permissions, modules) of the connection's user, read fresh.
    """
    action = message.get("action")
    if action not in (SUBSCRIBE, UNSUBSCRIBE):
        return False
    run_id = message.get("patch_run_id")
    from chalicelib.realtime import service as realtime_service  # the realtime service routes these messages here

    connection = realtime_service.find_open_connection(connection_id)
    try:
        if not isinstance(run_id, str) or not run_id or len(run_id) > 64:
            raise errors.InvalidInput("patch_run_id is required")
        if connection is None or connection.get("kind") == "agent":
            raise errors.Forbidden("Only a signed-in browser connection can follow a run")
        if action == UNSUBSCRIBE:
            unsubscribe(connection_id=connection_id, connection=connection, run_id=run_id)
            return True
        permissions, modules = permissions_of(connection)
        if "patching" not in modules:
            raise errors.ModuleNotAvailable()
        subscribe(connection_id=connection_id, connection=connection, run_id=run_id, can_view="can_view_hosts" in permissions)
    except errors.DomainError as exc:
        logger.info("patch log subscription refused", extra={"connection_id": connection_id, "error": exc.message})
        try:
            ws_push.send(connection_id, {"type": "error", "patch_run_id": run_id if isinstance(run_id, str) else None,
                                         "error": exc.message, **({"code": exc.code} if exc.code else {})})
        except ws_push.ConnectionGone:
            pass
    return True
