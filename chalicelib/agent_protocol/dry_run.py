"""The packages a patch dry run would change, read from the package manager's simulation output.

    parse_dry_run(output)   # [{"name": "libssl3", "version": "3.0.22-1~deb12u2", "action": "upgrade"}, ...]

The agent sends this list as `packages_affected` with its `dry_run_completed` stage, and the server
parses the stored output with the same code. The format is recognised from the text, so the whole
stream of a run (with its `$ <command>` lines and trailer) can be given as it is:

- apt-get -s: `Inst name [old] (new release [arch])`, `Remv name [old]`, `Purg name [old]`;
- dnf 4/5 and yum: the transaction table (`Upgrading:`, `Installing dependencies:`, ... sections of
  `name arch version repository size` rows; a name too long for its column is alone on its line and
  the rest of the row follows on the next, indented);
- zypper: `The following N packages are going to be upgraded:` blocks of space-separated names;
- pacman -p: one URL or file path per package archive.

Every entry is `{"name", "version" (None when the tool does not print it), "action"}`, where action is
"upgrade", "install" or "remove"; entries are unique by (name, action), in the order the tool printed.
Standard library only: the Python agent vendors this package.
"""
from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Iterator
from typing import Any

UPGRADE = "upgrade"
INSTALL = "install"
REMOVE = "remove"

APT, DNF, ZYPPER, PACMAN = "apt", "dnf", "zypper", "pacman"

_APT_LINE = re.compile(r"^(Inst|Remv|Purg) (\S+)(?: \[([^\]]*)\])?(?: \((\S+)[^)]*\))?", re.MULTILINE)
_APT_SUMMARY = re.compile(r"^\d+ upgraded, \d+ newly installed", re.MULTILINE)

# Section headers of the dnf 4, dnf 5 and yum transaction tables, lowercased. A downgrade changes the
# version of an installed package, like an upgrade; the wire has no action of its own for it.
_DNF_SECTIONS = {
    "upgrading": UPGRADE, "updating": UPGRADE, "upgrading dependencies": UPGRADE, "updating dependencies": UPGRADE,
    "updating for dependencies": UPGRADE, "downgrading": UPGRADE,
    "installing": INSTALL, "installing dependencies": INSTALL, "installing weak dependencies": INSTALL,
    "installing for dependencies": INSTALL, "installing group/module packages": INSTALL, "installing group packages": INSTALL,
    "installing module packages": INSTALL, "reinstalling": INSTALL,
    "removing": REMOVE, "erasing": REMOVE, "removing dependent packages": REMOVE, "removing unused dependencies": REMOVE,
    "removing unneeded dependencies": REMOVE, "removing for dependencies": REMOVE, "removing dependencies": REMOVE,
}
_DNF_HEADER = re.compile(r"^([A-Z][A-Za-z /]*):\s*$")
_DNF_MARKERS = re.compile(r"^(?:Transaction Summary|Dependencies [Rr]esolved|(?:Upgrading|Updating|Installing|Removing)(?: [\w /]+)?:\s*$)",
                          re.MULTILINE)
_DNF_ROW_INDENT = 2  # rows start with one space; continuations and "replacing" lines are indented further

_ZYPPER_HEADER = re.compile(r"^The following (?:\d+ )?(?:NEW )?packages? (?:is|are) going to be "
                            r"(upgraded|installed|REMOVED|downgraded|reinstalled):\s*$")
_ZYPPER_MARKERS = re.compile(r"^(?:The following .* going to be |Reading installed packages\.\.\.|Loading repository data\.\.\.)", re.MULTILINE)
_ZYPPER_ACTIONS = {"upgraded": UPGRADE, "downgraded": UPGRADE, "installed": INSTALL, "reinstalled": INSTALL, "REMOVED": REMOVE}

_PACMAN_ARCHIVE = re.compile(r"^\S*?([^/\s]+)\.pkg\.tar(?:\.[a-z0-9]+)?$")
_PACMAN_MARKERS = re.compile(r"\.pkg\.tar(?:\.[a-z0-9]+)?\s*$", re.MULTILINE)

