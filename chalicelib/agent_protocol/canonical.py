"""Canonical section hashes of the agent wire protocol, byte-identical to the Go agent and server.

Each hash is the lowercase SHA-256 hex of Go `encoding/json.Marshal` output of typed "row" structs
built from the decoded wire JSON (reference-server.md §2.3, reference-agent.md §6). Inputs are the
payload structures exactly as decoded by `json.loads`. A value of the wrong JSON type raises
TypeError, as Go's decoder would have rejected that body; a missing key or `null` is Go's zero value.

Standard library only: the Python agent vendors this package.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

# Go's unicode.IsSpace set, which strings.TrimSpace uses. Python's str.strip() differs (it also
# strips U+001C..U+001F), so the set is spelled out.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Go's encoding/json string escapes (Go >= 1.22 writes \b and \f in short form; older Go wrote
# \u0008 and \u000c). HTML-sensitive characters and the JS line separators are always escaped.
_ESCAPES: dict[int, str] = {c: f"\\u{c:04x}" for c in range(0x20)}
_ESCAPES.update({ord("\b"): "\\b", ord("\f"): "\\f", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
                 ord('"'): '\\"', ord("\\"): "\\\\", ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                 0x2028: "\\u2028", 0x2029: "\\u2029"})

Row = dict[str, Any]


def is_sha256_hex(value: object) -> bool:
    """True for a 64-character lowercase hex string, the form every section hash takes."""
    return isinstance(value, str) and _SHA256_HEX.fullmatch(value) is not None


# --- Go-compatible JSON ---------------------------------------------------------------------------

def _go_string(value: str) -> str:
    # Lone surrogates only arise from a JSON "\udXXX" escape, which Go's decoder turns into U+FFFD.
    return '"' + _SURROGATE.sub("\ufffd", value).translate(_ESCAPES) + '"'


def _go_float(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"json: unsupported value: {value!r}")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    # repr() gives the shortest round-tripping digits, as Go's strconv.FormatFloat(f, fmt, -1, 64).
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    point = len(digit_tuple) + int(exponent)  # digits before the decimal point in fixed notation
    prefix = "-" if sign else ""
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp = point - 1
        # strconv pads the exponent to two digits (e+21, e-07); encoding/json then trims e-07 to e-7.
        return f"{prefix}{mantissa}e+{exp:02d}" if exp >= 0 else f"{prefix}{mantissa}e-{-exp}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return prefix + digits + "0" * (point - len(digits))
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def _go_encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, str):
        out.append(_go_string(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(_go_float(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(_go_string(str(key)) + ":")
            _go_encode(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _go_encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"json: unsupported type: {type(value).__name__}")


def go_json(value: Any) -> bytes:
    """Encode like Go's json.Marshal: compact, keys in insertion order, HTML-escaped, Go float format."""
    out: list[str] = []
    _go_encode(value, out)
    return "".join(out).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- field readers (missing or null -> Go zero value) ---------------------------------------------

def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", value)).strip(_GO_SPACE)


