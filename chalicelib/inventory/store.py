"""Per-host packages and repositories, fleet aggregates per package and repository, and fleet counters."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.core import keys, pagination
from chalicelib.core.db import client, is_conditional_failure, main_table, query_all, query_filled_page, to_dynamo
from chalicelib.core.settings import get_settings

_serializer = TypeSerializer()
# Aggregate counters are independent single-item updates: run them side by side, not one after another.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="aggregates")


def _ddb(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in value.items() if v is not None}


def query_collection(collection: keys.Collection) -> list[dict[str, Any]]:
    """Every item of a collection (all pages)."""
    partition, prefix = collection
    return query_all(KeyConditionExpression=Key("pk").eq(partition) & Key("sk").begins_with(prefix))


def write_items(puts: list[dict[str, Any]], deletes: list[tuple[str, str]]) -> None:
    """Put and delete items in batches of 25 (BatchWriteItem's limit, which moto does not enforce)."""
    with main_table().batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for item in puts:
            batch.put_item(Item=to_dynamo(item))
        for pk, sk in deletes:
            batch.delete_item(Key={"pk": pk, "sk": sk})


def add_counters(updates: list[tuple[tuple[str, str], dict[str, int], dict[str, Any]]]) -> list[dict[str, int]]:
    """Apply (key, counter deltas, attributes to set) to many aggregate items, concurrently; return each item's counters
    as the ADD left them (in the order given), so a caller can tell which one went from or to zero."""
    table = get_settings().main_table
    ddb = client("dynamodb")

    def apply(update: tuple[tuple[str, str], dict[str, int], dict[str, Any]]) -> dict[str, int]:
        (pk, sk), deltas, sets = update
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        parts_add, parts_set = [], []
        for i, (name, delta) in enumerate(deltas.items()):
            names[f"#a{i}"], values[f":a{i}"] = name, delta
            parts_add.append(f"#a{i} :a{i}")
        for i, (name, value) in enumerate(sets.items()):
            names[f"#s{i}"], values[f":s{i}"] = name, value
            parts_set.append(f"#s{i} = :s{i}")
        expression = ("ADD " + ", ".join(parts_add) if parts_add else "") + (" SET " + ", ".join(parts_set) if parts_set else "")
        answer = ddb.update_item(TableName=table, Key=_ddb({"pk": pk, "sk": sk}), UpdateExpression=expression.strip(),
                                 ExpressionAttributeNames=names, ExpressionAttributeValues=_ddb(values), ReturnValues="UPDATED_NEW")
        changed = answer.get("Attributes", {})
        return {name: int(changed[name]["N"]) for name in deltas if name in changed}

    if len(updates) == 1:
        return [apply(updates[0])]
    return list(_POOL.map(apply, updates))


def raise_latest_versions(updates: list[tuple[tuple[str, str], str, str]]) -> None:
    """Set (key, version, its sort key) as an aggregate's latest version where it is newer than the stored one."""
    table = get_settings().main_table
    ddb = client("dynamodb")

    def apply(update: tuple[tuple[str, str], str, str]) -> None:
        (pk, sk), version, order = update
        try:
            ddb.update_item(TableName=table, Key=_ddb({"pk": pk, "sk": sk}), UpdateExpression="SET latest_version = :v, latest_order = :o",
                            ConditionExpression="attribute_not_exists(latest_order) OR latest_order < :o",
                            ExpressionAttributeValues=_ddb({":v": version, ":o": order}))
        except ClientError as exc:
            if not is_conditional_failure(exc):
                raise

    list(_POOL.map(apply, updates))


def put(item: dict[str, Any]) -> None:
    main_table().put_item(Item=to_dynamo({k: v for k, v in item.items() if v is not None}))


def get(key: tuple[str, str]) -> dict[str, Any] | None:
    return main_table().get_item(Key={"pk": key[0], "sk": key[1]}).get("Item")


def query_page(collection: keys.Collection, *, limit: int, cursor: str | None, forward: bool = True,
               filter_expression: Any = None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of a partition's items under a prefix; with a filter, filled up to `limit` (core.db.query_filled_page)."""
    partition, prefix = collection
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(partition) & Key("sk").begins_with(prefix),
                              "ScanIndexForward": forward}
    if filter_expression is not None:
        kwargs["FilterExpression"] = filter_expression
    start = pagination.decode(cursor, partition=partition)
    if start:
        kwargs["ExclusiveStartKey"] = start
    items, last_key = query_filled_page(limit=limit, key_attributes=("pk", "sk"), **kwargs)
    return items, pagination.encode(last_key)


def query_index_page(index_pk: str, *, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": Key("gsi1pk").eq(index_pk), "Limit": limit}
    start = pagination.decode(cursor, partition=index_pk)
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = main_table().query(**kwargs)
    return response["Items"], pagination.encode(response.get("LastEvaluatedKey"))
