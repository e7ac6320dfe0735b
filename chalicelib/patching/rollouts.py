"""Rollouts: the runs of one trigger or window opening, started at most N (or N%) at a time, stopped after M (or M%)
failures, optionally in two rings — a first group, then the rest once the first ring's success rate reaches a
threshold (docs/patching.md, "Rollouts"; the way Patch Manager's max-concurrency/max-errors and Action1's rings work).

Runs of a rollout wait in `waiting`. Starting one is a transaction that claims its member item (waiting → started) and
takes a slot (`in_flight` < the limit), so concurrent completions never start more runs than the limit allows. A run
that ends frees its slot and counts as a success or a failure in the same kind of transaction, then the rollout
advances: it starts the next runs, promotes the next ring, or stops.
"""
from __future__ import annotations

import math
from typing import Any

from chalicelib.core import clock, errors, ids
from chalicelib.core.observability import logger
from chalicelib.patching import model, rollout_store

SUCCESS = (model.COMPLETED,)
FAILURE = (model.FAILED, model.TIMED_OUT, model.AGENT_DISCONNECTED)
MAX_STARTS_PER_ADVANCE = 200


def absolute(limit: int | str | None, total: int) -> int | None:
    """A limit given as a count or "N%" of the rollout's hosts (at least 1); None stays None (no limit)."""
    if limit is None:
        return None
    if isinstance(limit, str):
        return max(1, math.ceil(total * int(limit.rstrip("%")) / 100))
    return int(limit)


def plan(runs: list[dict[str, Any]], spec: dict[str, Any], *, first_ring_hosts: set[str]) -> dict[str, Any]:
    """The rollout of `runs`: its limits made absolute and its rings (the first ring's hosts, then the rest)."""
    total = len(runs)
    rings = [[r for r in runs if r["host_id"] in first_ring_hosts], [r for r in runs if r["host_id"] not in first_ring_hosts]]
    rings = [ring for ring in rings if ring]
    return {"rollout_id": ids.new_time_ordered_id(), "status": "running", "total": total,
            "max_concurrency": absolute(spec.get("max_concurrency"), total) or total, "max_errors": absolute(spec.get("max_errors"), total),
            "ring_success_threshold": int(spec.get("ring_success_threshold") or 100), "ring_sizes": [len(ring) for ring in rings],
            "current_ring": 0, "in_flight": 0, "succeeded": 0, "failed": 0, "cancelled": 0,
            "spec": {k: v for k, v in spec.items() if v is not None}, "rings": [[r["run_id"] for r in ring] for ring in rings]}


def store(tenant_id: str, rollout: dict[str, Any], *, source: dict[str, Any]) -> None:
    """Write the rollout and one member item per run (the runs themselves are written by the caller)."""
    rollout_store.put_new(tenant_id, rollout, source=source, created_at=clock.iso(clock.now()))


def get(tenant_id: str, rollout_id: str) -> dict[str, Any] | None:
    """The rollout as stored (read consistently), None when there is none."""
    return rollout_store.get(tenant_id, rollout_id)


def advance(tenant_id: str, rollout_id: str) -> dict[str, Any]:
    """Start what the limits allow, promote the next ring when the current one is done, or finish; returns counts."""
    from chalicelib.patching import runs as patch_runs  # runs start and end rollouts' runs: imported where used

    started = 0
    for _ in range(MAX_STARTS_PER_ADVANCE):
        rollout = get(tenant_id, rollout_id)
        if rollout is None or rollout["status"] != "running":
            break
        ring = int(rollout["current_ring"])
        waiting = rollout_store.members(tenant_id, rollout_id, ring=ring, state="waiting")
        if waiting and int(rollout["in_flight"]) < int(rollout["max_concurrency"]):
            member = waiting[0]
            if rollout_store.take_slot(tenant_id, rollout, member):
                patch_runs.start_waiting(tenant_id, member["run_id"], rollout_id=rollout_id, ring=int(member["ring"]),
                                         position=rollout_store.member_position(member))
                started += 1
            continue
        if waiting or int(rollout["in_flight"]) > 0:
            break  # full: the next run to end advances again
        if not _finish_ring(tenant_id, rollout, ring):
            break
    return {"started": started}


