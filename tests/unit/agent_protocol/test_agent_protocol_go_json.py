"""go_json matches Go's encoding/json.Marshal byte for byte."""
from __future__ import annotations

import math

import pytest

from chalicelib.agent_protocol.canonical import go_json


@pytest.mark.parametrize(("value", "expected"), [
    (1.0, b"1"),
    (1.5, b"1.5"),
    (100.0, b"100"),
    (-2.25, b"-2.25"),
    (0.1, b"0.1"),
    (0.30000000000000004, b"0.30000000000000004"),
    (1e20, b"100000000000000000000"),
    (1e21, b"1e+21"),
    (-1e21, b"-1e+21"),
    (1.5e300, b"1.5e+300"),
    (0.000001, b"0.000001"),
    (1e-7, b"1e-7"),
    (-2.5e-8, b"-2.5e-8"),
    (1.2345e-10, b"1.2345e-10"),
    (5e-324, b"5e-324"),
    (12345678901234567890.0, b"12345678901234567000"),
    (0.0, b"0"),
    (-0.0, b"-0"),
])
def test_float_is_formatted_like_go_when_encoded(value, expected):
    assert go_json(value) == expected


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_float_is_rejected_like_go_when_encoded(value):
    with pytest.raises(ValueError):
        go_json(value)


def test_scalars_are_encoded_compactly_when_encoded():
    assert go_json([None, True, False, 0, -7, 2**63 - 1, ""]) == b'[null,true,false,0,-7,9223372036854775807,""]'


def test_html_characters_are_escaped_when_encoded():
    assert go_json("<a href='x'>&amp;</a>") == b"\"\\u003ca href='x'\\u003e\\u0026amp;\\u003c/a\\u003e\""


def test_line_and_paragraph_separators_are_escaped_when_encoded():
    assert go_json("a\u2028b\u2029c") == b'"a\\u2028b\\u2029c"'


def test_control_characters_use_go_escapes_when_encoded():
    assert go_json('"\\\n\r\t\b\f\x00\x1f\x7f') == b'"\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f\x7f"'


def test_non_ascii_is_emitted_as_raw_utf8_when_encoded():
    assert go_json("café ☃ 日本 😀") == '"café ☃ 日本 😀"'.encode()


def test_lone_surrogate_becomes_replacement_character_when_encoded():
    assert go_json("a\ud800b") == '"a\ufffdb"'.encode()


def test_key_order_is_preserved_at_every_level_when_encoded():
    value = {"z": 1, "a": {"y": [{"b": 1, "a": 2}], "x": None}, "m": []}
    assert go_json(value) == b'{"z":1,"a":{"y":[{"b":1,"a":2}],"x":null},"m":[]}'


def test_keys_are_escaped_like_strings_when_encoded():
    assert go_json({"<k>": "v"}) == b'{"\\u003ck\\u003e":"v"}'


def test_unsupported_type_is_rejected_when_encoded():
    with pytest.raises(TypeError):
        go_json({"when": object()})
