"""Rollouts and their members in DynamoDB.

A rollout's item sits beside the runs (`ROLLOUT#<id>`) and holds its limits and counters; its members (one per run,
`M#<ring>#<position>#<run>`) sit in the rollout's own partition. Taking a slot and counting an ended run are each one
transaction over a member and the rollout's counters, so of two racing writers one wins and the other gets False.
"""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import attribute_values, is_conditional_failure, main_table, query_all, to_dynamo, transact
from chalicelib.core.errors import Conflict
from chalicelib.core.settings import get_settings


def _won(items: list[dict[str, Any]]) -> bool:
    """Run a transaction; False when it was cancelled (a condition failed: another writer won)."""
    try:
        transact(items, conflict="The rollout changed meanwhile")
    except Conflict:
        return False
    return True


def member_sort_key(ring: int, position: int, run_id: str) -> str:
    """Members sort by ring, then by their place in the rollout (the order the hosts were given, or by name)."""
    return f"M#{ring:02d}#{position:05d}#{run_id}"


def member_position(member: dict[str, Any]) -> int:
    """A member's place in the rollout, from its sort key."""
    return int(member["sk"].split("#")[2])


def put_new(tenant_id: str, rollout: dict[str, Any], *, source: dict[str, Any], created_at: str) -> None:
    """Write the rollout (without its rings) and one waiting member item per run of its rings."""
    pk, sk = keys.patch_rollout_key(tenant_id, rollout["rollout_id"])
    item = {k: v for k, v in rollout.items() if k != "rings"}
    main_table().put_item(Item=to_dynamo({"pk": pk, "sk": sk, **item, **source, "created_at": created_at}))
    partition = keys.patch_rollout_partition(tenant_id, rollout["rollout_id"])
    with main_table().batch_writer() as batch:
        for ring, run_ids in enumerate(rollout["rings"]):
            for position, run_id in enumerate(run_ids):
                batch.put_item(Item={"pk": partition, "sk": member_sort_key(ring, position, run_id), "run_id": run_id, "ring": ring,
                                     "state": "waiting"})


def get(tenant_id: str, rollout_id: str) -> dict[str, Any] | None:
    pk, sk = keys.patch_rollout_key(tenant_id, rollout_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")


def newest(tenant_id: str, *, limit: int) -> list[dict[str, Any]]:
    """The tenant's latest rollouts, newest first (one request)."""
    pk, prefix = keys.patch_rollouts(tenant_id)
    response = main_table().query(KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with(prefix), ScanIndexForward=False,
                                  Limit=limit)
    return response["Items"]


def members(tenant_id: str, rollout_id: str, *, ring: int | None = None, state: str | None = None) -> list[dict[str, Any]]:
    """A rollout's members in order, optionally of one ring and in one state (read consistently)."""
    condition = Key("pk").eq(keys.patch_rollout_partition(tenant_id, rollout_id))
    if ring is not None:
        condition &= Key("sk").begins_with(f"M#{ring:02d}#")
    kwargs: dict[str, Any] = {"KeyConditionExpression": condition, "ConsistentRead": True}
    if state:
        kwargs["FilterExpression"] = Attr("state").eq(state)
    return query_all(**kwargs)


def take_slot(tenant_id: str, rollout: dict[str, Any], member: dict[str, Any]) -> bool:
    """Claim a waiting member and a free slot of the running rollout's current ring together; False when either is gone."""
    pk, sk = keys.patch_rollout_key(tenant_id, rollout["rollout_id"])
    table = get_settings().main_table
    return _won([
        {"Update": {"TableName": table, "Key": attribute_values({"pk": member["pk"], "sk": member["sk"]}), "UpdateExpression": "SET #s = :started",
                    "ConditionExpression": "#s = :waiting", "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": attribute_values({":started": "started", ":waiting": "waiting"})}},
        {"Update": {"TableName": table, "Key": attribute_values({"pk": pk, "sk": sk}), "UpdateExpression": "ADD in_flight :one",
                    "ConditionExpression": "#status = :running AND in_flight < :limit AND current_ring = :ring",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": attribute_values({":one": 1, ":running": "running", ":limit": int(rollout["max_concurrency"]),
                                                       ":ring": int(member["ring"])})}},
    ])


def count_outcome(tenant_id: str, run: dict[str, Any], *, from_state: str, slot: int, outcome: str) -> bool:
    """Mark the member of a rollout's run done with `outcome` and count it (in total and in its ring), moving `in_flight`
    by `slot`; False when the member is not in `from_state`."""
    rollout_id = run["rollout_id"]
    ring = int(run.get("ring") or 0)
    member_key = {"pk": keys.patch_rollout_partition(tenant_id, rollout_id),
                  "sk": member_sort_key(ring, int(run.get("rollout_position") or 0), run["run_id"])}
    pk, sk = keys.patch_rollout_key(tenant_id, rollout_id)
    table = get_settings().main_table
    return _won([
        {"Update": {"TableName": table, "Key": attribute_values(member_key), "UpdateExpression": "SET #s = :done, outcome = :outcome",
                    "ConditionExpression": "#s = :from", "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": attribute_values({":done": "done", ":outcome": outcome, ":from": from_state})}},
        {"Update": {"TableName": table, "Key": attribute_values({"pk": pk, "sk": sk}),
                    "UpdateExpression": f"ADD in_flight :slot, {outcome} :one, ring_{ring}_{outcome} :one",
                    "ExpressionAttributeValues": attribute_values({":slot": slot, ":one": 1})}},
    ])


def promote_ring(tenant_id: str, rollout_id: str, *, ring: int) -> bool:
    """Move the rollout from `ring` to the next ring; False when another writer moved it first."""
    return _update(tenant_id, rollout_id, {"current_ring": ring + 1}, condition="current_ring = :ring", values={":ring": ring})


def end_running(tenant_id: str, rollout_id: str, changes: dict[str, Any]) -> bool:
    """Write a running rollout's end (its final status and when); False when it is no longer running."""
    return _update(tenant_id, rollout_id, changes, condition="#status = :running", values={":running": "running"})


def _update(tenant_id: str, rollout_id: str, changes: dict[str, Any], *, condition: str, values: dict[str, Any]) -> bool:
    pk, sk = keys.patch_rollout_key(tenant_id, rollout_id)
    names = {f"#f{i}": k for i, k in enumerate(changes)} | ({"#status": "status"} if "#status" in condition else {})
    try:
        main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(changes))),
                                 ConditionExpression=condition, ExpressionAttributeNames=names,
                                 ExpressionAttributeValues=to_dynamo({**{f":f{i}": v for i, v in enumerate(changes.values())}, **values}))
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True
