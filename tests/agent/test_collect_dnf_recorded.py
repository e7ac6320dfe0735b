"""The dnf collector on real dnf 4.14 output (fixtures/dnf-4.14-recorded, tests/agent/recording/dnf_local_repo.sh).

dnf 4.14.0, libdnf 0.69 and rpm 4.18 (Debian 12's packages, the dnf of Rocky/RHEL 9) managed an rpm
database in a Debian 12 chroot, fed by local rpm-md repositories of tiny packages built for the purpose.
The expectations below are what the recipe built, installed, offered and declared in updateinfo.xml,
not what the collector printed:

- installed: two install-only kernels, glibc x86_64 current beside an outdated glibc i686, packages
  with epochs 1 and 3, one rpm installed from a file, 14 rpm instances of 12 names;
- offered: a newer build of every package but bash, rocky-release and zabbix-release;
- advisories: RLSA-2026:0001 (Important: kernel, openssl, openssl-libs), RLSA-2026:0002 (Moderate:
  glibc x86_64 and i686), RLSA-2025:9000 (a kernel fix the newest installed kernel already has),
  RLSA-2026:0006 (java, which is version-locked), RLBA bugfix for NetworkManager, RLEA enhancement for
  the dnf plugin, nothing for tzdata;
- versionlock: docker-ce and java-17-openjdk-headless.
"""
from __future__ import annotations

from patchmon_agent.collectors import packages, repositories
from tests.agent.command_fixtures import FIXTURES, FakeRunner, by_name, recorded, sidecars

DISTRO = "dnf-4.14-recorded"
ROOT = str(FIXTURES / DISTRO / "root")

# name: (installed instances as "[epoch:]version-release.arch")
INSTALLED = {
    "NetworkManager": ["1:1.48.10-2.el9_5.x86_64"],
    "bash": ["5.1.8-9.el9.x86_64"],
    "docker-ce": ["3:27.3.1-1.el9.x86_64"],
    "glibc": ["2.34-125.el9_5.1.x86_64", "2.34-100.el9_4.4.i686"],
    "java-17-openjdk-headless": ["1:17.0.13.0.11-3.el9.x86_64"],
    "kernel": ["5.14.0-503.14.1.el9_5.x86_64", "5.14.0-503.15.1.el9_5.x86_64"],
    "openssl": ["1:3.0.7-28.el9_4.x86_64"],
    "openssl-libs": ["1:3.0.7-28.el9_4.x86_64"],
    "python3-dnf-plugin-post-transaction-actions": ["4.3.0-13.el9.noarch"],
    "rocky-release": ["9.5-1.2.el9.noarch"],
    "tzdata": ["2024b-2.el9.noarch"],
    "zabbix-release": ["7.0-5.el9.noarch"],
}
LOCKED = {"docker-ce", "java-17-openjdk-headless"}
# name: (current version the update replaces, offered version, security advisory fixing a version newer than current)
UPDATES = {
    "NetworkManager": ("1:1.48.10-2.el9_5", "1:1.48.10-5.el9_5", None),  # RLBA-2026:0003 is a bugfix
    "glibc": ("2.34-100.el9_4.4", "2.34-125.el9_5.1", "RLSA-2026:0002"),  # the i686 copy; x86_64 is current
    "kernel": ("5.14.0-503.15.1.el9_5", "5.14.0-503.16.1.el9_5", "RLSA-2026:0001"),  # newest installed kernel
    "openssl": ("1:3.0.7-28.el9_4", "1:3.2.2-6.el9_5", "RLSA-2026:0001"),
    "openssl-libs": ("1:3.0.7-28.el9_4", "1:3.2.2-6.el9_5", "RLSA-2026:0001"),
    "python3-dnf-plugin-post-transaction-actions": ("4.3.0-13.el9", "4.3.0-16.el9_5", None),  # RLEA enhancement
    "tzdata": ("2024b-2.el9", "2025a-1.el9", None),  # no advisory at all
}
NOT_UPDATED = {  # name: installed version (newest instance)
    "bash": "5.1.8-9.el9", "rocky-release": "9.5-1.2.el9", "zabbix-release": "7.0-5.el9",
    "docker-ce": "3:27.3.1-1.el9", "java-17-openjdk-headless": "1:17.0.13.0.11-3.el9",  # locked: 27.4.0 and 17.0.14 not offered
}
SOURCES = {"docker-ce": "docker-ce-stable", "java-17-openjdk-headless": "appstream", "zabbix-release": "unknown"}


def _collect():
    runner = FakeRunner(DISTRO)
    return runner, packages.collect(runner, manager="dnf", root=ROOT)


