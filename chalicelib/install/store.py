"""One-time agent bootstrap tokens in the main table (global items named by the token's SHA-256)."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import is_conditional_failure, main_table


def put_bootstrap(*, token_hash: str, tenant_id: str, api_id: str, host_id: str, sealed: str, expires_at: int) -> None:
    """Store a token by its hash with its tenant, host and sealed credentials, expiring (TTL) at `expires_at`."""
    pk, sk = keys.bootstrap_token_key(token_hash)
    main_table().put_item(Item={"pk": pk, "sk": sk, "tenant_id": tenant_id, "api_id": api_id, "host_id": host_id, "sealed": sealed,
                                "expires_at": expires_at},
                          ConditionExpression="attribute_not_exists(pk)")


def consume_bootstrap(*, token_hash: str, now: int, tenant_id: str | None) -> dict[str, Any] | None:
    """Delete the token if it exists, has not expired and (when given) belongs to `tenant_id`; return it, else None.

    One conditional DeleteItem: of two concurrent exchanges only one can delete the item, and TTL
    deletion lagging behind `expires_at` does not make an expired token usable.
    """
    pk, sk = keys.bootstrap_token_key(token_hash)
    condition = "attribute_exists(pk) AND expires_at > :now"
    values: dict[str, Any] = {":now": now}
    if tenant_id is not None:
        condition += " AND tenant_id = :tenant"
        values[":tenant"] = tenant_id
    try:
        response = main_table().delete_item(Key={"pk": pk, "sk": sk}, ConditionExpression=condition,
                                            ExpressionAttributeValues=values, ReturnValues="ALL_OLD")
    except ClientError as exc:
        if is_conditional_failure(exc):
            return None
        raise
    return response.get("Attributes")