def _str(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{key}: expected a string, got {type(value).__name__}")
    return _clean(value)


def _bool(item: Mapping[str, Any], key: str) -> bool:
    value = item.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise TypeError(f"{key}: expected a boolean, got {type(value).__name__}")
    return value


def _int(item: Mapping[str, Any], key: str) -> int:
    value = item.get(key)
    if value is None:
        return 0
    # Go rejects 5.0 for an integer field, so floats are not accepted here.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key}: expected an integer, got {type(value).__name__}")
    return value


def _list(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{key}: expected an array, got {type(value).__name__}")
    return list(value)


def _objects(value: Any, key: str) -> list[Mapping[str, Any]]:
    items = _list(value, key)
    for item in items:
        if not isinstance(item, Mapping):
            raise TypeError(f"{key}: expected an array of objects, got {type(item).__name__}")
    return items


def _go_round(value: float) -> float:
    """Go's math.Round: half away from zero (Python's round() is half-to-even)."""
    if not math.isfinite(value):
        return value
    whole = float(math.trunc(value))
    if abs(value - whole) >= 0.5:  # exact: the fractional part of a float is representable
        whole += math.copysign(1.0, value)
    return math.copysign(whole, value)  # keeps Go's -0 for small negatives


def _go_lower(value: str) -> str:
    # Go's strings.ToLower maps rune by rune: no final-sigma context, and U+0130 becomes a plain "i".
    return "".join("i" if c == "\u0130" else c.lower() for c in value)


def _sorted_rows(rows: Iterable[Row], *keys: str) -> list[Row]:
    # Python compares str by code point, which equals Go's byte order on UTF-8 (no surrogates
    # remain after _clean). sorted() is stable, like sort.SliceStable.
    return sorted(rows, key=lambda row: tuple(row[k] for k in keys))


def _last_wins(rows: Iterable[Row], key: Callable[[Row], str]) -> list[Row]:
    return list({key(row): row for row in rows}.values())


# --- section hashes ---------------------------------------------------------------------------------

def _package_row(item: Mapping[str, Any]) -> Row:
    raw_categories = _list(item.get("wuaCategories"), "wuaCategories")
    for category in raw_categories:
        if not isinstance(category, str):
            raise TypeError(f"wuaCategories: expected strings, got {type(category).__name__}")
    # reference-agent.md §6: "sorted, then NFC'd" -- the sort sees the raw strings.
    categories = [_clean(c) for c in sorted(raw_categories)] or None
    return {
        "name": _str(item, "name"), "description": _str(item, "description"), "category": _str(item, "category"),
        "currentVersion": _str(item, "currentVersion"), "availableVersion": _str(item, "availableVersion"),
        "needsUpdate": _bool(item, "needsUpdate"), "isSecurityUpdate": _bool(item, "isSecurityUpdate"),
        "sourceRepository": _str(item, "sourceRepository"), "wuaGuid": _str(item, "wuaGuid"), "wuaKb": _str(item, "wuaKb"),
        "wuaSeverity": _str(item, "wuaSeverity"), "wuaCategories": categories,
        "wuaSupportUrl": _str(item, "wuaSupportUrl"), "wuaRevisionNumber": _int(item, "wuaRevisionNumber"),
    }


def packages_hash(packages: Sequence[Mapping[str, Any]] | None) -> str:
    """Hash of the `packages` section: rows sorted by name, one row per name (last wins)."""
    rows = [_package_row(p) for p in _objects(packages, "packages")]
    # Dedup and sort both use the normalised name. An empty list hashes as `[]` (assumed: the spec
    # only pins null-vs-[] for wuaCategories, addresses and the docker lists).
    return _sha256(go_json(_sorted_rows(_last_wins(rows, lambda r: r["name"]), "name")))


def repos_hash(repositories: Sequence[Mapping[str, Any]] | None) -> str:
    """Hash of the `repos` section: rows sorted by (url, distribution, components), dedup last-wins."""
    rows = [{
        "name": _str(r, "name"), "url": _str(r, "url"), "distribution": _str(r, "distribution"),
        "components": _str(r, "components"), "repoType": _str(r, "repoType"),
        "isEnabled": _bool(r, "isEnabled"), "isSecure": _bool(r, "isSecure"),
    } for r in _objects(repositories, "repositories")]
    # The dedup key is the spec's "url|distribution|components" string, so two rows whose fields
    # only differ in where a "|" falls also collapse, as they would with Go's joined map key.
    unique = _last_wins(rows, lambda r: f"{r['url']}|{r['distribution']}|{r['components']}")
    return _sha256(go_json(_sorted_rows(unique, "url", "distribution", "components")))


def _interface_row(item: Mapping[str, Any]) -> Row:
    addresses = [{
        "address": _str(a, "address"), "family": _str(a, "family"),
        "netmask": _str(a, "netmask"), "gateway": _str(a, "gateway"),
    } for a in _objects(item.get("addresses"), "addresses")]
    return {
        "name": _str(item, "name"), "type": _str(item, "type"), "macAddress": _go_lower(_str(item, "macAddress")),
        "addresses": _sorted_rows(addresses, "family", "address"),  # always a list, never null
    }


def interfaces_hash(interfaces: Sequence[Mapping[str, Any]] | None) -> str:
    """Hash of the `interfaces` section; mtu, status, linkSpeed and duplex are not part of it."""
    rows = [_interface_row(i) for i in _objects(interfaces, "networkInterfaces")]
    return _sha256(go_json(_sorted_rows(rows, "name")))


def hostname_hash(hostname: str | None) -> str:
    """Hash of the `hostname` section: SHA-256 of the NFC, trimmed UTF-8 bytes (no JSON)."""
    return _sha256(_clean(hostname or "").encode("utf-8"))


_DOCKER_SECTIONS: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    # list name: ((row key, wire key), ...), sort keys. sizeBytes is the only integer field.
    "containers": ((("containerId", "container_id"), ("name", "name"), ("imageRepository", "image_repository"),
                    ("imageTag", "image_tag"), ("imageId", "image_id"), ("status", "status"), ("state", "state")),
                   ("containerId",)),
    "images": ((("repository", "repository"), ("tag", "tag"), ("imageId", "image_id"), ("digest", "digest"),
                ("sizeBytes", "size_bytes")),
               ("repository", "tag", "imageId")),
    "volumes": ((("volumeId", "volume_id"), ("name", "name"), ("driver", "driver"), ("scope", "scope")), ("volumeId",)),
    "networks": ((("networkId", "network_id"), ("name", "name"), ("driver", "driver"), ("scope", "scope")), ("networkId",)),
    "updates": ((("repository", "repository"), ("currentTag", "current_tag"), ("availableTag", "available_tag"),
                 ("currentDigest", "current_digest"), ("availableDigest", "available_digest"), ("imageId", "image_id")),
                ("repository", "currentTag", "imageId")),
}


def docker_hash(payload: Mapping[str, Any] | None) -> str:
    """Hash of the docker inventory (snake_case wire payload); `None` hashes the bytes `null`."""
    if payload is None:
        return _sha256(b"null")
    envelope: dict[str, list[Row]] = {}
    for section, (fields, sort_keys) in _DOCKER_SECTIONS.items():
        rows = [{row_key: _int(item, wire_key) if row_key == "sizeBytes" else _str(item, wire_key)
                 for row_key, wire_key in fields}
                for item in _objects(payload.get(section), section)]
        envelope[section] = _sorted_rows(rows, *sort_keys)
    return _sha256(go_json(envelope))


def _score(scan: Mapping[str, Any]) -> float:
    value = scan.get("score")
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"score: expected a number, got {type(value).__name__}")
    # Assumed to be Go's math.Round(score*1e4)/1e4, the usual way to "round to 4 decimals"; the
    # NaN/Inf check comes after, so a score that overflows when scaled also becomes 0.
    rounded = _go_round(float(value) * 10000) / 10000
    return rounded if math.isfinite(rounded) else 0.0


