"""Hosts in their tenant's partition, and each agent's global credential/check-in record."""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.core import keys, pagination
from chalicelib.core.db import all_of, batch_get, client, is_conditional_failure, main_table, query_all, query_filled_page, to_dynamo
from chalicelib.core.errors import Conflict, PlanLimitReached
from chalicelib.core.settings import get_settings
from chalicelib.host import group_store

_serializer = TypeSerializer()
HOSTS_BY_NAME = "gsi1"


def _ddb(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def hosts_by_name_pk(tenant_id: str) -> str:
    return f"{keys.tenant_pk(tenant_id)}#HOSTS"


def _cancellation_reasons(exc: ClientError) -> list[str | None]:
    return [r.get("Code") for r in exc.response.get("CancellationReasons", [])]


def put_new(tenant_id: str, host: dict[str, Any], agent: dict[str, Any], *, host_limit: int) -> None:
    """Store a host and its agent record, counting it against the plan's host limit and into its groups in the
    same transaction."""
    pk, sk = keys.host_key(tenant_id, host["host_id"])
    agent_pk, agent_sk = keys.agent_key(agent["api_id"])
    stats_pk, stats_sk = keys.fleet_stats_key(tenant_id)
    table = get_settings().main_table
    group_ids = list(host.get("group_ids") or [])
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                     "Item": _ddb({"pk": pk, "sk": sk, "gsi1pk": hosts_by_name_pk(tenant_id),
                                   "gsi1sk": f"{host['friendly_name'].lower()}#{host['host_id']}", **host})}},
            {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                     "Item": _ddb({"pk": agent_pk, "sk": agent_sk, **agent})}},
            {"Update": {"TableName": table, "Key": _ddb({"pk": stats_pk, "sk": stats_sk}),
                        "UpdateExpression": "ADD hosts_total :one",
                        "ConditionExpression": "attribute_not_exists(hosts_total) OR hosts_total < :limit",
                        "ExpressionAttributeValues": _ddb({":one": 1, ":limit": host_limit})}},
            *group_store.join_items(tenant_id, group_ids),
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = _cancellation_reasons(exc)
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                raise PlanLimitReached(f"Host limit reached ({host_limit}) for your plan") from None
            group_store.refuse_missing(reasons, group_ids, first=3)
            raise Conflict("Host could not be created; retry") from None
        raise


def set_groups(tenant_id: str, host_id: str, *, old_group_ids: list[str], new_group_ids: list[str], updated_at: str) -> None:
    """Replace a host's groups, on condition that they are still `old_group_ids`, counting it into the groups it
    joins in the same transaction and then out of the groups it left."""
    pk, sk = keys.host_key(tenant_id, host_id)
    joined = [g for g in new_group_ids if g not in old_group_ids]
    left = [g for g in old_group_ids if g not in new_group_ids]
    unchanged = "group_ids = :old" if old_group_ids else "(attribute_not_exists(group_ids) OR group_ids = :old)"
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Update": {"TableName": get_settings().main_table, "Key": _ddb({"pk": pk, "sk": sk}),
                        "UpdateExpression": "SET group_ids = :new, updated_at = :at",
                        "ConditionExpression": f"attribute_exists(pk) AND {unchanged}",
                        "ExpressionAttributeValues": _ddb({":new": new_group_ids, ":old": old_group_ids, ":at": updated_at})}},
            *group_store.join_items(tenant_id, joined),
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = _cancellation_reasons(exc)
            if reasons[:1] != ["ConditionalCheckFailed"]:
                group_store.refuse_missing(reasons, joined, first=1)
            raise Conflict("The host changed meanwhile; retry") from None
        raise
    group_store.leave(tenant_id, left)


