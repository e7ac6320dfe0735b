"""Opaque pagination cursors over DynamoDB's LastEvaluatedKey."""
from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Any

from chalicelib.core.errors import InvalidInput

MAX_PAGE_SIZE = 200


def encode(last_evaluated_key: dict[str, Any] | None) -> str | None:
    """Return an opaque cursor for the next page, or None at the end."""
    if not last_evaluated_key:
        return None
    plain = {k: (int(v) if isinstance(v, Decimal) else v) for k, v in last_evaluated_key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode()


def decode(cursor: str | None, *, partition: str) -> dict[str, Any] | None:
    """Return the ExclusiveStartKey of a cursor; InvalidInput if it was not issued for this partition."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidInput("Invalid cursor") from None
    if not isinstance(key, dict) or partition not in (key.get("pk"), key.get("gsi1pk")):
        # A cursor names its partition: one forged for another tenant's partition is refused.
        raise InvalidInput("Invalid cursor")
    return key


def page_size(raw: str | None, default: int = 50) -> int:
    """Parse a `limit` query parameter."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput("limit must be an integer") from None
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    return value
