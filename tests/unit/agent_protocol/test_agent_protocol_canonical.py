"""Canonical section hashes: ordering, dedup, normalisation, defaults and exclusions (spec §2.3)."""
from __future__ import annotations

import hashlib
import math
import random
from typing import Any

import pytest

from chalicelib.agent_protocol import canonical as c

SEEDS = range(8)


def _sha(value: Any) -> str:
    return hashlib.sha256(c.go_json(value)).hexdigest()


def _shuffled(items: list[Any], seed: int) -> list[Any]:
    copy = list(items)
    random.Random(seed).shuffle(copy)
    return copy


def pkg_row(name: str, **fields: Any) -> dict[str, Any]:
    row = {"name": name, "description": "", "category": "", "currentVersion": "", "availableVersion": "",
           "needsUpdate": False, "isSecurityUpdate": False, "sourceRepository": "", "wuaGuid": "", "wuaKb": "",
           "wuaSeverity": "", "wuaCategories": None, "wuaSupportUrl": "", "wuaRevisionNumber": 0}
    assert set(fields) <= set(row)
    return {**row, **fields}


def repo_row(url: str, distribution: str = "", components: str = "", **fields: Any) -> dict[str, Any]:
    row = {"name": "", "url": url, "distribution": distribution, "components": components, "repoType": "",
           "isEnabled": False, "isSecure": False}
    return {**row, **fields}


def address(addr: str, family: str, netmask: str = "", gateway: str = "") -> dict[str, str]:
    return {"address": addr, "family": family, "netmask": netmask, "gateway": gateway}


# --- packages -------------------------------------------------------------------------------------

PACKAGES = [pkg_row(n, currentVersion=f"{i}.0", needsUpdate=i % 2 == 0) for i, n in enumerate(["zlib", "curl", "openssl", "bash", "apt"])]


@pytest.mark.parametrize("seed", SEEDS)
def test_packages_hash_ignores_input_order_when_shuffled(seed):
    assert c.packages_hash(_shuffled(PACKAGES, seed)) == c.packages_hash(PACKAGES)


def test_packages_hash_is_go_json_of_name_sorted_rows_when_computed():
    assert c.packages_hash(PACKAGES) == _sha(sorted(PACKAGES, key=lambda r: r["name"]))


def test_packages_dedup_keeps_last_occurrence_when_names_repeat():
    first, other, last = pkg_row("a", description="first"), pkg_row("b"), pkg_row("a", description="last")
    assert c.packages_hash([first, other, last]) == _sha([last, other])


def test_packages_missing_fields_take_go_zero_values_when_absent():
    assert c.packages_hash([{"name": "x"}]) == _sha([pkg_row("x")])
    assert c.packages_hash([{"name": "x", "description": None, "wuaCategories": None}]) == _sha([pkg_row("x")])


def test_packages_extra_wire_fields_are_ignored_when_present():
    assert c.packages_hash([{"name": "x", "somethingNew": 1}]) == c.packages_hash([{"name": "x"}])


def test_packages_empty_list_hashes_as_empty_array_when_computed():
    assert c.packages_hash([]) == _sha([])


def test_wua_categories_are_null_when_empty():
    assert c.packages_hash([pkg_row("x", wuaCategories=[])]) == _sha([pkg_row("x", wuaCategories=None)])


def test_wua_categories_are_sorted_when_present():
    row = pkg_row("kb1", wuaCategories=["Updates", "Security Updates", "Critical"])
    expected = pkg_row("kb1", wuaCategories=["Critical", "Security Updates", "Updates"])
    assert c.packages_hash([row]) == _sha([expected])


def test_wua_categories_are_normalised_and_trimmed_when_present():
    row = pkg_row("kb1", wuaCategories=[" Cafe\u0301 "])
    assert c.packages_hash([row]) == _sha([pkg_row("kb1", wuaCategories=["Café"])])


def test_composed_and_decomposed_strings_hash_equal_when_normalised():
    composed = pkg_row("caf\u00e9", description="r\u00e9sum\u00e9")
    decomposed = pkg_row("cafe\u0301", description="re\u0301sume\u0301")
    assert c.packages_hash([composed]) == c.packages_hash([decomposed])


def test_strings_are_trimmed_of_go_whitespace_when_hashed():
    padded = pkg_row(" \t curl\n", description="\u00a0HTTP client\u3000", currentVersion="\r7.81 ")
    assert c.packages_hash([padded]) == _sha([pkg_row("curl", description="HTTP client", currentVersion="7.81")])


