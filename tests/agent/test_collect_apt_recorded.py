"""The apt collector on command output recorded from real Ubuntu 22.04 and 24.04 systems (debootstrapped
chroots with the release, -updates and -security pockets; see each fixture's `captured_from`).

Security is checked against an independent reading of the recorded `apt-cache policy`: an update is a
security update when some version newer than the installed one, up to the candidate, is published in a
-security pocket. That is more than `apt list --upgradable` shows (it names only the candidate's pockets:
54 of the 22.04 system's updates, 43 of the 24.04 system's), and it is right: upgrading libkrb5-3 from
1.19.2-2 to 1.19.2-2ubuntu0.10 (-updates) installs the fix published as 1.19.2-2ubuntu0.8 (-security).
"""
from __future__ import annotations

import re

import pytest

from patchmon_agent.collectors import packages, repositories
from tests.agent.command_fixtures import FIXTURES, FakeRunner, recorded

SYSTEMS = {"ubuntu-22.04-chroot": {"packages": 116, "updates": 67, "security": 63},
           "ubuntu-24.04-chroot": {"packages": 107, "updates": 69, "security": 45}}


def _security_by_policy(policy: str) -> set[str]:
    """Packages whose newer versions up to the candidate include one from a -security pocket (plain reading)."""
    found = set()
    for block in re.split(r"\n(?=\S)", policy.strip()):
        name = block.split(":\n", 1)[0].split(":")[0]
        installed = re.search(r"Installed: (\S+)", block).group(1)
        candidate = re.search(r"Candidate: (\S+)", block).group(1)
        if installed in ("(none)", candidate):
            continue
        versions = re.split(r"\n\s+(?:\*\*\* )?(?=\S+ \d+\n)", block.split("Version table:", 1)[1])
        newer = []
        for entry in versions:
            lines = entry.strip().splitlines()
            if not lines:
                continue
            version = lines[0].split()[0]
            if version == installed:
                break  # the table is newest first: everything above the installed version is newer
            newer.append((version, lines[1:]))
        after_candidate = [v for v, _ in newer].index(candidate) if candidate in [v for v, _ in newer] else 0
        if any("-security" in line for _, sources in newer[after_candidate:] for line in sources):
            found.add(name)
    return found


@pytest.mark.parametrize("distro", sorted(SYSTEMS))
def test_recorded_ubuntu_system_gives_its_packages_updates_and_security_updates(distro):
    # Given the commands the collector ran on the real system
    runner = FakeRunner(distro)
    # When
    result = packages.collect(runner, manager="apt", root=str(FIXTURES / distro / "root"))
    # Then every installed package, every update apt would install, and security as the policy shows it
    installed = [line for line in recorded(distro, "dpkg-query").splitlines() if line.startswith("ii")]
    inst_lines = [line for line in recorded(distro, "apt-get").splitlines() if line.startswith("Inst ")]
    assert len(result.packages) == len(installed) == SYSTEMS[distro]["packages"]
    updates = {p["name"] for p in result.packages if p["needsUpdate"]}
    assert len(updates) == len(inst_lines) == SYSTEMS[distro]["updates"]
    security = {p["name"] for p in result.packages if p["isSecurityUpdate"]}
    assert security == _security_by_policy(recorded(distro, "apt-cache")) & updates
    assert len(security) == SYSTEMS[distro]["security"]
    assert security <= updates and result.errors == [] and runner.unused() == set()


def test_security_fix_superseded_by_an_updates_upload_counts_on_the_recorded_jammy_system():
    result = packages.collect(FakeRunner("ubuntu-22.04-chroot"), manager="apt", root=str(FIXTURES / "ubuntu-22.04-chroot" / "root"))
    krb5 = next(p for p in result.packages if p["name"] == "libkrb5-3")
    assert (krb5["currentVersion"], krb5["availableVersion"], krb5["isSecurityUpdate"]) == ("1.19.2-2", "1.19.2-2ubuntu0.10", True)


@pytest.mark.parametrize(("distro", "suites"), [("ubuntu-22.04-chroot", {"jammy", "jammy-updates", "jammy-security"}),
                                                ("ubuntu-24.04-chroot", {"noble", "noble-updates", "noble-security"})])
def test_recorded_ubuntu_sources_give_their_repositories(distro, suites):
    found = repositories.collect(str(FIXTURES / distro / "root"))
    assert {r["distribution"] for r in found} == suites
    assert all(r["isEnabled"] for r in found)
