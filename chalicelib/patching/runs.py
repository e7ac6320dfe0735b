"""Patch runs: trigger, approve, retry validation, stop, delete, and reading them (C8–C11, docs/patching.md)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.agent_protocol import constants as protocol
from chalicelib.audit import service as audit
from chalicelib.core import clock, errors, ids, keys
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.host import service as host_service
from chalicelib.patching import dispatch, holds, model, notify, policies, rollouts, run_store, stream, timing
from chalicelib.patching.schemas import TriggerRequest
from chalicelib.realtime import agents as realtime_agents
from chalicelib.user import service as user_service

LIST_FIELDS = ("run_id", "host_id", "host_name", "patch_type", "package_names", "dry_run", "status", "initiated_by", "approved_by",
               "created_at", "updated_at", "scheduled_at", "started_at", "completed_at", "policy_name", "validation_run_id",
               "execution_run_id", "extra_deps_count", "error_message", "schedule_override", "reboot", "not_after",
               "window_occurrence", "rollout_id", "ring", "reboot_policy")
DETAIL_FIELDS = (*LIST_FIELDS, "policy_id", "policy_snapshot", "packages_affected", "attempt", "dispatched_at", "last_output_at",
                 "output_truncated", "cancelled_via", "cancelled_by", "exclude_packages", "post_reboot_output", "post_reboot_error")


def _username(ctx: TenantContext) -> str | None:
    user = user_service.find(ctx.tenant_id, ctx.user_id) if ctx.user_id else None
    return user.get("username") if user else None


def view(run: dict[str, Any], *, detail: bool = False) -> dict[str, Any]:
    data = {k: run.get(k) for k in (DETAIL_FIELDS if detail else LIST_FIELDS)}
    data["id"] = run["run_id"]
    data["package_names"] = list(run.get("package_names") or [])
    data["dry_run"] = bool(run.get("dry_run"))
    data["extra_deps_count"] = int(run.get("extra_deps_count") or 0)
    data["deletable"] = run["status"] in model.DELETABLE
    data["approvable"] = run["status"] in model.APPROVABLE
    return data


def _get(ctx: TenantContext, run_id: str, *, consistent: bool = True) -> dict[str, Any]:
    run = run_store.get(ctx.tenant_id, run_id, consistent=consistent)
    if run is None:
        raise errors.NotFound("Patch run not found")
    return run


def new_run(ctx: TenantContext, host: dict[str, Any], *, patch_type: str, packages: list[str], dry_run: bool, status: str,
             now: datetime, snapshot: dict[str, Any], initiated_by: str | None, **extra: Any) -> dict[str, Any]:
    return {"run_id": ids.new_time_ordered_id(), "host_id": host["host_id"],
            "host_name": host.get("friendly_name") or host.get("hostname") or host["host_id"], "patch_type": patch_type,
            "package_names": packages or None, "dry_run": dry_run, "status": status, "attempt": 0, "created_at": clock.iso(now),
            "updated_at": clock.iso(now), "initiated_by": initiated_by, "initiated_by_user_id": ctx.user_id,
            "policy_id": snapshot.get("policy_id"), "policy_name": snapshot["name"], "policy_snapshot": snapshot, **extra}


def _timed(ctx: TenantContext, host: dict[str, Any], *, now: datetime, override: str | None) -> tuple[datetime, dict[str, Any]]:
    zone = policies.tenant_timezone(ctx.tenant_id)
    policy = policies.resolve(ctx.tenant_id, host, modules=ctx.modules)
    fires = now if override == "immediate" else timing.run_at(policy, now=now, tenant_timezone=zone)
    return fires, policies.snapshot(policy, tenant_timezone=zone)


def _start(ctx: TenantContext, run: dict[str, Any], *, fires: datetime | None, now: datetime) -> dict[str, Any]:
    """Queue a new run's due message (now or at `fires`); a run that could not be queued is failed, not left waiting."""
    try:
        name = dispatch.enqueue(ctx.tenant_id, run, at=fires if fires and fires > now else None, now=now)
    except Exception:
        logger.exception("patch run could not be queued", extra={"run_id": run["run_id"]})
        run_store.transition(ctx.tenant_id, run, model.FAILED, {"error_message": "The run could not be queued; try again",
                                                                "completed_at": clock.iso(now)})
        raise
    if name:
        run_store.update(ctx.tenant_id, run, {"schedule_name": name})
        run["schedule_name"] = name
    return run


