"""Host facts that are neither hardware nor network: container, uptime, boot time, load, SELinux, machine id."""
from __future__ import annotations

import datetime as dt
import os

from .files import Root

_CGROUP_MARKERS = ("/docker/", "/docker-", "/lxc/", "/lxc-", "/kubepods", "/libpod-")
_CLOCK_TICKS = 100  # USER_HZ; the live host's value is read with os.sysconf


def in_container(fs: Root) -> bool:
    """Tell whether this tree runs inside a container (the kernel then belongs to the host)."""
    if fs.exists("/.dockerenv") or fs.exists("/run/.containerenv") or fs.read_first_line("/run/systemd/container"):
        return True
    environ = fs.read("/proc/1/environ") or ""
    if any(item.startswith("container=") for item in environ.split("\0")):
        return True
    cgroup = fs.read("/proc/1/cgroup") or ""
    return any(marker in cgroup for marker in _CGROUP_MARKERS) or _lxcfs_mounted(fs)


def _lxcfs_mounted(fs: Root) -> bool:
    for line in (fs.read("/proc/self/mountinfo") or "").splitlines():
        fields = line.split(" - ", 1)
        parts = fields[0].split()
        if len(fields) == 2 and len(parts) > 4 and fields[1].startswith("fuse.lxcfs") and parts[4].startswith(("/proc/", "/sys/")):
            return True
    return False


def uptime_seconds(fs: Root, *, container: bool) -> float | None:
    """Seconds since boot; in a container without lxcfs, since the container's PID 1 started."""
    text = fs.read("/proc/uptime")
    try:
        uptime = float(text.split()[0]) if text else None
    except (ValueError, IndexError):
        uptime = None
    if uptime is None or not container or _lxcfs_mounted(fs):
        return uptime
    stat = fs.read("/proc/1/stat") or ""
    try:
        # Fields after the parenthesised command name: state is field 3, starttime field 22.
        started_ticks = int(stat.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return uptime
    ticks = os.sysconf("SC_CLK_TCK") if fs.is_live else _CLOCK_TICKS
    return max(uptime - started_ticks / ticks, 0.0)


def format_uptime(seconds: float | None) -> str:
    """Render uptime as the reference does: "3 days, 4 hours, 5 minutes", "4 hours, 5 minutes" or "5 minutes"."""
    if seconds is None:
        return "Unknown"
    total_minutes = int(seconds) // 60
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} days, {hours} hours, {minutes} minutes"
    if hours:
        return f"{hours} hours, {minutes} minutes"
    return f"{minutes} minutes"


def boot_time(fs: Root, *, container: bool, uptime: float | None, now: float) -> str:
    """Boot time as UTC RFC 3339 with whole seconds: the kernel's btime, or now minus uptime in a container."""
    seconds: float | None = None
    if container:
        seconds = now - uptime if uptime is not None else None
    else:
        for line in (fs.read("/proc/stat") or "").splitlines():
            if line.startswith("btime "):
                seconds = float(line.split()[1])
                break
    if seconds is None:
        return ""
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_average(fs: Root) -> list[float]:
    """The 1, 5 and 15 minute load averages, [0, 0, 0] when unreadable."""
    try:
        return [float(value) for value in (fs.read("/proc/loadavg") or "").split()[:3]] or [0.0, 0.0, 0.0]
    except ValueError:
        return [0.0, 0.0, 0.0]


_SELINUX_MODES = {"enforcing": "enabled", "1": "enabled", "permissive": "permissive", "0": "permissive"}


def selinux_status(fs: Root) -> str:
    """enabled, permissive or disabled: the live mode from selinuxfs, else SELINUX= of /etc/selinux/config."""
    enforce = fs.read_first_line("/sys/fs/selinux/enforce")
    if enforce:
        return _SELINUX_MODES.get(enforce, enforce.lower())
    if fs.isdir("/sys/fs/selinux"):
        return "disabled"  # the mount point exists but selinuxfs is not mounted: SELinux is off until a reboot
    for line in (fs.read("/etc/selinux/config") or "").splitlines():
        key, _, value = line.strip().partition("=")
        if key.strip() == "SELINUX" and value.strip():
            mode = value.strip().strip("\"'").lower()
            return _SELINUX_MODES.get(mode, mode)
    return "disabled"


def machine_id(fs: Root, hostname: str) -> str:
    """The reference agent's host id: DMI product UUID, else /etc/machine-id as a UUID, else boot id, else host name."""
    product_uuid = fs.read_first_line("/sys/class/dmi/id/product_uuid").lower()
    if product_uuid:
        return product_uuid
    raw = fs.read_first_line("/etc/machine-id")
    if len(raw) == 32:
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
    return fs.read_first_line("/proc/sys/kernel/random/boot_id").lower() or hostname
