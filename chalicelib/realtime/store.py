"""WebSocket connections and one-time connection tickets in the main table."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import is_conditional_failure, main_table


def put_ticket(*, ticket_hash: str, expires_at: int) -> None:
    """Store a ticket by its hash, expiring (TTL) at `expires_at` epoch seconds."""
    pk, sk = keys.ws_ticket_key(ticket_hash)
    main_table().put_item(Item={"pk": pk, "sk": sk, "expires_at": expires_at}, ConditionExpression="attribute_not_exists(pk)")


def consume_ticket(*, ticket_hash: str, now: int) -> bool:
    """Delete the ticket if it exists and has not expired; True when this call consumed it."""
    pk, sk = keys.ws_ticket_key(ticket_hash)
    try:
        main_table().delete_item(
            Key={"pk": pk, "sk": sk},
            ConditionExpression="attribute_exists(pk) AND expires_at > :now",
            ExpressionAttributeValues={":now": now},
        )
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def put_connection(*, connection_id: str, connected_at: str, source_ip: str, expires_at: int) -> None:
    """Record an open connection (TTL past API Gateway's 2-hour maximum, for lost $disconnects)."""
    pk, sk = keys.connection_key(connection_id)
    main_table().put_item(Item={"pk": pk, "sk": sk, "connection_id": connection_id, "connected_at": connected_at,
                                "source_ip": source_ip, "expires_at": expires_at})


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