def _refuse_held(host: dict[str, Any], packages: list[str], patterns: list[str]) -> None:
    blocked = holds.held(packages, patterns)
    if blocked:
        name, pattern = next(iter(blocked.items()))
        host_name = host.get("friendly_name") or host.get("hostname") or host["host_id"]
        raise errors.Conflict(f"{name} is held on {host_name} (hold {pattern}); remove the hold to patch it", code="package_held",
                              extra={"held": sorted(blocked)})


def trigger(ctx: TenantContext, data: TriggerRequest) -> dict[str, Any]:
    """Create one run per host: a dry run (`pending_validation`), a request for approval (`pending_approval`), or a
    run timed by the host's policy (`queued` now, or `scheduled`)."""
    if data.rollout and "patching_policies" not in ctx.modules:
        raise errors.ModuleNotAvailable()
    hosts = [host_service.get(ctx, host_id=h) for h in data.hosts]  # every host must exist before any run is made
    now = clock.now()
    initiated_by = _username(ctx)
    all_holds = holds.all_holds(ctx.tenant_id)
    for host in hosts:  # a held package is refused before any run is made
        _refuse_held(host, data.packages, holds.patterns_of(all_holds, host))
    created: list[tuple[dict[str, Any], datetime | None]] = []
    for host in hosts:
        fires, snapshot = _timed(ctx, host, now=now, override=data.schedule_override)
        if data.dry_run:
            status, fires = model.PENDING_VALIDATION, now  # dry runs and approval requests are never delayed
        elif data.pending_approval:
            status, fires = model.PENDING_APPROVAL, None
        elif data.rollout:  # the rollout, not the policy, decides when each run starts
            status, fires = model.WAITING, now
        else:
            status = model.SCHEDULED if fires > now else model.QUEUED
        extra = {"scheduled_at": clock.iso(fires)} if status == model.SCHEDULED else {}
        if data.schedule_override:
            extra["schedule_override"] = data.schedule_override
        if data.reboot_policy and not data.dry_run:
            extra["reboot_policy"] = data.reboot_policy
        run = new_run(ctx, host, patch_type=data.patch_type, packages=data.packages, dry_run=data.dry_run, status=status, now=now,
                       snapshot=snapshot, initiated_by=initiated_by, exclude_packages=holds.patterns_of(all_holds, host) or None, **extra)
        created.append((run, fires))
    if data.rollout:
        rollout = start_rollout(ctx, [run for run, _ in created], data.rollout.model_dump(), source={"source": "trigger",
                                                                                                     "initiated_by": initiated_by})
        created = [(run, now) for run, _ in created]
    else:
        run_store.put_new(ctx.tenant_id, [run for run, _ in created])
        for run, fires in created:
            if run["status"] != model.PENDING_APPROVAL:
                _start(ctx, run, fires=fires, now=now)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_run_triggered", target_type="patch_run",
                 target_id=created[0][0]["run_id"] if len(created) == 1 else None,
                 details={"hosts": len(created), "patch_type": data.patch_type, "packages": data.packages[:20], "dry_run": data.dry_run,
                          "pending_approval": data.pending_approval})
    runs = [{"patch_run_id": run["run_id"], "host_id": run["host_id"], "host_name": run["host_name"], "status": run["status"],
             "run_at": clock.iso(fires) if fires else None, "job_id": f"patch-run-{run['run_id']}"} for run, fires in created]
    first = runs[0]
    message = {model.PENDING_VALIDATION: "Dry run queued", model.PENDING_APPROVAL: "Submitted for approval",
               model.SCHEDULED: "Patch run scheduled", model.QUEUED: "Patch run queued",
               model.WAITING: "Patch run waiting for its rollout"}[first["status"]]
    answer = {"message": message if len(runs) == 1 else f"{len(runs)} patch runs created", **first,
              "queued": first["status"] != model.PENDING_APPROVAL, "pending_approval": first["status"] == model.PENDING_APPROVAL, "runs": runs}
    if data.rollout:
        answer["rollout_id"] = rollout["rollout_id"]
    return answer


