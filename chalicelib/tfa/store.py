"""TFA records, the verification-failure counter and trusted devices, in the tenant's partition."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import batch_get, is_conditional_failure, main_table, query_all

_KEY_FIELDS = ("pk", "sk", "gsi1pk", "gsi1sk")
_NOT_ENABLED = "attribute_not_exists(enabled) OR enabled = :false"


def _failures_key(tenant_id: str, user_id: str) -> keys.Key:
    return keys.counter_key(tenant_id, f"tfa-failures#{user_id}")


def _key(pair: keys.Key) -> dict[str, str]:
    return {"pk": pair[0], "sk": pair[1]}


def _conditional_update(key: keys.Key, **kwargs: Any) -> bool:
    """Run an update; False when its condition failed (a race lost or a state changed)."""
    try:
        main_table().update_item(Key=_key(key), **kwargs)
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """Strip keys and turn DynamoDB's Decimals back into ints."""
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in item.items() if k not in _KEY_FIELDS}


# --- the per-user TFA record ---------------------------------------------------------------------
def get_record(tenant_id: str, user_id: str) -> dict[str, Any] | None:
    """Return the user's TFA record, or None."""
    item = main_table().get_item(Key=_key(keys.tfa_key(tenant_id, user_id)), ConsistentRead=True).get("Item")
    if not item:
        return None
    record = _plain(item)
    record["backup_code_hashes"] = set(record.get("backup_code_hashes") or ())
    return record


def enabled_users(tenant_id: str, user_ids: list[str]) -> set[str]:
    """Return which of the users have TFA enabled (one BatchGetItem per 100 users, reading only the flag)."""
    items = batch_get([keys.tfa_key(tenant_id, u) for u in user_ids], fields=("user_id", "enabled"))
    return {i["user_id"] for i in items if i.get("enabled")}


def put_pending_secret(tenant_id: str, user_id: str, *, sealed_secret: str, at: str) -> bool:
    """Store a setup's sealed secret; False when TFA is already enabled."""
    return _conditional_update(
        keys.tfa_key(tenant_id, user_id),
        UpdateExpression="SET user_id = :user, pending_secret_sealed = :secret, pending_since = :at, updated_at = :at",
        ConditionExpression=_NOT_ENABLED,
        ExpressionAttributeValues={":user": user_id, ":secret": sealed_secret, ":at": at, ":false": False},
    )


def enable(tenant_id: str, user_id: str, *, pending_sealed: str, backup_code_hashes: set[str], step: int, at: str) -> bool:
    """Promote the pending secret and store the backup codes; False if the setup changed meanwhile."""
    return _conditional_update(
        keys.tfa_key(tenant_id, user_id),
        UpdateExpression="SET enabled = :true, secret_sealed = :secret, backup_code_hashes = :codes, last_used_step = :step, "
                         "enabled_at = :at, updated_at = :at REMOVE pending_secret_sealed, pending_since",
        ConditionExpression=f"pending_secret_sealed = :secret AND ({_NOT_ENABLED})",
        ExpressionAttributeValues={":true": True, ":false": False, ":secret": pending_sealed, ":codes": backup_code_hashes,
                                   ":step": step, ":at": at},
    )


def advance_step(tenant_id: str, user_id: str, *, step: int) -> bool:
    """Record an accepted TOTP step; False when this or a later step was already used (a replay)."""
    return _conditional_update(
        keys.tfa_key(tenant_id, user_id),
        UpdateExpression="SET last_used_step = :step",
        ConditionExpression="enabled = :true AND (attribute_not_exists(last_used_step) OR last_used_step < :step)",
        ExpressionAttributeValues={":step": step, ":true": True},
    )


def consume_backup_code(tenant_id: str, user_id: str, *, code_hash: str) -> bool:
    """Remove one backup code; False when it is already gone, so two concurrent uses cannot both succeed."""
    return _conditional_update(
        keys.tfa_key(tenant_id, user_id),
        UpdateExpression="DELETE backup_code_hashes :codes",
        ConditionExpression="enabled = :true AND contains(backup_code_hashes, :code)",
        ExpressionAttributeValues={":codes": {code_hash}, ":code": code_hash, ":true": True},
    )


