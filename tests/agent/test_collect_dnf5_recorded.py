"""The dnf collector on real dnf5 output (fixtures/dnf5-recorded, tests/agent/recording/dnf5_local_repo.sh).

dnf5 5.4.6, libdnf5 5.4.6 and rpm 6.1 (Debian sid's packages) managed an rpm database in a Debian sid
chroot made to look like Fedora 43 (/usr/bin/dnf -> dnf5, dnf5's own dnf.conf, a fedora-release-common
providing system-release(releasever) = 43), fed by local rpm-md repositories `fedora` and `updates` of
tiny packages built for the purpose. The expectations below are what the recipe built, installed,
offered and declared in updateinfo.xml, not what the collector printed:

- installed: two install-only kernel and kernel-core (6.17.1 from fedora, 6.17.4 from updates), glibc
  x86_64 and i686, epochs 1 and 2, one rpm installed from a file; 15 rpm instances of 12 names;
- offered: a newer build of every package but bash, fedora-release-common, rpmfusion-free-release and
  the version-locked vim-minimal;
- advisories: FEDORA-2026-0123456789 (security, Important: kernel, kernel-core, openssl-libs),
  FEDORA-2026-1a2b3c4d5e (security, Moderate: glibc x86_64 and i686), FEDORA-2026-9f8e7d6c5b (a kernel fix
  the newest installed kernel already has), FEDORA-2026-3c4d5e6f7a (security: firefox),
  FEDORA-2026-7a8b9c0d1e (security: vim-minimal, which is locked), a bugfix for NetworkManager, an
  enhancement for curl, nothing for tzdata;
- versionlock: vim-minimal.
"""
from __future__ import annotations

from patchmon_agent.collectors import packages, repositories
from tests.agent.command_fixtures import FIXTURES, FakeRunner, by_name, recorded, sidecars

DISTRO = "dnf5-recorded"
ROOT = str(FIXTURES / DISTRO / "root")

# name: installed instances as "[epoch:]version-release.arch"
INSTALLED = {
    "NetworkManager": ["1:1.54.0-1.fc43.x86_64"],
    "bash": ["5.3.0-2.fc43.x86_64"],
    "curl": ["8.15.0-2.fc43.x86_64"],
    "fedora-release-common": ["43-26.noarch"],
    "firefox": ["144.0-1.fc43.x86_64"],
    "glibc": ["2.42-4.fc43.x86_64", "2.42-4.fc43.i686"],
    "kernel": ["6.17.1-300.fc43.x86_64", "6.17.4-200.fc43.x86_64"],
    "kernel-core": ["6.17.1-300.fc43.x86_64", "6.17.4-200.fc43.x86_64"],
    "openssl-libs": ["1:3.5.1-2.fc43.x86_64"],
    "rpmfusion-free-release": ["43-1.noarch"],
    "tzdata": ["2025b-1.fc43.noarch"],
    "vim-minimal": ["2:9.1.1700-1.fc43.x86_64"],
}
LOCKED = {"vim-minimal"}
# name: (current version the update replaces, offered version, security advisory fixing a version newer than current)
UPDATES = {
    "NetworkManager": ("1:1.54.0-1.fc43", "1:1.54.2-1.fc43", None),  # FEDORA-2026-4d5e6f7a8b is a bugfix
    "curl": ("8.15.0-2.fc43", "8.15.0-4.fc43", None),  # FEDORA-2026-6f7a8b9c0d is an enhancement
    "firefox": ("144.0-1.fc43", "145.0.1-1.fc43", "FEDORA-2026-3c4d5e6f7a"),
    "glibc": ("2.42-4.fc43", "2.42-5.fc43", "FEDORA-2026-1a2b3c4d5e"),
    "kernel": ("6.17.4-200.fc43", "6.17.7-200.fc43", "FEDORA-2026-0123456789"),  # against the newest installed kernel
    "kernel-core": ("6.17.4-200.fc43", "6.17.7-200.fc43", "FEDORA-2026-0123456789"),
    "openssl-libs": ("1:3.5.1-2.fc43", "1:3.5.4-1.fc43", "FEDORA-2026-0123456789"),
    "tzdata": ("2025b-1.fc43", "2025c-1.fc43", None),  # no advisory at all
}
NOT_UPDATED = {  # name: installed version
    "bash": "5.3.0-2.fc43", "fedora-release-common": "43-26", "rpmfusion-free-release": "43-1",
    "vim-minimal": "2:9.1.1700-1.fc43",  # locked: 2:9.1.1800-1.fc43 is not offered
}
SOURCES = {"bash": "fedora", "curl": "fedora", "fedora-release-common": "fedora", "firefox": "fedora", "glibc": "fedora",
           "kernel": "updates", "kernel-core": "updates", "NetworkManager": "fedora", "openssl-libs": "fedora",
           "rpmfusion-free-release": "unknown", "tzdata": "fedora", "vim-minimal": "fedora"}


def _collect():
    runner = FakeRunner(DISTRO)
    return runner, packages.collect(runner, manager="dnf", root=ROOT)


def test_recorded_fixtures_are_real_dnf5_and_every_one_is_read_when_the_collector_runs():
    # Given
    recorded_sidecars = sidecars(DISTRO)
    # When
    runner, result = _collect()
    # Then
    assert len(recorded_sidecars) == 5 and all(s["synthetic"] is False and s["env"] == {"LC_ALL": "C"} for s in recorded_sidecars)
    assert all(s["captured_from"].startswith("real: dnf5 5.4.6") and "rpm 6.1" in s["captured_from"] for s in recorded_sidecars)
    assert sorted(call[:2] for call in runner.calls) == [["dnf", "-C"]] * 3 + [["dnf", "check-update"], ["rpm", "-qa"]]
    assert runner.unused() == set() and runner.unknown_calls() == [] and result.errors == []


