"""Two corrections to moto's DynamoDB for the local stack, where many requests arrive at once.

1. DynamoDB requests are handled one at a time. moto's server is threaded but its DynamoDB backend is
   not thread-safe: a TransactWriteItems deep-copies the table for its rollback while other threads
   write to it ("dictionary changed size during iteration"), which cancels the transaction. DynamoDB
   itself isolates transactions, so serialising restores its semantics. Other services (SQS long
   polls in particular) are not serialised.
2. A transaction backs up only the items it touches. moto deep-copies every table a transaction names,
   which costs O(table) per transaction (seconds once the table holds tens of thousands of items).

3. Snapshots read the table straight from the backend (`export_items`), under the same lock: a scan
   through the API is O(n) per page in moto and took tens of seconds at 30,000 items.
4. A Query reads its partition, not the table. moto's Query sorts every item of the table and then
   keeps the partition's (O(n log n) in the table: about a second per query at 100,000 items, which
   made every page of the web app slow locally while DynamoDB answers in milliseconds). A base-table
   query now looks at its partition's items only; an index query still visits every item (moto keeps
   no index) but skips the table-wide sort, which it redoes on the matches anyway.

All are local-only; tests/infra/local/test_moto_dynamodb.py pins the behaviour against the pinned moto.
"""
from __future__ import annotations

import base64
import copy
import inspect
import json
import threading
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import DynamoJsonEncoder

_ORIGINAL_TRANSACT = DynamoDBBackend.transact_write_items
_ORIGINAL_QUERY = Table.query
_ORIGINAL_ALL_ITEMS = Table.all_items
_QUERY_SIGNATURE = inspect.signature(_ORIGINAL_QUERY)
_QUERYING = threading.local()  # the table and partition (None: an index) a Query of this thread is reading
LOCK = threading.Lock()  # held while moto serves a DynamoDB request (or a snapshot reads a table)


class SerialisedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time (identified by its X-Amz-Target), others untouched."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = LOCK

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))  # the body is produced inside the lock


def _no_table_copies() -> types.SimpleNamespace:
    """moto's `copy` module as transact_write_items sees it: tables are not copied (we back up items)."""
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    return types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)


def _key_of(table: Table, attrs: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    hash_key = DynamoType(attrs[table.hash_key_attr])
    range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _stored(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Any:
    if range_key is None:
        return table.items.get(hash_key)
    return table.items.get(hash_key, {}).get(range_key)


def _restore(table: Table, hash_key: DynamoType, range_key: DynamoType | None, item: Any) -> None:
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    partition = table.items[hash_key]
    if item is None:
        partition.pop(range_key, None)
        if not partition:
            table.items.pop(hash_key, None)
    else:
        partition[range_key] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    backups: list[tuple[Table, DynamoType, DynamoType | None, Any]] = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = self.tables.get(op.get("TableName"))
        attrs = op.get("Item") or op.get("Key") or {}
        if table is None or table.hash_key_attr not in attrs or (table.range_key_attr and table.range_key_attr not in attrs):
            continue  # moto reports the malformed operation itself
        hash_key, range_key = _key_of(table, attrs)
        backups.append((table, hash_key, range_key, copy.deepcopy(_stored(table, hash_key, range_key))))
    try:
        return _ORIGINAL_TRANSACT(self, transact_items)
    except Exception:
        for table, hash_key, range_key, item in reversed(backups):
            _restore(table, hash_key, range_key, item)
        raise


def _query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    index_name = _QUERY_SIGNATURE.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
    _QUERYING.scope = (self, None if index_name else hash_key)
    try:
        return _ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    finally:
        _QUERYING.scope = None


def _all_items(self: Table) -> list[Any]:
    """During a Query: the partition's items (base table), or every item unsorted (index); otherwise moto's own."""
    scope = getattr(_QUERYING, "scope", None)
    if scope is None or scope[0] is not self:
        return _ORIGINAL_ALL_ITEMS(self)
    partition = scope[1]
    if partition is None:
        return [item for stored in self.items.values() for item in (stored.values() if self.range_key_attr else [stored])]
    stored = self.items.get(partition)
    if stored is None:
        return []
    return list(stored.values()) if self.range_key_attr else [stored]


def install() -> None:
    """Back up only touched items in transactions, and let queries read their partition (process-wide; idempotent)."""
    dynamodb_models.copy = _no_table_copies()  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]


def uninstall() -> None:
    dynamodb_models.copy = copy  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = _ORIGINAL_TRANSACT  # type: ignore[method-assign]
    Table.query = _ORIGINAL_QUERY  # type: ignore[method-assign]
    Table.all_items = _ORIGINAL_ALL_ITEMS  # type: ignore[method-assign]


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()


def _with_bytes(value: Any) -> Any:
    """Wire JSON → what boto3's client returns: binary values as bytes (the only difference)."""
    if isinstance(value, dict):
        if set(value) == {"B"} and isinstance(value["B"], str):
            return {"B": base64.b64decode(value["B"])}
        if set(value) == {"BS"}:
            return {"BS": [base64.b64decode(v) for v in value["BS"]]}
        return {k: _with_bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_bytes(v) for v in value]
    return value


def export_items(table_name: str, *, account_id: str, region: str) -> list[dict[str, Any]]:
    """Every item of a table as a Scan would return it (boto3 client shape), read from moto's backend at once."""
    with LOCK:
        table = dynamodb_backends[account_id][region].get_table(table_name)
        text = json.dumps([item.to_json()["Attributes"] for item in table.all_items()], cls=DynamoJsonEncoder)
    return _with_bytes(json.loads(text))
