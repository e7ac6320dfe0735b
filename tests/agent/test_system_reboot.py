"""Reboot detection per distribution family, including the false positives PatchMon users reported."""
from __future__ import annotations

import pytest

from patchmon_agent.system import collect, reboot
from patchmon_agent.system.files import Root
from patchmon_agent.system.reboot import RpmKernel, rpm_newest
from tests.agent.system_fakes import FakeRunner, case_root

# case, family, needed, reason, installedKernelVersion
CASES = [
    ("debian-12", "debian", False, "", "6.1.0-18-amd64"),
    ("debian-12-reboot-required", "debian", True, "packages: libc6, openssl", "6.1.0-18-amd64"),
    ("debian-12-cloud-kernel-pending", "debian", True, "kernel 6.1.0-18-cloud-amd64 installed, 6.1.0-17-cloud-amd64 running",
     "6.1.0-18-cloud-amd64"),
    ("debian-12-cloud-kernel-current", "debian", False, "", "6.1.0-18-cloud-amd64"),
    ("debian-13", "debian", False, "", "6.12.90+deb13.1-amd64"),
    ("debian-12-rpi", "debian", False, "", "6.12.62+rpt-rpi-2712"),
    ("debian-12-container", "debian", False, "", ""),
    ("ubuntu-22.04", "debian", False, "", "5.15.0-91-generic"),
    ("ubuntu-22.04-kernel-pending", "debian", True,
     "kernel 5.15.0-92-generic installed, 5.15.0-91-generic running; packages: linux-image-5.15.0-92-generic, linux-base",
     "5.15.0-92-generic"),
    ("ubuntu-24.04", "debian", False, "", "6.8.0-100-generic"),
    ("rocky-9", "rhel", False, "", "5.14.0-362.24.1.el9_3.x86_64"),
    ("rocky-9-needs-restarting", "rhel", True,
     "kernel 5.14.0-427.13.1.el9_4.x86_64 installed, 5.14.0-362.24.1.el9_3.x86_64 running; packages: glibc, kernel, kernel-core",
     "5.14.0-427.13.1.el9_4.x86_64"),
    ("rocky-9-no-dnf-utils", "rhel", True, "kernel 5.14.0-427.13.1.el9_4.x86_64 installed, 5.14.0-362.8.1.el9_3.x86_64 running",
     "5.14.0-427.13.1.el9_4.x86_64"),
    ("rocky-9-container", "rhel", False, "", ""),
    ("fedora-40", "rhel", True, "kernel 6.8.9-300.fc40.x86_64 installed, 6.8.5-301.fc40.x86_64 running", "6.8.9-300.fc40.x86_64"),
    ("alpine-3.20", "alpine", False, "", "6.6.31-0-rpi"),
    ("alpine-3.20-upgraded", "alpine", True,
     "kernel 6.6.31-0-lts installed, 6.6.22-0-lts running (the running kernel's modules are gone)", "6.6.31-0-lts"),
    ("alpine-3.20-container", "alpine", False, "", ""),
    ("arch", "arch", False, "", "6.6.23-1-lts"),
    ("arch-upgraded", "arch", True, "kernel 6.8.4-arch1-1 installed, 6.8.2-arch1-1 running (the running kernel's modules are gone)",
     "6.8.4-arch1-1"),
    ("opensuse-leap-15.6", "suse", False, "", "6.4.0-150600.23.25-default"),
    ("opensuse-leap-15.6-reboot-needed", "suse", True,
     "kernel 6.4.0-150600.23.25-default installed, 6.4.0-150600.23.22-default running; /run/reboot-needed exists",
     "6.4.0-150600.23.25-default"),
    ("opensuse-leap-15.6-zypper-locked", "suse", True,
     "kernel 6.4.0-150600.23.25-default installed, 6.4.0-150600.23.22-default running", "6.4.0-150600.23.25-default"),
]


@pytest.mark.parametrize(("case", "family", "needed", "reason", "installed"), CASES, ids=[c[0] for c in CASES])
def test_reboot_fields_match_the_case_when_collected(case, family, needed, reason, installed):
    """collect() reports needsReboot, rebootReason and installedKernelVersion as the distribution's rule decides."""
    # Given
    runner = FakeRunner(case)
    # When
    facts = collect(case_root(case), runner, read_addresses=list)
    # Then
    assert (facts["needsReboot"], facts.get("rebootReason", ""), facts.get("installedKernelVersion", "")) == (needed, reason, installed)
    assert ("rebootReason" in facts) is needed


