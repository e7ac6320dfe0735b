"""The running kernel (uname) and the kernels installed on disk, split into version and flavour for comparison."""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .files import Root
from .version import vercmp

_RPM_ARCHES = ("x86_64", "aarch64", "ppc64le", "ppc64", "s390x", "i686", "i586", "armv7hl", "riscv64", "loongarch64", "noarch")
_RPM_RELEASE = re.compile(r"^(?P<version>[^-]+)-(?P<release>.+)\.(?P<arch>" + "|".join(_RPM_ARCHES) + r")(?:\+(?P<variant>[\w-]+))?$")
_BOOT_IMAGES = ("vmlinuz-", "vmlinux-", "Image-", "zImage-")
_MODULE_DIRS = ("/lib/modules", "/usr/lib/modules")


@dataclass(frozen=True)
class Uname:
    release: str
    machine: str
    hostname: str


def read_uname(fs: Root) -> Uname:
    """Read the kernel release, machine and host name from /proc/sys/kernel (os.uname() fills gaps on a live host)."""
    live = os.uname() if fs.is_live else None
    release = fs.read_first_line("/proc/sys/kernel/osrelease") or (live.release if live else "")
    machine = fs.read_first_line("/proc/sys/kernel/arch") or (live.machine if live else "") or "arch_unknown"
    hostname = fs.read_first_line("/proc/sys/kernel/hostname") or (live.nodename if live else "")
    return Uname(release=release, machine=machine, hostname=hostname)


def _has_letter(token: str) -> bool:
    return any(c.isalpha() for c in token)


def split_release(release: str) -> tuple[str, str]:
    """Split a Debian/SUSE/Alpine-style release into (version, flavour).

    "6.1.0-18-cloud-amd64" -> ("6.1.0-18", "cloud-amd64"); "6.12.62+rpt-rpi-2712" -> ("6.12.62+rpt", "rpi-2712");
    "6.8.0-88-generic" -> ("6.8.0-88", "generic"). The flavour is compared whole, so rpi-v7 and rpi-v8 never mix.
    """
    tokens = release.split("-")
    version = [tokens[0]]
    for index, token in enumerate(tokens[1:], start=1):
        is_last = index == len(tokens) - 1
        if not any(c.isdigit() for c in token) or (is_last and _has_letter(token)):
            return "-".join(version), "-".join(tokens[index:])
        version.append(token)
    return "-".join(version), ""


@dataclass(frozen=True)
class RpmRelease:
    version: str
    release: str
    arch: str
    variant: str

    @property
    def base(self) -> str:
        """VERSION-RELEASE.ARCH, the release without the +variant suffix."""
        return f"{self.version}-{self.release}.{self.arch}"


def parse_rpm_release(release: str) -> RpmRelease | None:
    """Parse an RPM kernel release such as "5.14.0-362.24.1.el9_3.x86_64" or "...aarch64+64k"."""
    match = _RPM_RELEASE.match(release)
    if not match:
        return None
    return RpmRelease(match["version"], match["release"], match["arch"], match["variant"] or "")


def installed_releases(fs: Root) -> list[str]:
    """Kernel releases installed on disk: boot images in /boot, else module trees that hold a kernel.

    /boot is preferred because a module tree can outlive its kernel (DKMS leftovers, a modules package kept).
    """
    boot = {name[len(prefix):] for name in fs.listdir("/boot") for prefix in _BOOT_IMAGES
            if name.startswith(prefix) and name[len(prefix):][:1].isdigit() and "rescue" not in name}
    if boot:
        return sorted(boot)
    found = set()
    for base in _MODULE_DIRS:
        for name in fs.listdir(base):
            tree = f"{base}/{name}"
            if fs.isdir(f"{tree}/kernel") or fs.exists(f"{tree}/vmlinuz") or fs.exists(f"{tree}/Image"):
                found.add(name)
    return sorted(found)


def newest_same_flavour(running: str, releases: Iterable[str]) -> str:
    """Return the newest release of the running kernel's flavour ("" when none is installed)."""
    _, flavour = split_release(running)
    newest = ""
    for release in releases:
        version, candidate_flavour = split_release(release)
        if candidate_flavour != flavour:
            continue
        if not newest or vercmp(version, split_release(newest)[0]) > 0:
            newest = release
    return newest


def is_newer(installed: str, running: str) -> bool:
    """Tell whether `installed` is a strictly newer version than `running` (same flavour assumed)."""
    return vercmp(split_release(installed)[0], split_release(running)[0]) > 0


def module_tree_exists(fs: Root, release: str) -> bool:
    """Tell whether /lib/modules/<release> (or /usr/lib/modules/<release>) is still there."""
    return any(fs.isdir(f"{base}/{release}") for base in _MODULE_DIRS)
