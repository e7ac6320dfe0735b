"""DynamoDB access shared by every store: the table handle and the error translation."""
from __future__ import annotations

import functools
import os
import time
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.core.errors import Conflict
from chalicelib.core.settings import get_settings

_serializer = TypeSerializer()
_CLIENT_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=3, read_timeout=10,
                        max_pool_connections=32)


def client(service: str) -> Any:
    """Return a cached boto3 client; endpoints come from the standard AWS_ENDPOINT_URL* variables."""
    return _client(service, get_settings().region, _endpoint(service))


def main_table() -> Any:
    """Return the main table as a boto3 Table resource."""
    return _table(get_settings().main_table, get_settings().region, _endpoint("dynamodb"))


def _endpoint(service: str) -> str:
    # Part of the cache key: a process that points AWS elsewhere (tests, the local stack) gets new clients.
    return os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL", "")


@functools.cache
def _client(service: str, region: str, endpoint: str) -> Any:
    return boto3.session.Session().client(service, region_name=region, config=_CLIENT_CONFIG)


@functools.cache
def _table(name: str, region: str, endpoint: str) -> Any:
    resource = boto3.session.Session().resource("dynamodb", region_name=region, config=_CLIENT_CONFIG)
    return resource.Table(name)


def is_conditional_failure(exc: ClientError) -> bool:
    """Tell whether a ClientError is a failed condition (the race was lost)."""
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def conflict_from(exc: ClientError, message: str) -> Exception:
    """Translate a failed condition into Conflict; leave any other error (throttling) as it is."""
    return Conflict(message) if is_conditional_failure(exc) else exc


def transact(items: list[dict[str, Any]], *, conflict: str) -> None:
    """TransactWriteItems; a cancelled transaction (a condition failed: the race was lost) is Conflict(`conflict`)."""
    try:
        client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise Conflict(conflict) from None
        raise


def reset_clients() -> None:
    """Drop cached clients (tests switch endpoints between cases)."""
    _client.cache_clear()
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


def attribute_values(item: dict[str, Any]) -> dict[str, Any]:
    """An item in the client API's typed form (what a transaction takes), None values left out."""
    return {k: _serializer.serialize(to_dynamo(v)) for k, v in item.items() if v is not None}


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


# A filtered page reads on until it holds `limit` matches, within this many requests: DynamoDB applies `Limit`
# before the filter, so a single request for a rare match would come back empty with a next page.
FILLED_PAGE_MAX_REQUESTS = 5


def query_filled_page(*, limit: int, key_attributes: tuple[str, ...], max_requests: int = FILLED_PAGE_MAX_REQUESTS,
                      **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of a Query on the main table: up to `limit` items and the key to continue from (None at the end).

    Without a FilterExpression this is one request. With one, it keeps reading (each request evaluating at least
    `limit` items, and 25 at the least) until the page is full, the partition ends or `max_requests` were made; a
    page can then hold fewer items than `limit` and still have a next page. `key_attributes` are the table's
    (and index's) key attributes, to continue after the last item returned when a read brought more than needed.
    """
    if "FilterExpression" not in kwargs:
        response = main_table().query(Limit=limit, **kwargs)
        return response["Items"], response.get("LastEvaluatedKey")
    items: list[dict[str, Any]] = []
    for _ in range(max_requests):
        response = main_table().query(Limit=max(limit, 25), **kwargs)
        items.extend(response["Items"])
        last_key = response.get("LastEvaluatedKey")
        if len(items) >= limit:
            if len(items) > limit or last_key is not None:
                items = items[:limit]
                last_key = {name: items[-1][name] for name in key_attributes}
            return items, last_key
        if last_key is None:
            return items, None
        kwargs["ExclusiveStartKey"] = last_key
    return items, last_key


BATCH_GET_MAX_KEYS = 100  # BatchGetItem's limit per request
BATCH_GET_MAX_ROUNDS = 8  # requests per batch while DynamoDB keeps answering with UnprocessedKeys


def batch_get(item_keys: list[tuple[str, str]], *, fields: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Read items of the main table by key, projected to `fields` (None: whole items): one BatchGetItem per 100 keys
    (plus retries of the UnprocessedKeys, with a short backoff). Items that do not exist are left out; duplicate keys
    are read once."""
    table = get_settings().main_table
    unique = list(dict.fromkeys(item_keys))
    projection: dict[str, Any] = {}
    if fields:
        names = {f"#p{i}": name for i, name in enumerate(fields)}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), BATCH_GET_MAX_KEYS):
        request: dict[str, Any] | None = {table: {
            "Keys": [{"pk": pk, "sk": sk} for pk, sk in unique[start:start + BATCH_GET_MAX_KEYS]], **projection}}
        for attempt in range(BATCH_GET_MAX_ROUNDS):
            response = main_table().meta.client.batch_get_item(RequestItems=request)
            found.extend(response["Responses"].get(table, []))
            request = response.get("UnprocessedKeys") or None
            if not request:
                break
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
        if request:
            raise RuntimeError("BatchGetItem kept returning unprocessed keys")
    return found
