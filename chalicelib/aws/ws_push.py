"""Push to WebSocket clients through the API Gateway management API (`@connections`).

Used by the app and by workers alike, so no worker needs the Chalice app. The endpoint comes from
settings: `https://{api}.execute-api.{region}.amazonaws.com/{stage}` in AWS, the local gateway locally.
"""
from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.core.settings import get_settings

_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=5)


class ConnectionGone(Exception):
    """The connection no longer exists (API Gateway answered 410 Gone)."""


@functools.lru_cache(maxsize=4)
def _client(endpoint: str, region: str) -> Any:
    return boto3.session.Session().client("apigatewaymanagementapi", endpoint_url=endpoint, region_name=region, config=_CONFIG)


def _management() -> Any:
    settings = get_settings()
    return _client(settings.websocket_management_endpoint, settings.region)


def _gone(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "GoneException" or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 410


def send(connection_id: str, message: dict[str, Any]) -> None:
    """Send one JSON message to a connection; raise ConnectionGone if it is gone."""
    data = json.dumps(message, separators=(",", ":")).encode()
    try:
        _management().post_to_connection(ConnectionId=connection_id, Data=data)
    except ClientError as exc:
        if _gone(exc):
            raise ConnectionGone(connection_id) from None
        raise


def info(connection_id: str) -> dict[str, Any]:
    """Return when the connection was opened and last active; raise ConnectionGone if it is gone."""
    try:
        response = _management().get_connection(ConnectionId=connection_id)
    except ClientError as exc:
        if _gone(exc):
            raise ConnectionGone(connection_id) from None
        raise
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in response.items() if k != "ResponseMetadata"}


def disconnect(connection_id: str) -> bool:
    """Close a connection; return False if it was already gone."""
    try:
        _management().delete_connection(ConnectionId=connection_id)
    except ClientError as exc:
        if _gone(exc):
            return False
        raise
    return True


def reset_clients() -> None:
    """Drop cached clients (tests switch endpoints between cases)."""
    _client.cache_clear()
