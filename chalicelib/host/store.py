"""Hosts in their tenant's partition, and each agent's global credential/check-in record."""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.core import keys, pagination
from chalicelib.core.db import all_of, client, is_conditional_failure, main_table, query_all, to_dynamo
from chalicelib.core.errors import Conflict, PlanLimitReached
from chalicelib.core.settings import get_settings

_serializer = TypeSerializer()
HOSTS_BY_NAME = "gsi1"


def _ddb(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def hosts_by_name_pk(tenant_id: str) -> str:
    return f"{keys.tenant_pk(tenant_id)}#HOSTS"


def put_new(tenant_id: str, host: dict[str, Any], agent: dict[str, Any], *, host_limit: int) -> None:
    """Store a host and its agent record, counting it against the plan's host limit in the same transaction."""
    pk, sk = keys.host_key(tenant_id, host["host_id"])
    agent_pk, agent_sk = keys.agent_key(agent["api_id"])
    stats_pk, stats_sk = keys.fleet_stats_key(tenant_id)
    table = get_settings().main_table
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
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                raise PlanLimitReached(f"Host limit reached ({host_limit}) for your plan") from None
            raise Conflict("Host could not be created; retry") from None
        raise


def get(tenant_id: str, host_id: str) -> dict[str, Any] | None:
    pk, sk = keys.host_key(tenant_id, host_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def get_agent(api_id: str) -> dict[str, Any] | None:
    pk, sk = keys.agent_key(api_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


PRESENCE_FIELDS = ("api_id", "last_seen_at", "last_seen_epoch", "ws_connected", "ws_connected_since", "ws_secure")


def get_agents(api_ids: list[str], fields: tuple[str, ...] | None = PRESENCE_FIELDS) -> dict[str, dict[str, Any]]:
    """Batch-read agent records (one request per 100 ids); `fields=None` reads whole records."""
    found: dict[str, dict[str, Any]] = {}
    table = get_settings().main_table
    for start in range(0, len(api_ids), 100):
        request: dict[str, Any] = {table: {"Keys": [{"pk": keys.agent_key(a)[0], "sk": "AGENT"} for a in api_ids[start:start + 100]]}}
        if fields:
            request[table]["ProjectionExpression"] = ", ".join(fields)
        while request:
            response = main_table().meta.client.batch_get_item(RequestItems=request)
            for item in response["Responses"].get(table, []):
                found[item["api_id"]] = item
            request = response.get("UnprocessedKeys") or None
    return found


def query_page(tenant_id: str, *, limit: int, cursor: str | None, filters: list[Any]) -> tuple[list[dict[str, Any]], str | None]:
    """One page of hosts ordered by name, with optional filter conditions."""
    partition = hosts_by_name_pk(tenant_id)
    kwargs: dict[str, Any] = {"IndexName": HOSTS_BY_NAME, "KeyConditionExpression": Key("gsi1pk").eq(partition), "Limit": limit}
    if filters:
        kwargs["FilterExpression"] = all_of(filters)
    start = pagination.decode(cursor, partition=partition)
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = main_table().query(**kwargs)
    return response["Items"], pagination.encode(response.get("LastEvaluatedKey"))


def query_all_hosts(tenant_id: str, *, filters: list[Any]) -> list[dict[str, Any]]:
    """Every host of the tenant matching the filters (all pages: O(fleet) reads, for orders other than by name)."""
    kwargs: dict[str, Any] = {"IndexName": HOSTS_BY_NAME, "KeyConditionExpression": Key("gsi1pk").eq(hosts_by_name_pk(tenant_id))}
    if filters:
        kwargs["FilterExpression"] = all_of(filters)
    return query_all(**kwargs)


def update_host(tenant_id: str, host_id: str, changes: dict[str, Any], *, condition_exists: bool = True) -> dict[str, Any]:
    """Set attributes of a host; NotFound-style None if it does not exist."""
    pk, sk = keys.host_key(tenant_id, host_id)
    names = {f"#f{i}": name for i, name in enumerate(changes)}
    values = {f":v{i}": to_dynamo(value) for i, value in enumerate(changes.values())}
    expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))
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
    """Delete a host, its agent record and its place in the host count."""
    pk, sk = keys.host_key(tenant_id, host["host_id"])
    agent_pk, agent_sk = keys.agent_key(host["api_id"])
    stats_pk, stats_sk = keys.fleet_stats_key(tenant_id)
    table = get_settings().main_table
    client("dynamodb").transact_write_items(TransactItems=[
        {"Delete": {"TableName": table, "Key": _ddb({"pk": pk, "sk": sk}), "ConditionExpression": "attribute_exists(pk)"}},
        {"Delete": {"TableName": table, "Key": _ddb({"pk": agent_pk, "sk": agent_sk})}},
        {"Update": {"TableName": table, "Key": _ddb({"pk": stats_pk, "sk": stats_sk}), "UpdateExpression": "ADD hosts_total :minus",
                    "ExpressionAttributeValues": _ddb({":minus": -1})}},
    ])


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


def filters_for(*, group: str | None, status: str | None, os_type: str | None, needs_updates: bool, security: bool,
                reboot: bool, search: str | None) -> list[Any]:
    """DynamoDB filter conditions for the host list's filters."""
    conditions: list[Any] = []
    if group:
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
