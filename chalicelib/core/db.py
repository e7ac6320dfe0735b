"""DynamoDB access shared by every store: the table handle and the error translation."""
from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.core.errors import Conflict
from chalicelib.core.settings import get_settings

_CLIENT_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=3, read_timeout=10,
                        max_pool_connections=32)


@functools.cache
def client(service: str) -> Any:
    """Return a cached boto3 client; endpoints come from the standard AWS_ENDPOINT_URL* variables."""
    return boto3.session.Session().client(service, region_name=get_settings().region, config=_CLIENT_CONFIG)


def main_table() -> Any:
    """Return the main table as a boto3 Table resource."""
    return _table(get_settings().main_table)


@functools.cache
def _table(name: str) -> Any:
    resource = boto3.session.Session().resource("dynamodb", region_name=get_settings().region, config=_CLIENT_CONFIG)
    return resource.Table(name)


def is_conditional_failure(exc: ClientError) -> bool:
    """Tell whether a ClientError is a failed condition (the race was lost)."""
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def conflict_from(exc: ClientError, message: str) -> Exception:
    """Translate a failed condition into Conflict; leave any other error (throttling) as it is."""
    return Conflict(message) if is_conditional_failure(exc) else exc


def reset_clients() -> None:
    """Drop cached clients (tests switch endpoints between cases)."""
    client.cache_clear()
    _table.cache_clear()


def to_dynamo(value: Any) -> Any:
    """Convert floats (anywhere inside lists and maps) to Decimal, which DynamoDB's number type needs."""
    from decimal import Decimal

    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_dynamo(v) for v in value]
    return value


def query_all(**kwargs: Any) -> list[dict[str, Any]]:
    """Run a Query on the main table and follow every page; for bounded sets (a host's packages, a tenant's users)."""
    items: list[dict[str, Any]] = []
    while True:
        response = main_table().query(**kwargs)
        items.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def all_of(conditions: list[Any]) -> Any:
    """AND a list of boto3 conditions together; None when there are none."""
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined
