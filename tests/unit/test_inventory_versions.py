"""Version ordering used for a package's newest version across the fleet."""
from __future__ import annotations

import pytest

from chalicelib.inventory.versions import sort_key


@pytest.mark.parametrize(("older", "newer"), [
    ("3.0.9", "3.0.10"),
    ("3.0.4", "3.0.5"),
    ("2.36-9+deb12u3", "2.36-9+deb12u4"),
    ("9.9", "1:2.0"),  # an epoch wins
    ("1.2.3-1.el9", "1.2.3-2.el9"),
    ("7.81.0-1ubuntu1.15", "7.81.0-1ubuntu1.16"),
    ("1.0", "1.0.1"),
    ("0.9", "0.10"),
    ("1.02", "1.10"),  # leading zeros do not count
])
def test_newer_versions_sort_after_older_ones(older, newer):
    assert sort_key(older) < sort_key(newer)


def test_equal_versions_have_equal_keys():
    assert sort_key("1.2.3") == sort_key("1.2.3") and sort_key("0:1.2") == sort_key("1.2")
