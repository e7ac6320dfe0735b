"""CPU, memory and mounted disks, in the reference agent's units (GiB floats, formatted disk sizes)."""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from .files import Root

GIB = 1024 ** 3
_OCTAL = re.compile(r"\\([0-7]{3})")
_SKIPPED_FSTYPES = frozenset({"tmpfs", "devtmpfs", "proc", "sysfs", "devpts", "squashfs"})
# Arm cores by "CPU part" (implementer 0x41) for kernels whose /proc/cpuinfo has no "model name".
_ARM_PARTS = {
    "0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57", "0xd08": "Cortex-A72",
    "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76", "0xd0c": "Neoverse-N1", "0xd0d": "Cortex-A77",
    "0xd40": "Neoverse-V1", "0xd41": "Cortex-A78", "0xd46": "Cortex-A510", "0xd47": "Cortex-A710", "0xd49": "Neoverse-N2",
    "0xd4f": "Neoverse-V2",
}

StatVfs = Callable[[str], Any]


def _cpuinfo_fields(text: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = [{}]
    for line in text.splitlines():
        if not line.strip():
            blocks.append({})
            continue
        key, sep, value = line.partition(":")
        if sep:
            blocks[-1].setdefault(key.strip().lower(), value.strip())
    return [block for block in blocks if block]


def cpu_model(cpuinfo: str) -> str:
    """The first processor's model name (x86 "model name", Arm part, ppc "cpu"), or "Unknown"."""
    blocks = _cpuinfo_fields(cpuinfo)
    for block in blocks:
        for key in ("model name", "cpu model", "cpu"):
            if block.get(key):
                return block[key]
    for block in blocks:
        if block.get("cpu implementer") == "0x41" and block.get("cpu part") in _ARM_PARTS:
            return _ARM_PARTS[block["cpu part"]]
    for block in blocks:
        for key in ("processor", "hardware", "model"):
            value = block.get(key, "")
            if value and not value.isdigit():
                return value
    return "Unknown"


def cpu_count(fs: Root, cpuinfo: str) -> int:
    """Logical CPUs: processor entries of /proc/cpuinfo, else the online range in sysfs, else os.cpu_count()."""
    count = sum(1 for line in cpuinfo.splitlines() if line.partition(":")[0].strip() == "processor")
    if count:
        return count
    online = fs.read_first_line("/sys/devices/system/cpu/online")
    for part in filter(None, online.split(",")):
        low, _, high = part.partition("-")
        try:
            count += int(high or low) - int(low) + 1
        except ValueError:
            return 0
    return count or ((os.cpu_count() or 0) if fs.is_live else 0)


def memory_gib(meminfo: str, key: str) -> float:
    """A /proc/meminfo total (in kB there) as GiB, unrounded; 0.0 when absent."""
    for line in meminfo.splitlines():
        name, _, value = line.partition(":")
        if name == key:
            try:
                return int(value.split()[0]) * 1024 / GIB
            except (IndexError, ValueError):
                return 0.0
    return 0.0


def _unescape(field: str) -> str:
    """Undo mountinfo's octal escapes (\\040 is a space)."""
    return _OCTAL.sub(lambda match: chr(int(match[1], 8)), field)


def block_filesystems(text: str) -> frozenset[str]:
    """Filesystem types of /proc/filesystems that need a device (the lines without "nodev")."""
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("nodev"))


def partitions(mountinfo: str, block_types: frozenset[str]) -> list[tuple[str, str, str]]:
    """(device, mountpoint, fstype) of device-backed mounts, as gopsutil's Partitions(all=false) lists them."""
    found = []
    for line in mountinfo.splitlines():
        head, sep, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not sep or len(fields) < 5 or len(rest) < 2:
            continue
        fstype, device = rest[0], _unescape(rest[1])
        if device == "none" or fstype not in block_types or fstype in _SKIPPED_FSTYPES:
            continue
        found.append((device, _unescape(fields[4]), fstype))
    return found


def disk_size(stat: Any) -> str:
    """Format statvfs numbers as the reference does: "<total>GB (<used>GB used, <free>GB free, <pct>% used)"."""
    total = stat.f_blocks * stat.f_frsize
    free = stat.f_bavail * stat.f_frsize
    used = (stat.f_blocks - stat.f_bfree) * stat.f_frsize
    percent = used / (used + free) * 100 if used + free else 0.0
    return f"{total / GIB:.2f}GB ({used / GIB:.2f}GB used, {free / GIB:.2f}GB free, {percent:.1f}% used)"


def disk_details(fs: Root, statvfs: StatVfs = os.statvfs) -> list[dict[str, str]]:
    """One {name, size, mountpoint} per device-backed mount; mounts whose statvfs fails are left out."""
    mountinfo = fs.read("/proc/1/mountinfo") or fs.read("/proc/self/mountinfo") or ""
    block_types = block_filesystems(fs.read("/proc/filesystems") or "")
    disks = []
    for device, mountpoint, _ in partitions(mountinfo, block_types):
        try:
            stat = statvfs(fs.path(mountpoint))
        except OSError:
            continue
        disks.append({"name": device, "size": disk_size(stat), "mountpoint": mountpoint})
    return disks


def collect(fs: Root, statvfs: StatVfs = os.statvfs) -> dict[str, Any]:
    """Return cpuModel, cpuCores, ramInstalled, swapSize and diskDetails."""
    cpuinfo = fs.read("/proc/cpuinfo") or ""
    meminfo = fs.read("/proc/meminfo") or ""
    return {
        "cpuModel": cpu_model(cpuinfo),
        "cpuCores": cpu_count(fs, cpuinfo),
        "ramInstalled": memory_gib(meminfo, "MemTotal"),
        "swapSize": memory_gib(meminfo, "SwapTotal"),
        "diskDetails": disk_details(fs, statvfs),
    }