def test_file_separator_is_not_trimmed_because_go_does_not_when_hashed():
    # Python's str.strip() would remove U+001C; Go's strings.TrimSpace keeps it.
    assert c.packages_hash([pkg_row("x\x1c")]) != c.packages_hash([pkg_row("x")])


def test_names_sort_in_utf8_byte_order_when_hashed():
    names = ["b", "\U0001f600", "\uffff", "B", "\u00e9", "a"]
    expected = [pkg_row(n) for n in sorted(names, key=lambda s: s.encode())]
    assert [r["name"] for r in expected] == ["B", "a", "b", "\u00e9", "\uffff", "\U0001f600"]
    assert c.packages_hash([pkg_row(n) for n in names]) == _sha(expected)


def test_html_and_non_ascii_in_descriptions_are_hashed_go_style_when_present():
    row = pkg_row("x", description="<b>fish & chips</b> — naïve")
    body = '[{"name":"x","description":"\\u003cb\\u003efish \\u0026 chips\\u003c/b\\u003e — naïve",'
    assert c.go_json([row]).decode().startswith(body)
    assert c.packages_hash([row]) == hashlib.sha256(c.go_json([row])).hexdigest()


@pytest.mark.parametrize(("field", "value"), [("needsUpdate", "true"), ("name", 5), ("wuaRevisionNumber", 1.0),
                                              ("wuaRevisionNumber", True), ("wuaCategories", "Updates")])
def test_wrong_json_types_are_rejected_like_go_decoding_when_hashed(field, value):
    with pytest.raises(TypeError):
        c.packages_hash([{"name": "x", field: value}])


# --- repos ----------------------------------------------------------------------------------------

REPOS = [repo_row("http://b", "jammy", "main"), repo_row("http://a", "jammy-security", "main"),
         repo_row("http://a", "jammy", "universe"), repo_row("http://a", "jammy", "main restricted", name="ubuntu")]


@pytest.mark.parametrize("seed", SEEDS)
def test_repos_hash_ignores_input_order_when_shuffled(seed):
    assert c.repos_hash(_shuffled(REPOS, seed)) == c.repos_hash(REPOS)


def test_repos_are_sorted_by_url_distribution_components_when_hashed():
    expected = sorted(REPOS, key=lambda r: (r["url"], r["distribution"], r["components"]))
    assert c.repos_hash(REPOS) == _sha(expected)


def test_repos_dedup_keeps_last_when_key_repeats():
    first = repo_row("http://a", "jammy", "main", name="first", isEnabled=True)
    last = repo_row("http://a", "jammy", "main", name="last")
    other = repo_row("http://a", "jammy", "universe")
    assert c.repos_hash([first, other, last]) == _sha([last, other])


def test_empty_repos_list_is_hashable_when_computed():
    assert c.is_sha256_hex(c.repos_hash([]))


# --- interfaces -----------------------------------------------------------------------------------