@pytest.mark.parametrize("case", ["debian-12", "ubuntu-22.04", "debian-12-reboot-required", "alpine-3.20", "arch", "arch-upgraded"])
def test_no_command_runs_when_the_family_answers_from_files(case):
    """Debian, Ubuntu, Alpine and Arch are decided from files alone."""
    runner = FakeRunner(case)
    collect(case_root(case), runner, read_addresses=list)
    assert runner.calls == []


def test_rhel_runs_rpm_and_needs_restarting_when_not_in_a_container():
    """A RHEL-like host queries its kernel packages and asks needs-restarting -r."""
    runner = FakeRunner("rocky-9")
    collect(case_root("rocky-9"), runner, read_addresses=list)
    assert sorted(runner.programs()) == ["needs-restarting", "rpm"]


def test_rhel_skips_the_kernel_query_when_in_a_container():
    """In a container the kernel is the host's: rpm is not asked about kernels."""
    runner = FakeRunner("rocky-9-container")
    collect(case_root("rocky-9-container"), runner, read_addresses=list)
    assert runner.programs() == ["needs-restarting"]


def test_needs_restarting_overrides_the_kernel_comparison_when_it_says_no(tmp_path):
    """needs-restarting -r exiting 0 means no reboot even if a newer kernel package exists (booted on purpose)."""
    # Given: rocky-9-no-dnf-utils has a newer kernel; add a needs-restarting that answers 0
    runner = FakeRunner("rocky-9-no-dnf-utils")
    runner.results[("needs-restarting", "-r")] = reboot.CommandResult(0, "Reboot should not be necessary.\n", "")
    # When
    status = reboot.check(Root(case_root("rocky-9-no-dnf-utils")), runner, family="rhel", running="5.14.0-362.8.1.el9_3.x86_64",
                          container=False)
    # Then
    assert status == reboot.RebootStatus(False, "", "5.14.0-427.13.1.el9_4.x86_64")


def test_needs_restarting_error_falls_back_to_the_kernel_comparison_when_it_exits_1_without_its_message():
    """Exit 1 from a dnf error (not the reboot message) is not taken as 'reboot required'."""
    runner = FakeRunner("rocky-9")
    runner.results[("needs-restarting", "-r")] = reboot.CommandResult(1, "", "Error: rpmdb open failed\n")
    status = reboot.check(Root(case_root("rocky-9")), runner, family="rhel", running="5.14.0-362.24.1.el9_3.x86_64", container=False)
    assert status.needed is False


def test_zypper_exit_102_requires_a_reboot_when_no_flag_file_exists():
    """`zypper needs-rebooting` exiting 102 (ZYPPER_EXIT_INF_REBOOT_NEEDED) means a reboot is required."""
    runner = FakeRunner("opensuse-leap-15.6")
    runner.results[("zypper", "--non-interactive", "needs-rebooting")] = reboot.CommandResult(102, "Reboot is suggested.\n", "")
    status = reboot.check(Root(case_root("opensuse-leap-15.6")), runner, family="suse", running="6.4.0-150600.23.25-default",
                          container=False)
    assert status == reboot.RebootStatus(True, "zypper needs-rebooting reports a reboot is required", "6.4.0-150600.23.25-default")


def test_unknown_family_trusts_only_flag_files_when_a_newer_kernel_is_on_disk():
    """An unrecognised distribution gets no kernel comparison, only the explicit flag files."""
    status = reboot.check(Root(case_root("debian-12-cloud-kernel-pending")), FakeRunner(), family="unknown",
                          running="6.1.0-17-cloud-amd64", container=False)
    assert status == reboot.RebootStatus(False, "", "6.1.0-18-cloud-amd64")


