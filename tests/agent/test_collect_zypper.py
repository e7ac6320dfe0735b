"""zypper collection on recorded output: security patches, locks, kernels and failures."""
from __future__ import annotations

import threading
import time

from patchmon_agent.collectors import zypper
from patchmon_agent.collectors.common import CommandResult
from patchmon_agent.collectors.rpmver import Evr
from tests.agent.command_fixtures import FakeRunner, by_name


def test_security_updates_are_those_a_needed_security_patch_fixes_when_collected():
    """openSUSE Leap 15.6: packages in the conflicts of needed security patches are security updates; timezone is not."""
    # Given
    runner = FakeRunner("opensuse-leap-15.6")
    # When
    result = zypper.collect(runner)
    # Then
    assert runner.unused() == set() and runner.unknown_calls() == [] and result.errors == []
    assert {p["name"] for p in result.packages if p["isSecurityUpdate"]} == {"kernel-default", "libopenssl3", "openssl-3"}
    assert {p["name"] for p in result.packages if p["needsUpdate"]} == {"kernel-default", "libopenssl3", "openssl-3", "timezone"}


def test_zypper_commands_run_one_at_a_time_when_collecting():
    """zypper fails rather than waits on its lock: its commands never overlap (rpm may run beside them)."""
    # Given: a runner that counts the zypper commands running at once
    recorded = FakeRunner("opensuse-leap-15.6")
    running, most = [0], [0]
    lock = threading.Lock()

    def counting(argv, timeout):
        with lock:
            running[0] += argv[0] == "zypper"
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= argv[0] == "zypper"
        return recorded(argv, timeout)

    # When
    zypper.collect(counting)
    # Then
    assert most[0] == 1
    assert [" ".join(c[2:4]) for c in recorded.calls if c[0] == "zypper"] == ["--xmlout list-updates", "--xmlout list-patches", "info -t",
                                                                             "locks"]


def test_locked_package_is_held_and_not_upgradable_when_zypper_locks_it():
    result = zypper.collect(FakeRunner("opensuse-leap-15.6"))
    assert result.held == ["nginx"] and by_name(result)["nginx"]["needsUpdate"] is False


def test_kernel_record_has_the_newest_installed_version_when_two_are_installed():
    kernel = by_name(zypper.collect(FakeRunner("opensuse-leap-15.6")))["kernel-default"]
    assert (kernel["currentVersion"], kernel["availableVersion"], kernel["sourceRepository"]) == (
        "6.4.0-150600.23.25.1", "6.4.0-150600.23.30.1", "repo-sle-update")


def test_patch_info_is_not_asked_when_no_security_patch_is_needed():
    """With no needed security patch, no package is flagged and `info -t patch` is not run."""
    empty = CommandResult(0, "<?xml version='1.0'?>\n<stream>\n<update-status version=\"0.6\">\n<update-list>\n</update-list>\n"
                             "</update-status>\n</stream>\n", "")
    runner = FakeRunner("opensuse-leap-15.6", overrides={tuple(zypper.LIST_SECURITY_PATCHES): empty})
    result = zypper.collect(runner)
    assert not any(p["isSecurityUpdate"] for p in result.packages)
    assert not any(call[2] == "info" for call in runner.calls if call[0] == "zypper")


def test_nothing_is_reported_when_list_updates_fails():
    """Exit 7 (zypp locked by another process) is an error: packages stay empty."""
    locked = CommandResult(7, "", "System management is locked by the application with pid 1234 (zypper).")
    result = zypper.collect(FakeRunner("opensuse-leap-15.6", overrides={tuple(zypper.LIST_UPDATES): locked}))
    assert result.packages == [] and "locked by the application" in result.errors[0]


def test_conflicts_map_packages_to_their_fixed_version_when_patch_info_lists_them():
    """Conflicts `name.arch < version` give the first fixed version; srcpackage entries are not packages."""
    text = ("Information for patch P:\nConflicts   : [3]\n    libfoo1.x86_64 < 1.2-3.1\n    srcpackage:foo < 1.2-3.1\n"
            "    foo-doc.noarch < 1.2-3.1\nProvides    : [1]\n    patch:P = 1\n")
    assert zypper.parse_patch_conflicts(text) == {"libfoo1": Evr(0, "1.2", "3.1"), "foo-doc": Evr(0, "1.2", "3.1")}


def test_lock_table_parses_when_zypper_prints_extra_columns():
    text = ("\n# | Name     | Matches | Type    | Repository\n"
            "--+----------+---------+---------+-----------\n"
            "1 | kernel-* | 2       | package | (any)\n")
    assert zypper.parse_locks(text) == ["kernel-*"]
    assert zypper.parse_locks("There are no package locks defined.\n") == []


def test_skipped_repositories_are_reported_when_zypper_exits_106():
    """Exit 106: zypper answered without the repositories it could not refresh, so their updates are missing."""
    recorded = FakeRunner("opensuse-leap-15.6").recorded[tuple(zypper.LIST_UPDATES)][1]
    runner = FakeRunner("opensuse-leap-15.6", overrides={tuple(zypper.LIST_UPDATES): recorded._replace(returncode=106)})
    result = zypper.collect(runner)
    assert result.packages and result.errors == ["zypper skipped repositories it could not refresh: their updates are missing"]