def start_rollout(ctx: TenantContext, new_runs: list[dict[str, Any]], spec: dict[str, Any], *, source: dict[str, Any]) -> dict[str, Any]:
    """Store `new_runs` (status waiting) as one rollout and start its first runs."""
    if spec.get("first_ring_group_id"):
        first_ring = {h["host_id"] for h in host_service.hosts_in_group(ctx.tenant_id, spec["first_ring_group_id"])}
    else:
        first_ring = set(spec.get("first_ring_host_ids") or [])
    rollout = rollouts.plan(new_runs, spec, first_ring_hosts=first_ring)
    place = {run_id: (ring, position) for ring, run_ids in enumerate(rollout["rings"]) for position, run_id in enumerate(run_ids)}
    for run in new_runs:
        ring, position = place[run["run_id"]]
        run.update({"status": model.WAITING, "rollout_id": rollout["rollout_id"], "ring": ring, "rollout_position": position})
        run.pop("scheduled_at", None)
    rollouts.store(ctx.tenant_id, rollout, source=source)
    run_store.put_new(ctx.tenant_id, new_runs)
    rollouts.advance(ctx.tenant_id, rollout["rollout_id"])
    return rollout


def start_waiting(tenant_id: str, run_id: str, *, rollout_id: str, ring: int, position: int) -> None:
    """Its rollout gave a waiting run a slot: queue it now (a run deleted meanwhile gives the slot back)."""
    run = run_store.get(tenant_id, run_id, consistent=True)
    if run is None or run["status"] != model.WAITING:
        rollouts.run_finished(tenant_id, {"run_id": run_id, "rollout_id": rollout_id, "ring": ring, "rollout_position": position,
                                          "status": model.CANCELLED})
        return
    now = clock.now()
    try:
        queued = run_store.transition(tenant_id, run, model.QUEUED, {"updated_at": clock.iso(now)})
    except errors.Conflict:
        return
    dispatch.enqueue(tenant_id, queued, now=now)


def cancel_waiting(tenant_id: str, run_id: str, *, reason: str) -> int:
    """Cancel a run its rollout will not start (the rollout stopped); 1 when it was cancelled."""
    run = run_store.get(tenant_id, run_id, consistent=True)
    if run is None or run["status"] != model.WAITING:
        return 0
    now = clock.iso(clock.now())
    try:
        cancelled = run_store.transition(tenant_id, run, model.CANCELLED, {"error_message": reason, "completed_at": now, "updated_at": now})
    except errors.Conflict:
        return 0
    rollouts.run_finished(tenant_id, cancelled)
    return 1