def test_recorded_fixtures_are_real_and_every_one_is_read_when_the_collector_runs():
    # Given
    recorded_sidecars = sidecars(DISTRO)
    # When
    runner, result = _collect()
    # Then
    assert len(recorded_sidecars) == 5 and all(s["synthetic"] is False and s["env"] == {"LC_ALL": "C"} for s in recorded_sidecars)
    assert all(s["captured_from"].startswith("real: dnf 4.14.0") for s in recorded_sidecars)
    assert runner.unused() == set() and runner.unknown_calls() == [] and result.errors == []


def test_installed_updates_and_security_are_those_built_when_dnf_414_reports_them():
    """Every installed name once, each update at its built versions, security exactly where a security advisory applies."""
    # Given
    instances = [line for line in recorded(DISTRO, "rpm").splitlines() if line]
    # When
    _, result = _collect()
    found = by_name(result)
    # Then
    assert len(instances) == sum(map(len, INSTALLED.values())) == 14
    assert sorted(found) == sorted(INSTALLED) and len(result.packages) == 12
    updates = {name: (p["currentVersion"], p["availableVersion"]) for name, p in found.items() if p["needsUpdate"]}
    assert updates == {name: (current, available) for name, (current, available, _) in UPDATES.items()}
    assert {name for name, p in found.items() if p["isSecurityUpdate"]} == {name for name, (*_, adv) in UPDATES.items() if adv}
    for name, version in NOT_UPDATED.items():
        assert (found[name]["currentVersion"], found[name]["needsUpdate"], "availableVersion" in found[name]) == (version, False, False)


def test_two_installed_kernels_are_one_record_at_the_newest_when_its_fix_is_already_in():
    """RLSA-2025:9000 fixes 503.15.1, which is installed beside 503.14.1: dnf 4.14 does not list it, the update is RLSA-2026:0001."""
    # Given
    listed = recorded(DISTRO, "dnf", "updateinfo")
    # When
    kernel = by_name(_collect()[1])["kernel"]
    # Then
    assert "RLSA-2025:9000" not in listed and "RLSA-2026:0001 Important/Sec. kernel-5.14.0-503.16.1.el9_5.x86_64" in listed
    assert (kernel["currentVersion"], kernel["availableVersion"], kernel["isSecurityUpdate"]) == (
        "5.14.0-503.15.1.el9_5", "5.14.0-503.16.1.el9_5", True)


def test_outdated_i686_glibc_is_updated_against_its_own_version_when_x86_64_is_current():
    listed = recorded(DISTRO, "dnf", "updateinfo")
    glibc = by_name(_collect()[1])["glibc"]
    assert "glibc-2.34-125.el9_5.1.i686" in listed and "glibc-2.34-125.el9_5.1.x86_64" not in listed
    assert (glibc["currentVersion"], glibc["availableVersion"], glibc["isSecurityUpdate"]) == ("2.34-100.el9_4.4", "2.34-125.el9_5.1", True)


def test_locked_packages_are_held_and_not_security_when_updateinfo_still_lists_their_advisory():
    """dnf 4.14 lists RLSA-2026:0006 for the locked java although check-update (with the lock) offers no update."""
    # Given
    listed = recorded(DISTRO, "dnf", "updateinfo")
    # When
    _, result = _collect()
    found = by_name(result)
    # Then
    assert "RLSA-2026:0006 Important/Sec. java-17-openjdk-headless-1:17.0.14.0.7-2.el9.x86_64" in listed
    assert result.held == sorted(LOCKED)
    assert all((found[name]["needsUpdate"], found[name]["isSecurityUpdate"]) == (False, False) for name in LOCKED)


def test_epochs_origins_and_commandline_installs_are_read_when_dnf_414_prints_them():
    """Epochs stay in versions; dnf 4.14 prints "@@commandline" for an rpm installed from a file."""
    found = by_name(_collect()[1])
    assert "@@commandline" in recorded(DISTRO, "dnf", "--installed")
    assert found["openssl"]["currentVersion"].startswith("1:") and found["docker-ce"]["currentVersion"].startswith("3:")
    assert {name: p["sourceRepository"] for name, p in found.items() if p["sourceRepository"] != "baseos"} == SOURCES
    assert found["NetworkManager"]["category"] == "System Environment/Base" and "category" not in found["kernel"]


def test_local_file_repositories_are_not_reported_when_the_repo_files_point_to_file_urls():
    """The recorded repo files are real but point at file:///srv/repo/...: not remote sources, so no rows."""
    assert repositories.collect(ROOT) == []
