"""Host facts (uptime, SELinux, machine id, OS name) and hardware parsing."""
from __future__ import annotations

import pytest

from patchmon_agent.system import hardware, host, os_release
from patchmon_agent.system.files import Root
from tests.agent.system_fakes import case_root


@pytest.mark.parametrize(("seconds", "text"), [
    (273901.52, "3 days, 4 hours, 5 minutes"), (86400, "1 days, 0 hours, 0 minutes"), (3600, "1 hours, 0 minutes"),
    (59.9, "0 minutes"), (None, "Unknown"),
])
def test_uptime_text_follows_the_reference_format_when_formatted(seconds, text):
    """Plural units always, the largest unit first, days and hours dropped while zero."""
    assert host.format_uptime(seconds) == text


def _tree(tmp_path, files: dict[str, str]) -> Root:
    for path, text in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return Root(str(tmp_path))


@pytest.mark.parametrize(("files", "status"), [
    ({"sys/fs/selinux/enforce": "1"}, "enabled"),
    ({"sys/fs/selinux/enforce": "0", "etc/selinux/config": "SELINUX=enforcing\n"}, "permissive"),
    ({"etc/selinux/config": "# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n"}, "enabled"),
    ({"etc/selinux/config": "SELINUX=permissive\n"}, "permissive"),
    ({"etc/selinux/config": "SELINUX=disabled\n"}, "disabled"),
    ({"sys/fs/selinux/.keep": "", "etc/selinux/config": "SELINUX=enforcing\n"}, "disabled"),
    ({}, "disabled"),
])
def test_selinux_status_uses_the_live_mode_before_the_config_when_both_exist(tmp_path, files, status):
    """selinuxfs decides when mounted (enforcing reads "enabled", as the reference maps it); else SELINUX= of the config."""
    assert host.selinux_status(_tree(tmp_path, files)) == status


@pytest.mark.parametrize(("files", "expected"), [
    ({"sys/class/dmi/id/product_uuid": "4C4C4544-004A-3510-804C-B8C04F4B5A31\n", "etc/machine-id": "0" * 32}, "4c4c4544-004a-3510-804c-b8c04f4b5a31"),
    ({"etc/machine-id": "3d1219c7c4c5404aaa1f6d2a48adfda4\n"}, "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4"),
    ({"etc/machine-id": "short\n", "proc/sys/kernel/random/boot_id": "B1A2C3D4-0000-4000-8000-000000000001\n"},
     "b1a2c3d4-0000-4000-8000-000000000001"),
    ({}, "host-1"),
])
def test_machine_id_follows_the_reference_order_when_sources_are_missing(tmp_path, files, expected):
    """DMI product UUID, then /etc/machine-id as a UUID, then the boot id, then the host name."""
    assert host.machine_id(_tree(tmp_path, files), "host-1") == expected


def test_container_is_detected_when_pid_1_runs_in_a_docker_cgroup(tmp_path):
    """A docker cgroup path of PID 1 marks a container even without /.dockerenv."""
    assert host.in_container(_tree(tmp_path, {"proc/1/cgroup": "0::/system.slice/docker-0123abcd.scope\n"})) is True
    assert host.in_container(_tree(tmp_path / "vm", {"proc/1/cgroup": "0::/init.scope\n"})) is False


@pytest.mark.parametrize(("text", "name", "version", "family"), [
    ('NAME="Linux Mint"\nVERSION="21.3 (Virginia)"\nID=linuxmint\nID_LIKE="ubuntu debian"\n', "Linux Mint", "21.3 (Virginia)", "debian"),
    ('NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\n', "AlmaLinux", "9.4 (Seafoam Ocelot)", "rhel"),
    ('NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\n', "Amazon Linux", "2023", "rhel"),
    ('NAME="SLES"\nVERSION="15-SP6"\nID="sles"\nID_LIKE="suse"\n', "SLES", "15-SP6", "suse"),
    ('NAME="openSUSE Tumbleweed"\n# VERSION="20240320"\nID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\nVERSION_ID="20240320"\n',
     "openSUSE Tumbleweed", "20240320", "suse"),
    ('NAME="Manjaro Linux"\nID=manjaro\nID_LIKE=arch\nBUILD_ID=rolling\n', "Manjaro Linux", "rolling", "arch"),
    ('NAME=NixOS\nID=nixos\nVERSION="24.05 (Uakari)"\n', "NixOS", "24.05 (Uakari)", "unknown"),
])
def test_os_release_gives_name_version_and_family_when_parsed(text, name, version, family):
    """NAME and VERSION are reported as written; ID, then ID_LIKE, pick the reboot rules."""
    release = os_release.parse(text)
    assert (release.os_type, release.os_version, release.family) == (name, version, family)


def test_os_release_falls_back_to_usr_lib_when_etc_has_none(tmp_path):
    """/usr/lib/os-release is read when /etc/os-release is missing."""
    assert os_release.read(_tree(tmp_path, {"usr/lib/os-release": 'NAME="Debian GNU/Linux"\n'})).os_type == "Debian GNU/Linux"


def test_cpu_model_decodes_the_arm_part_when_cpuinfo_has_no_model_name():
    """A Raspberry Pi 4's cpuinfo names no model; CPU part 0xd08 is a Cortex-A72."""
    cpuinfo = Root(case_root("alpine-3.20")).read("/proc/cpuinfo") or ""
    assert (hardware.cpu_model(cpuinfo), hardware.cpu_count(Root(case_root("alpine-3.20")), cpuinfo)) == ("Cortex-A72", 4)


def test_cpu_count_reads_the_online_range_when_cpuinfo_lists_no_processor(tmp_path):
    """s390x-style cpuinfo without "processor" lines falls back to /sys/devices/system/cpu/online."""
    assert hardware.cpu_count(_tree(tmp_path, {"sys/devices/system/cpu/online": "0-3,6,8-9\n"}), "vendor_id : IBM/S390\n") == 7


def test_btrfs_subvolumes_are_each_listed_when_mounted_from_one_device():
    """Like gopsutil, every mount of a device is a row (Fedora's / and /home on one btrfs)."""
    fs = Root(case_root("fedora-40"))
    rows = hardware.partitions(fs.read("/proc/self/mountinfo") or "", hardware.block_filesystems(fs.read("/proc/filesystems") or ""))
    assert rows == [("/dev/nvme0n1p3", "/", "btrfs"), ("/dev/nvme0n1p3", "/home", "btrfs")]


def test_disk_size_reports_zero_percent_when_the_filesystem_is_empty():
    """A filesystem with no blocks formats without dividing by zero."""
    class Empty:
        f_frsize = f_blocks = f_bfree = f_bavail = 0
    assert hardware.disk_size(Empty()) == "0.00GB (0.00GB used, 0.00GB free, 0.0% used)"