def _iface(name: str, mac: str = "", addresses: list[dict[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "ethernet", "macAddress": mac, "addresses": addresses or [], **extra}


def test_mac_address_is_lower_cased_when_hashed():
    assert c.interfaces_hash([_iface("eth0", "AA:BB:CC:DD:EE:FF")]) == c.interfaces_hash([_iface("eth0", "aa:bb:cc:dd:ee:ff")])
    assert c.interfaces_hash([_iface("eth0", "AA:BB:CC:DD:EE:FF")]) == _sha([_iface("eth0", "aa:bb:cc:dd:ee:ff")])


def test_addresses_are_sorted_by_family_then_address_when_hashed():
    given = [address("fe80::1", "inet6"), address("10.0.0.9", "inet"), address("::1", "inet6"), address("10.0.0.10", "inet")]
    expected = [address("10.0.0.10", "inet"), address("10.0.0.9", "inet"), address("::1", "inet6"), address("fe80::1", "inet6")]
    assert c.interfaces_hash([_iface("eth0", addresses=given)]) == _sha([_iface("eth0", addresses=expected)])


def test_addresses_are_an_empty_array_never_null_when_missing():
    assert c.interfaces_hash([{"name": "lo"}]) == _sha([{"name": "lo", "type": "", "macAddress": "", "addresses": []}])
    assert c.interfaces_hash([{"name": "lo", "addresses": None}]) == c.interfaces_hash([{"name": "lo"}])


@pytest.mark.parametrize("seed", SEEDS)
def test_interfaces_hash_ignores_interface_and_address_order_when_shuffled(seed):
    addresses = [address("10.0.0.5", "inet", "/24"), address("fe80::1", "inet6", "/64"), address("10.0.0.6", "inet", "/24")]
    ifaces = [_iface(n, addresses=addresses) for n in ("eth0", "eth1", "lo", "docker0")]
    shuffled = [{**i, "addresses": _shuffled(i["addresses"], seed)} for i in _shuffled(ifaces, seed)]
    assert c.interfaces_hash(shuffled) == c.interfaces_hash(ifaces)


def test_volatile_link_fields_do_not_change_the_interfaces_hash_when_varied():
    base = _iface("eth0", "aa:bb:cc:dd:ee:ff", [address("10.0.0.5", "inet", "/24", "10.0.0.1")])
    varied = {**base, "mtu": 9000, "status": "down", "linkSpeed": -1, "duplex": "half"}
    other = {**base, "mtu": 1500, "status": "up", "linkSpeed": 1000, "duplex": "full"}
    assert c.interfaces_hash([varied]) == c.interfaces_hash([other]) == c.interfaces_hash([base])


# --- hostname ---------------------------------------------------------------------------------------

def test_hostname_hash_is_sha256_of_trimmed_nfc_bytes_when_computed():
    expected = hashlib.sha256("café.host".encode()).hexdigest()
    assert c.hostname_hash("  cafe\u0301.host\n") == expected


def test_missing_hostname_hashes_the_empty_string_when_none():
    assert c.hostname_hash(None) == c.hostname_hash("") == hashlib.sha256(b"").hexdigest()


# --- docker -----------------------------------------------------------------------------------------

def test_nil_docker_payload_hashes_null_when_none():
    assert c.docker_hash(None) == hashlib.sha256(b"null").hexdigest()


def test_empty_docker_payload_has_every_list_empty_when_hashed():
    expected = _sha({"containers": [], "images": [], "volumes": [], "networks": [], "updates": []})
    assert c.docker_hash({}) == c.docker_hash({"containers": None, "updates": []}) == expected


def test_docker_rows_use_camel_case_fields_in_declared_order_when_hashed():
    payload = {
        "containers": [{"container_id": "c1", "name": "web", "image_repository": "nginx", "image_tag": "1", "image_id": "i",
                        "status": "running", "state": "Up", "ports": {"80/tcp": "8080"}, "labels": {"a": "b"}, "restart_count": 2}],
        "images": [{"repository": "nginx", "tag": "1", "image_id": "i", "digest": "d", "size_bytes": 5, "created_at": "x"}],
        "volumes": [{"volume_id": "v", "name": "n", "driver": "local", "scope": "local", "mountpoint": "/m"}],
        "networks": [{"network_id": "n", "name": "bridge", "driver": "bridge", "scope": "local", "internal": True}],
        "updates": [{"repository": "nginx", "current_tag": "1", "available_tag": "2", "current_digest": "a",
                     "available_digest": "b", "image_id": "i"}],
        "daemon_info": {"version": "24"}, "hostname": "h", "docker_hash": "x",
    }
    expected = {
        "containers": [{"containerId": "c1", "name": "web", "imageRepository": "nginx", "imageTag": "1", "imageId": "i",
                        "status": "running", "state": "Up"}],
        "images": [{"repository": "nginx", "tag": "1", "imageId": "i", "digest": "d", "sizeBytes": 5}],
        "volumes": [{"volumeId": "v", "name": "n", "driver": "local", "scope": "local"}],
        "networks": [{"networkId": "n", "name": "bridge", "driver": "bridge", "scope": "local"}],
        "updates": [{"repository": "nginx", "currentTag": "1", "availableTag": "2", "currentDigest": "a",
                     "availableDigest": "b", "imageId": "i"}],
    }
    assert c.docker_hash(payload) == _sha(expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_docker_hash_ignores_list_order_when_shuffled(seed):
    payload = {
        "containers": [{"container_id": f"c{i}", "name": f"n{i}"} for i in range(5)],
        "images": [{"repository": r, "tag": t, "image_id": i} for r in ("a", "b") for t in ("1", "2") for i in ("x", "y")],
        "volumes": [{"volume_id": f"v{i}"} for i in range(4)],
        "networks": [{"network_id": f"n{i}"} for i in range(4)],
        "updates": [{"repository": r, "current_tag": t, "image_id": i} for r in ("a", "b") for t in ("1", "2") for i in ("x", "y")],
    }
    shuffled = {name: _shuffled(rows, seed) for name, rows in payload.items()}
    assert c.docker_hash(shuffled) == c.docker_hash(payload)


def test_docker_size_must_be_an_integer_when_hashed():
    with pytest.raises(TypeError):
        c.docker_hash({"images": [{"repository": "a", "size_bytes": 1.5}]})


# --- compliance -------------------------------------------------------------------------------------

def _scan(name: str, kind: str = "openscap", **fields: Any) -> dict[str, Any]:
    return {"profile_name": name, "profile_type": kind, "status": "completed", "score": 50, "results": [], **fields}


def _scan_row(name: str, kind: str = "openscap", score: float = 50, results: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"profileName": name, "profileType": kind, "status": "completed", "score": score, "totalRules": 0, "passed": 0,
            "failed": 0, "warnings": 0, "skipped": 0, "notApplicable": 0, "remediationApplied": False, "remediationCount": 0,
            "results": results if results is not None else []}


def _result_row(ref: str, status: str) -> dict[str, str]:
    row = dict.fromkeys(("ruleRef", "status", "severity", "section", "title", "description", "finding", "actual", "expected",
                         "remediation"), "")
    return {**row, "ruleRef": ref, "status": status}


def test_compliance_rows_and_defaults_match_the_declared_shape_when_hashed():
    assert c.compliance_hash([_scan("CIS")]) == _sha({"scans": [_scan_row("CIS")]})
    assert c.compliance_hash([]) == _sha({"scans": []})


def test_compliance_scans_and_results_are_sorted_when_hashed():
    results = [{"rule_ref": "r2", "status": "pass"}, {"rule_ref": "r1", "status": "pass"}, {"rule_ref": "r1", "status": "fail"}]
    scans = [_scan("b"), _scan("a", "openscap"), _scan("a", "docker-bench", results=results)]
    expected = {"scans": [
        _scan_row("a", "docker-bench", results=[_result_row("r1", "fail"), _result_row("r1", "pass"), _result_row("r2", "pass")]),
        _scan_row("a", "openscap"), _scan_row("b")]}
    assert c.compliance_hash(scans) == _sha(expected)


def test_compliance_timestamps_are_excluded_when_hashed():
    plain = _scan("CIS")
    stamped = {**plain, "started_at": "2024-01-01T00:00:00Z", "completed_at": "2024-01-01T00:05:00Z", "error": ""}
    assert c.compliance_hash([stamped]) == c.compliance_hash([plain])


@pytest.mark.parametrize(("score", "encoded"), [(92.4567, 92.4567), (92.45671, 92.4567), (92.45678, 92.4568), (100, 100.0),
                                                (math.nan, 0.0), (math.inf, 0.0), (-math.inf, 0.0), (1e305, 0.0),
                                                (None, 0.0), (-0.00001, -0.0)])
def test_compliance_score_is_rounded_to_four_decimals_when_hashed(score, encoded):
    assert c.compliance_hash([_scan("CIS", score=score)]) == _sha({"scans": [_scan_row("CIS", score=encoded)]})


@pytest.mark.parametrize(("value", "rounded"), [(2.5, 3.0), (-2.5, -3.0), (1.5, 2.0), (0.49999999999999994, 0.0), (-0.4, -0.0)])
def test_go_round_is_half_away_from_zero_when_called(value, rounded):
    assert c._go_round(value) == rounded
    assert math.copysign(1.0, c._go_round(value)) == math.copysign(1.0, rounded)


def test_negative_zero_score_encodes_like_go_when_hashed():
    assert b'"score":-0,' in c.go_json(_scan_row("CIS", score=-0.0))
    assert c.compliance_hash([_scan("CIS", score=-0.00001)]) != c.compliance_hash([_scan("CIS", score=0)])


def test_legacy_rule_id_stands_in_for_rule_ref_when_absent():
    legacy = _scan("CIS", results=[{"rule_id": "r1", "status": "pass"}])
    modern = _scan("CIS", results=[{"rule_ref": "r1", "status": "pass"}])
    assert c.compliance_hash([legacy]) == c.compliance_hash([modern])


# --- helpers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "valid"), [("a" * 64, True), ("0123456789abcdef" * 4, True), ("A" * 64, False),
                                              ("a" * 63, False), ("a" * 65, False), ("g" * 64, False), (None, False),
                                              (b"a" * 64, False), ("a" * 64 + "\n", False)])
def test_is_sha256_hex_accepts_only_lowercase_64_hex_when_checked(value, valid):
    assert c.is_sha256_hex(value) is valid
