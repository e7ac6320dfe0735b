"""Counters in DynamoDB (Lambdas share no memory): fixed-window hits and failure lockouts."""
from __future__ import annotations

from typing import Any

from chalicelib.core import keys
from chalicelib.core.db import main_table


def add(tenant_id: str, name: str, *, expires_at: int) -> int:
    """Add one to a counter and return its new value (one write)."""
    pk, sk = keys.counter_key(tenant_id, name)
    response = main_table().update_item(
        Key={"pk": pk, "sk": sk}, UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :exp)",
        ExpressionAttributeValues={":one": 1, ":exp": expires_at}, ReturnValues="UPDATED_NEW")
    return int(response["Attributes"]["hits"])


def get(tenant_id: str, name: str) -> dict[str, Any] | None:
    pk, sk = keys.counter_key(tenant_id, name)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def put(tenant_id: str, name: str, item: dict[str, Any]) -> None:
    pk, sk = keys.counter_key(tenant_id, name)
    main_table().put_item(Item={"pk": pk, "sk": sk, **item})


def delete(tenant_id: str, name: str) -> None:
    pk, sk = keys.counter_key(tenant_id, name)
    main_table().delete_item(Key={"pk": pk, "sk": sk})