def approve(ctx: TenantContext, *, run_id: str, schedule_override: str | None, reboot_policy: str | None = None) -> dict[str, Any]:
    """Approve a validated run, a run pending validation ("skip & patch") or a request for approval: it becomes
    `approved` and a new execution run, timed by the policy now, is created (C8.10)."""
    source = _get(ctx, run_id)
    if source["status"] not in model.APPROVABLE:
        raise errors.Conflict("Only validated, pending validation or pending approval runs can be approved", code="not_approvable")
    host = host_service.get(ctx, host_id=source["host_id"])
    patterns = holds.patterns_of(holds.all_holds(ctx.tenant_id), host)  # the holds as they are now
    _refuse_held(host, list(source.get("package_names") or []), patterns)
    now = clock.now()
    fires, snapshot = _timed(ctx, host, now=now, override=schedule_override)
    status = model.SCHEDULED if fires > now else model.QUEUED
    approver = _username(ctx)
    extra: dict[str, Any] = {"validation_run_id": run_id, "approved_by": approver, "approved_by_user_id": ctx.user_id,
                             "approved_at": clock.iso(now)}
    if status == model.SCHEDULED:
        extra["scheduled_at"] = clock.iso(fires)
    if schedule_override:
        extra["schedule_override"] = schedule_override
    if reboot_policy or source.get("reboot_policy"):
        extra["reboot_policy"] = reboot_policy or source.get("reboot_policy")
    execution = new_run(ctx, host, patch_type=source["patch_type"], packages=list(source.get("package_names") or []), dry_run=False,
                         status=status, now=now, snapshot=snapshot, initiated_by=source.get("initiated_by"),
                         exclude_packages=patterns or None, **extra)
    # The status guard decides between racing approvals (and a delete): only the winner creates the execution run.
    run_store.transition(ctx.tenant_id, source, model.APPROVED, {"approved_by": approver, "approved_by_user_id": ctx.user_id,
                                                                 "approved_at": clock.iso(now), "execution_run_id": execution["run_id"],
                                                                 "updated_at": clock.iso(now)},
                         conflict="Only validated, pending validation or pending approval runs can be approved")
    if source.get("schedule_name"):
        dispatch.cancel_schedule(source)
    run_store.put_new(ctx.tenant_id, [execution])
    _start(ctx, execution, fires=fires, now=now)
    notify.run_event(ctx.tenant_id, "patch_run_approved", execution, approved_by=approver, validation_run_id=run_id)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_run_approved", target_type="patch_run", target_id=run_id,
                 details={"execution_run_id": execution["run_id"], "host_id": host["host_id"]})
    return {"message": "Patch run approved", "patch_run_id": execution["run_id"], "validation_run_id": run_id, "status": status,
            "run_at": clock.iso(fires), "job_id": f"patch-run-{execution['run_id']}"}


def retry_validation(ctx: TenantContext, *, run_id: str) -> dict[str, Any]:
    """Send a pending dry run again now (a new attempt; an older queued retry becomes stale)."""
    run = _get(ctx, run_id)
    if run["status"] != model.PENDING_VALIDATION or run["patch_type"] != model.PATCH_PACKAGE:
        raise errors.Conflict("Only patch_package runs pending validation can be retried", code="not_retryable")
    now = clock.iso(clock.now())
    retried = run_store.update(ctx.tenant_id, run, {"updated_at": now}, add={"attempt": 1})
    if retried is None:
        raise errors.Conflict("The run changed meanwhile")
    dispatch.enqueue(ctx.tenant_id, {**run, "attempt": int(retried["attempt"])})
    return {"message": "Validation retried", "patch_run_id": run_id}


def stop(ctx: TenantContext, *, run_id: str) -> dict[str, Any]:
    """Stop a running run: it is cancelled at once and the agent is told to interrupt (C9.12)."""
    run = _get(ctx, run_id)
    if run["status"] not in model.STOPPABLE:
        raise errors.Conflict("Only running runs can be stopped; delete a run that has not started", code="not_running")
    host_service.get_connected(ctx, host_id=run["host_id"])  # 409 agent_not_connected (C9.13)
    now = clock.iso(clock.now())
    stopped = run_store.transition(ctx.tenant_id, run, model.CANCELLED,
                                   {"completed_at": now, "updated_at": now, "error_message": "Stopped by user",
                                    "cancelled_by": _username(ctx), "cancelled_via": "agent_signal"},
                                   remove=run_store.WATCH_FIELDS, conflict="The run finished meanwhile")
    sent = realtime_agents.send(ctx.tenant_id, run["host_id"], protocol.WS_PATCH_RUN_STOP, {"patch_run_id": run_id})
    if not sent:
        run_store.update(ctx.tenant_id, stopped, {"cancelled_via": "db_only"})
    stream.push_status(ctx.tenant_id, stopped)
    notify.run_event(ctx.tenant_id, "patch_run_cancelled", stopped, reason="stopped", cancelled_by=stopped.get("cancelled_by"))
    rollouts.run_finished(ctx.tenant_id, stopped)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_run_stopped", target_type="patch_run", target_id=run_id,
                 details={"host_id": run["host_id"]})
    return {"message": "Stop requested", "patch_run_id": run_id, "cancelled_via": "agent_signal" if sent else "db_only"}


