"""What a patch run executes on each package manager, and how to read the exit status it gets back.

A real run refreshes the repository metadata, then upgrades. A dry run is only the simulation command,
so nothing on the host changes (reference-agent.md §12; pacman's `-Syu -p` still syncs its databases).
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from patchmon_agent.patching.exclusions import manager_arguments
from patchmon_agent.protocol import constants as protocol

REFRESH, OPERATION, HOOK = "refresh", "operation", "hook"

# Detection order: the first of these binaries found names the manager.
PATCHABLE = (("apt", "apt-get"), ("dnf", "dnf"), ("yum", "yum"), ("zypper", "zypper"), ("pacman", "pacman"))
_REQUIRED = "apt, dnf, yum, zypper, pacman required"

_DPKG_KEEP_CONFIG = ("-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold")
# zypper's `-y` is only an alias of the global --non-interactive; a package whose licence needs
# confirming would abort a non-interactive update without --auto-agree-with-licenses.
_ZYPPER_REAL = ("zypper", "--non-interactive", "update", "--auto-agree-with-licenses")

# (patch_type, dry_run) -> argv without the package names; "{pm}" is dnf or yum.
_OPERATIONS: dict[str, dict[tuple[str, bool], tuple[str, ...]]] = {
    "apt": {
        (protocol.PATCH_ALL, False): ("apt-get", *_DPKG_KEEP_CONFIG, "--with-new-pkgs", "upgrade", "-y"),
        (protocol.PATCH_ALL, True): ("apt-get", "-s", "--with-new-pkgs", "upgrade"),
        (protocol.PATCH_PACKAGE, False): ("apt-get", *_DPKG_KEEP_CONFIG, "--only-upgrade", "install", "-y"),
        (protocol.PATCH_PACKAGE, True): ("apt-get", "-s", "--only-upgrade", "install"),
    },
    "rpm": {
        (protocol.PATCH_ALL, False): ("{pm}", "upgrade", "-y"),
        (protocol.PATCH_ALL, True): ("{pm}", "upgrade", "--assumeno"),
        (protocol.PATCH_PACKAGE, False): ("{pm}", "upgrade", "-y"),
        (protocol.PATCH_PACKAGE, True): ("{pm}", "upgrade", "--assumeno"),
    },
    "zypper": {
        (protocol.PATCH_ALL, False): _ZYPPER_REAL,
        (protocol.PATCH_ALL, True): ("zypper", "--non-interactive", "update", "--dry-run"),
        (protocol.PATCH_PACKAGE, False): _ZYPPER_REAL,
        (protocol.PATCH_PACKAGE, True): ("zypper", "--non-interactive", "update", "--dry-run"),
    },
    "pacman": {
        (protocol.PATCH_ALL, False): ("pacman", "-Syu", "--noconfirm"),
        (protocol.PATCH_ALL, True): ("pacman", "-Syu", "-p"),
        (protocol.PATCH_PACKAGE, False): ("pacman", "-S", "--noconfirm"),
        (protocol.PATCH_PACKAGE, True): ("pacman", "-S", "-p"),
    },
}
_REFRESHES = {
    "apt": ("apt-get", "update", "-qq"),
    "rpm": ("{pm}", "makecache", "-q", "-y"),
    "zypper": ("zypper", "--non-interactive", "refresh"),
    "pacman": ("pacman", "-Sy", "--noconfirm"),
}

# A dry run of these exits 1 when it stops before the transaction (dnf/yum --assumeno), so exit 1 with
# output is a success unless the output says something went wrong.
_DRY_RUN_EXIT_1_OK = ("dnf", "yum", "zypper", "pacman")
ZYPPER_INFO_CODES = range(100, 107)  # reboot or restart needed, patches pending, ...: informational
ERROR_PHRASES = (
    "transaction check error", "depsolve error", "no match for argument", "unable to resolve", "could not satisfy dependencies",
    "failed to commit transaction", "nothing provides", "conflicting requests", "problem: ", "target not found",
    "no provider of", "not found in package names", "is not available in your repositories",
)
_ERROR_LINE = re.compile(r"^\s*error[: ]", re.IGNORECASE | re.MULTILINE)


class UnsupportedManager(Exception):
    """This host's package manager cannot run patches."""


@dataclass(frozen=True)
class Step:
    """One command of a run: its argv (without any runner prefix), the environment it adds, how the output announces it."""

    kind: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    label: str = ""  # shown instead of the argv (hooks: "<hook: pre> <command>")

    @property
    def display(self) -> str:
        return self.label or " ".join(self.argv)


def detect(which: Callable[[str], str | None] = shutil.which) -> str:
    """Name the package manager a patch run uses here, or raise UnsupportedManager."""
    for manager, binary in PATCHABLE:
        if which(binary):
            return manager
    if which("apk"):
        raise UnsupportedManager(f'package manager "apk" not supported for patching ({_REQUIRED})')
    raise UnsupportedManager(f"no supported package manager found ({_REQUIRED})")


def steps(manager: str, *, patch_type: str, package_names: tuple[str, ...] = (), dry_run: bool = False,
          exclude: tuple[str, ...] = ()) -> list[Step]:
    """The commands of one run: the operation alone for a dry run, else the refresh first.

    `exclude` adds the manager's own exclusion options (dnf/yum, pacman); apt and zypper exclude through holds
    and locks around the operation instead (patching.exclusions).
    """
    family = "rpm" if manager in ("dnf", "yum") else manager
    env = {"LC_MESSAGES": "C", **({"DEBIAN_FRONTEND": "noninteractive"} if manager == "apt" else {})}
    names = tuple(package_names) if patch_type == protocol.PATCH_PACKAGE else ()
    argv = _argv(_OPERATIONS[family][(patch_type, dry_run)], manager) + manager_arguments(manager, exclude) + names
    operation = Step(OPERATION, argv, env)
    if dry_run:
        return [operation]
    return [Step(REFRESH, _argv(_REFRESHES[family], manager), env), operation]


def _argv(template: tuple[str, ...], manager: str) -> tuple[str, ...]:
    return tuple(manager if word == "{pm}" else word for word in template)


def has_error(output: str) -> bool:
    """Whether a command's output reports a failure (an error phrase, or a line starting "error:" / "error ")."""
    lowered = output.lower()
    return any(phrase in lowered for phrase in ERROR_PHRASES) or _ERROR_LINE.search(output) is not None


def step_succeeded(manager: str, returncode: int, output: str, *, dry_run: bool) -> bool:
    """Whether a command's exit status (and, for the lenient cases, its output) means it worked."""
    if returncode == 0:
        return True
    if manager == "zypper" and returncode in ZYPPER_INFO_CODES:
        return not has_error(output)
    if dry_run and manager in _DRY_RUN_EXIT_1_OK and returncode == 1 and output.strip():
        return not has_error(output)
    return False
