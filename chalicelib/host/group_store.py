"""Host groups in their tenant's partition, each with `host_count`: the number of hosts listing it.

A host joining a group is counted in the same transaction as the membership change (`join_items`, which
also requires the group to exist), and counted out right after it leaves (`leave`). A group is deleted
only while its count is zero, so no host ever lists a deleted group. The daily cleanup recounts.
"""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import is_conditional_failure, main_table, query_all
from chalicelib.core.errors import InvalidInput
from chalicelib.core.observability import logger
from chalicelib.core.settings import get_settings


def items(tenant_id: str) -> list[dict[str, Any]]:
    return query_all(KeyConditionExpression=Key("pk").eq(keys.tenant_pk(tenant_id)) & Key("sk").begins_with(keys.HOST_GROUP_PREFIX))


def get(tenant_id: str, group_id: str) -> dict[str, Any] | None:
    pk, sk = keys.host_group_key(tenant_id, group_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def put_new(tenant_id: str, group: dict[str, Any]) -> None:
    pk, sk = keys.host_group_key(tenant_id, group["group_id"])
    main_table().put_item(Item={"pk": pk, "sk": sk, **{k: v for k, v in group.items() if v is not None}},
                          ConditionExpression="attribute_not_exists(pk)")


def update(tenant_id: str, group_id: str, *, name: str, description: str | None, color: str, at: str) -> dict[str, Any] | None:
    """Set a group's name, description (None removes it) and colour, keeping its host count; None if it is gone."""
    pk, sk = keys.host_group_key(tenant_id, group_id)
    values = {":name": name, ":color": color, ":at": at}
    expression = "SET #name = :name, color = :color, updated_at = :at"
    if description is None:
        expression += " REMOVE description"
    else:
        values[":description"] = description
        expression += ", description = :description"
    try:
        return main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression=expression, ConditionExpression="attribute_exists(pk)",
                                        ExpressionAttributeNames={"#name": "name"}, ExpressionAttributeValues=values,
                                        ReturnValues="ALL_NEW")["Attributes"]
    except ClientError as exc:
        if is_conditional_failure(exc):
            return None
        raise


def delete_if_empty(tenant_id: str, group_id: str) -> bool:
    """Delete a group whose host count is zero; False when it has hosts (a host joining at the same moment either
    committed first, and the delete is refused, or finds the group gone)."""
    pk, sk = keys.host_group_key(tenant_id, group_id)
    try:
        main_table().delete_item(Key={"pk": pk, "sk": sk}, ConditionExpression="host_count <= :zero", ExpressionAttributeValues={":zero": 0})
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def set_count_if(tenant_id: str, group_id: str, *, observed: int, wanted: int) -> bool:
    """Set a group's host count to `wanted` if it still is `observed`; False when it moved or the group is gone."""
    pk, sk = keys.host_group_key(tenant_id, group_id)
    try:
        main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="SET host_count = :wanted",
                                 ConditionExpression="attribute_exists(pk) AND host_count = :observed",
                                 ExpressionAttributeValues={":wanted": wanted, ":observed": observed})
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def join_items(tenant_id: str, group_ids: list[str]) -> list[dict[str, Any]]:
    """Transaction items counting a host into groups, each of which must still exist (a group deleted meanwhile
    cancels the transaction, so no host ever joins a deleted group)."""
    table = get_settings().main_table
    updates = []
    for group_id in group_ids:
        pk, sk = keys.host_group_key(tenant_id, group_id)
        updates.append({"Update": {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}, "UpdateExpression": "ADD host_count :one",
                                   "ConditionExpression": "attribute_exists(pk)", "ExpressionAttributeValues": {":one": {"N": "1"}}}})
    return updates


def refuse_missing(reasons: list[str | None], group_ids: list[str], *, first: int) -> None:
    """InvalidInput naming the first group whose `join_items` entry (from position `first` of a cancelled
    transaction) failed its condition: the group does not exist."""
    for i, group_id in enumerate(group_ids):
        if first + i < len(reasons) and reasons[first + i] == "ConditionalCheckFailed":
            raise InvalidInput(f"Host group not found: {group_id}")


def leave(tenant_id: str, group_ids: list[str]) -> None:
    """Count a host out of groups, after the write that took it out. A count is never taken below zero: the
    write is refused then, and the daily cleanup recounts. Run after the membership change, a failure here
    leaves a count too high (a delete refused until the recount), never too low."""
    for group_id in group_ids:
        pk, sk = keys.host_group_key(tenant_id, group_id)
        try:
            main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="ADD host_count :minus",
                                     ConditionExpression="host_count > :zero", ExpressionAttributeValues={":minus": -1, ":zero": 0})
        except ClientError as exc:
            if not is_conditional_failure(exc):
                raise
            logger.warning("host group count already zero", extra={"tenant_id": tenant_id, "group_id": group_id})