def delete(ctx: TenantContext, *, run_id: str) -> None:
    """Delete a run that has not started, with its pending schedule (C10.14, C11.22)."""
    run = _get(ctx, run_id)
    if run["status"] not in model.DELETABLE:
        raise errors.Conflict(f"A {run['status']} run cannot be deleted" + ("; stop it instead" if run["status"] == model.RUNNING else ""),
                              code="not_deletable")
    run_store.delete(ctx.tenant_id, run)
    dispatch.cancel_schedule(run)
    notify.run_event(ctx.tenant_id, "patch_run_cancelled", run, reason="deleted")
    rollouts.run_finished(ctx.tenant_id, {**run, "status": model.CANCELLED})
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_run_cancelled", target_type="patch_run", target_id=run_id,
                 details={"host_id": run["host_id"], "status": run["status"], "patch_type": run["patch_type"]})


def get(ctx: TenantContext, *, run_id: str) -> dict[str, Any]:
    run = _get(ctx, run_id, consistent=False)
    data = view(run, detail=True)
    data["shell_output"] = run_store.read_output(ctx.tenant_id, run_id)
    data["output_seq"] = int(run.get("output_seq") or 0)
    host = host_service.host_record(ctx.tenant_id, run["host_id"])
    data["host"] = {"id": run["host_id"], "friendly_name": host.get("friendly_name"), "hostname": host.get("hostname"),
                    "last_report_at": host.get("last_report_at"), "exists": bool(host)} if host else {"id": run["host_id"], "exists": False}
    awaiting = host.get("awaiting_post_patch_report_run_id") == run_id
    data["post_patch"] = ("awaiting_report" if awaiting else "report_received"
                          if run["status"] == model.COMPLETED and host.get("post_patch_report_at", "") > (run.get("completed_at") or "~")
                          else None)
    return data


STATUS_FILTERS = {**{s: (s,) for s in model.STATUSES}, "active": model.ACTIVE, "awaiting_approval": model.AWAITING_APPROVAL}


def list_(ctx: TenantContext, *, limit: int, cursor: str | None, status: str | None, patch_type: str | None,
          host_id: str | None, rollout_id: str | None = None) -> dict[str, Any]:
    if status and status not in STATUS_FILTERS:
        raise errors.InvalidInput(f"status must be one of: {', '.join(STATUS_FILTERS)}")
    if patch_type and patch_type not in model.PATCH_TYPES:
        raise errors.InvalidInput("type must be patch_all or patch_package")
    if host_id:
        host_service.get(ctx, host_id=host_id)
    items, next_cursor = run_store.list_page(ctx.tenant_id, limit=limit, cursor=cursor, statuses=STATUS_FILTERS.get(status or "", ()),
                                             patch_type=patch_type, host_id=host_id, rollout_id=rollout_id)
    return {"items": [view(run) for run in items], "next_cursor": next_cursor}


def dashboard(ctx: TenantContext, *, with_recent: bool = True) -> dict[str, Any]:
    """Counts by status (one read) and, unless asked not to, the latest runs (one read)."""
    counts = {status: max(0, n) for status, n in run_store.stats(ctx.tenant_id).items()}
    totals = {status: counts.get(status, 0) for status in model.STATUSES}
    totals["total"] = counts.get("total", 0)
    totals["active"] = sum(totals[s] for s in model.ACTIVE)
    totals["awaiting_approval"] = sum(totals[s] for s in model.AWAITING_APPROVAL)
    if not with_recent:
        return {"totals": totals}
    recent, _ = run_store.list_page(ctx.tenant_id, limit=10, cursor=None)
    return {"totals": totals, "recent": [view(run) for run in recent]}


