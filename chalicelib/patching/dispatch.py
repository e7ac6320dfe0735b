"""Sending due runs to their agents through the `agent-commands` queue (docs/patching.md, "Dispatch").

A run is due at once, after an SQS delay (≤ 15 min), or when its one-time schedule drops the message on the
queue. The worker sends `run_patch` only after a conditional write moved the run from the status and
attempt the message names to `running`; a redelivered or stale message fails that write and sends nothing.
An offline host's run is retried every 5 minutes, each retry a new attempt, up to a bound.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.agent_protocol import constants as protocol
from chalicelib.aws import queue, scheduler
from chalicelib.core import clock, errors
from chalicelib.core.observability import logger, metrics
from chalicelib.core.settings import get_settings
from chalicelib.host import service as host_service
from chalicelib.patching import model, notify, rollouts, run_store, stream
from chalicelib.patching.events import PatchRunDue
from chalicelib.realtime import agents as realtime_agents


def schedule_name(run_id: str) -> str:
    return f"pr-{run_id}"


def enqueue(tenant_id: str, run: dict[str, Any], *, at: datetime | None = None, now: datetime | None = None) -> str | None:
    """Queue the run's due message for now or `at`: an SQS delay up to 15 minutes ahead, a one-time schedule beyond.
    Returns the schedule's name when one carries it."""
    settings = get_settings()
    now = now or clock.now()
    message = PatchRunDue(tenant_id=tenant_id, run_id=run["run_id"], attempt=int(run.get("attempt") or 0),
                          requested_at=clock.iso(now)).model_dump()
    name = schedule_name(run["run_id"])
    # A run has one pending schedule: a new time replaces the old one.
    reference = queue.send_at(settings.agent_commands_queue_url, settings.agent_commands_queue_arn, message,
                              deliver_at=at or now, schedule_name=name, now=now, replace=True)
    return name if reference == name else None


def cancel_schedule(run: dict[str, Any]) -> None:
    """Delete a run's pending one-time schedule (an SQS delayed message cannot be deleted: it finds no run)."""
    if run.get("schedule_name"):
        scheduler.delete(run["schedule_name"])


def run_patch_message(run: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"patch_run_id": run["run_id"], "patch_type": run["patch_type"], "dry_run": bool(run.get("dry_run"))}
    names = list(run.get("package_names") or [])
    if names:
        data["package_names"] = names
        data["package_name"] = names[0]  # agents that only read the single name
    # Our extensions (docs/patching.md, "Beyond PatchMon"); agents that do not know them ignore them.
    if run.get("exclude_packages"):
        data["exclude_packages"] = list(run["exclude_packages"])
    snapshot = run.get("policy_snapshot") or {}
    if not run.get("dry_run"):
        for hooks in ("pre_hooks", "post_hooks", "post_reboot_hooks"):
            if snapshot.get(hooks):
                data[hooks] = list(snapshot[hooks])
        reboot = run.get("reboot_policy") or snapshot.get("reboot_policy") or "never"  # the run's own wins over its policy's
        if reboot != "never" or run.get("reboot_policy"):
            data["reboot"] = reboot
    return data


def handle_due(event: PatchRunDue, *, now: datetime | None = None) -> str:
    """Handle one due message; returns what happened (for the logs and tests)."""
    now = now or clock.now()
    run = run_store.get(event.tenant_id, event.run_id, consistent=True)
    if run is None:
        return "dropped: run deleted"
    if int(run.get("attempt") or 0) != event.attempt:
        return "dropped: stale attempt"
    if run.get("not_after") and now > clock.parse_iso(run["not_after"]) and run["status"] in (model.QUEUED, model.SCHEDULED):
        return _window_closed(event.tenant_id, run, now)
    if run["status"] == model.SCHEDULED:
        due = clock.parse_iso(run["scheduled_at"])
        if due > now + timedelta(seconds=1):  # early (a clock edge): wait for the rest
            enqueue(event.tenant_id, run, at=due, now=now)
            return "requeued: not due yet"
        try:
            run = run_store.transition(event.tenant_id, run, model.QUEUED, {"updated_at": clock.iso(now)}, remove=("schedule_name",))
        except errors.Conflict:
            return "dropped: run changed"
    if run["status"] not in model.DISPATCHABLE:
        return f"dropped: run is {run['status']}"
    host = host_service.host_record(event.tenant_id, run["host_id"])
    agent = host_service.find_agent(host["api_id"]) if host else None
    if not host:
        _fail(event.tenant_id, run, "The host was deleted", now)
        return "failed: host deleted"
    if not (agent and agent.get("ws_connected")):
        return _retry_later(event, run, now, api_id=host["api_id"])
    return _send(event, run, agent, now)


