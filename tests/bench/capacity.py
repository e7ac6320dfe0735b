"""DynamoDB capacity units computed the way on-demand billing counts them, from the items a request touches.

moto answers `ReturnConsumedCapacity` with constants (1.0 for PutItem/Query/Scan/DeleteItem, 0.5 for GetItem,
nothing for UpdateItem; moto/dynamodb/responses.py `include_consumed_capacity`) whatever the item sizes, so
the benchmark bills every request with this calculator instead. The rules (AWS developer guide,
"DynamoDB item sizes and formats" and "Read/write capacity mode"):

- item size = sum over attributes of (UTF-8 bytes of the name) + (size of the value):
  string = UTF-8 bytes; number = 1 byte per two significant digits (leading/trailing zeros trimmed) + 1;
  binary = raw bytes; boolean/null = 1; list/map = 3 + per element (1 + element size, a map element also
  counting its key's UTF-8 bytes); sets = sum of their elements' sizes.
- write: 1 WRU per started 1 KB of the larger of the item before and after the write (a put that replaces,
  an update, a delete: the item as it was); at least 1. Transactional writes: 2x.
- read: 1 RRU per started 4 KB, strongly consistent; half of that eventually consistent (GetItem's and
  Query's default; a GSI is always eventually consistent); at least one unit per request (or per item of a
  BatchGetItem, each rounded on its own). A Query/Scan is billed on the sum of the sizes of every item it
  evaluated (before FilterExpression; ProjectionExpression does not reduce it), rounded once.
  Transactional reads: 2x.
- global secondary index: a table write that puts an item into an index costs the index entry's size in
  WRU, one that removes it costs the old entry's, one that changes the index key costs both (a delete and a
  put), one that changes only projected attributes costs the larger entry; nothing when the entry is
  unchanged or the item is in no index. (Transactional writes are doubled on the table only: the guide
  states no doubling for index propagation.)
"""
from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096

AttributeValue = Mapping[str, Any]
Item = Mapping[str, AttributeValue]


def number_size(text: str) -> int:
    """Bytes of a DynamoDB number: one per two significant digits, plus one."""
    mantissa = text.strip().lstrip("+-").lower().split("e", 1)[0]
    digits = mantissa.replace(".", "").strip("0")
    return math.ceil(len(digits) / 2) + 1


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _binary(value: Any) -> int:
    # A parsed response carries bytes; a request body carries the base64 text.
    return len(value) if isinstance(value, (bytes, bytearray)) else len(base64.b64decode(value))


def value_size(value: AttributeValue) -> int:
    """Bytes of one typed AttributeValue ({"S": ...}, {"N": ...}, {"M": {...}}, ...), its name not included."""
    (kind, data), = value.items()
    if kind == "S":
        return _utf8(data)
    if kind == "N":
        return number_size(str(data))
    if kind == "B":
        return _binary(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + _utf8(k) + value_size(v) for k, v in data.items())
    if kind == "SS":
        return sum(_utf8(v) for v in data)
    if kind == "NS":
        return sum(number_size(str(v)) for v in data)
    if kind == "BS":
        return sum(_binary(v) for v in data)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Item | None) -> int:
    """Bytes of an item (0 for no item)."""
    if not item:
        return 0
    return sum(_utf8(name) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    """WRU of writing `size` bytes (at least one)."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, *, consistent: bool) -> float:
    """RRU of reading `size` bytes in one request (at least one unit; half when eventually consistent)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and its projection ("ALL", "KEYS_ONLY" or "INCLUDE")."""

    name: str
    hash_key: str
    range_key: str | None = None
    projection: str = "ALL"
    non_key_attributes: tuple[str, ...] = ()

    def keys(self) -> tuple[str, ...]:
        return (self.hash_key,) + ((self.range_key,) if self.range_key else ())


@dataclass(frozen=True)
class Table:
    """What the calculator needs to know of a table: its key attributes and global secondary indexes."""

    name: str
    keys: tuple[str, ...]
    indexes: tuple[Index, ...] = ()


def index_entry(item: Item | None, table: Table, index: Index) -> dict[str, AttributeValue] | None:
    """The entry an item has in an index (None when it lacks an index key attribute, i.e. is not in it)."""
    if not item or any(k not in item for k in index.keys()):
        return None
    if index.projection == "ALL":
        return dict(item)
    kept = set(table.keys) | set(index.keys()) | (set(index.non_key_attributes) if index.projection == "INCLUDE" else set())
    return {k: v for k, v in item.items() if k in kept}


def index_write_units(before: Item | None, after: Item | None, table: Table, index: Index) -> int:
    """WRU a table write costs in one global secondary index."""
    old, new = index_entry(before, table, index), index_entry(after, table, index)
    if old is None and new is None:
        return 0
    if old is None:
        return write_units(item_size(new))
    if new is None:
        return write_units(item_size(old))
    if any(old.get(k) != new.get(k) for k in index.keys()):
        return write_units(item_size(old)) + write_units(item_size(new))
    if old != new:
        return write_units(max(item_size(old), item_size(new)))
    return 0


@dataclass(frozen=True)
class WriteCost:
    """The WRU of one item write: on the table and in its indexes."""

    table: int
    indexes: int

    @property
    def total(self) -> int:
        return self.table + self.indexes


def item_write_cost(before: Item | None, after: Item | None, table: Table, *, transactional: bool = False) -> WriteCost:
    """WRU of one item write (put, update or delete), given the item before and after it."""
    units = write_units(max(item_size(before), item_size(after)))
    indexes = sum(index_write_units(before, after, table, i) for i in table.indexes)
    return WriteCost(units * (2 if transactional else 1), indexes)


def get_units(item: Item | None, *, consistent: bool, transactional: bool = False) -> float:
    """RRU of reading one item by key (GetItem, or one key of a BatchGetItem); a missing item costs the minimum."""
    units = read_units(item_size(item), consistent=consistent or transactional)
    return units * 2 if transactional else units


def query_units(evaluated: Iterable[Item], *, consistent: bool) -> float:
    """RRU of one Query or Scan page, from every item it evaluated (before filtering)."""
    return read_units(sum(item_size(i) for i in evaluated), consistent=consistent)
