"""Patch runs, their per-status counts, output and live-log subscribers in DynamoDB.

Every status change is one transaction: the run's update, conditioned on the status the caller read, and
the move of one unit between the tenant's per-status counters. Of two racing changes one commits and the
other fails its condition (`Conflict`), so the counters never count a run twice.
"""
from __future__ import annotations

import zlib
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from chalicelib.core import keys, pagination
from chalicelib.core.db import all_of, attribute_values, main_table, query_all, query_filled_page, to_dynamo, transact
from chalicelib.core.settings import get_settings

RUNS_BY_HOST = "gsi1"
WATCH_SHARDS = 8
_KEY_ATTRIBUTES = ("pk", "sk")


def _counter(status: str) -> str:
    return f"n_{status}"


def watch_shard(run_id: str) -> int:
    return zlib.crc32(run_id.encode()) % WATCH_SHARDS


def _stats_update(tenant_id: str, deltas: dict[str, int]) -> dict[str, Any]:
    pk, sk = keys.patch_stats_key(tenant_id)
    names = {f"#c{i}": _counter(status) for i, status in enumerate(deltas)}
    values = {f":d{i}": delta for i, delta in enumerate(deltas.values())}
    return {"Update": {"TableName": get_settings().main_table, "Key": attribute_values({"pk": pk, "sk": sk}),
                       "UpdateExpression": "ADD " + ", ".join(f"#c{i} :d{i}" for i in range(len(deltas))),
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": attribute_values(values)}}


def run_item(tenant_id: str, run: dict[str, Any]) -> dict[str, Any]:
    pk, sk = keys.patch_run_key(tenant_id, run["run_id"])
    return {"pk": pk, "sk": sk, "gsi1pk": keys.host_runs_index(tenant_id, run["host_id"]), "gsi1sk": run["run_id"], **run}


def put_new(tenant_id: str, runs: list[dict[str, Any]]) -> None:
    """Store new runs and count them, up to 99 per transaction (DynamoDB's limit is 100 actions)."""
    table = get_settings().main_table
    for start in range(0, len(runs), 99):
        batch = runs[start:start + 99]
        deltas: dict[str, int] = {"total": len(batch)}
        for run in batch:
            deltas[run["status"]] = deltas.get(run["status"], 0) + 1
        transact([*({"Put": {"TableName": table, "Item": attribute_values(run_item(tenant_id, run)),
                              "ConditionExpression": "attribute_not_exists(pk)"}} for run in batch),
                   _stats_update(tenant_id, deltas)], conflict="Run could not be created; retry")


def get(tenant_id: str, run_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    pk, sk = keys.patch_run_key(tenant_id, run_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=consistent).get("Item")


def _update_expression(changes: dict[str, Any], remove: tuple[str, ...], add: dict[str, int] | None = None
                       ) -> tuple[str, dict[str, str], dict[str, Any]]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets = []
    for i, (name, value) in enumerate(changes.items()):
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        sets.append(f"#s{i} = :s{i}")
    expression = "SET " + ", ".join(sets) if sets else ""
    if remove:
        names.update({f"#r{i}": name for i, name in enumerate(remove)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
    if add:
        names.update({f"#a{i}": name for i, name in enumerate(add)})
        values.update({f":a{i}": value for i, value in enumerate(add.values())})
        expression += " ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(add)))
    return expression, names, values


def transition(tenant_id: str, run: dict[str, Any], to_status: str, changes: dict[str, Any] | None = None, *,
               remove: tuple[str, ...] = (), add: dict[str, int] | None = None, condition: str | None = None,
               condition_values: dict[str, Any] | None = None, conflict: str = "The run changed meanwhile") -> dict[str, Any]:
    """Move `run` from the status it was read with to `to_status`; Conflict when it is no longer in that status
    (or `condition` fails). Returns the run as written."""
    changes = {**(changes or {}), "status": to_status}
    expression, names, values = _update_expression(changes, remove, add)
    names["#status"] = "status"
    values[":expected"] = run["status"]
    full_condition = "#status = :expected" + (f" AND ({condition})" if condition else "")
    values.update(condition_values or {})
    pk, sk = keys.patch_run_key(tenant_id, run["run_id"])
    items = [{"Update": {"TableName": get_settings().main_table, "Key": attribute_values({"pk": pk, "sk": sk}), "UpdateExpression": expression,
                         "ConditionExpression": full_condition, "ExpressionAttributeNames": names,
                         "ExpressionAttributeValues": attribute_values(values)}}]
    if to_status != run["status"]:
        items.append(_stats_update(tenant_id, {run["status"]: -1, to_status: 1}))
    transact(items, conflict=conflict)
    written = {**run, **changes}
    for name in remove:
        written.pop(name, None)
    for name, delta in (add or {}).items():
        written[name] = int(written.get(name) or 0) + delta
    return written


def update(tenant_id: str, run: dict[str, Any], changes: dict[str, Any], *, remove: tuple[str, ...] = (),
           add: dict[str, int] | None = None, condition: str = "#status = :expected",
           condition_values: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Change a run without changing its status (by default only while it keeps the status it was read with);
    None when the condition failed. Returns the item as written (ALL_NEW)."""
    expression, names, values = _update_expression(changes, remove, add)
    if "#status" in condition:
        names["#status"] = "status"
    if ":expected" in condition:
        values[":expected"] = run["status"]
    values.update(condition_values or {})
    pk, sk = keys.patch_run_key(tenant_id, run["run_id"])
    try:
        return main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression=expression, ConditionExpression=condition,
                                        ExpressionAttributeNames=names, ExpressionAttributeValues=to_dynamo(values),
                                        ReturnValues="ALL_NEW")["Attributes"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise


def delete(tenant_id: str, run: dict[str, Any]) -> None:
    """Delete a run that still has the status it was read with, and uncount it; Conflict otherwise."""
    pk, sk = keys.patch_run_key(tenant_id, run["run_id"])
    transact([{"Delete": {"TableName": get_settings().main_table, "Key": attribute_values({"pk": pk, "sk": sk}),
                           "ConditionExpression": "#status = :expected", "ExpressionAttributeNames": {"#status": "status"},
                           "ExpressionAttributeValues": attribute_values({":expected": run["status"]})}},
               _stats_update(tenant_id, {run["status"]: -1, "total": -1})], conflict="The run changed meanwhile")
    delete_partition(tenant_id, run["run_id"])


def stats(tenant_id: str) -> dict[str, int]:
    pk, sk = keys.patch_stats_key(tenant_id)
    item = main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item") or {}
    return {name[2:]: int(value) for name, value in item.items() if name.startswith("n_")}


def list_page(tenant_id: str, *, limit: int, cursor: str | None, statuses: tuple[str, ...] = (), patch_type: str | None = None,
              host_id: str | None = None, rollout_id: str | None = None, newest_first: bool = True) -> tuple[list[dict[str, Any]], str | None]:
    """One page of runs, newest first: the tenant's, or one host's (through gsi1)."""
    filters = []
    if rollout_id:
        filters.append(Attr("rollout_id").eq(rollout_id))
    if statuses:
        filters.append(Attr("status").is_in(list(statuses)))
    if patch_type:
        filters.append(Attr("patch_type").eq(patch_type))
    if host_id:
        partition = keys.host_runs_index(tenant_id, host_id)
        query: dict[str, Any] = {"IndexName": RUNS_BY_HOST, "KeyConditionExpression": Key("gsi1pk").eq(partition)}
        key_attributes: tuple[str, ...] = (*_KEY_ATTRIBUTES, "gsi1pk", "gsi1sk")
    else:
        partition, prefix = keys.patch_runs(tenant_id)
        query = {"KeyConditionExpression": Key("pk").eq(partition) & Key("sk").begins_with(prefix)}
        key_attributes = _KEY_ATTRIBUTES
    start = pagination.decode(cursor, partition=partition)
    if start:
        query["ExclusiveStartKey"] = start
    if filters:
        query["FilterExpression"] = all_of(filters)
    items, last = query_filled_page(limit=limit, key_attributes=key_attributes, ScanIndexForward=not newest_first, **query)
    return items, pagination.encode(last)


def watch_changes(run_id: str, due: str) -> dict[str, Any]:
    """The attributes that list a running run in the stall sweep's sparse index until `due`."""
    return {"watch_pk": keys.patch_watch_partition(watch_shard(run_id)), "watch_due": due}


WATCH_FIELDS = ("watch_pk", "watch_due")


def stalled_candidates(shard: int, *, due_by: str) -> list[dict[str, Any]]:
    """Keys of running runs whose stall time has come (the index holds only keys)."""
    return query_all(IndexName="gsi2", KeyConditionExpression=Key("watch_pk").eq(keys.patch_watch_partition(shard))
                     & Key("watch_due").lte(due_by))


def get_by_key(pk: str, sk: str) -> dict[str, Any] | None:
    return main_table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")


# --- output and subscribers (the run's own partition) -------------------------------------------------
def put_chunk(tenant_id: str, run_id: str, seq: int, chunk: str, at: str) -> None:
    main_table().put_item(Item={"pk": keys.patch_run_partition(tenant_id, run_id), "sk": f"OUT#{seq:08d}", "seq": seq, "chunk": chunk, "at": at})


def put_final_output(tenant_id: str, run_id: str, pieces: list[str]) -> None:
    partition = keys.patch_run_partition(tenant_id, run_id)
    with main_table().batch_writer() as batch:
        for index, piece in enumerate(pieces):
            batch.put_item(Item={"pk": partition, "sk": f"FINAL#{index:04d}", "text": piece})


def read_output(tenant_id: str, run_id: str) -> str:
    """The run's output: its final text when the agent sent it, else the chunks received so far, in order."""
    items = query_all(KeyConditionExpression=Key("pk").eq(keys.patch_run_partition(tenant_id, run_id)), ConsistentRead=True)
    final = [item["text"] for item in items if item["sk"].startswith("FINAL#")]
    if final:
        return "".join(final)
    return "".join(item["chunk"] for item in items if item["sk"].startswith("OUT#"))


def put_subscriber(tenant_id: str, run_id: str, connection_id: str, *, expires_at: int) -> None:
    main_table().put_item(Item={"pk": keys.patch_run_partition(tenant_id, run_id), "sk": f"SUB#{connection_id}",
                                "connection_id": connection_id, "expires_at": expires_at})


def subscribers(tenant_id: str, run_id: str) -> list[str]:
    items = query_all(KeyConditionExpression=Key("pk").eq(keys.patch_run_partition(tenant_id, run_id)) & Key("sk").begins_with("SUB#"),
                      ProjectionExpression="connection_id")
    return [item["connection_id"] for item in items]


def delete_subscriber(tenant_id: str, run_id: str, connection_id: str) -> None:
    main_table().delete_item(Key={"pk": keys.patch_run_partition(tenant_id, run_id), "sk": f"SUB#{connection_id}"})


def delete_partition(tenant_id: str, run_id: str) -> None:
    """Delete a run's output and subscribers (a run deleted before it started has none, or only subscribers)."""
    partition = keys.patch_run_partition(tenant_id, run_id)
    items = query_all(KeyConditionExpression=Key("pk").eq(partition), ProjectionExpression="pk, sk")
    with main_table().batch_writer() as batch:
        for item in items:
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