def test_flag_file_counts_when_in_a_container(tmp_path):
    """The distribution's own flag file is honoured inside a container; the kernel is not compared there."""
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "reboot-required").write_text("*** System restart required ***\n")
    (tmp_path / "boot").mkdir()
    (tmp_path / "boot" / "vmlinuz-6.1.0-30-amd64").write_text("")
    status = reboot.check(Root(str(tmp_path)), FakeRunner(), family="debian", running="6.1.0-18-amd64", container=True)
    assert status == reboot.RebootStatus(True, "/run/reboot-required exists", "")


def test_modules_tree_is_used_when_boot_holds_no_kernel(tmp_path):
    """Without images in /boot (separate, unmounted /boot), module trees that hold a kernel stand in."""
    for release in ("5.15.0-91-generic", "5.15.0-94-generic"):
        (tmp_path / "lib" / "modules" / release / "kernel").mkdir(parents=True)
    (tmp_path / "lib" / "modules" / "5.15.0-99-generic" / "updates" / "dkms").mkdir(parents=True)  # DKMS leftover, no kernel
    status = reboot.check(Root(str(tmp_path)), FakeRunner(), family="debian", running="5.15.0-91-generic", container=False)
    assert status == reboot.RebootStatus(True, "kernel 5.15.0-94-generic installed, 5.15.0-91-generic running", "5.15.0-94-generic")


def _rpm(version: str, release: str, name: str = "kernel-core", epoch: int = 0, arch: str = "x86_64") -> RpmKernel:
    return RpmKernel(name, epoch, version, release, arch)


def test_rpm_release_numbers_compare_numerically_when_string_order_disagrees():
    """362.24.1 is newer than 362.8.1 although "8" > "2" as text."""
    kernels = [_rpm("5.14.0", "362.8.1.el9_3"), _rpm("5.14.0", "362.24.1.el9_3")]
    assert rpm_newest(kernels, "5.14.0-362.24.1.el9_3.x86_64") == ("5.14.0-362.24.1.el9_3.x86_64", "")


def test_rpm_epoch_wins_over_version_when_it_is_higher():
    """A package with a higher epoch is newer whatever its version says."""
    kernels = [_rpm("6.9.3", "1.el9.elrepo", "kernel-ml-core"), _rpm("6.1.0", "1.el9.elrepo", "kernel-ml-core", epoch=1)]
    installed, reason = rpm_newest(kernels, "6.9.3-1.el9.elrepo.x86_64")
    assert (installed, reason) == ("6.1.0-1.el9.elrepo.x86_64", "kernel 6.1.0-1.el9.elrepo.x86_64 installed, 6.9.3-1.el9.elrepo.x86_64 running")


def test_rpm_debug_variant_is_compared_with_debug_kernels_only_when_running_one():
    """A +debug running kernel ignores newer plain kernels."""
    kernels = [_rpm("5.14.0", "362.24.1.el9_3", "kernel-debug-core"), _rpm("5.14.0", "362.24.1.el9_3"), _rpm("5.14.0", "427.13.1.el9_4")]
    assert rpm_newest(kernels, "5.14.0-362.24.1.el9_3.x86_64+debug") == ("5.14.0-362.24.1.el9_3.x86_64+debug", "")


def test_rpm_kernel_from_another_vendor_is_ignored_when_an_elrepo_kernel_runs():
    """A newer-looking stock kernel does not count against a running kernel-ml."""
    kernels = [_rpm("6.9.3", "1.el9.elrepo", "kernel-ml-core"), _rpm("5.14.0", "427.13.1.el9_4")]
    assert rpm_newest(kernels, "6.9.3-1.el9.elrepo.x86_64") == ("6.9.3-1.el9.elrepo.x86_64", "")


def test_rpm_comparison_gives_up_when_the_running_release_is_not_an_rpm_kernel():
    """A self-built kernel ("6.9.0-custom") is never reported as outdated."""
    assert rpm_newest([_rpm("5.14.0", "427.13.1.el9_4")], "6.9.0-custom") == ("", "")


def test_rpm_parse_skips_not_installed_lines_when_some_names_are_absent():
    """rpm -q prints "package X is not installed" for absent names; those lines are not kernels."""
    stdout = "package kernel-uek is not installed\nkernel-core\t(none)\t5.14.0\t362.8.1.el9_3\tx86_64\n"
    assert reboot.parse_rpm_kernels(stdout) == [_rpm("5.14.0", "362.8.1.el9_3")]
