"""WebSocket connections and one-time connection tickets in the main table."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import is_conditional_failure, main_table, query_all


def put_ticket(*, ticket_hash: str, expires_at: int, tenant_id: str, user_id: str) -> None:
    """Store a ticket by its hash with its owner, expiring (TTL) at `expires_at` epoch seconds."""
    pk, sk = keys.ws_ticket_key(ticket_hash)
    main_table().put_item(Item={"pk": pk, "sk": sk, "expires_at": expires_at, "tenant_id": tenant_id, "user_id": user_id},
                          ConditionExpression="attribute_not_exists(pk)")


def consume_ticket(*, ticket_hash: str, now: int) -> dict[str, Any] | None:
    """Delete the ticket if it exists and has not expired and return its owner; None otherwise."""
    pk, sk = keys.ws_ticket_key(ticket_hash)
    try:
        response = main_table().delete_item(
            Key={"pk": pk, "sk": sk},
            ConditionExpression="attribute_exists(pk) AND expires_at > :now",
            ExpressionAttributeValues={":now": now},
            ReturnValues="ALL_OLD",
        )
    except ClientError as exc:
        if is_conditional_failure(exc):
            return None
        raise
    return response.get("Attributes")


def put_connection(*, connection_id: str, connected_at: str, source_ip: str, expires_at: int, tenant_id: str, user_id: str) -> None:
    """Record an open connection and its owner (TTL past API Gateway's 2-hour maximum, for lost $disconnects)."""
    pk, sk = keys.connection_key(connection_id)
    main_table().put_item(Item={"pk": pk, "sk": sk, "connection_id": connection_id, "connected_at": connected_at,
                                "source_ip": source_ip, "expires_at": expires_at, "tenant_id": tenant_id, "user_id": user_id})


def get_connection(*, connection_id: str, now: int) -> dict[str, Any] | None:
    """Return an open connection's record, or None (expired records count as absent)."""
    pk, sk = keys.connection_key(connection_id)
    item = main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")
    if item is None or int(item.get("expires_at", 0)) <= now:
        return None
    return item


def delete_connection(*, connection_id: str) -> None:
    """Forget a connection (idempotent)."""
    pk, sk = keys.connection_key(connection_id)
    main_table().delete_item(Key={"pk": pk, "sk": sk})


KEEPALIVE_BUCKETS = 16
# API Gateway closes every connection after 2 hours; records live a little longer so a lost
# $disconnect (best effort in AWS) still ends in TTL expiry.
CONNECTION_RECORD_TTL = timedelta(hours=2, minutes=10)


def keepalive_index(bucket: int) -> str:
    return f"AGENTCONN#{bucket}"


def put_agent_connection(*, connection_id: str, api_id: str, tenant_id: str, host_id: str, connected_at: str, secure: bool,
                         expires_at: int, bucket: int | None) -> None:
    """Record an agent's connection; unless `bucket` is None it is listed in a keepalive bucket (gsi1) until it closes."""
    pk, sk = keys.connection_key(connection_id)
    item = {"pk": pk, "sk": sk, "connection_id": connection_id, "kind": "agent", "api_id": api_id, "tenant_id": tenant_id,
            "host_id": host_id, "connected_at": connected_at, "secure": secure, "expires_at": expires_at}
    if bucket is not None:
        item.update({"gsi1pk": keepalive_index(bucket), "gsi1sk": connection_id})
    main_table().put_item(Item=item)


def agent_connections(bucket: int) -> list[dict[str, Any]]:
    """Every open agent connection of a keepalive bucket."""
    from boto3.dynamodb.conditions import Key

    return query_all(IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq(keepalive_index(bucket)))


def get_connection_record(connection_id: str) -> dict[str, Any] | None:
    pk, sk = keys.connection_key(connection_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")
