"""Tenants in the main table: the record under the tenant's partition and a global slug index."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import keys, pagination
from chalicelib.core.db import client, is_conditional_failure, main_table
from chalicelib.core.errors import Conflict
from chalicelib.core.settings import get_settings


def _serialise(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {k: serializer.serialize(v) for k, v in item.items()}


def put_new(tenant: dict[str, Any]) -> None:
    """Store a new tenant; Conflict if the slug is taken."""
    pk, sk = keys.tenant_key(tenant["tenant_id"])
    slug_pk, slug_sk = keys.tenant_slug_key(tenant["slug"])
    table = get_settings().main_table
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                     "Item": _serialise({"pk": slug_pk, "sk": slug_sk, "tenant_id": tenant["tenant_id"]})}},
            {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                     "Item": _serialise({"pk": pk, "sk": sk, "gsi1pk": keys.TENANT_LIST_PK, "gsi1sk": tenant["slug"], **tenant})}},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise Conflict("A tenant with this slug already exists") from None
        raise


def get(tenant_id: str) -> dict[str, Any] | None:
    """Return a tenant record or None."""
    pk, sk = keys.tenant_key(tenant_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def tenant_id_for_slug(slug: str) -> str | None:
    """Return the id of the tenant with this slug, or None."""
    pk, sk = keys.tenant_slug_key(slug)
    item = main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")
    return item["tenant_id"] if item else None


def replace(tenant: dict[str, Any], *, expected_updated_at: str) -> None:
    """Write a changed tenant record; Conflict if someone else changed it meanwhile."""
    pk, sk = keys.tenant_key(tenant["tenant_id"])
    try:
        main_table().put_item(
            Item={"pk": pk, "sk": sk, "gsi1pk": keys.TENANT_LIST_PK, "gsi1sk": tenant["slug"], **tenant},
            ConditionExpression="updated_at = :expected",
            ExpressionAttributeValues={":expected": expected_updated_at},
        )
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise Conflict("The tenant was changed by someone else; reload and retry") from None
        raise


def list_page(*, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Return one page of tenants sorted by slug, and the cursor of the next page."""
    kwargs: dict[str, Any] = {"IndexName": "gsi1", "Limit": limit,
                              "KeyConditionExpression": "gsi1pk = :pk", "ExpressionAttributeValues": {":pk": keys.TENANT_LIST_PK}}
    start = pagination.decode(cursor, partition=keys.TENANT_LIST_PK)
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = main_table().query(**kwargs)
    return response["Items"], pagination.encode(response.get("LastEvaluatedKey"))


def strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    """Drop the table's key attributes from a record."""
    return {k: v for k, v in item.items() if k not in ("pk", "sk", "gsi1pk", "gsi1sk")}
