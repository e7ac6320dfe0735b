"""System facts of the report: OS, kernel, reboot need, uptime, hardware and network, under their wire names.

`collect()` reads /proc, /sys and /etc below `root` and runs only the commands a distribution's reboot rule needs
(rpm and needs-restarting on RHEL-likes, zypper on SUSE); on Debian, Ubuntu, Alpine and Arch it runs none.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from . import hardware, host, network, os_release, reboot
from .command import CommandResult, Runner, default_runner
from .files import Root
from .kernel import read_uname
from .netlink import Address
from .network import AddressReader

__all__ = ["Address", "CommandResult", "Runner", "collect", "default_runner"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _guarded(section: str, compute: Callable[[], T], fallback: T) -> T:
    """Run one section; a failure costs that section only, as in the reference agent."""
    try:
        return compute()
    except Exception:  # a collector bug must not lose the whole report
        logger.warning("system section failed", extra={"section": section}, exc_info=True)
        return fallback


_NETWORK_FALLBACK: dict[str, Any] = {"ip": "", "gatewayIp": "", "dnsServers": [], "networkInterfaces": []}
_HARDWARE_FALLBACK: dict[str, Any] = {"cpuModel": "Unknown", "cpuCores": 0, "ramInstalled": 0.0, "swapSize": 0.0, "diskDetails": []}


def collect(root: str = "/", run: Runner = default_runner, *, read_addresses: AddressReader | None = None,
            statvfs: Callable[[str], Any] = os.statvfs, now: Callable[[], float] = time.time) -> dict[str, Any]:
    """Collect the report's system fields; installedKernelVersion, bootTime and rebootReason are left out when empty.

    `read_addresses` replaces the netlink dump of interface addresses (tests); with a `root` other than "/" and no
    reader, only the IPv6 addresses of <root>/proc/net/if_inet6 are known.
    """
    fs = Root(root)
    release = os_release.read(fs)
    uname = read_uname(fs)
    container = _guarded("container", lambda: host.in_container(fs), False)
    status = _guarded("reboot", lambda: reboot.check(fs, run, family=release.family, running=uname.release, container=container),
                      reboot.RebootStatus(False))
    uptime = _guarded("uptime", lambda: host.uptime_seconds(fs, container=container), None)
    net = _guarded("network", lambda: network.collect(fs, read_addresses), dict(_NETWORK_FALLBACK))
    hw = _guarded("hardware", lambda: hardware.collect(fs, statvfs), dict(_HARDWARE_FALLBACK))
    facts: dict[str, Any] = {
        "osType": release.os_type,
        "osVersion": release.os_version,
        "hostname": uname.hostname,
        "ip": net["ip"],
        "architecture": uname.machine,
        "kernelVersion": uname.release,
        "installedKernelVersion": status.installed_kernel,
        "selinuxStatus": _guarded("selinux", lambda: host.selinux_status(fs), "disabled"),
        "systemUptime": host.format_uptime(uptime),
        "bootTime": _guarded("boot time", lambda: host.boot_time(fs, container=container, uptime=uptime, now=now()), ""),
        "loadAverage": host.load_average(fs),
        **hw,
        "gatewayIp": net["gatewayIp"],
        "dnsServers": net["dnsServers"],
        "networkInterfaces": net["networkInterfaces"],
        "machineId": host.machine_id(fs, uname.hostname),
        "needsReboot": status.needed,
        "rebootReason": status.reason,
    }
    for optional in ("installedKernelVersion", "bootTime", "rebootReason"):
        if not facts[optional]:
            del facts[optional]
    return facts