def replace_backup_codes(tenant_id: str, user_id: str, *, backup_code_hashes: set[str], at: str) -> bool:
    """Swap the whole set of backup codes; False when TFA is not enabled."""
    return _conditional_update(
        keys.tfa_key(tenant_id, user_id),
        UpdateExpression="SET backup_code_hashes = :codes, updated_at = :at",
        ConditionExpression="enabled = :true",
        ExpressionAttributeValues={":codes": backup_code_hashes, ":at": at, ":true": True},
    )


def delete_record(tenant_id: str, user_id: str) -> None:
    """Delete the user's TFA record (secret, pending secret and backup codes)."""
    main_table().delete_item(Key=_key(keys.tfa_key(tenant_id, user_id)))


# --- consecutive verification failures (lockout) -------------------------------------------------
def get_failures(tenant_id: str, user_id: str) -> dict[str, Any] | None:
    """Return the failure counter {failures, expires_at}, expired or not (TTL deletes lazily)."""
    item = main_table().get_item(Key=_key(_failures_key(tenant_id, user_id)), ConsistentRead=True).get("Item")
    return _plain(item) if item else None


def add_failure(tenant_id: str, user_id: str, *, now: int, expires_at: int) -> int:
    """Count one more failure and push the counter's expiry out; return the new count."""
    key = _failures_key(tenant_id, user_id)
    for _ in range(3):
        try:
            response = main_table().update_item(
                Key=_key(key), UpdateExpression="ADD failures :one SET expires_at = :exp, user_id = :user",
                ConditionExpression="attribute_not_exists(pk) OR expires_at > :now",
                ExpressionAttributeValues={":one": 1, ":exp": expires_at, ":now": now, ":user": user_id},
                ReturnValues="UPDATED_NEW")
            return int(response["Attributes"]["failures"])
        except ClientError as exc:
            if not is_conditional_failure(exc):
                raise
        # The counter expired but TTL has not removed it yet: start over, unless a racer just did.
        if _conditional_update(key, UpdateExpression="SET failures = :one, expires_at = :exp, user_id = :user",
                               ConditionExpression="expires_at <= :now",
                               ExpressionAttributeValues={":one": 1, ":exp": expires_at, ":now": now, ":user": user_id}):
            return 1
    raise RuntimeError("tfa failure counter kept changing under us")


def clear_failures(tenant_id: str, user_id: str) -> None:
    """Forget the user's failures."""
    main_table().delete_item(Key=_key(_failures_key(tenant_id, user_id)))


# --- trusted devices -----------------------------------------------------------------------------
def put_device(tenant_id: str, user_id: str, device: dict[str, Any]) -> None:
    """Store a trusted device; `device` carries its token_hash."""
    main_table().put_item(Item={**_key(keys.trusted_device_key(tenant_id, user_id, device["token_hash"])), **device})


def get_device(tenant_id: str, user_id: str, token_hash: str) -> dict[str, Any] | None:
    """Return the device trusted under this token hash, or None."""
    item = main_table().get_item(Key=_key(keys.trusted_device_key(tenant_id, user_id, token_hash))).get("Item")
    return _plain(item) if item else None


def query_devices(tenant_id: str, user_id: str) -> list[dict[str, Any]]:
    """Return every device stored for the user, expired ones included."""
    return [_plain(item) for item in _query(keys.tenant_pk(tenant_id), keys.trusted_device_prefix(user_id))]


def touch_device(tenant_id: str, user_id: str, token_hash: str, *, at: str, ip: str) -> bool:
    """Bump a device's last use; False when it was revoked meanwhile."""
    return _conditional_update(
        keys.trusted_device_key(tenant_id, user_id, token_hash),
        UpdateExpression="SET last_used_at = :at, ip_address = :ip",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":at": at, ":ip": ip},
    )


def delete_devices(tenant_id: str, user_id: str, token_hashes: list[str]) -> None:
    """Delete trusted devices by token hash."""
    with main_table().batch_writer() as batch:
        for token_hash in token_hashes:
            batch.delete_item(Key=_key(keys.trusted_device_key(tenant_id, user_id, token_hash)))


def _query(pk: str, prefix: str) -> Iterator[dict[str, Any]]:
    yield from query_all(KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with(prefix), ConsistentRead=True)
