"""What the agent posts while it runs a patch: `started`, `progress` chunks and one final stage (C9, §4)."""
from __future__ import annotations

from typing import Any

from chalicelib.agent_protocol.dry_run import parse_dry_run
from chalicelib.core import clock, errors
from chalicelib.core.observability import logger, metrics
from chalicelib.host import service as host_service
from chalicelib.patching import model, notify, rollouts, run_store, stream
from chalicelib.patching.schemas import OutputRequest

RECOVERABLE = (model.TIMED_OUT, model.AGENT_DISCONNECTED)  # the agent is evidently still at work


def _run_of(agent: dict[str, Any], run_id: str) -> dict[str, Any]:
    run = run_store.get(agent["tenant_id"], run_id, consistent=True)
    if run is None or run["host_id"] != agent["host_id"]:  # another host's run is not this agent's business
        raise errors.NotFound("Patch run not found")
    return run


def receive(agent: dict[str, Any], *, run_id: str, body: OutputRequest) -> dict[str, Any]:
    run = _run_of(agent, run_id)
    if body.stage == model.STAGE_STARTED:
        return _started(agent, run)
    if body.stage == model.STAGE_PROGRESS:
        return _progress(agent, run, body.output or "")
    if body.stage in (model.STAGE_REBOOTED, model.STAGE_REBOOT_FAILED):
        return _rebooted(agent, run, body)
    return _final(agent, run, body)


def _rebooted(agent: dict[str, Any], run: dict[str, Any], body: OutputRequest) -> dict[str, Any]:
    """The host is back after the reboot the run decided: record the kernels and the post-reboot hooks' output."""
    reboot = dict(run.get("reboot") or {})
    if reboot.get("decision") != "rebooting":
        raise errors.Conflict("This run did not reboot its host", code="no_reboot_pending")
    if reboot.get("host_back_at"):
        return {"ok": True, "ignored": "already recorded"}
    now = clock.iso(clock.now())
    reported = body.reboot.model_dump(exclude_none=True) if body.reboot else {}
    reboot.update({k: reported[k] for k in ("kernel_after", "new_kernel", "booted_at") if k in reported})
    if body.stage == model.STAGE_REBOOT_FAILED:
        reboot.update({"status": "failed", "error": (body.error_message or "the reboot failed")[:500], "host_back_at": now})
    else:
        reboot.update({"status": "host_back", "host_back_at": now})
    changes: dict[str, Any] = {"reboot": reboot, "updated_at": now}
    if body.output:
        changes["post_reboot_output"] = body.output[-model.MAX_CHUNK_BYTES:]
    if body.error_message and body.stage == model.STAGE_REBOOTED:
        changes["post_reboot_error"] = body.error_message[:2000]
    written = run_store.update(agent["tenant_id"], run, changes)
    if written is None:
        raise errors.Conflict("The run changed meanwhile; retry")
    if body.stage == model.STAGE_REBOOT_FAILED:
        notify.run_event(agent["tenant_id"], "patch_reboot_required", written, reason=reboot["error"])
    else:
        notify.run_event(agent["tenant_id"], "patch_host_rebooted", written, kernel_after=reboot.get("kernel_after"),
                         new_kernel=reboot.get("new_kernel"), hook_error=body.error_message)
    return {"ok": True}


def _resume(tenant_id: str, run: dict[str, Any], now: str) -> dict[str, Any]:
    """A run the server had given up on (timed out, agent disconnected) is running again when the agent speaks."""
    resumed = run_store.transition(tenant_id, run, model.RUNNING, {"updated_at": now, "last_output_at": now},
                                   remove=("error_message", "completed_at"))
    stream.push_status(tenant_id, resumed)
    return resumed


