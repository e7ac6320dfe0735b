"""collect() on full fixture trees of each distribution, and once on this machine."""
from __future__ import annotations

import json
import os
import pathlib
import socket

import pytest

from patchmon_agent.protocol import interfaces_hash
from patchmon_agent.system import collect
from tests.agent.system_fakes import CASES, FakeRunner, case_root

ALWAYS = {"osType", "osVersion", "hostname", "ip", "architecture", "kernelVersion", "selinuxStatus", "systemUptime", "loadAverage",
          "cpuModel", "cpuCores", "ramInstalled", "swapSize", "diskDetails", "gatewayIp", "dnsServers", "networkInterfaces", "machineId",
          "needsReboot"}
OPTIONAL = {"installedKernelVersion", "bootTime", "rebootReason"}

# case: osType, osVersion, hostname, architecture, kernelVersion, selinuxStatus, cpuModel
DISTROS = {
    "debian-12": ("Debian GNU/Linux", "12 (bookworm)", "web-01", "x86_64", "6.1.0-18-amd64", "disabled",
                  "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
    "debian-13": ("Debian GNU/Linux", "13 (trixie)", "trixie-01", "x86_64", "6.12.90+deb13.1-amd64", "disabled",
                  "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
    "ubuntu-22.04": ("Ubuntu", "22.04.4 LTS (Jammy Jellyfish)", "jammy-01", "x86_64", "5.15.0-91-generic", "disabled",
                     "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
    "ubuntu-24.04": ("Ubuntu", "24.04.1 LTS (Noble Numbat)", "noble-01", "x86_64", "6.8.0-100-generic", "disabled",
                     "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
    "rocky-9": ("Rocky Linux", "9.3 (Blue Onyx)", "rocky-01", "x86_64", "5.14.0-362.24.1.el9_3.x86_64", "enabled",
                "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
    "fedora-40": ("Fedora Linux", "40 (Server Edition)", "fedora-01", "x86_64", "6.8.5-301.fc40.x86_64", "permissive",
                  "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
    "alpine-3.20": ("Alpine Linux", "3.20.3", "alpine-01", "aarch64", "6.6.31-0-rpi", "disabled", "Cortex-A72"),
    "arch": ("Arch Linux", "rolling", "arch-01", "x86_64", "6.6.23-1-lts", "disabled", "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
    "opensuse-leap-15.6": ("openSUSE Leap", "15.6", "leap-01", "x86_64", "6.4.0-150600.23.25-default", "disabled",
                           "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"),
}
FIELDS = ("osType", "osVersion", "hostname", "architecture", "kernelVersion", "selinuxStatus", "cpuModel")


class FakeStat:
    f_frsize, f_blocks, f_bfree, f_bavail = 4096, 26214400, 13107200, 11796480  # 100 GiB, 50 used, 45 free


def _collect(case: str) -> dict:
    return collect(case_root(case), FakeRunner(case), read_addresses=list, statvfs=lambda path: FakeStat(), now=lambda: 1714300000.0)


@pytest.mark.parametrize("case", sorted(DISTROS))
def test_identity_and_hardware_match_the_tree_when_collected(case):
    """OS, host, kernel, SELinux and CPU facts come from the tree's files."""
    facts = _collect(case)
    assert tuple(facts[key] for key in FIELDS) == DISTROS[case]


@pytest.mark.parametrize("case", sorted(DISTROS))
def test_keys_and_types_follow_the_wire_contract_when_collected(case):
    """Every always-present key is there with its wire type, and nothing outside the contract is."""
    # When
    facts = _collect(case)
    # Then
    assert ALWAYS <= set(facts) <= ALWAYS | OPTIONAL
    assert all(isinstance(facts[k], str) for k in ALWAYS - {"loadAverage", "cpuCores", "ramInstalled", "swapSize", "diskDetails",
                                                            "dnsServers", "networkInterfaces", "needsReboot"})
    assert isinstance(facts["cpuCores"], int) and isinstance(facts["needsReboot"], bool)
    assert isinstance(facts["ramInstalled"], float) and isinstance(facts["swapSize"], float)
    assert len(facts["loadAverage"]) == 3 and all(isinstance(v, float) for v in facts["loadAverage"])
    assert json.loads(json.dumps(facts)) == facts


def test_common_values_are_reported_in_reference_units_when_collected():
    """Uptime is text, boot time RFC 3339 UTC, memory GiB floats, the machine id a UUID, load the three averages."""
    facts = _collect("debian-12")
    assert facts["systemUptime"] == "3 days, 4 hours, 5 minutes"
    assert facts["bootTime"] == "2024-04-25T08:00:00Z"
    assert facts["loadAverage"] == [0.42, 0.31, 0.27]
    assert facts["cpuCores"] == 4
    assert facts["ramInstalled"] == pytest.approx(8048184 / 1024 / 1024)
    assert facts["swapSize"] == pytest.approx(2097148 / 1024 / 1024)
    assert facts["machineId"] == "4c4c4544-004a-3510-804c-b8c04f4b5a31"


def test_disks_follow_gopsutil_partitions_when_mounts_are_mixed():
    """Device-backed mounts are listed (escaped names decoded); tmpfs, overlay, squashfs, NFS and pseudo filesystems are not."""
    facts = _collect("debian-12")
    assert facts["diskDetails"] == [
        {"name": "/dev/sda1", "size": "100.00GB (50.00GB used, 45.00GB free, 52.6% used)", "mountpoint": "/"},
        {"name": "/dev/sda2", "size": "100.00GB (50.00GB used, 45.00GB free, 52.6% used)", "mountpoint": "/boot/efi"},
        {"name": "/dev/sdb1", "size": "100.00GB (50.00GB used, 45.00GB free, 52.6% used)", "mountpoint": "/srv/data files"},
    ]


def test_container_uptime_counts_from_pid_1_when_in_a_container():
    """In a container, uptime and boot time are the container's: /proc/uptime minus PID 1's start."""
    facts = _collect("debian-12-container")
    # 273901.52 s of host uptime, PID 1 started at 27,000,000 ticks (270,000 s): 3901 s
    assert facts["systemUptime"] == "1 hours, 5 minutes"
    assert facts["bootTime"] == "2024-04-28T09:21:38Z"  # 1714300000 - 3901.52, whole seconds


def test_missing_files_give_reference_defaults_when_the_tree_is_empty(tmp_path):
    """An empty tree yields Unknown/zero values, never an exception."""
    facts = collect(str(tmp_path), FakeRunner(), read_addresses=list)
    assert (facts["osType"], facts["osVersion"], facts["systemUptime"], facts["loadAverage"]) == ("Unknown", "Unknown", "Unknown", [0.0] * 3)
    assert (facts["cpuModel"], facts["cpuCores"], facts["diskDetails"], facts["networkInterfaces"]) == ("Unknown", 0, [], [])
    assert facts["needsReboot"] is False and "bootTime" not in facts


def test_this_machine_reports_sane_values_when_collected_live():
    """collect() on the machine running the tests reports its real host name, CPUs, memory and interfaces."""
    # When
    facts = collect()
    # Then
    assert facts["hostname"] == socket.gethostname()
    assert facts["kernelVersion"] == os.uname().release and facts["architecture"] == os.uname().machine
    assert facts["cpuCores"] >= 1 and facts["ramInstalled"] > 0
    assert len(facts["networkInterfaces"]) >= 1
    assert facts["osType"] != "Unknown" and facts["machineId"]
    assert len(interfaces_hash(facts["networkInterfaces"])) == 64


def test_every_fixture_tree_is_used_when_the_tests_are_read():
    """Each directory under fixtures/system is referenced by some test_system_*.py file."""
    sources = "".join(path.read_text(encoding="utf-8") for path in pathlib.Path(__file__).parent.glob("test_system_*.py"))
    unused = [entry.name for entry in CASES.iterdir() if entry.is_dir() and f'"{entry.name}' not in sources]
    assert unused == []