# --- the server giving up on runs ----------------------------------------------------------------
def mark_disconnected(tenant_id: str, run_id: str) -> bool:
    """The agent's WebSocket closed while it ran `run_id`: the run is `agent_disconnected` (a later result still lands)."""
    run = run_store.get(tenant_id, run_id, consistent=True)
    if run is None or run["status"] != model.RUNNING:
        return False
    now = clock.iso(clock.now())
    try:
        ended_run = run_store.transition(tenant_id, run, model.AGENT_DISCONNECTED,
                                     {"completed_at": now, "updated_at": now, "error_message": "The agent disconnected during the run"},
                                     remove=run_store.WATCH_FIELDS)
    except errors.Conflict:
        return False
    stream.push_done(tenant_id, ended_run)
    notify.run_event(tenant_id, "patch_run_failed", ended_run)
    rollouts.run_finished(tenant_id, ended_run)
    return True


def sweep_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Turn running runs with no output for STALL_MINUTES into `timed_out` (reads only runs due in the sparse index)."""
    now = now or clock.now()
    cutoff = now - timedelta(minutes=model.STALL_MINUTES)
    timed_out = extended = 0
    for shard in range(run_store.WATCH_SHARDS):
        for key in run_store.stalled_candidates(shard, due_by=clock.iso(now)):
            run = run_store.get_by_key(key["pk"], key["sk"])
            if run is None or run["status"] != model.RUNNING:
                continue
            tenant_id = keys.tenant_of(key["pk"])
            last = clock.parse_iso(run.get("last_output_at") or run.get("dispatched_at") or run["updated_at"])
            if last > cutoff:  # output came since it was listed: look again when it could next stall
                run_store.update(tenant_id, run, run_store.watch_changes(run["run_id"], clock.iso(last + timedelta(minutes=model.STALL_MINUTES))))
                extended += 1
                continue
            try:
                ended_run = run_store.transition(tenant_id, run, model.TIMED_OUT,
                                             {"completed_at": clock.iso(now), "updated_at": clock.iso(now),
                                              "error_message": f"No output from the agent for {model.STALL_MINUTES} minutes"},
                                             remove=run_store.WATCH_FIELDS)
            except errors.Conflict:
                continue
            stream.push_done(tenant_id, ended_run)
            notify.run_event(tenant_id, "patch_run_failed", ended_run)
            rollouts.run_finished(tenant_id, ended_run)
            timed_out += 1
    return {"timed_out": timed_out, "extended": extended}


def get_rollout(ctx: TenantContext, *, rollout_id: str) -> dict[str, Any]:
    rollout = rollouts.get(ctx.tenant_id, rollout_id)
    if rollout is None:
        raise errors.NotFound("Rollout not found")
    return rollouts.view(rollout)


def _rollout_runs(tenant_id: str, rollout_id: str, *, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    found, cursor = [], None
    while True:
        items, cursor = run_store.list_page(tenant_id, limit=200, cursor=cursor, statuses=statuses, rollout_id=rollout_id)
        found.extend(items)
        if not cursor:
            return found


def stop_rollout(ctx: TenantContext, *, rollout_id: str) -> dict[str, Any]:
    """Stop a rollout as one unit: its waiting runs are cancelled, its running runs are stopped on their agents."""
    get_rollout(ctx, rollout_id=rollout_id)
    stopper = _username(ctx)
    result = rollouts.stop(ctx.tenant_id, rollout_id, reason=f"stopped by {stopper or 'a user'}", stopped_by=stopper)
    stopped = 0
    for run in _rollout_runs(ctx.tenant_id, rollout_id, statuses=(model.RUNNING, model.QUEUED)):
        try:
            if run["status"] == model.RUNNING:
                stop(ctx, run_id=run["run_id"])
            else:
                delete(ctx, run_id=run["run_id"])
            stopped += 1
        except errors.DomainError:
            continue  # it finished meanwhile, or its agent is away (the stall sweep ends it)
    audit.record(ctx, tenant_id=ctx.tenant_id, action="patch_rollout_stopped", target_type="patch_rollout", target_id=rollout_id,
                 details={"cancelled": result["cancelled"], "stopped": stopped})
    return {"message": "Rollout stopped", "cancelled": result["cancelled"], "stopped": stopped, "rollout": get_rollout(ctx, rollout_id=rollout_id)}