def _started(agent: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    tenant_id, now = agent["tenant_id"], clock.iso(clock.now())
    if run["status"] in RECOVERABLE:
        run = _resume(tenant_id, run, now)
    if run["status"] != model.RUNNING:
        return {"ok": True, "ignored": f"run is {run['status']}"}
    started = run_store.update(tenant_id, run, {"started_at": run.get("started_at") or now, "last_output_at": now, "updated_at": now})
    if started is not None:
        stream.push_status(tenant_id, started)
        if not run.get("started_at"):
            notify.run_event(tenant_id, "patch_run_started", started)
    return {"ok": True}


def _progress(agent: dict[str, Any], run: dict[str, Any], chunk: str) -> dict[str, Any]:
    tenant_id, now = agent["tenant_id"], clock.iso(clock.now())
    size = len(chunk.encode())
    if size > model.MAX_CHUNK_BYTES:
        raise errors.PayloadTooLarge(f"An output chunk is limited to {model.MAX_CHUNK_BYTES} bytes")
    if not chunk:
        return {"ok": True}
    if run["status"] in RECOVERABLE:
        run = _resume(tenant_id, run, now)
    # Chunks still arrive after a stop, until the agent's SIGINT lands: kept, the status stays cancelled.
    if run["status"] not in (model.RUNNING, model.CANCELLED) or run.get("final_output_at"):
        return {"ok": True, "ignored": f"run is {run['status']}"}
    if int(run.get("output_bytes") or 0) + size > model.MAX_OUTPUT_BYTES:
        run_store.update(tenant_id, run, {"output_truncated": True, "last_output_at": now})
        return {"ok": True, "stored": False}
    updated = run_store.update(tenant_id, run, {"last_output_at": now, "updated_at": now}, add={"output_seq": 1, "output_bytes": size})
    if updated is None:
        return {"ok": True, "ignored": "run changed"}
    seq = int(updated["output_seq"])
    run_store.put_chunk(tenant_id, run["run_id"], seq, chunk, now)
    stream.push_chunk(tenant_id, run["run_id"], seq=seq, chunk=chunk)
    return {"ok": True}


def _pieces(text: str) -> tuple[list[str], bool]:
    """The final output cut into items; beyond the size limit only the end is kept (that is where errors are)."""
    data = text.encode()
    truncated = len(data) > model.MAX_OUTPUT_BYTES
    if truncated:
        data = data[-model.MAX_OUTPUT_BYTES:]
        text = "[output truncated: only the last 1 MiB is kept]\n" + data.decode(errors="ignore")
    width = model.OUTPUT_PIECE_BYTES // 4  # characters: at most 4 bytes each, so a piece always fits its item
    pieces = [text[i:i + width] for i in range(0, len(text), width)]
    return pieces, truncated


def _affected(body: OutputRequest) -> list[dict[str, Any]]:
    """The packages a dry run would change: the agent's list when it sent one, else parsed from its output."""
    parsed = body.packages_affected
    if parsed is not None:
        cleaned = [{"name": str(p.get("name"))[:model.MAX_PACKAGE_NAME_LENGTH], "version": p.get("version"), "action": p.get("action")}
                   for p in parsed if isinstance(p, dict) and p.get("name")]
        if cleaned:
            return cleaned
    return parse_dry_run(body.output or "")


def _final(agent: dict[str, Any], run: dict[str, Any], body: OutputRequest) -> dict[str, Any]:
    tenant_id, now = agent["tenant_id"], clock.iso(clock.now())
    status = model.final_status(body.stage, dry_run=bool(run.get("dry_run")))
    if status is None:
        kind = "a dry run" if run.get("dry_run") else "a real run"
        raise errors.InvalidInput(f"stage {body.stage} does not apply to {kind}")
    if run.get("final_output_at"):
        return {"ok": True, "ignored": "result already recorded"}  # the agent retried its final post
    changes: dict[str, Any] = {"updated_at": now, "final_output_at": now}
    if body.error_message:
        changes["error_message"] = body.error_message[:2000]
    if body.reboot and not run.get("dry_run"):
        reboot = body.reboot.model_dump(exclude_none=True)
        if reboot.get("decision") == "rebooting":
            reboot["status"] = "rebooting"
        changes["reboot"] = reboot
    if status == model.VALIDATED:
        affected = _affected(body)[:2000]
        requested = set(run.get("package_names") or [])
        changes["packages_affected"] = affected
        changes["extra_deps_count"] = len([p for p in affected if p["name"] not in requested])
    if run["status"] in model.RESULT_ACCEPTED_FROM:
        changes["completed_at"] = now
        written = run_store.transition(tenant_id, run, status, changes, remove=run_store.WATCH_FIELDS,
                                       conflict="The run changed meanwhile; retry")
    elif run["status"] == model.CANCELLED:  # stopped by the user: the agent's report only fills in the output
        written = run_store.update(tenant_id, run, changes)
        if written is None:
            raise errors.Conflict("The run changed meanwhile; retry")
    else:
        raise errors.Conflict(f"The run is {run['status']}; it is not running", code="run_not_running")
    pieces, truncated = _pieces(body.output or "")
    if pieces:
        run_store.put_final_output(tenant_id, run["run_id"], pieces)
    if truncated:
        run_store.update(tenant_id, written, {"output_truncated": True}, condition="attribute_exists(pk)")
    host_service.record_agent_state(agent["api_id"], {}, remove=("patch_run_id",), condition="patch_run_id = :c_run",
                                    condition_values={":c_run": run["run_id"]})
    status = written["status"]  # a run the user stopped stays cancelled whatever the agent reports
    if status == model.COMPLETED:
        host_service.update_host_record(tenant_id, run["host_id"], {"awaiting_post_patch_report_run_id": run["run_id"]})
    metrics.add_metric(name=f"PatchRuns_{status}", unit="Count", value=1)
    logger.info("patch run finished", extra={"run_id": run["run_id"], "status": status})
    stream.push_done(tenant_id, written)
    if run["status"] in model.RESULT_ACCEPTED_FROM:  # not when only filling in a stopped run's output
        rollouts.run_finished(tenant_id, written)
    if status == model.COMPLETED:
        notify.run_event(tenant_id, "patch_run_completed", written)
        if (written.get("reboot") or {}).get("decision") == "not_allowed":  # needed, but the policy says never
            notify.run_event(tenant_id, "patch_reboot_required", written, reason=written["reboot"].get("reason"))
    elif status == model.FAILED:
        notify.run_event(tenant_id, "patch_run_failed", written)
    return {"ok": True}
