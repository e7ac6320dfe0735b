"""The Go parity vectors (tests/contract/canonical_fixtures.json, a copy of shared/spec's) reproduced byte for byte."""
from __future__ import annotations

import functools
import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.agent_protocol import canonical

# The vectors are kept in the repository (tests must not depend on a folder outside it); when the
# specification folder sits beside the clone, the copy must still be identical to it.
FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "contract" / "canonical_fixtures.json"
SPEC_COPY = pathlib.Path(__file__).resolve().parents[3].parent / "shared" / "spec" / "canonical_fixtures.json"

# vector name -> (hash function, input getter)
CASES: dict[str, tuple[Callable[[Any], str], Callable[[dict[str, Any]], Any]]] = {
    "packages": (canonical.packages_hash, lambda v: v["input"]),
    "repos": (canonical.repos_hash, lambda v: v["input"]),
    "interfaces": (canonical.interfaces_hash, lambda v: v["input"]),
    "hostname": (canonical.hostname_hash, lambda v: v["input"]),
    "hostname_nfd/input_nfc": (canonical.hostname_hash, lambda v: v["input_nfc"]),
    "hostname_nfd/input_nfd": (canonical.hostname_hash, lambda v: v["input_nfd"]),
    "docker": (canonical.docker_hash, lambda v: v["input"]),
    "compliance": (canonical.compliance_hash, lambda v: v["input"]["scans"]),
}


@functools.cache
def _vectors() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", list(CASES))
def test_vector_hash_matches_go_reference_when_computed(case):
    function, get_input = CASES[case]
    vector = _vectors()[case.split("/")[0]]
    assert function(get_input(vector)) == vector["expected_hash"]


def test_every_vector_in_the_fixture_file_is_covered_when_loaded():
    names = {name for name in _vectors() if not name.startswith("_")}
    assert names == {case.split("/")[0] for case in CASES}


def test_nfd_vector_really_is_decomposed_when_loaded():
    vector = _vectors()["hostname_nfd"]
    assert vector["input_nfc"] != vector["input_nfd"]
    assert "\u0301" in vector["input_nfd"]


def test_repository_copy_matches_the_specification_when_it_is_beside_the_clone():
    if SPEC_COPY.exists():
        assert FIXTURES.read_bytes() == SPEC_COPY.read_bytes()
    assert FIXTURES.exists()
