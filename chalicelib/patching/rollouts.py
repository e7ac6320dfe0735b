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

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.core import clock, errors, ids, keys
from chalicelib.core.db import client, main_table, query_all, to_dynamo
from chalicelib.core.observability import logger
from chalicelib.core.settings import get_settings
from chalicelib.patching import model

_serializer = TypeSerializer()
SUCCESS = (model.COMPLETED,)
FAILURE = (model.FAILED, model.TIMED_OUT, model.AGENT_DISCONNECTED)
MAX_STARTS_PER_ADVANCE = 200


def _ddb(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(to_dynamo(v)) for k, v in value.items() if v is not None}


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
    pk, sk = keys.patch_rollout_key(tenant_id, rollout["rollout_id"])
    item = {k: v for k, v in rollout.items() if k != "rings"}
    main_table().put_item(Item=to_dynamo({"pk": pk, "sk": sk, **item, **source, "created_at": clock.iso(clock.now())}))
    partition = keys.patch_rollout_partition(tenant_id, rollout["rollout_id"])
    with main_table().batch_writer() as batch:
        for ring, run_ids in enumerate(rollout["rings"]):
            for position, run_id in enumerate(run_ids):
                batch.put_item(Item={"pk": partition, "sk": member_sort_key(ring, position, run_id), "run_id": run_id, "ring": ring,
                                     "state": "waiting"})


def member_sort_key(ring: int, position: int, run_id: str) -> str:
    """Members sort by ring, then by their place in the rollout (the order the hosts were given, or by name)."""
    return f"M#{ring:02d}#{position:05d}#{run_id}"


def get(tenant_id: str, rollout_id: str) -> dict[str, Any] | None:
    pk, sk = keys.patch_rollout_key(tenant_id, rollout_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")


def _members(tenant_id: str, rollout_id: str, *, ring: int | None = None, state: str | None = None) -> list[dict[str, Any]]:
    condition = Key("pk").eq(keys.patch_rollout_partition(tenant_id, rollout_id))
    if ring is not None:
        condition &= Key("sk").begins_with(f"M#{ring:02d}#")
    kwargs: dict[str, Any] = {"KeyConditionExpression": condition, "ConsistentRead": True}
    if state:
        kwargs["FilterExpression"] = Attr("state").eq(state)
    return query_all(**kwargs)


def _take_slot(tenant_id: str, rollout: dict[str, Any], member: dict[str, Any]) -> bool:
    """Claim a waiting member and a free slot together; False when either is gone (another advance won)."""
    pk, sk = keys.patch_rollout_key(tenant_id, rollout["rollout_id"])
    table = get_settings().main_table
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": _ddb({"pk": member["pk"], "sk": member["sk"]}), "UpdateExpression": "SET #s = :started",
                        "ConditionExpression": "#s = :waiting", "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": _ddb({":started": "started", ":waiting": "waiting"})}},
            {"Update": {"TableName": table, "Key": _ddb({"pk": pk, "sk": sk}), "UpdateExpression": "ADD in_flight :one",
                        "ConditionExpression": "#status = :running AND in_flight < :limit AND current_ring = :ring",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": _ddb({":one": 1, ":running": "running", ":limit": int(rollout["max_concurrency"]),
                                                           ":ring": int(member["ring"])})}},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            return False
        raise
    return True


def advance(tenant_id: str, rollout_id: str) -> dict[str, Any]:
    """Start what the limits allow, promote the next ring when the current one is done, or finish; returns counts."""
    from chalicelib.patching import runs as patch_runs  # runs start and end rollouts' runs: imported where used

    started = 0
    for _ in range(MAX_STARTS_PER_ADVANCE):
        rollout = get(tenant_id, rollout_id)
        if rollout is None or rollout["status"] != "running":
            break
        ring = int(rollout["current_ring"])
        waiting = _members(tenant_id, rollout_id, ring=ring, state="waiting")
        if waiting and int(rollout["in_flight"]) < int(rollout["max_concurrency"]):
            member = waiting[0]
            if _take_slot(tenant_id, rollout, member):
                patch_runs.start_waiting(tenant_id, member["run_id"], rollout_id=rollout_id, ring=int(member["ring"]),
                                         position=int(member["sk"].split("#")[2]))
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
            return _update(tenant_id, rollout, {"current_ring": ring + 1}, condition="current_ring = :ring", values={":ring": ring})
        stop(tenant_id, rollout["rollout_id"], reason=f"ring {ring + 1} succeeded on {rate:.0f}% of its hosts, below the "
                                                       f"{rollout['ring_success_threshold']}% needed to go on")
        return False
    _update(tenant_id, rollout, {"status": "completed", "completed_at": clock.iso(clock.now())}, condition="#status = :running",
            values={":running": "running"})
    return False