def get(tenant_id: str, host_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    pk, sk = keys.host_key(tenant_id, host_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=consistent).get("Item")


def get_agent(api_id: str) -> dict[str, Any] | None:
    pk, sk = keys.agent_key(api_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


PRESENCE_FIELDS = ("api_id", "last_seen_at", "last_seen_epoch", "ws_connected", "ws_connected_since", "ws_secure")


def get_agents(api_ids: list[str], fields: tuple[str, ...] | None = PRESENCE_FIELDS) -> dict[str, dict[str, Any]]:
    """Batch-read agent records (one request per 100 ids); `fields=None` reads whole records."""
    return {item["api_id"]: item for item in batch_get([keys.agent_key(a) for a in api_ids], fields=fields)}


def query_page(tenant_id: str, *, limit: int, cursor: str | None, filters: list[Any]) -> tuple[list[dict[str, Any]], str | None]:
    """One page of hosts ordered by name, with optional filter conditions (filled up to `limit`, within a bound)."""
    partition = hosts_by_name_pk(tenant_id)
    kwargs: dict[str, Any] = {"IndexName": HOSTS_BY_NAME, "KeyConditionExpression": Key("gsi1pk").eq(partition)}
    if filters:
        kwargs["FilterExpression"] = all_of(filters)
    start = pagination.decode(cursor, partition=partition)
    if start:
        kwargs["ExclusiveStartKey"] = start
    items, last_key = query_filled_page(limit=limit, key_attributes=("gsi1pk", "gsi1sk", "pk", "sk"), **kwargs)
    return items, pagination.encode(last_key)


def query_all_hosts(tenant_id: str, *, filters: list[Any]) -> list[dict[str, Any]]:
    """Every host of the tenant matching the filters (all pages: O(fleet) reads, for orders other than by name)."""
    kwargs: dict[str, Any] = {"IndexName": HOSTS_BY_NAME, "KeyConditionExpression": Key("gsi1pk").eq(hosts_by_name_pk(tenant_id))}
    if filters:
        kwargs["FilterExpression"] = all_of(filters)
    return query_all(**kwargs)


def update_host(tenant_id: str, host_id: str, changes: dict[str, Any], *, condition_exists: bool = True,
                remove: tuple[str, ...] = ()) -> dict[str, Any]:
    """Set (and remove) attributes of a host; an empty dict if it does not exist."""
    pk, sk = keys.host_key(tenant_id, host_id)
    names = {f"#f{i}": name for i, name in enumerate(changes)} | {f"#r{i}": name for i, name in enumerate(remove)}
    values = {f":v{i}": to_dynamo(value) for i, value in enumerate(changes.values())}
    expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))
    if remove:
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
    kwargs: dict[str, Any] = {"Key": {"pk": pk, "sk": sk}, "UpdateExpression": expression, "ExpressionAttributeNames": names,
                              "ExpressionAttributeValues": values, "ReturnValues": "ALL_NEW"}
    if condition_exists:
        kwargs["ConditionExpression"] = "attribute_exists(pk)"
    try:
        return main_table().update_item(**kwargs)["Attributes"]
    except ClientError as exc:
        if is_conditional_failure(exc):
            return {}
        raise


