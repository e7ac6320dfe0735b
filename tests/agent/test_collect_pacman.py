"""pacman collection on recorded output: checkupdates or -Qu, IgnorePkg holds, foreign packages, no security metadata."""
from __future__ import annotations

from patchmon_agent.collectors import pacman
from patchmon_agent.collectors.common import NOT_FOUND_RC, CommandResult
from tests.agent.command_fixtures import FIXTURES, FakeRunner, by_name

ROOT = str(FIXTURES / "arch" / "root")
NO_CHECKUPDATES = {tuple(pacman.CHECKUPDATES): CommandResult(NOT_FOUND_RC, "", "No such file or directory: 'checkupdates'")}


def test_updates_come_from_checkupdates_and_none_is_security_when_pacman_contrib_is_installed():
    """checkupdates gives the updates; Arch publishes no security metadata to pacman, so nothing is flagged."""
    # Given
    runner = FakeRunner("arch")
    # When
    result = pacman.collect(runner, root=ROOT)
    # Then
    assert runner.unused() == {"pacman-Qu"} and result.errors == []
    assert {p["name"] for p in result.packages if p["needsUpdate"]} == {"linux", "openssl", "zlib"}
    assert not any(p["isSecurityUpdate"] for p in result.packages)
    assert by_name(result)["zlib"] == {
        "name": "zlib", "description": "Compression library implementing the deflate compression method found in gzip and PKZIP",
        "currentVersion": "1:1.3.1-2", "availableVersion": "1:1.3.1-3", "needsUpdate": True, "isSecurityUpdate": False,
        "sourceRepository": "core"}


def test_ignorepkg_is_a_hold_when_pacman_conf_lists_it():
    """IgnorePkg = linux-lts: held, though checkupdates silently drops its update."""
    result = pacman.collect(FakeRunner("arch"), root=ROOT)
    assert result.held == ["linux-lts"] and by_name(result)["linux-lts"]["needsUpdate"] is False


def test_foreign_package_has_the_foreign_repository_when_no_sync_database_has_it():
    assert by_name(pacman.collect(FakeRunner("arch"), root=ROOT))["yay"]["sourceRepository"] == "foreign"


def test_pacman_qu_is_used_and_ignored_updates_are_held_when_checkupdates_is_missing(tmp_path):
    """Without pacman-contrib, `pacman -Qu` answers; its "[ignored]" lines are holds even without pacman.conf."""
    # Given
    runner = FakeRunner("arch", overrides=NO_CHECKUPDATES)
    # When
    result = pacman.collect(runner, root=str(tmp_path))
    # Then
    assert runner.unused() == set() and result.errors == []
    assert result.held == ["linux-lts"]
    assert {p["name"] for p in result.packages if p["needsUpdate"]} == {"linux", "openssl", "zlib"}


def test_no_updates_is_not_an_error_when_pacman_qu_exits_1_silently():
    overrides = dict(NO_CHECKUPDATES)
    overrides[tuple(pacman.QUERY_UPGRADES)] = CommandResult(1, "", "")
    result = pacman.collect(FakeRunner("arch", overrides=overrides), root=ROOT)
    assert result.errors == [] and not any(p["needsUpdate"] for p in result.packages) and len(result.packages) == 7


def test_nothing_is_reported_when_checkupdates_fails():
    failed = CommandResult(1, "", "==> ERROR: Cannot fetch updates")
    result = pacman.collect(FakeRunner("arch", overrides={tuple(pacman.CHECKUPDATES): failed}), root=ROOT)
    assert result.packages == [] and result.errors == ["checkupdates: exit status 1: ==> ERROR: Cannot fetch updates"]


def test_ignoregroup_members_are_held_when_pacman_conf_ignores_a_group(tmp_path):
    """IgnoreGroup is expanded with `pacman -Qg`."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/pacman.conf").write_text("[options]\nIgnoreGroup = kernels\n\n[core]\nInclude = /etc/pacman.d/mirrorlist\n")
    runner = FakeRunner("arch", overrides={(*pacman.QUERY_GROUPS, "kernels"): CommandResult(0, "kernels linux\nkernels linux-lts\n", "")})
    result = pacman.collect(runner, root=str(tmp_path))
    assert result.held == ["linux", "linux-lts"] and by_name(result)["linux"]["needsUpdate"] is False