_RESULT_FIELDS = ("ruleRef", "status", "severity", "section", "title", "description", "finding", "actual", "expected", "remediation")


def _result_row(item: Mapping[str, Any]) -> Row:
    row = {field: _str(item, field) for field in _RESULT_FIELDS[1:]}
    # The server also accepts `rule_id` or `id` for `rule_ref` (legacy clients); the first present
    # key is taken. The Go agent always sends rule_ref.
    ref_key = next((k for k in ("rule_ref", "rule_id", "id") if item.get(k) is not None), "rule_ref")
    return {"ruleRef": _str(item, ref_key), **row}


def _scan_row(scan: Mapping[str, Any]) -> Row:
    results = [_result_row(r) for r in _objects(scan.get("results"), "results")]
    return {
        "profileName": _str(scan, "profile_name"), "profileType": _str(scan, "profile_type"), "status": _str(scan, "status"),
        "score": _score(scan), "totalRules": _int(scan, "total_rules"), "passed": _int(scan, "passed"),
        "failed": _int(scan, "failed"), "warnings": _int(scan, "warnings"), "skipped": _int(scan, "skipped"),
        "notApplicable": _int(scan, "not_applicable"), "remediationApplied": _bool(scan, "remediation_applied"),
        "remediationCount": _int(scan, "remediation_count"), "results": _sorted_rows(results, "ruleRef", "status"),
    }


def compliance_hash(scans: Sequence[Mapping[str, Any]] | None) -> str:
    """Hash of the compliance `scans` list (snake_case wire form); timestamps are not part of it."""
    # Empty `scans`/`results` encode as [] like the docker lists (assumed; the spec does not say).
    rows = [_scan_row(s) for s in _objects(scans, "scans")]
    return _sha256(go_json({"scans": _sorted_rows(rows, "profileName", "profileType")}))
