"""The host's package inventory, from whichever package manager it has.

    result = packages.collect()          # PackageResult(manager, packages, held, errors)

`packages` holds wire-format records (reference-server.md §2.1) and is empty when the inventory could
not be taken, so that a failure is never reported as "fully patched"; `errors` lists every problem met.
How each manager classifies security updates, holds and phased updates is told in its own module.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable

from patchmon_agent.collectors import apk, apt, dnf, pacman, zypper
from patchmon_agent.collectors.common import (
    NETWORK_TIMEOUT,
    CommandResult,
    PackageResult,
    Runner,
    default_runner,
    failure,
)

__all__ = ["CommandResult", "PackageResult", "Runner", "collect", "default_runner", "detect_manager", "refresh_cache"]

# Checked in this order. apk and apt first, as the reference does; zypper before dnf, since openSUSE
# can install dnf beside its own manager, which stays the one that knows the patches.
_MANAGERS = (
    ("apk", ("apk",)),
    ("apt", ("apt-get", "dpkg-query")),
    ("zypper", ("zypper", "rpm")),
    ("dnf", ("dnf", "rpm")),
    ("yum", ("yum", "rpm")),
    ("pacman", ("pacman",)),
)

_REFRESH = {
    "apt": ["apt-get", "update", "-qq"],
    "dnf": ["dnf", "makecache"],
    "yum": ["yum", "makecache"],
    "zypper": ["zypper", "--non-interactive", "refresh"],
    "apk": ["apk", "update", "-q"],
    "pacman": None,  # `pacman -Sy` alone invites partial upgrades; checkupdates syncs a private copy instead
}


def detect_manager(which: Callable[[str], str | None] = shutil.which) -> str | None:
    """Name the host's package manager ("apt", "dnf", "yum", "apk", "pacman", "zypper"), or None."""
    for manager, commands in _MANAGERS:
        if all(which(command) for command in commands):
            return manager
    return None


def collect(run: Runner = default_runner, *, manager: str | None = None, root: str = "/") -> PackageResult:
    """Collect installed packages, available updates, security flags and holds of this host."""
    manager = manager or detect_manager()
    if manager == "apt":
        return apt.collect(run)
    if manager in ("dnf", "yum"):
        return dnf.collect(run, tool=manager)
    if manager == "zypper":
        return zypper.collect(run)
    if manager == "apk":
        return apk.collect(run, root=root)
    if manager == "pacman":
        return pacman.collect(run, root=root)
    return PackageResult(manager=manager or "unknown", errors=["unsupported package manager: none of apt, dnf, yum, zypper, apk, pacman found"])


def refresh_cache(manager: str, run: Runner = default_runner) -> str | None:
    """Refresh the package manager's repository metadata; return what went wrong, if anything."""
    argv = _REFRESH.get(manager)
    if argv is None:
        return None
    answer = run(argv, NETWORK_TIMEOUT)
    return failure(argv, answer) if answer.returncode != 0 else None
