"""`exclude_packages` of a run: name patterns (fnmatch `*` and `?`, case-sensitive) that the run must not upgrade or install.

Each package manager keeps them back its own way:
- apt: a real patch_all puts the installed packages that match on hold (`apt-mark hold`) for the run and takes
  the holds it added off again afterwards, whatever the outcome; packages already held stay held. patch_package
  only drops the matching names. A simulation cannot hold anything, so a patch_all dry run leaves the matching
  packages out of its result and says so (packages that need a held one may also stay back in the real run).
- dnf/yum: `--exclude=<pattern>` per pattern, real and dry.
- zypper: a temporary lock per pattern not locked yet (`addlock`, then `removelock` of those only); a dry run
  cannot lock without changing the host, so it leaves the matching packages out of its result, as apt does.
- pacman: `--ignore <p1,p2>`, real and dry.
A requested name (patch_package) that matches is always dropped from the request first.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from patchmon_agent.collectors.zypper import LOCKS as ZYPPER_LOCKS
from patchmon_agent.collectors.zypper import parse_locks
from patchmon_agent.protocol import constants as protocol

DPKG_HOLDS = ("dpkg-query", "-W", "-f", "${db:Status-Abbrev}\\t${binary:Package}\\n")
_NOT_INSTALLED = frozenset("nc")  # dpkg status letters of packages with no files (not-installed, config-files)
NOTHING_LEFT = "every requested package is held or excluded"


class Console(Protocol):
    """How a guard runs its commands (through the runner's prefix) and writes to the run's output."""

    def command(self, argv: Sequence[str], *, show_output: bool) -> tuple[int, str]: ...

    def note(self, text: str) -> None: ...


def matches(name: str, patterns: Iterable[str]) -> bool:
    """Whether a package name matches one of the patterns (the ":arch" of a Debian name is ignored)."""
    bare = name.split(":", 1)[0]
    return any(fnmatch.fnmatchcase(bare, pattern) for pattern in patterns)


def split_requested(names: Sequence[str], patterns: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(requested names to patch, requested names an exclusion removes)."""
    kept = tuple(n for n in names if not matches(n, patterns))
    return kept, tuple(n for n in names if n not in kept)


def manager_arguments(manager: str, patterns: Sequence[str]) -> tuple[str, ...]:
    """Options that make the package operation itself skip the patterns (dnf/yum, pacman); () for the others."""
    if not patterns:
        return ()
    if manager in ("dnf", "yum"):
        return tuple(f"--exclude={pattern}" for pattern in patterns)
    if manager == "pacman":
        return ("--ignore", ",".join(patterns))
    return ()


def filtered_in_result(manager: str, patch_type: str, dry_run: bool) -> bool:
    """Whether a dry run can honour the exclusions only by leaving them out of its result (apt patch_all, zypper)."""
    return dry_run and (manager == "zypper" or (manager == "apt" and patch_type == protocol.PATCH_ALL))


def filter_affected(affected: list[dict[str, Any]], patterns: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """(the simulation's packages without the excluded ones, the names left out)."""
    kept = [p for p in affected if not matches(str(p.get("name", "")), patterns)]
    return kept, [str(p.get("name", "")) for p in affected if p not in kept]


def parse_dpkg_holds(text: str) -> list[tuple[str, bool]]:
    """(qualified name, held) of every installed package in DPKG_HOLDS output; config-files-only packages are left out."""
    packages = []
    for line in text.splitlines():
        status, sep, name = line.partition("\t")
        if not sep or len(status) < 2 or status[1] in _NOT_INSTALLED or not name.strip():
            continue
        packages.append((name.strip(), status[0] == "h"))
    return packages


@dataclass
class AptHolds:
    """Temporary `apt-mark hold` of the installed packages matching the patterns (real apt patch_all)."""

    patterns: tuple[str, ...]
    added: list[str] = field(default_factory=list)

    def apply(self, console: Console) -> str | None:
        """Hold what matches and is not held yet; return why the run cannot go on, or None."""
        rc, listing = console.command(DPKG_HOLDS, show_output=False)
        if rc != 0:
            return f"could not list the installed packages to hold: dpkg-query exited with status {rc}"
        installed = [(name, held) for name, held in parse_dpkg_holds(listing) if matches(name, self.patterns)]
        already = sorted(name for name, held in installed if held)
        wanted = sorted(name for name, held in installed if not held)
        if already:
            console.note(f"already held on this host (left as they are): {', '.join(already)}")
        if not installed:
            console.note("no installed package matches the exclusions: nothing to hold")
        if not wanted:
            return None
        self.added = wanted  # before the command: a partial hold is undone too
        rc, _ = console.command(("apt-mark", "hold", *wanted), show_output=True)
        return f"could not hold the excluded packages: apt-mark exited with status {rc}" if rc != 0 else None

    def restore(self, console: Console) -> str | None:
        """Take off the holds this run added; return what went wrong, or None."""
        if not self.added:
            return None
        rc, _ = console.command(("apt-mark", "unhold", *self.added), show_output=True)
        return f"could not remove the temporary holds ({', '.join(self.added)}): apt-mark exited with status {rc}" if rc else None


@dataclass
class ZypperLocks:
    """Temporary zypper locks for the patterns that are not locked yet (real zypper runs)."""

    patterns: tuple[str, ...]
    added: list[str] = field(default_factory=list)

    def apply(self, console: Console) -> str | None:
        rc, listing = console.command(ZYPPER_LOCKS, show_output=False)
        if rc != 0:
            return f"could not list zypper's locks: zypper exited with status {rc}"
        existing = set(parse_locks(listing))
        already = [p for p in self.patterns if p in existing]
        wanted = [p for p in self.patterns if p not in existing]
        if already:
            console.note(f"already locked on this host (left as they are): {', '.join(already)}")
        if not wanted:
            return None
        self.added = wanted
        rc, _ = console.command(("zypper", "--non-interactive", "addlock", *wanted), show_output=True)
        return f"could not lock the excluded packages: zypper exited with status {rc}" if rc != 0 else None

    def restore(self, console: Console) -> str | None:
        if not self.added:
            return None
        rc, _ = console.command(("zypper", "--non-interactive", "removelock", *self.added), show_output=True)
        return f"could not remove the temporary locks ({', '.join(self.added)}): zypper exited with status {rc}" if rc else None


def guard_for(manager: str, patch_type: str, patterns: tuple[str, ...], *, dry_run: bool) -> AptHolds | ZypperLocks | None:
    """The hold or lock a real run puts in place around its package operation, if its manager needs one."""
    if dry_run or not patterns:
        return None
    if manager == "apt" and patch_type == protocol.PATCH_ALL:
        return AptHolds(patterns)
    if manager == "zypper":
        return ZypperLocks(patterns)
    return None
