"""The zypper collector on real zypper 1.14 output (fixtures/zypper-1.14-recorded).

Recorded by tests/agent/recording/zypper_local_repo.sh: Debian 12's zypper 1.14.42 (libzypp 17.25) and
rpm 4.18 in a chroot, over an rpm database and a local rpm-md repository with an updateinfo.xml built
there. The expectations below are what that script built (BUILT), not what the collector printed.

What the real output showed that the hand-written opensuse-leap-15.6 fixtures do not: `--xmlout
list-patches --category security` ignores the category (the recommended timezone patch is listed, with
category="recommended"; text output honours it), epochs appear as "1:" in list-updates and in patch
conflicts, every conflict is given for the package's arch and for noarch, and the locks table has no
Comment column.
"""
from __future__ import annotations

from patchmon_agent.collectors import packages, repositories, zypper
from patchmon_agent.collectors.rpmver import Evr
from tests.agent.command_fixtures import FIXTURES, FakeRunner, by_name, recorded, sidecars

DISTRO = "zypper-1.14-recorded"

# What zypper_local_repo.sh built: name -> (installed [epoch:]version-release, newest offered or None).
INSTALLED = {
    "kernel-default": ["6.4.0-150600.23.22.1", "6.4.0-150600.23.25.1"],  # multiversion: both installed
    "libopenssl3": ["3.1.4-150600.5.10.1"],
    "openssl-3": ["3.1.4-150600.5.10.1"],
    "postfix": ["1:3.8.4-150600.1.1"],
    "timezone": ["2024a-150000.75.28.1"],
    "nginx": ["1.21.5-150600.8.4"],
    "vim": ["9.1.0330-150500.20.12.1"],
    "bash": ["4.4-150400.27.3.2"],
    "ca-certificates-mozilla": ["2.68-150200.33.1"],
}
OFFERED = {
    "kernel-default": "6.4.0-150600.23.30.1",
    "libopenssl3": "3.1.4-150600.5.15.1",
    "openssl-3": "3.1.4-150600.5.15.1",
    "postfix": "1:3.8.4-150600.3.5.1",
    "timezone": "2024b-150000.75.31.1",
    "nginx": "1.25.3-150600.10.1",
    "vim": "9.1.1000-150500.20.20.1",
}
LOCKED = {"nginx"}
# updateinfo.xml: needed security patches and the packages they fix; openSUSE-RU-2026:0004-1 (recommended)
# covers timezone; openSUSE-SU-2025:0100-1 (security) fixes the vim already installed, so it is not needed.
SECURITY_PATCHES = {"openSUSE-SU-2026:0001-1": {"libopenssl3", "openssl-3"},
                    "openSUSE-SU-2026:0002-1": {"kernel-default"},
                    "openSUSE-SU-2026:0003-1": {"postfix"}}


def _collect():
    runner = FakeRunner(DISTRO)
    return runner, zypper.collect(runner)


def test_recorded_fixtures_are_real_and_each_is_read_when_collected():
    runner, result = _collect()
    assert runner.unused() == set() and runner.unknown_calls() == [] and result.errors == []
    recorded_sidecars = sidecars(DISTRO)
    assert len(recorded_sidecars) == 5
    assert all(m["synthetic"] is False and m["env"] == {"LC_ALL": "C"} and m["captured_from"].startswith("real: Debian 12 chroot, zypper 1.14.42")
               for m in recorded_sidecars)


def test_every_installed_name_is_one_record_with_its_newest_installed_version_when_collected():
    _, result = _collect()
    assert {p["name"]: p["currentVersion"] for p in result.packages} == {name: versions[-1] for name, versions in INSTALLED.items()}
    assert len(recorded(DISTRO, *zypper.RPM_QUERY).splitlines()) == sum(len(v) for v in INSTALLED.values()) == 10


def test_updates_are_the_offered_versions_of_unlocked_packages_when_collected():
    _, result = _collect()
    updates = {p["name"]: (p["currentVersion"], p["availableVersion"], p["sourceRepository"]) for p in result.packages if p["needsUpdate"]}
    assert updates == {name: (INSTALLED[name][-1], version, "repo-update") for name, version in OFFERED.items() if name not in LOCKED}


def test_security_updates_are_exactly_those_of_needed_security_patches_when_collected():
    """Not timezone (recommended patch), not vim (its security patch is already applied; the newer vim has none), not locked nginx."""
    _, result = _collect()
    assert {p["name"] for p in result.packages if p["isSecurityUpdate"]} == set().union(*SECURITY_PATCHES.values())


def test_only_security_patches_are_asked_about_when_xml_lists_every_needed_patch():
    """zypper 1.14.42 ignores `--category security` with --xmlout: the collector keeps the security ones by their category."""
    listed = recorded(DISTRO, *zypper.LIST_SECURITY_PATCHES)
    assert 'name="openSUSE-RU-2026:0004-1"' in listed and 'category="recommended"' in listed
    assert "openSUSE-SU-2025:0100-1" not in listed  # applied patches are not listed
    assert zypper.parse_list_patches(listed) == sorted(SECURITY_PATCHES)
    runner, _ = _collect()
    assert [c for c in runner.calls if c[2:4] == ["info", "-t"]] == [zypper.PATCH_INFO + sorted(SECURITY_PATCHES)]


def test_patch_conflicts_give_fixed_versions_with_epoch_when_zypper_prints_them():
    fixed = zypper.parse_patch_conflicts(recorded(DISTRO, *zypper.PATCH_INFO + sorted(SECURITY_PATCHES)))
    assert fixed == {"libopenssl3": Evr(0, "3.1.4", "150600.5.15.1"), "openssl-3": Evr(0, "3.1.4", "150600.5.15.1"),
                     "libopenssl-3-devel": Evr(0, "3.1.4", "150600.5.15.1"), "kernel-default": Evr(0, "6.4.0", "150600.23.30.1"),
                     "postfix": Evr(1, "3.8.4", "150600.3.5.1")}


def test_epoch_package_keeps_its_epoch_and_is_a_security_update_when_collected():
    postfix = by_name(_collect()[1])["postfix"]
    assert (postfix["currentVersion"], postfix["availableVersion"], postfix["isSecurityUpdate"]) == (
        "1:3.8.4-150600.1.1", "1:3.8.4-150600.3.5.1", True)


def test_multiversion_kernel_update_is_against_the_newest_installed_kernel_when_two_are_installed():
    kernel = by_name(_collect()[1])["kernel-default"]
    assert (kernel["currentVersion"], kernel["availableVersion"], kernel["isSecurityUpdate"]) == (
        "6.4.0-150600.23.25.1", "6.4.0-150600.23.30.1", True)


def test_locked_package_is_held_and_not_upgradable_when_zypper_locks_it():
    _, result = _collect()
    assert result.held == sorted(LOCKED)
    assert zypper.parse_locks(recorded(DISTRO, *zypper.LOCKS)) == sorted(LOCKED)
    assert by_name(result)["nginx"]["needsUpdate"] is False and "availableVersion" not in by_name(result)["nginx"]


def test_packages_collect_gives_the_same_result_when_zypper_is_named():
    result = packages.collect(FakeRunner(DISTRO), manager="zypper")
    assert result.manager == "zypper" and result.packages == _collect()[1].packages


def test_local_directory_repository_is_not_reported_when_zypper_wrote_it():
    """zypper addrepo wrote a dir: repository (no remote URL to report)."""
    assert (FIXTURES / DISTRO / "root/etc/zypp/repos.d/repo-update.repo").is_file()
    assert repositories.collect(str(FIXTURES / DISTRO / "root")) == []
