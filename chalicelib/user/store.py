"""Users in their tenant's partition, with unique username and email claims."""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import is_conditional_failure, main_table, query_all, transact
from chalicelib.core.settings import get_settings

_KEY_FIELDS = ("pk", "sk", "gsi1pk", "gsi1sk")


def _ddb(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {k: serializer.serialize(v) for k, v in item.items() if v is not None}


def _claim(tenant_id: str, kind: str, value: str, user_id: str) -> dict[str, Any]:
    pk, sk = (keys.username_key if kind == "username" else keys.email_key)(tenant_id, value)
    return {"Put": {"TableName": get_settings().main_table, "ConditionExpression": "attribute_not_exists(pk)",
                    "Item": _ddb({"pk": pk, "sk": sk, "user_id": user_id})}}


def _release(tenant_id: str, kind: str, value: str) -> dict[str, Any]:
    pk, sk = (keys.username_key if kind == "username" else keys.email_key)(tenant_id, value)
    return {"Delete": {"TableName": get_settings().main_table, "Key": _ddb({"pk": pk, "sk": sk})}}


def put_new(tenant_id: str, user: dict[str, Any], *, only_if_first: bool = False) -> None:
    """Store a new user and claim its username and email; Conflict if either is taken.

    With `only_if_first`, the tenant's first-user marker is claimed in the same transaction, so two
    racing first-time setups cannot both succeed.
    """
    pk, sk = keys.user_key(tenant_id, user["user_id"])
    items = [
        {"Put": {"TableName": get_settings().main_table, "ConditionExpression": "attribute_not_exists(pk)",
                 "Item": _ddb({"pk": pk, "sk": sk, **user})}},
        _claim(tenant_id, "username", user["username"], user["user_id"]),
        _claim(tenant_id, "email", user["email"], user["user_id"]),
    ]
    if only_if_first:
        marker_pk, marker_sk = keys.tenant_pk(tenant_id), "SETUP#first-user"
        items.append({"Put": {"TableName": get_settings().main_table, "ConditionExpression": "attribute_not_exists(pk)",
                              "Item": _ddb({"pk": marker_pk, "sk": marker_sk, "user_id": user["user_id"]})}})
    transact(items, conflict="Username or email already exists" if not only_if_first else "Setup has already been completed")


def has_users(tenant_id: str) -> bool:
    """Tell whether the tenant has completed first-time setup (has any user)."""
    response = main_table().query(KeyConditionExpression=Key("pk").eq(keys.tenant_pk(tenant_id)) & Key("sk").begins_with(keys.USER_PREFIX),
                                  Limit=1, ProjectionExpression="pk")
    return bool(response["Items"])


def get(tenant_id: str, user_id: str) -> dict[str, Any] | None:
    pk, sk = keys.user_key(tenant_id, user_id)
    item = main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")
    return _strip(item) if item else None


def user_id_by(tenant_id: str, *, username: str | None = None, email: str | None = None) -> str | None:
    """Return the id of the user with this username or email (case-insensitive)."""
    pk, sk = keys.username_key(tenant_id, username) if username else keys.email_key(tenant_id, email or "")
    item = main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")
    return item["user_id"] if item else None


def list_all(tenant_id: str) -> list[dict[str, Any]]:
    """Return every user of the tenant (tenants have tens to hundreds of users)."""
    return [_strip(i) for i in query_all(KeyConditionExpression=Key("pk").eq(keys.tenant_pk(tenant_id)) & Key("sk").begins_with(keys.USER_PREFIX))]


def replace(tenant_id: str, user: dict[str, Any], *, expected_updated_at: str, previous: dict[str, Any] | None = None) -> None:
    """Write a changed user (moving its username/email claims if they changed); Conflict on a lost race."""
    pk, sk = keys.user_key(tenant_id, user["user_id"])
    items: list[dict[str, Any]] = [{"Put": {
        "TableName": get_settings().main_table, "Item": _ddb({"pk": pk, "sk": sk, **user}),
        "ConditionExpression": "updated_at = :expected", "ExpressionAttributeValues": _ddb({":expected": expected_updated_at}),
    }}]
    for kind in ("username", "email"):
        if previous and previous[kind].lower() != user[kind].lower():
            items += [_release(tenant_id, kind, previous[kind]), _claim(tenant_id, kind, user[kind], user["user_id"])]
    transact(items, conflict="Username or email already exists, or the user changed meanwhile")


def delete(tenant_id: str, user: dict[str, Any]) -> None:
    """Delete a user and release its username and email."""
    pk, sk = keys.user_key(tenant_id, user["user_id"])
    transact([
        {"Delete": {"TableName": get_settings().main_table, "Key": _ddb({"pk": pk, "sk": sk})}},
        _release(tenant_id, "username", user["username"]),
        _release(tenant_id, "email", user["email"]),
    ], conflict="The user changed meanwhile")


def touch_login(tenant_id: str, user_id: str, at: str) -> None:
    pk, sk = keys.user_key(tenant_id, user_id)
    try:
        main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="SET last_login_at = :at",
                                 ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":at": at})
    except ClientError as exc:
        if not is_conditional_failure(exc):
            raise


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _KEY_FIELDS}