def update_agent(api_id: str, changes: dict[str, Any], *, add: dict[str, int] | None = None, remove: tuple[str, ...] = (),
                 condition: str | None = None, condition_values: dict[str, Any] | None = None) -> bool:
    """Set, add to and remove attributes of an agent record, which must exist (and meet `condition`, whose
    placeholders are `:c_*`); False when the record is gone or the condition does not hold."""
    pk, sk = keys.agent_key(api_id)
    names = {f"#f{i}": name for i, name in enumerate(changes)}
    values: dict[str, Any] = {f":v{i}": to_dynamo(value) for i, value in enumerate(changes.values())}
    clauses = ["SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))] if changes else []
    if add:
        names.update({f"#a{i}": name for i, name in enumerate(add)})
        values.update({f":a{i}": value for i, value in enumerate(add.values())})
        clauses.append("ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(add))))
    if remove:
        names.update({f"#r{i}": name for i, name in enumerate(remove)})
        clauses.append("REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove))))
    values.update({k: to_dynamo(v) for k, v in (condition_values or {}).items()})
    kwargs: dict[str, Any] = {"Key": {"pk": pk, "sk": sk}, "UpdateExpression": " ".join(clauses), "ExpressionAttributeNames": names,
                              "ConditionExpression": "attribute_exists(pk)" + (f" AND ({condition})" if condition else "")}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    try:
        main_table().update_item(**kwargs)
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def watched_agents(partition: str, *, due_by: str) -> list[dict[str, Any]]:
    """Keys of the agent records of one watch partition whose watch is due (the sparse index gsi2)."""
    return query_all(IndexName="gsi2", KeyConditionExpression=Key("watch_pk").eq(partition) & Key("watch_due").lte(due_by))


def delete(tenant_id: str, host: dict[str, Any]) -> None:
    """Delete a host, its agent record and its place in the host count, then count it out of its groups.

    The delete is conditioned on the host's groups being those read, so a concurrent change of its groups
    cannot make a group lose the host twice; Conflict then (retry)."""
    pk, sk = keys.host_key(tenant_id, host["host_id"])
    agent_pk, agent_sk = keys.agent_key(host["api_id"])
    stats_pk, stats_sk = keys.fleet_stats_key(tenant_id)
    table = get_settings().main_table
    group_ids = list(host.get("group_ids") or [])
    unchanged = "group_ids = :old" if group_ids else "(attribute_not_exists(group_ids) OR group_ids = :old)"
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Delete": {"TableName": table, "Key": _ddb({"pk": pk, "sk": sk}), "ConditionExpression": f"attribute_exists(pk) AND {unchanged}",
                        "ExpressionAttributeValues": _ddb({":old": group_ids})}},
            {"Delete": {"TableName": table, "Key": _ddb({"pk": agent_pk, "sk": agent_sk})}},
            {"Update": {"TableName": table, "Key": _ddb({"pk": stats_pk, "sk": stats_sk}), "UpdateExpression": "ADD hosts_total :minus",
                        "ExpressionAttributeValues": _ddb({":minus": -1})}},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise Conflict("The host changed meanwhile; retry") from None
        raise
    group_store.leave(tenant_id, group_ids)


SUMMARY_FIELDS = ("host_id", "friendly_name", "hostname", "status", "os_type", "os_version")


def get_summaries(tenant_id: str, host_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Read the name, status and OS of hosts by id (one BatchGetItem per 100); hosts that do not exist are left out."""
    items = batch_get([keys.host_key(tenant_id, h) for h in host_ids], fields=SUMMARY_FIELDS)
    return {i["host_id"]: i for i in items}


def rekey_agent(tenant_id: str, host: dict[str, Any], *, old_api_id: str, agent: dict[str, Any]) -> None:
    """Replace an agent record with new credentials and point the host at them, atomically."""
    pk, sk = keys.host_key(tenant_id, host["host_id"])
    table = get_settings().main_table
    old_pk, old_sk = keys.agent_key(old_api_id)
    new_pk, new_sk = keys.agent_key(agent["api_id"])
    client("dynamodb").transact_write_items(TransactItems=[
        {"Delete": {"TableName": table, "Key": _ddb({"pk": old_pk, "sk": old_sk})}},
        {"Put": {"TableName": table, "Item": _ddb({"pk": new_pk, "sk": new_sk, **agent}), "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": table, "Key": _ddb({"pk": pk, "sk": sk}), "UpdateExpression": "SET api_id = :a",
                    "ConditionExpression": "api_id = :old", "ExpressionAttributeValues": _ddb({":a": agent["api_id"], ":old": old_api_id})}},
    ])


UNGROUPED = "ungrouped"  # the host list's group filter for hosts in no group (group ids are UUIDs, so it cannot clash)


def filters_for(*, group: str | None, status: str | None, os_type: str | None, needs_updates: bool, security: bool,
                reboot: bool, search: str | None) -> list[Any]:
    """DynamoDB filter conditions for the host list's filters."""
    conditions: list[Any] = []
    if group == UNGROUPED:
        conditions.append(Attr("group_ids").not_exists() | Attr("group_ids").size().eq(0))
    elif group:
        conditions.append(Attr("group_ids").contains(group))
    if status:
        conditions.append(Attr("status").eq(status))
    if os_type:
        conditions.append(Attr("os_type_lower").eq(os_type.lower()))
    if needs_updates:
        conditions.append(Attr("updates_count").gt(0))
    if security:
        conditions.append(Attr("security_count").gt(0))
    if reboot:
        conditions.append(Attr("needs_reboot").eq(True))
    if search:
        conditions.append(Attr("search_text").contains(search.lower()))
    return conditions
