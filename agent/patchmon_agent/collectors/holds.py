"""What the host's own package manager holds back, for the report's `heldPackages` (our extension of /hosts/update).

    held = holds.collect()      # ["kubelet", "nginx"], or None when the tool that knows is missing

- apt: `apt-mark showhold` (dpkg's "hold" selection), names without their ":arch".
- dnf/yum: `versionlock list` ("name-[epoch:]version-release.*" lines, yum's "epoch:name-...", dnf 5's
  "Package name:" blocks); without the versionlock plugin the command fails and nothing is locked.
- zypper: the Name column of `zypper locks` (a lock may be a pattern such as "kernel*").
- pacman: IgnorePkg of /etc/pacman.conf (patterns allowed; IgnoreGroup names groups, not packages, and is left out).
- apk: the packages /etc/apk/world pins to a version.
The package collectors read the same sources to keep held packages from counting as upgradable; this one reports
the holds themselves, so the answer of a missing tool (None: the report leaves the field out) differs from "none".
"""
from __future__ import annotations

import os

from patchmon_agent.collectors import apk, dnf, pacman, zypper
from patchmon_agent.collectors.common import LOCAL_TIMEOUT, NOT_FOUND_RC, Runner, default_runner
from patchmon_agent.collectors.packages import detect_manager

APT_SHOWHOLD = ["apt-mark", "showhold"]


def parse_apt_showhold(text: str) -> list[str]:
    """Names printed by `apt-mark showhold`, one a line ("libc6:i386" is reported as "libc6")."""
    return [line.strip().split(":", 1)[0] for line in text.splitlines() if line.strip()]


def _apt(run: Runner) -> list[str] | None:
    answer = run(APT_SHOWHOLD, LOCAL_TIMEOUT)
    return parse_apt_showhold(answer.stdout) if answer.returncode == 0 else None


def _rpm(run: Runner, tool: str) -> list[str] | None:
    argv = [tool, "-C", "versionlock", "list"]  # the dnf collector's command: the cache only, no metadata refresh
    answer = run(argv, LOCAL_TIMEOUT)
    if answer.returncode == NOT_FOUND_RC:
        return None
    return sorted(dnf.parse_versionlock(answer.stdout)) if answer.returncode == 0 else []  # no plugin: nothing locked


def _zypper(run: Runner) -> list[str] | None:
    answer = run(zypper.LOCKS, LOCAL_TIMEOUT)
    return zypper.parse_locks(answer.stdout) if answer.returncode == 0 else None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _pacman(root: str) -> list[str] | None:
    text = _read(os.path.join(root, pacman.PACMAN_CONF))
    return None if text is None else pacman.parse_ignored(text)[0]


def _apk(root: str) -> list[str] | None:
    text = _read(os.path.join(root, apk.WORLD))
    return None if text is None else sorted(apk.parse_world(text))


def collect(run: Runner = default_runner, *, manager: str | None = None, root: str = "/") -> list[str] | None:
    """The names (or lock patterns) the host holds, sorted and unique; None when the manager or its tool is missing."""
    manager = manager or detect_manager()
    if manager == "apt":
        held = _apt(run)
    elif manager in ("dnf", "yum"):
        held = _rpm(run, manager)
    elif manager == "zypper":
        held = _zypper(run)
    elif manager == "pacman":
        held = _pacman(root)
    elif manager == "apk":
        held = _apk(root)
    else:
        held = None
    return None if held is None else sorted(set(held))