def _finish_ring(tenant_id: str, rollout: dict[str, Any], ring: int) -> bool:
    """The current ring has ended: promote the next ring (True: go on starting) or complete/stop the rollout."""
    sizes = [int(size) for size in rollout["ring_sizes"]]
    ring_succeeded = int(rollout.get(f"ring_{ring}_succeeded") or 0)
    if ring + 1 < len(sizes):
        rate = 100 * ring_succeeded / sizes[ring]
        if rate >= int(rollout["ring_success_threshold"]):
            return rollout_store.promote_ring(tenant_id, rollout["rollout_id"], ring=ring)
        stop(tenant_id, rollout["rollout_id"], reason=f"ring {ring + 1} succeeded on {rate:.0f}% of its hosts, below the "
                                                       f"{rollout['ring_success_threshold']}% needed to go on")
        return False
    rollout_store.end_running(tenant_id, rollout["rollout_id"], {"status": "completed", "completed_at": clock.iso(clock.now())})
    return False


def run_finished(tenant_id: str, run: dict[str, Any]) -> None:
    """A run ended (its final status is `run["status"]`): if it belongs to a rollout, free its slot, count it, and advance."""
    rollout_id = run.get("rollout_id")
    if not rollout_id:
        return
    status = run["status"]
    outcome = "succeeded" if status in SUCCESS else "failed" if status in FAILURE else "cancelled"
    # A started member gives its slot back; a waiting one (cancelled before it started) never held one.
    if not (rollout_store.count_outcome(tenant_id, run, from_state="started", slot=-1, outcome=outcome)
            or rollout_store.count_outcome(tenant_id, run, from_state="waiting", slot=0, outcome=outcome)):
        return  # already counted (a late result after the server gave up, or a retried post)
    rollout = get(tenant_id, rollout_id) or {}
    max_errors = rollout.get("max_errors")
    if outcome == "failed" and max_errors is not None and int(rollout.get("failed") or 0) >= int(max_errors):
        stop(tenant_id, rollout_id, reason=f"stopped after {int(rollout['failed'])} failed runs (the limit is {int(max_errors)})")
        return
    advance(tenant_id, rollout_id)


def stop(tenant_id: str, rollout_id: str, *, reason: str, stopped_by: str | None = None) -> dict[str, Any]:
    """Stop a rollout as a unit: no run starts any more and the waiting ones are cancelled (running ones finish)."""
    from chalicelib.patching import runs as patch_runs

    rollout = get(tenant_id, rollout_id)
    if rollout is None:
        raise errors.NotFound("Rollout not found")
    if rollout["status"] == "running":
        rollout_store.end_running(tenant_id, rollout_id, {"status": "stopped", "stop_reason": reason, "stopped_by": stopped_by,
                                                          "completed_at": clock.iso(clock.now())})
        logger.info("rollout stopped", extra={"rollout_id": rollout_id, "reason": reason})
    cancelled = 0
    for member in rollout_store.members(tenant_id, rollout_id, state="waiting"):
        cancelled += patch_runs.cancel_waiting(tenant_id, member["run_id"], reason=f"Rollout stopped: {reason}")
    return {"cancelled": cancelled}


def view(rollout: dict[str, Any]) -> dict[str, Any]:
    data = {k: rollout.get(k) for k in ("rollout_id", "status", "total", "max_concurrency", "max_errors", "ring_success_threshold",
                                       "current_ring", "in_flight", "succeeded", "failed", "cancelled", "stop_reason", "stopped_by",
                                       "created_at", "completed_at", "source", "policy_id", "policy_name", "initiated_by")}
    data["id"] = rollout["rollout_id"]
    sizes = [int(s) for s in rollout.get("ring_sizes") or []]
    data["rings"] = [{"size": size, "succeeded": int(rollout.get(f"ring_{i}_succeeded") or 0), "failed": int(rollout.get(f"ring_{i}_failed") or 0),
                      "cancelled": int(rollout.get(f"ring_{i}_cancelled") or 0)} for i, size in enumerate(sizes)]
    data["waiting"] = max(0, int(rollout.get("total") or 0) - sum(int(rollout.get(k) or 0) for k in ("succeeded", "failed", "cancelled"))
                          - int(rollout.get("in_flight") or 0))
    return data


def list_(tenant_id: str, *, limit: int = 25) -> list[dict[str, Any]]:
    return [view(item) for item in rollout_store.newest(tenant_id, limit=limit)]
