"""The capacity calculator (tests/bench/capacity.py) on items whose sizes are worked out by hand from AWS's rules.

Not a benchmark: these run with the normal suite.
"""
from __future__ import annotations

import pytest

from tests.bench import capacity

TABLE = capacity.Table("main", ("pk", "sk"), (capacity.Index("gsi1", "gsi1pk", "gsi1sk"),))


@pytest.mark.parametrize(("text", "size"), [("0", 1), ("7", 2), ("1500", 2), ("105", 3), ("-12345.678", 5), ("0.0050", 2),
                                            ("12345678901234567890", 11)])
def test_number_size_is_one_byte_per_two_significant_digits_plus_one(text, size):
    """Leading and trailing zeros, the sign and the point cost nothing."""
    assert capacity.number_size(text) == size


def test_item_size_of_strings_is_names_plus_utf8_bytes():
    """pk(2)+"T#abc"(5) + sk(2)+"HOST#1"(6) + name(4)+"café"(5 bytes in UTF-8) = 24."""
    assert capacity.item_size({"pk": {"S": "T#abc"}, "sk": {"S": "HOST#1"}, "name": {"S": "café"}}) == 24


def test_item_size_of_scalars():
    """count(5)+1500(2) + ok(2)+bool(1) + gone(4)+null(1) + blob(4)+3 raw bytes = 22."""
    item = {"count": {"N": "1500"}, "ok": {"BOOL": True}, "gone": {"NULL": True}, "blob": {"B": b"\x00\x01\x02"}}
    assert capacity.item_size(item) == 22


def test_item_size_of_a_base64_binary_counts_raw_bytes():
    """A request body carries binaries in base64: "AAEC" is 3 raw bytes; b(1) + 3 = 4."""
    assert capacity.item_size({"b": {"B": "AAEC"}}) == 4


def test_item_size_of_lists_and_maps_adds_3_bytes_and_1_per_element():
    """l(1) + 3 + (1+"abc"3) + (1+7→2) = 11; m(1) + 3 + (1+"a"1+"xy"2) + (1+"b"1+bool 1) = 11."""
    assert capacity.item_size({"l": {"L": [{"S": "abc"}, {"N": "7"}]}}) == 11
    assert capacity.item_size({"m": {"M": {"a": {"S": "xy"}, "b": {"BOOL": False}}}}) == 11
    assert capacity.item_size({"e": {"L": []}}) == 4


def test_item_size_of_sets_sums_their_elements():
    """tags(4) + "a"1 + "bc"2 = 7; ns(2) + 15→2 + 3→2 = 6."""
    assert capacity.item_size({"tags": {"SS": ["a", "bc"]}}) == 7
    assert capacity.item_size({"ns": {"NS": ["15", "3"]}}) == 6


def test_write_units_round_up_per_started_kilobyte_and_take_the_larger_image():
    """A 1,024-byte item is 1 WRU, 1,025 bytes 2; an update bills the larger of before and after; a transaction doubles."""
    small = {"pk": {"S": "x"}, "sk": {"S": "y"}, "d": {"S": "a" * 1017}}  # 2+2+1+1017 = 1,022 + pk/sk names → 1,024
    assert capacity.item_size(small) == 1024
    big = {**small, "e": {"S": "b"}}  # 1,026 bytes
    assert capacity.item_write_cost(None, small, TABLE) == capacity.WriteCost(1, 0)
    assert capacity.item_write_cost(big, small, TABLE) == capacity.WriteCost(2, 0)
    assert capacity.item_write_cost(None, small, TABLE, transactional=True).total == 2
    assert capacity.item_write_cost(small, None, TABLE).total == 1  # a delete bills the item deleted


def test_index_writes_follow_the_entry_a_table_write_adds_changes_or_removes():
    """Putting an indexed item writes its entry; a changed index key costs a delete and a put; an unchanged entry costs nothing."""
    before = {"pk": {"S": "p"}, "sk": {"S": "s"}, "gsi1pk": {"S": "g"}, "gsi1sk": {"S": "a"}, "v": {"N": "1"}}
    assert capacity.index_write_units(None, before, TABLE, TABLE.indexes[0]) == 1
    assert capacity.index_write_units(before, {**before, "v": {"N": "2"}}, TABLE, TABLE.indexes[0]) == 1
    assert capacity.index_write_units(before, {**before, "gsi1sk": {"S": "b"}}, TABLE, TABLE.indexes[0]) == 2
    assert capacity.index_write_units(before, dict(before), TABLE, TABLE.indexes[0]) == 0
    unindexed = {k: v for k, v in before.items() if not k.startswith("gsi1")}
    assert capacity.index_write_units(unindexed, {**unindexed, "v": {"N": "3"}}, TABLE, TABLE.indexes[0]) == 0
    assert capacity.index_write_units(before, unindexed, TABLE, TABLE.indexes[0]) == 1


def test_keys_only_index_entries_hold_only_the_keys():
    """A KEYS_ONLY entry is pk, sk and the index keys: a change to another attribute does not touch it."""
    table = capacity.Table("t", ("pk", "sk"), (capacity.Index("i", "gsi1pk", None, projection="KEYS_ONLY"),))
    item = {"pk": {"S": "p"}, "sk": {"S": "s"}, "gsi1pk": {"S": "g"}, "v": {"S": "x" * 5000}}
    assert capacity.index_entry(item, table, table.indexes[0]) == {"pk": {"S": "p"}, "sk": {"S": "s"}, "gsi1pk": {"S": "g"}}
    assert capacity.index_write_units(item, {**item, "v": {"S": "y"}}, table, table.indexes[0]) == 0


def test_read_units_round_up_per_4_kilobytes_and_halve_when_eventually_consistent():
    """4,096 bytes is 1 RRU (0.5 eventual); 4,097 is 2; a missing item still costs the minimum; a query rounds once."""
    assert capacity.read_units(4096, consistent=True) == 1
    assert capacity.read_units(4097, consistent=True) == 2
    assert capacity.read_units(4097, consistent=False) == 1
    assert capacity.get_units(None, consistent=False) == 0.5
    rows = [{"pk": {"S": "p"}, "sk": {"S": f"{i:04d}"}, "d": {"S": "x" * 993}} for i in range(8)]  # 1,003 bytes each
    assert capacity.query_units(rows, consistent=False) == 1.0  # 8,024 bytes → 2 units, halved
    assert capacity.get_units(rows[0], consistent=True, transactional=True) == 2
