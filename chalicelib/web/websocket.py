"""Helpers for the WebSocket handlers of app.py."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.core import errors
from chalicelib.web.errors import status_for


def refuse(error: errors.DomainError) -> dict[str, Any]:
    """Return the $connect response that refuses the upgrade (API Gateway answers the client with it)."""
    # Plain text, as the reference server answers agents (401 "Invalid API credentials").
    return {"statusCode": status_for(error), "body": error.message, "headers": {"Content-Type": "text/plain"}}


def parse_message(body: str | None) -> Any:
    """Parse a client message as JSON; a message that is not JSON yields None."""
    try:
        return json.loads(body or "")
    except (TypeError, ValueError):
        return None
