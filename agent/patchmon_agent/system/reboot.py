"""Whether the host needs a reboot, per distribution family, and the newest installed kernel.

Each rule answers only from a signal the distribution itself maintains (a flag file, needs-restarting, zypper) or
from a kernel comparison that cannot mistake a sibling flavour, a meta-package or an older kernel for a newer one.
Inside a container the kernel belongs to the host, so no kernel comparison is made there.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .command import CommandResult, Runner
from .files import Root
from .kernel import installed_releases, is_newer, module_tree_exists, newest_same_flavour, parse_rpm_release, split_release
from .version import evr_cmp, vercmp

COMMAND_TIMEOUT = 60.0
DEBIAN_FLAGS = ("/run/reboot-required", "/var/run/reboot-required")
SUSE_FLAGS = ("/run/reboot-needed", "/var/run/reboot-needed")
RPM_KERNEL_PACKAGES = ("kernel", "kernel-core", "kernel-debug-core", "kernel-64k-core", "kernel-rt-core", "kernel-uek",
                       "kernel-uek-core", "kernel-lt", "kernel-lt-core", "kernel-ml", "kernel-ml-core")
_RPM_QUERY = ["rpm", "-q", "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n", *RPM_KERNEL_PACKAGES]
_RPM_VARIANT_GROUPS = frozenset({"kernel-debug", "kernel-64k", "kernel-rt"})
ZYPPER_REBOOT_NEEDED = 102


@dataclass(frozen=True)
class RebootStatus:
    needed: bool
    reason: str = ""
    installed_kernel: str = ""


def kernel_reason(installed: str, running: str) -> str:
    """The human-readable reason for a pending kernel."""
    return f"kernel {installed} installed, {running} running"


def _status(installed: str, *reasons: str) -> RebootStatus:
    kept = [reason for reason in reasons if reason]
    return RebootStatus(bool(kept), "; ".join(kept), installed)


def _flag_file(fs: Root, paths: Sequence[str]) -> str:
    return next((path for path in paths if fs.exists(path)), "")


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(name for name in names if name))


def _filesystem_kernel(fs: Root, running: str, container: bool) -> tuple[str, str]:
    """(newest installed kernel of the running flavour, reason when it is newer than the running one)."""
    if container or not running:
        return "", ""
    installed = newest_same_flavour(running, installed_releases(fs))
    return installed, kernel_reason(installed, running) if installed and is_newer(installed, running) else ""


def debian(fs: Root, run: Runner, running: str, container: bool) -> RebootStatus:
    """Debian/Ubuntu: /var/run/reboot-required (reason from its .pkgs), or a newer kernel of the same flavour in /boot."""
    installed, pending_kernel = _filesystem_kernel(fs, running, container)
    flag = _flag_file(fs, DEBIAN_FLAGS)
    flag_reason = ""
    if flag:
        packages = _unique([line.strip() for line in (fs.read(flag + ".pkgs") or "").splitlines()])
        flag_reason = f"packages: {', '.join(packages)}" if packages else f"{flag} exists"
    return _status(installed, pending_kernel, flag_reason)


class RpmKernel(NamedTuple):
    name: str
    epoch: int
    version: str
    release: str
    arch: str

    @property
    def group(self) -> str:
        """kernel-core and kernel are one kernel; kernel-debug-core is another."""
        return self.name[:-len("-core")] if self.name.endswith("-core") else self.name

    @property
    def evr(self) -> tuple[int, str, str]:
        return self.epoch, self.version, self.release


def parse_rpm_kernels(stdout: str) -> list[RpmKernel]:
    """Parse the tab-separated rpm query; "package X is not installed" lines are skipped."""
    kernels = []
    for line in stdout.splitlines():
        fields = line.split("\t")
        if len(fields) == 5:
            epoch = fields[1].strip()
            kernels.append(RpmKernel(fields[0], int(epoch) if epoch.isdigit() else 0, fields[2], fields[3], fields[4]))
    return kernels


def _rpm_group(matches: list[RpmKernel], variant: str) -> str:
    groups = {kernel.group for kernel in matches}
    wanted = f"kernel-{variant}" if variant else "kernel"
    if wanted in groups or not groups:
        return wanted
    plain = sorted(groups - _RPM_VARIANT_GROUPS)
    return plain[0] if plain and not variant else sorted(groups)[0]


def rpm_newest(kernels: list[RpmKernel], running: str) -> tuple[str, str]:
    """(newest installed kernel of the running kernel's package, reason when it is newer), by RPM version order."""
    parsed = parse_rpm_release(running)
    if parsed is None:
        return "", ""
    matches = [k for k in kernels if f"{k.version}-{k.release}.{k.arch}" == parsed.base]
    group = _rpm_group(matches, parsed.variant)
    candidates = [k for k in kernels if k.group == group and k.arch == parsed.arch]
    if not candidates:
        return "", ""
    running_evr = next((k.evr for k in matches if k.group == group), (0, parsed.version, parsed.release))
    newest = max(candidates, key=functools.cmp_to_key(lambda a, b: evr_cmp(a.evr, b.evr)))
    installed = f"{newest.version}-{newest.release}.{newest.arch}" + (f"+{parsed.variant}" if parsed.variant else "")
    return installed, kernel_reason(installed, running) if evr_cmp(newest.evr, running_evr) > 0 else ""


def _needs_restarting(result: CommandResult) -> tuple[bool | None, str]:
    """needs-restarting -r: exit 0 means no reboot, exit 1 with its message means reboot; anything else is unknown."""
    if result.returncode == 0:
        return False, ""
    if result.returncode == 1 and "reboot is required" in result.stdout.lower():
        packages = _unique([line.strip()[1:].strip() for line in result.stdout.splitlines() if line.strip().startswith("*")])
        return True, f"packages: {', '.join(packages)}" if packages else "needs-restarting -r reports a reboot is required"
    return None, ""


def rhel(fs: Root, run: Runner, running: str, container: bool) -> RebootStatus:
    """RHEL/Rocky/Alma/Fedora/Amazon: needs-restarting -r when it answers, else the newest rpm kernel vs the running one."""
    installed = pending_kernel = ""
    if not container:
        installed, pending_kernel = rpm_newest(parse_rpm_kernels(run(_RPM_QUERY, COMMAND_TIMEOUT).stdout), running)
    verdict, reason = _needs_restarting(run(["needs-restarting", "-r"], COMMAND_TIMEOUT))
    if verdict is False:
        return RebootStatus(False, "", installed)
    if verdict:
        return _status(installed, pending_kernel, reason)
    return _status(installed, pending_kernel)


def suse(fs: Root, run: Runner, running: str, container: bool) -> RebootStatus:
    """openSUSE/SLES: /run/reboot-needed, else `zypper needs-rebooting`, else a newer kernel of the same flavour."""
    installed, pending_kernel = _filesystem_kernel(fs, running, container)
    flag = _flag_file(fs, SUSE_FLAGS)
    if flag:
        return _status(installed, pending_kernel, f"{flag} exists")
    result = run(["zypper", "--non-interactive", "needs-rebooting"], COMMAND_TIMEOUT)
    if result.returncode == 0:
        return RebootStatus(False, "", installed)
    if result.returncode == ZYPPER_REBOOT_NEEDED:
        return _status(installed, pending_kernel, "zypper needs-rebooting reports a reboot is required")
    return _status(installed, pending_kernel)


def apk_version(fs: Root, package: str) -> str:
    """The installed version of an Alpine package from /lib/apk/db/installed ("" when absent)."""
    name = ""
    for line in (fs.read("/lib/apk/db/installed") or "").splitlines():
        if not line.strip():
            name = ""
        elif line.startswith("P:"):
            name = line[2:].strip()
        elif line.startswith("V:") and name == package:
            return line[2:].strip()
    return ""


def _package_kernel(fs: Root, running: str, installed: str, package_version: str, running_version: str) -> RebootStatus:
    """Alpine and Arch keep one kernel per package: newer package, or the running kernel's modules removed."""
    order = vercmp(package_version, running_version)
    gone = not module_tree_exists(fs, running)
    if order > 0 or (gone and order != 0):
        suffix = " (the running kernel's modules are gone)" if gone else ""
        return RebootStatus(True, kernel_reason(installed, running) + suffix, installed)
    return RebootStatus(False, "", installed)


def alpine(fs: Root, run: Runner, running: str, container: bool) -> RebootStatus:
    """Alpine: the running kernel vs the installed linux-<flavour> package (6.6.22-0-lts vs linux-lts 6.6.23-r0)."""
    version, flavour = split_release(running)
    package_version = "" if container or not flavour else apk_version(fs, f"linux-{flavour}")
    if not package_version:
        return RebootStatus(False)
    release_version = re.sub(r"-r(\d+)$", r"-\1", package_version)
    return _package_kernel(fs, running, f"{release_version}-{flavour}", release_version, version)


def _without_flavour(release: str) -> str:
    """Drop the trailing all-letter tokens: "6.8.2-zen1-1-zen" -> "6.8.2-zen1-1", "6.6.23-1-lts" -> "6.6.23-1"."""
    tokens = release.split("-")
    while len(tokens) > 1 and tokens[-1].isalpha():
        tokens.pop()
    return "-".join(tokens)


def _arch_trees(fs: Root) -> dict[str, str]:
    """Module trees of /usr/lib/modules and the package (pkgbase) that installed each."""
    trees = {name: fs.read_first_line(f"/usr/lib/modules/{name}/pkgbase") for name in fs.listdir("/usr/lib/modules")}
    return {name: base for name, base in trees.items() if base}


def _arch_pkgbase(release: str, trees: dict[str, str]) -> str:
    """The running kernel's package: from its tree, else from a tree of the same flavour and series, else its suffix."""
    if release in trees:
        return trees[release]
    flavour = release[len(_without_flavour(release)):]
    series = ".".join(release.split(".")[:2]) + "."
    siblings = sorted((not name.startswith(series), name) for name in trees if name[len(_without_flavour(name)):] == flavour)
    if siblings:
        return trees[siblings[0][1]]
    return "linux" + flavour


def _pacman_version(fs: Root, package: str) -> str:
    prefix = package + "-"
    versions = [entry[len(prefix):] for entry in fs.listdir("/var/lib/pacman/local")
                if entry.startswith(prefix) and entry[len(prefix):][:1].isdigit()]
    return max(versions, key=functools.cmp_to_key(vercmp)) if versions else ""


def arch(fs: Root, run: Runner, running: str, container: bool) -> RebootStatus:
    """Arch: the running kernel vs its package (linux 6.8.2.arch1-1 vs 6.8.2-arch1-1); a missing modules tree means replaced."""
    trees = _arch_trees(fs)
    pkgbase = _arch_pkgbase(running, trees)
    package_version = "" if container or not running else _pacman_version(fs, pkgbase)
    if not package_version:
        return RebootStatus(False)
    own = [name for name, base in trees.items() if base == pkgbase]
    installed = max(own, key=functools.cmp_to_key(vercmp)) if own else package_version
    return _package_kernel(fs, running, installed, package_version, _without_flavour(running))


def generic(fs: Root, run: Runner, running: str, container: bool) -> RebootStatus:
    """Unknown distributions: only the Debian or SUSE flag files, which are explicit."""
    installed, _ = _filesystem_kernel(fs, running, container)
    flag = _flag_file(fs, DEBIAN_FLAGS + SUSE_FLAGS)
    return _status(installed, f"{flag} exists" if flag else "")


RULES: dict[str, Callable[[Root, Runner, str, bool], RebootStatus]] = {
    "debian": debian, "rhel": rhel, "suse": suse, "alpine": alpine, "arch": arch,
}


def check(fs: Root, run: Runner, *, family: str, running: str, container: bool) -> RebootStatus:
    """Apply the family's rule to the running kernel release."""
    return RULES.get(family, generic)(fs, run, running, container)
