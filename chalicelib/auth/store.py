"""Sessions (one per signed-in device) and short-lived login tickets, in the tenant's partition."""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import is_conditional_failure, main_table


def put_session(tenant_id: str, session: dict[str, Any]) -> None:
    pk, sk = keys.session_key(tenant_id, session["user_id"], session["session_id"])
    main_table().put_item(Item={"pk": pk, "sk": sk, **session})


def get_session(tenant_id: str, user_id: str, session_id: str) -> dict[str, Any] | None:
    pk, sk = keys.session_key(tenant_id, user_id, session_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def list_sessions(tenant_id: str, user_id: str) -> list[dict[str, Any]]:
    response = main_table().query(
        KeyConditionExpression=Key("pk").eq(keys.tenant_pk(tenant_id)) & Key("sk").begins_with(keys.session_prefix(user_id)))
    return response["Items"]


def touch_session(tenant_id: str, user_id: str, session_id: str, *, at_epoch: int, at_iso: str) -> None:
    """Record activity, unless the session was revoked meanwhile."""
    pk, sk = keys.session_key(tenant_id, user_id, session_id)
    try:
        main_table().update_item(
            Key={"pk": pk, "sk": sk}, UpdateExpression="SET last_activity_epoch = :e, last_activity_at = :a",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revoked_at)",
            ExpressionAttributeValues={":e": at_epoch, ":a": at_iso})
    except ClientError as exc:
        if not is_conditional_failure(exc):
            raise


def rotate_refresh(tenant_id: str, user_id: str, session_id: str, *, old_jti: str, new_jti: str, expires_at: int,
                   at_epoch: int, at_iso: str) -> bool:
    """Replace the session's current refresh token id; False if `old_jti` is no longer current (reuse)."""
    pk, sk = keys.session_key(tenant_id, user_id, session_id)
    try:
        main_table().update_item(
            Key={"pk": pk, "sk": sk},
            UpdateExpression="SET refresh_jti = :new, expires_at = :exp, last_activity_epoch = :e, last_activity_at = :a",
            ConditionExpression="refresh_jti = :old AND attribute_not_exists(revoked_at)",
            ExpressionAttributeValues={":new": new_jti, ":old": old_jti, ":exp": expires_at, ":e": at_epoch, ":a": at_iso})
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def revoke_session(tenant_id: str, user_id: str, session_id: str, *, at_iso: str, reason: str) -> bool:
    """Mark a session revoked; False if it did not exist or was already revoked."""
    pk, sk = keys.session_key(tenant_id, user_id, session_id)
    try:
        main_table().update_item(
            Key={"pk": pk, "sk": sk}, UpdateExpression="SET revoked_at = :at, revoked_reason = :r",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revoked_at)",
            ExpressionAttributeValues={":at": at_iso, ":r": reason})
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def put_ticket(tenant_id: str, ticket_hash: str, item: dict[str, Any]) -> None:
    pk, sk = keys.tfa_ticket_key(tenant_id, ticket_hash)
    main_table().put_item(Item={"pk": pk, "sk": sk, **item})


def consume_ticket(tenant_id: str, ticket_hash: str, *, now_epoch: int) -> dict[str, Any] | None:
    """Delete a login ticket if it is unexpired and return it; None if absent, expired or already used."""
    pk, sk = keys.tfa_ticket_key(tenant_id, ticket_hash)
    try:
        response = main_table().delete_item(
            Key={"pk": pk, "sk": sk}, ConditionExpression="attribute_exists(pk) AND expires_at > :now",
            ExpressionAttributeValues={":now": now_epoch}, ReturnValues="ALL_OLD")
    except ClientError as exc:
        if is_conditional_failure(exc):
            return None
        raise
    return response.get("Attributes")