# Architecture suffixes a requested name may carry (apt `name:arch`, rpm `name.arch`).
_ARCH_SUFFIX = re.compile(r"(?::[a-z0-9_-]+|\.(?:x86_64|i[3-6]86|noarch|aarch64|armv7hl|ppc64le|s390x|src))$")


def detect_format(output: str) -> str | None:
    """Name the tool whose dry-run output this is: "apt", "dnf" (dnf and yum), "zypper" or "pacman"; None if unknown."""
    if _APT_LINE.search(output) or _APT_SUMMARY.search(output):
        return APT
    if _ZYPPER_MARKERS.search(output):
        return ZYPPER
    if _DNF_MARKERS.search(output):
        return DNF
    if _PACMAN_MARKERS.search(output):
        return PACMAN
    return None


def parse_dry_run(output: str) -> list[dict[str, Any]]:
    """Return the packages a dry run would upgrade, install or remove, dependencies included."""
    parser = {APT: _apt, DNF: _dnf, ZYPPER: _zypper, PACMAN: _pacman}.get(detect_format(output) or "")
    if parser is None:
        return []
    seen: set[tuple[str, str]] = set()
    packages = []
    for name, version, action in parser(output):
        if (name, action) not in seen:
            seen.add((name, action))
            packages.append({"name": name, "version": version or None, "action": action})
    return packages


def requested_vs_affected(requested: Iterable[str], affected: Iterable[Any]) -> list[str]:
    """Names the dry run would change beyond the requested ones (the "extra deps"), in order, each once."""
    wanted = {_base_name(name) for name in requested}
    extra: list[str] = []
    for entry in affected:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name and _base_name(name) not in wanted and name not in extra:
            extra.append(name)
    return extra


def _base_name(name: str) -> str:
    return _ARCH_SUFFIX.sub("", name.strip())


def _apt(output: str) -> Iterator[tuple[str, str | None, str]]:
    for match in _APT_LINE.finditer(output):
        verb, name, old, new = match.groups()
        if verb == "Inst":
            yield name, new, UPGRADE if old is not None else INSTALL
        else:
            yield name, old, REMOVE


def _dnf(output: str) -> Iterator[tuple[str, str | None, str]]:
    action: str | None = None
    pending: str | None = None  # a name whose row continues on the next line
    for line in output.splitlines():
        if line.strip().rstrip(":") == "Transaction Summary":
            return
        header = _DNF_HEADER.match(line)
        if header:
            action, pending = _DNF_SECTIONS.get(header.group(1).strip().lower()), None
            continue
        tokens = line.split()
        if action is None or not tokens or not line[0].isspace() or tokens[0] == "replacing" or set(line.strip()) <= {"=", "-"}:
            continue
        indent = len(line) - len(line.lstrip())
        if pending is not None and indent > _DNF_ROW_INDENT:
            if len(tokens) >= 2:
                yield pending, tokens[1], action
            pending = None
        elif indent <= _DNF_ROW_INDENT:
            if len(tokens) == 1:
                pending = tokens[0]
            elif len(tokens) >= 3:
                yield tokens[0], tokens[2], action


def _zypper(output: str) -> Iterator[tuple[str, str | None, str]]:
    action: str | None = None
    for line in output.splitlines():
        header = _ZYPPER_HEADER.match(line)
        if header:
            action = _ZYPPER_ACTIONS[header.group(1)]
        elif action is not None and line[:1].isspace() and line.strip():
            for name in line.split():
                yield name, None, action
        else:
            action = None


def _pacman(output: str) -> Iterator[tuple[str, str | None, str]]:
    # `-p` prints what would be fetched, not whether a package is new: every entry counts as an upgrade.
    for line in output.splitlines():
        match = _PACMAN_ARCHIVE.match(line.strip())
        if not match:
            continue
        parts = urllib.parse.unquote(match.group(1)).rsplit("-", 3)  # name-pkgver-pkgrel-arch; names may hold "-"
        if len(parts) == 4 and parts[0]:
            yield parts[0], f"{parts[1]}-{parts[2]}", UPGRADE