def _update(tenant_id: str, rollout: dict[str, Any], changes: dict[str, Any], *, condition: str, values: dict[str, Any]) -> bool:
    pk, sk = keys.patch_rollout_key(tenant_id, rollout["rollout_id"])
    names = {f"#f{i}": k for i, k in enumerate(changes)} | ({"#status": "status"} if "#status" in condition else {})
    try:
        main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(changes))),
                                 ConditionExpression=condition, ExpressionAttributeNames=names,
                                 ExpressionAttributeValues=to_dynamo({**{f":f{i}": v for i, v in enumerate(changes.values())}, **values}))
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def run_finished(tenant_id: str, run: dict[str, Any]) -> None:
    """A run ended (its final status is `run["status"]`): if it belongs to a rollout, free its slot, count it, and advance."""
    rollout_id = run.get("rollout_id")
    if not rollout_id:
        return
    status = run["status"]
    outcome = "succeeded" if status in SUCCESS else "failed" if status in FAILURE else "cancelled"
    ring = int(run.get("ring") or 0)
    member_key = {"pk": keys.patch_rollout_partition(tenant_id, rollout_id),
                  "sk": member_sort_key(ring, int(run.get("rollout_position") or 0), run["run_id"])}
    # A started member gives its slot back; a waiting one (cancelled before it started) never held one.
    if not (_count(tenant_id, rollout_id, member_key, from_state="started", slot=-1, outcome=outcome, ring=ring)
            or _count(tenant_id, rollout_id, member_key, from_state="waiting", slot=0, outcome=outcome, ring=ring)):
        return  # already counted (a late result after the server gave up, or a retried post)
    rollout = get(tenant_id, rollout_id) or {}
    max_errors = rollout.get("max_errors")
    if outcome == "failed" and max_errors is not None and int(rollout.get("failed") or 0) >= int(max_errors):
        stop(tenant_id, rollout_id, reason=f"stopped after {int(rollout['failed'])} failed runs (the limit is {int(max_errors)})")
        return
    advance(tenant_id, rollout_id)


def _count(tenant_id: str, rollout_id: str, member_key: dict[str, str], *, from_state: str, slot: int, outcome: str, ring: int) -> bool:
    pk, sk = keys.patch_rollout_key(tenant_id, rollout_id)
    table = get_settings().main_table
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": _ddb(member_key), "UpdateExpression": "SET #s = :done, outcome = :outcome",
                        "ConditionExpression": "#s = :from", "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": _ddb({":done": "done", ":outcome": outcome, ":from": from_state})}},
            {"Update": {"TableName": table, "Key": _ddb({"pk": pk, "sk": sk}),
                        "UpdateExpression": f"ADD in_flight :slot, {outcome} :one, ring_{ring}_{outcome} :one",
                        "ExpressionAttributeValues": _ddb({":slot": slot, ":one": 1})}},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            return False
        raise
    return True


def stop(tenant_id: str, rollout_id: str, *, reason: str, stopped_by: str | None = None) -> dict[str, Any]:
    """Stop a rollout as a unit: no run starts any more and the waiting ones are cancelled (running ones finish)."""
    from chalicelib.patching import runs as patch_runs

    rollout = get(tenant_id, rollout_id)
    if rollout is None:
        raise errors.NotFound("Rollout not found")
    if rollout["status"] == "running":
        _update(tenant_id, rollout, {"status": "stopped", "stop_reason": reason, "stopped_by": stopped_by, "completed_at": clock.iso(clock.now())},
                condition="#status = :running", values={":running": "running"})
        logger.info("rollout stopped", extra={"rollout_id": rollout_id, "reason": reason})
    cancelled = 0
    for member in _members(tenant_id, rollout_id, state="waiting"):
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
    pk, prefix = keys.patch_rollouts(tenant_id)
    response = main_table().query(KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with(prefix), ScanIndexForward=False,
                                  Limit=limit)
    return [view(item) for item in response["Items"]]