def test_installed_updates_and_security_are_those_built_when_dnf5_reports_them():
    """Every installed name once, each update at its built versions, security exactly where a security advisory applies."""
    # Given
    instances = sorted(line.split("\t")[0] for line in recorded(DISTRO, "rpm").splitlines() if line)
    # When
    _, result = _collect()
    found = by_name(result)
    # Then
    assert instances == sorted(name for name, versions in INSTALLED.items() for _ in versions) and len(instances) == 15
    assert sorted(found) == sorted(INSTALLED) and len(result.packages) == 12
    updates = {name: (p["currentVersion"], p["availableVersion"]) for name, p in found.items() if p["needsUpdate"]}
    assert updates == {name: (current, available) for name, (current, available, _) in UPDATES.items()}
    assert {name for name, p in found.items() if p["isSecurityUpdate"]} == {
        "firefox", "glibc", "kernel", "kernel-core", "openssl-libs"} == {name for name, (*_, adv) in UPDATES.items() if adv}
    for name, version in NOT_UPDATED.items():
        assert (found[name]["currentVersion"], found[name]["needsUpdate"], "availableVersion" in found[name]) == (version, False, False)


def test_dnf5_output_has_its_headers_and_columns_when_recorded():
    """dnf5 heads check-update with "Upgrades" and list with "Installed packages", prints repo ids without "@"
    (but "@commandline"), and lists advisories as id, type, severity, NEVRA and the updated date."""
    check_update, installed = recorded(DISTRO, "dnf", "check-update"), recorded(DISTRO, "dnf", "--installed")
    advisories = recorded(DISTRO, "dnf", "updateinfo")
    assert check_update.splitlines()[0] == "Upgrades" and "@" not in check_update
    assert installed.splitlines()[0] == "Installed packages"
    assert "rpmfusion-free-release.noarch 43-1              @commandline" in installed and " @fedora" not in installed
    assert advisories.split()[:5] == ["Name", "Type", "Severity", "Package", "Issued"]
    assert "FEDORA-2026-0123456789 security Important   openssl-libs-1:3.5.4-1.fc43.x86_64 2026-11-21 04:05:06" in advisories


def test_two_installed_kernels_are_one_record_at_the_newest_when_its_fix_is_already_in():
    """FEDORA-2026-9f8e7d6c5b fixes 6.17.4, installed beside 6.17.1: dnf5 does not list it; the update is FEDORA-2026-0123456789."""
    # Given
    listed = recorded(DISTRO, "dnf", "updateinfo")
    # When
    found = by_name(_collect()[1])
    # Then
    assert "FEDORA-2026-9f8e7d6c5b" not in listed and "kernel-6.17.7-200.fc43.x86_64" in listed
    for name in ("kernel", "kernel-core"):
        assert (found[name]["currentVersion"], found[name]["availableVersion"], found[name]["isSecurityUpdate"]) == (
            "6.17.4-200.fc43", "6.17.7-200.fc43", True)


def test_arch_pair_is_one_record_when_both_arches_are_offered_the_same_update():
    listed = recorded(DISTRO, "dnf", "updateinfo")
    check_update = recorded(DISTRO, "dnf", "check-update")
    glibc = by_name(_collect()[1])["glibc"]
    assert "glibc.i686" in check_update and "glibc.x86_64" in check_update
    assert "glibc-2.42-5.fc43.i686" in listed and "glibc-2.42-5.fc43.x86_64" in listed
    assert (glibc["currentVersion"], glibc["availableVersion"], glibc["isSecurityUpdate"]) == ("2.42-4.fc43", "2.42-5.fc43", True)


def test_locked_package_is_held_and_not_security_when_dnf5_still_lists_its_advisory():
    """dnf5 lists FEDORA-2026-7a8b9c0d1e for the locked vim-minimal although check-update (with the lock) offers nothing."""
    # Given
    listed = recorded(DISTRO, "dnf", "updateinfo")
    # When
    _, result = _collect()
    vim = by_name(result)["vim-minimal"]
    # Then
    assert "FEDORA-2026-7a8b9c0d1e security Moderate  vim-minimal-2:9.1.1800-1.fc43.x86_64" in listed
    assert "vim-minimal" not in recorded(DISTRO, "dnf", "check-update")
    assert "Package name: vim-minimal" in recorded(DISTRO, "dnf", "versionlock")
    assert result.held == sorted(LOCKED)
    assert (vim["needsUpdate"], vim["isSecurityUpdate"]) == (False, False)


def test_epochs_origins_and_commandline_installs_are_read_when_dnf5_prints_them():
    """Epochs stay in versions; dnf5's "@commandline" is an unknown origin; kernels came from updates."""
    found = by_name(_collect()[1])
    assert found["openssl-libs"]["currentVersion"].startswith("1:") and found["vim-minimal"]["currentVersion"].startswith("2:")
    assert {name: p["sourceRepository"] for name, p in found.items()} == SOURCES
    assert found["NetworkManager"]["category"] == "System Environment/Base" and "category" not in found["kernel"]


def test_local_file_repositories_are_not_reported_when_the_repo_files_point_to_file_urls():
    """The recorded fedora and updates repo files are real but point at file:///srv/repo/...: not remote sources, so no rows."""
    assert repositories.collect(ROOT) == []