def _retry_later(event: PatchRunDue, run: dict[str, Any], now: datetime, *, api_id: str) -> str:
    if event.attempt + 1 >= model.OFFLINE_RETRY_LIMIT:
        hours = model.OFFLINE_RETRY_LIMIT * model.OFFLINE_RETRY_SECONDS // 3600
        _fail(event.tenant_id, run, f"The host's agent was not connected for {hours} hours; the run was not sent", now)
        return "failed: offline too long"
    retried = run_store.update(event.tenant_id, run, {"updated_at": clock.iso(now), "last_offline_at": clock.iso(now)},
                               add={"attempt": 1}, condition="#status = :expected AND attempt = :attempt",
                               condition_values={":attempt": event.attempt})
    if retried is None:
        return "dropped: run changed"
    queue.send(get_settings().agent_commands_queue_url,
               {**event.model_dump(), "attempt": int(retried["attempt"]), "requested_at": clock.iso(now)},
               delay_seconds=model.OFFLINE_RETRY_SECONDS)
    # The agent's record lists the runs waiting for it, so its next connection sends them at once (dispatch_waiting).
    host_service.record_agent_state(api_id, {}, add={"waiting_patch_runs": {run["run_id"]}})
    metrics.add_metric(name="PatchRunOfflineRetries", unit="Count", value=1)
    return "retry: agent offline"


def dispatch_waiting(agent: dict[str, Any]) -> int:
    """An agent connected: send now the runs that were waiting for it (each as a new attempt, so the 5-minute retry
    already queued becomes stale). Returns how many were sent."""
    sent = 0
    for run_id in sorted(agent.get("waiting_patch_runs") or ()):
        run = run_store.get(agent["tenant_id"], run_id, consistent=True)
        if run is None or run["status"] not in model.DISPATCHABLE or run["host_id"] != agent["host_id"]:
            continue
        bumped = run_store.update(agent["tenant_id"], run, {"updated_at": clock.iso(clock.now())}, add={"attempt": 1},
                                  condition="#status = :expected AND attempt = :attempt",
                                  condition_values={":attempt": int(run.get("attempt") or 0)})
        if bumped is not None:
            enqueue(agent["tenant_id"], {**run, "attempt": int(bumped["attempt"])})
            sent += 1
    host_service.record_agent_state(agent["api_id"], {}, remove=("waiting_patch_runs",))
    return sent


def _send(event: PatchRunDue, run: dict[str, Any], agent: dict[str, Any], now: datetime) -> str:
    stall_at = clock.iso(now + timedelta(minutes=model.STALL_MINUTES))
    try:
        running = run_store.transition(event.tenant_id, run, model.RUNNING,
                                       {"dispatched_at": clock.iso(now), "updated_at": clock.iso(now), "last_output_at": clock.iso(now),
                                        "dispatched_attempt": event.attempt, **run_store.watch_changes(run["run_id"], stall_at)},
                                       condition="attempt = :attempt", condition_values={":attempt": event.attempt})
    except errors.Conflict:
        return "dropped: already dispatched"
    host_service.record_agent_state(agent["api_id"], {"patch_run_id": run["run_id"]})
    if realtime_agents.send(event.tenant_id, run["host_id"], protocol.WS_RUN_PATCH, run_patch_message(run)):
        metrics.add_metric(name="PatchRunsDispatched", unit="Count", value=1)
        stream.push_status(event.tenant_id, running)
        return "sent"
    # The connection went between the read and the push: back to waiting, as a new attempt.
    try:
        waiting = run_store.transition(event.tenant_id, running, run["status"], {"updated_at": clock.iso(now)},
                                       remove=("dispatched_at", "dispatched_attempt", *run_store.WATCH_FIELDS), add={"attempt": 1})
    except errors.Conflict:
        return "dropped: run changed"
    queue.send(get_settings().agent_commands_queue_url,
               {**event.model_dump(), "attempt": int(waiting["attempt"]), "requested_at": clock.iso(now)},
               delay_seconds=model.OFFLINE_RETRY_SECONDS)
    return "retry: connection gone"


def _window_closed(tenant_id: str, run: dict[str, Any], now: datetime) -> str:
    """A maintenance window's run that could not start before the window closed is cancelled, never started late."""
    try:
        ended = run_store.transition(tenant_id, run, model.CANCELLED,
                                     {"error_message": "The maintenance window closed before the run could start",
                                      "completed_at": clock.iso(now), "updated_at": clock.iso(now)})
    except errors.Conflict:
        return "dropped: run changed"
    stream.push_done(tenant_id, ended)
    notify.run_event(tenant_id, "patch_run_cancelled", ended, reason="window_closed")
    rollouts.run_finished(tenant_id, ended)
    return "cancelled: window closed"


def _fail(tenant_id: str, run: dict[str, Any], message: str, now: datetime) -> None:
    try:
        failed = run_store.transition(tenant_id, run, model.FAILED, {"error_message": message, "completed_at": clock.iso(now),
                                                                    "updated_at": clock.iso(now)})
    except errors.Conflict:
        return
    logger.info("patch run failed before dispatch", extra={"run_id": run["run_id"], "reason": message})
    stream.push_done(tenant_id, failed)
    notify.run_event(tenant_id, "patch_run_failed", failed)
    rollouts.run_finished(tenant_id, failed)

