"""Protocol constants and the FNV-1a based check-in offset."""
from __future__ import annotations

import pytest

from chalicelib.agent_protocol import constants as k


@pytest.mark.parametrize(("data", "expected"), [(b"", 0xCBF29CE484222325), (b"a", 0xAF63DC4C8601EC8C),
                                                (b"foobar", 0x85944171F73967E8)])
def test_fnv1a_64_matches_published_vectors_when_hashed(data, expected):
    assert k.fnv1a_64(data) == expected


@pytest.mark.parametrize(("api_id", "interval", "seconds"), [
    ("patchmon_testid", 60, 180),  # reference-agent.md §4, observed on the real agent
    ("patchmon_testid", 1, 3),
    ("patchmon_testid", 1440, 180),
    ("a", 60, (0xAF63DC4C8601EC8C % 60) * 60),
    ("a", 5, 0xAF63DC4C8601EC8C % 300),
    ("foobar", 59, 0x85944171F73967E8 % 3540),
    ("", 60, (0xCBF29CE484222325 % 60) * 60),
])
def test_check_in_offset_is_in_seconds_when_computed(api_id, interval, seconds):
    assert k.check_in_offset_seconds(api_id, interval) == seconds


@pytest.mark.parametrize("interval", [1, 7, 59, 60, 61, 1440])
def test_check_in_offset_is_shorter_than_the_interval_when_computed(interval):
    for api_id in ("a", "b", "patchmon_testid", "host-42"):
        assert 0 <= k.check_in_offset_seconds(api_id, interval) < interval * 60


def test_hourly_or_longer_offsets_are_whole_minutes_when_computed():
    assert all(k.check_in_offset_seconds(f"host-{i}", 120) % 60 == 0 for i in range(50))


@pytest.mark.parametrize("interval", [0, -5])
def test_non_positive_interval_is_rejected_when_computed(interval):
    with pytest.raises(ValueError):
        k.check_in_offset_seconds("a", interval)


def test_every_section_has_its_hash_field_when_mapped():
    assert k.HASH_FIELD_BY_SECTION == {"packages": "packagesHash", "repos": "reposHash", "interfaces": "interfacesHash",
                                       "hostname": "hostnameHash", "docker": "dockerHash", "compliance": "complianceHash"}
    assert k.SECTION_BY_HASH_FIELD["reposHash"] == "repos"
    assert k.PARTIAL_REPORT_SECTIONS == {"packages", "repos", "interfaces", "hostname"}
    assert k.ALL_SECTIONS == set(k.HASH_FIELD_BY_SECTION)


def test_limits_match_the_reference_when_read():
    assert (k.MAX_PACKAGES, k.MAX_PACKAGE_NAME_LENGTH) == (10_000, 256)
    assert (k.MAX_REPORT_BYTES, k.MAX_PING_BYTES) == (5_242_880, 8_192)


def test_server_to_agent_message_types_are_distinct_and_complete_when_listed():
    names = [value for name, value in vars(k).items() if name.startswith("WS_")]
    assert len(names) == len(set(names)) == len(k.SERVER_TO_AGENT_MESSAGE_TYPES)
    assert set(names) == k.SERVER_TO_AGENT_MESSAGE_TYPES
    assert {"settings_update", "report_now", "run_patch", "compliance_scan", "apply_config", "ssh_proxy"} <= k.SERVER_TO_AGENT_MESSAGE_TYPES
