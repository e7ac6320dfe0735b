"""Package holds in DynamoDB: few per tenant, all in one partition, so every read takes the whole set in one query."""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.core import keys
from chalicelib.core.db import main_table, query_all


def holds(tenant_id: str) -> list[dict[str, Any]]:
    """Every hold of the tenant."""
    pk, prefix = keys.patch_holds(tenant_id)
    return query_all(KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with(prefix))


def put_new(tenant_id: str, hold: dict[str, Any]) -> None:
    """Write a new hold (its None fields left out)."""
    pk, sk = keys.patch_hold_key(tenant_id, hold["hold_id"])
    main_table().put_item(Item={"pk": pk, "sk": sk, **{k: v for k, v in hold.items() if v is not None}},
                          ConditionExpression="attribute_not_exists(pk)")


def delete(tenant_id: str, hold_id: str) -> dict[str, Any] | None:
    """Delete a hold; returns it as it was, None when there was none."""
    pk, sk = keys.patch_hold_key(tenant_id, hold_id)
    return main_table().delete_item(Key={"pk": pk, "sk": sk}, ReturnValues="ALL_OLD").get("Attributes")


def delete_of_target(tenant_id: str, *, target_type: str, target_id: str) -> None:
    """Delete the holds of one host or host group, one request each."""
    for item in holds(tenant_id):
        if item["target_type"] == target_type and item["target_id"] == target_id:
            main_table().delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
