"""Count the DynamoDB requests the product makes, and bill each one with tests/bench/capacity.py.

Every boto3 client and resource the product creates (its own `boto3.session.Session()` ones included)
goes through `botocore.client.BaseClient`, so the meter wraps two of its methods while a window is open:

- `_make_api_call` adds `ReturnConsumedCapacity="TOTAL"` to each DynamoDB call that accepts it (moto's
  answer is kept as `moto_units`, for comparison only: it is a constant, see capacity.py);
- `_make_request` sees the request exactly as sent (the JSON body: typed values, built expressions) and
  the response as parsed, before boto3's resource layer converts it.

To bill a request the meter reads, with its own uncounted client, what DynamoDB would have billed: the
items a write touches before and after it, the full items behind a projected read, and every item a
filtered Query or Scan evaluated (the same query without its filter and projection). Those shadow reads
happen outside the counted window and are never recorded.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.client

from tests.bench import capacity

READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
# Sort-key (or, for global items, partition-key) prefixes of what web authentication reads and writes.
AUTH_CATEGORIES = frozenset({"SESSION#", "USER#", "COUNTER#", "ROLE#", "TENANT", "TSLUG#"})


def category(pk: str, sk: str) -> str:
    """Name the kind of an item by its key: the sort key's prefix, or the partition key's for global items."""
    if pk.startswith("T#"):
        head = sk.split("#", 1)[0]
        return head + "#" if "#" in sk else head
    return pk.split("#", 1)[0] + "#"


@dataclass
class ItemCharge:
    """One item's part of a request's bill."""

    category: str
    size: int
    rru: float = 0.0
    wru: int = 0
    index_wru: int = 0

    def describe(self) -> str:
        if self.wru or self.index_wru:
            index = f" + gsi {self.index_wru}" if self.index_wru else ""
            return f"{self.category} {self.size} B: {self.wru} WRU{index}"
        return f"{self.category} {self.size} B"


@dataclass
class Call:
    """One DynamoDB request as the meter saw and billed it."""

    operation: str
    status: int
    rru: float
    wru: int
    items: list[ItemCharge]
    moto_units: float | None = None

    @property
    def kind(self) -> str:
        return "read" if self.operation in READS else "write"

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(i.category for i in self.items)

    @property
    def is_auth(self) -> bool:
        return bool(self.items) and self.categories <= AUTH_CATEGORIES

    def describe(self) -> str:
        cats = ",".join(sorted(self.categories)) or "-"
        detail = "; ".join(i.describe() for i in self.items[:6]) + (f"; ... ({len(self.items)} items)" if len(self.items) > 6 else "")
        return f"{self.operation} [{cats}] {self.rru:g} RRU {self.wru} WRU ({detail})"


@dataclass
class Window:
    """The requests recorded while a window was open."""

    calls: list[Call] = field(default_factory=list)

    def select(self, predicate: Callable[[Call], bool]) -> Window:
        return Window([c for c in self.calls if predicate(c)])

    @property
    def requests(self) -> int:
        return len(self.calls)

    @property
    def reads(self) -> int:
        return sum(c.kind == "read" for c in self.calls)

    @property
    def writes(self) -> int:
        return sum(c.kind == "write" for c in self.calls)

    @property
    def rru(self) -> float:
        return sum(c.rru for c in self.calls)

    @property
    def wru(self) -> int:
        return sum(c.wru for c in self.calls)

    @property
    def item_writes(self) -> int:
        return sum(len(c.items) for c in self.calls if c.kind == "write")

    def describe(self) -> str:
        return "\n".join(f"  {c.describe()}" for c in self.calls)


def _strip_unused(params: dict[str, Any], kept: list[str]) -> dict[str, Any]:
    """Drop expression names/values no longer referenced once filter/projection are removed."""
    text = " ".join(params.get(k, "") for k in kept)
    used = set(re.findall(r"[#:][A-Za-z0-9_]+", text))
    out = dict(params)
    for key in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if key in out:
            out[key] = {k: v for k, v in out[key].items() if k in used}
            if not out[key]:
                del out[key]
    return out


class Meter:
    """Records and bills DynamoDB requests while `window()` is open."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._window: Window | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._tables: dict[str, capacity.Table] = {}
        self._shadow_client: Any = None
        self._originals: tuple[Any, Any] | None = None
        self._stopwatch: list[float] | None = None

    # --- installation -------------------------------------------------------------------------
    def install(self) -> None:
        """Wrap botocore's BaseClient (undone by `uninstall`)."""
        make_api_call = botocore.client.BaseClient._make_api_call
        make_request = botocore.client.BaseClient._make_request
        self._originals = (make_api_call, make_request)
        meter = self

        def api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if meter._metering(client) and "ReturnConsumedCapacity" in client.meta.service_model.operation_model(
                    operation_name).input_shape.members and "ReturnConsumedCapacity" not in api_params:
                api_params = {**api_params, "ReturnConsumedCapacity": "TOTAL"}
            return make_api_call(client, operation_name, api_params)

        def request(client: Any, operation_model: Any, request_dict: dict[str, Any], request_context: dict[str, Any]) -> Any:
            if not meter._metering(client):
                if meter._stopwatch is None or client.meta.service_model.service_name != "dynamodb":
                    return make_request(client, operation_model, request_dict, request_context)
                started = time.perf_counter()
                try:
                    return make_request(client, operation_model, request_dict, request_context)
                finally:
                    meter._stopwatch.append(time.perf_counter() - started)
            return meter._record(lambda: make_request(client, operation_model, request_dict, request_context),
                                 operation_model.name, json.loads(request_dict["body"] or b"{}"))

        botocore.client.BaseClient._make_api_call = api_call  # type: ignore[method-assign]
        botocore.client.BaseClient._make_request = request  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._originals:
            botocore.client.BaseClient._make_api_call, botocore.client.BaseClient._make_request = self._originals  # type: ignore[method-assign]
            self._originals = None

    @contextmanager
    def window(self) -> Iterator[Window]:
        """Record every DynamoDB request made (from any thread) until the block ends."""
        window = Window()
        with self._lock:
            if self._window is not None:
                raise RuntimeError("a meter window is already open")
            self._window = window
        try:
            yield window
        finally:
            with self._lock:
                self._window = None

    @contextmanager
    def stopwatch(self) -> Iterator[list[float]]:
        """Time (without recording or billing) every DynamoDB request made until the block ends: seconds per request."""
        self._stopwatch = []
        try:
            yield self._stopwatch
        finally:
            self._stopwatch = None

    def _metering(self, client: Any) -> bool:
        return (self._window is not None and not getattr(self._local, "shadow", False)
                and client.meta.service_model.service_name == "dynamodb")

    # --- shadow reads (never recorded) --------------------------------------------------------
    @contextmanager
    def _shadow(self) -> Iterator[Any]:
        previous = getattr(self._local, "shadow", False)
        self._local.shadow = True
        try:
            if self._shadow_client is None:
                self._shadow_client = boto3.session.Session().client("dynamodb", region_name=self._region)
            yield self._shadow_client
        finally:
            self._local.shadow = previous

    def table(self, name: str) -> capacity.Table:
        """Key attributes and indexes of a table (described once, uncounted)."""
        if name not in self._tables:
            with self._shadow() as ddb:
                described = ddb.describe_table(TableName=name)["Table"]

            def keys(schema: list[dict[str, str]]) -> tuple[str, ...]:
                return tuple(k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"]))  # HASH before RANGE

            def index(described_index: dict[str, Any]) -> capacity.Index:
                hash_key, *range_key = keys(described_index["KeySchema"])
                projection = described_index["Projection"]
                return capacity.Index(described_index["IndexName"], hash_key, range_key[0] if range_key else None,
                                      projection=projection["ProjectionType"], non_key_attributes=tuple(projection.get("NonKeyAttributes", ())))

            indexes = tuple(index(i) for i in described.get("GlobalSecondaryIndexes", []))
            self._tables[name] = capacity.Table(name, keys(described["KeySchema"]), indexes)
        return self._tables[name]

    def read_item(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """An item as stored (typed values), read without being recorded."""
        return self._get(table, key)

    def _get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        with self._shadow() as ddb:
            return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _key_of(self, table: str, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self.table(table).keys}

    def _evaluated(self, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item a Query/Scan page evaluated: the same page without filter and projection."""
        shadow = {k: v for k, v in params.items()
                  if k not in ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet", "QueryFilter", "ScanFilter",
                               "ReturnConsumedCapacity", "ConditionalOperator")}
        shadow = _strip_unused(shadow, ["KeyConditionExpression"])
        with self._shadow() as ddb:
            return (ddb.query if operation == "Query" else ddb.scan)(**shadow)["Items"]

    # --- recording ----------------------------------------------------------------------------
    def _record(self, send: Callable[[], Any], operation: str, params: dict[str, Any]) -> Any:
        targets = self._write_targets(operation, params) if operation in WRITES else []
        before = [self._get(table, key) for table, key, _ in targets]
        http, parsed = send()
        after = [self._get(table, key) for table, key, _ in targets] if operation in WRITES else []
        if operation in WRITES:
            items = self._bill_writes(targets, before, after, failed=http.status_code >= 300)
        elif operation in READS:
            items = self._bill_reads(operation, params, parsed)
        else:
            items = []
        moto = parsed.get("ConsumedCapacity")
        moto_units = (sum(c.get("CapacityUnits", 0) for c in moto) if isinstance(moto, list) else moto.get("CapacityUnits")) if moto else None
        call = Call(operation, http.status_code, sum(i.rru for i in items), sum(i.wru + i.index_wru for i in items), items, moto_units)
        if operation in ("Query", "Scan") and not items:
            call.rru = capacity.read_units(0, consistent=bool(params.get("ConsistentRead")))
        window = self._window
        if window is not None:
            with self._lock:
                window.calls.append(call)
        return http, parsed

    def _write_targets(self, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
        """(table, key, transactional) of every item a write request touches."""
        if operation == "PutItem":
            return [(params["TableName"], self._key_of(params["TableName"], params["Item"]), False)]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"], False)]
        if operation == "BatchWriteItem":
            return [(table, self._key_of(table, r["PutRequest"]["Item"]) if "PutRequest" in r else r["DeleteRequest"]["Key"], False)
                    for table, requests in params["RequestItems"].items() for r in requests]
        targets = []
        for action in params["TransactItems"]:
            (kind, body), = action.items()
            if kind != "ConditionCheck":
                targets.append((body["TableName"], self._key_of(body["TableName"], body["Item"]) if kind == "Put" else body["Key"], True))
        return targets

    def _bill_writes(self, targets: list[tuple[str, dict[str, Any], bool]], before: list[Any], after: list[Any], *,
                     failed: bool) -> list[ItemCharge]:
        charges = []
        for (table, key, transactional), old, written in zip(targets, before, after, strict=True):
            new = old if failed else written  # a failed condition still bills the item it was checked against
            cost = capacity.item_write_cost(old, new, self.table(table), transactional=transactional)
            pk, sk = (key[k]["S"] for k in self.table(table).keys)
            charges.append(ItemCharge(category(pk, sk), max(capacity.item_size(old), capacity.item_size(new)), wru=cost.table,
                                      index_wru=cost.indexes))
        return charges

    def _bill_reads(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> list[ItemCharge]:
        if operation == "GetItem":
            table = params["TableName"]
            item = self._get(table, params["Key"]) if "ProjectionExpression" in params or "AttributesToGet" in params else parsed.get("Item")
            return [self._read_charge(table, params["Key"], item, consistent=bool(params.get("ConsistentRead")))]
        if operation == "BatchGetItem":
            charges = []
            for table, request in params["RequestItems"].items():
                for key in request["Keys"]:
                    charges.append(self._read_charge(table, key, self._get(table, key), consistent=bool(request.get("ConsistentRead"))))
            return charges
        if operation == "TransactGetItems":
            return [self._read_charge(g["Get"]["TableName"], g["Get"]["Key"], self._get(g["Get"]["TableName"], g["Get"]["Key"]),
                                      consistent=True, transactional=True) for g in params["TransactItems"]]
        evaluated = self._evaluated(operation, params)
        consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
        units = capacity.query_units(evaluated, consistent=consistent)
        keys = self.table(params["TableName"]).keys
        charges = [ItemCharge(category(*(i[k]["S"] for k in keys)), capacity.item_size(i)) for i in evaluated]
        if charges:
            charges[0].rru = units  # a page is rounded once: its units sit on the first item
        return charges

    def _read_charge(self, table: str, key: dict[str, Any], item: dict[str, Any] | None, *, consistent: bool,
                     transactional: bool = False) -> ItemCharge:
        pk, sk = (key[k]["S"] for k in self.table(table).keys)
        return ItemCharge(category(pk, sk), capacity.item_size(item),
                          rru=capacity.get_units(item, consistent=consistent, transactional=transactional))
