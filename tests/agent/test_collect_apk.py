"""apk collection on recorded output: no security metadata, world pins as holds, descriptions from the database."""
from __future__ import annotations

from patchmon_agent.collectors import apk
from patchmon_agent.collectors.common import CommandResult
from tests.agent.command_fixtures import FIXTURES, FakeRunner, by_name

ROOT = str(FIXTURES / "alpine-3.20" / "root")


def test_upgradable_packages_are_reported_and_none_is_security_when_collected():
    """Alpine's indexes carry no security metadata, so no update is flagged."""
    # Given
    runner = FakeRunner("alpine-3.20")
    # When
    result = apk.collect(runner, root=ROOT)
    # Then
    assert runner.unused() == set() and runner.unknown_calls() == [] and result.errors == []
    assert {p["name"] for p in result.packages if p["needsUpdate"]} == {"busybox", "libcrypto3", "libssl3"}
    assert not any(p["isSecurityUpdate"] for p in result.packages)
    assert by_name(result)["busybox"] == {"name": "busybox", "description": "Size optimized toolbox of many common UNIX utilities",
                                           "currentVersion": "1.36.1-r29", "availableVersion": "1.36.1-r30", "needsUpdate": True,
                                           "isSecurityUpdate": False}


def test_world_version_pin_is_a_hold_when_the_package_has_an_update():
    """`nginx=1.26.2-r0` in /etc/apk/world keeps nginx back; `curl>=8.0` and `@edge` tags do not."""
    result = apk.collect(FakeRunner("alpine-3.20"), root=ROOT)
    assert result.held == ["nginx"] and by_name(result)["nginx"]["needsUpdate"] is False


def test_version_listing_is_used_when_apk_has_no_list_command():
    """apk before 2.9 has no `list`: `apk version -l '<'` gives the upgradable packages."""
    older = CommandResult(0, "Installed:                                Available:\nbusybox-1.36.1-r29                      < 1.36.1-r30\n", "")
    runner = FakeRunner("alpine-3.20", overrides={tuple(apk.LIST_UPGRADABLE): CommandResult(1, "", "apk: unknown applet"),
                                                  tuple(apk.VERSION_OLDER): older})
    result = apk.collect(runner, root=ROOT)
    assert {p["name"] for p in result.packages if p["needsUpdate"]} == {"busybox"} and result.errors == []


def test_packages_have_no_description_when_the_database_is_unreadable(tmp_path):
    result = apk.collect(FakeRunner("alpine-3.20"), root=str(tmp_path))
    assert result.errors == [] and len(result.packages) == 8 and not any("description" in p for p in result.packages)


def test_world_entries_hold_only_when_they_pin_a_version():
    assert apk.parse_world("a=1.0-r0 b<2 c~1.2 d>=3 e@edge f g@edge=1.0-r1 !h") == {"a", "b", "c", "g"}
