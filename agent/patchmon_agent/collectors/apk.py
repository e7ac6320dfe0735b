"""apk (Alpine): installed and upgradable packages from `apk list`, descriptions from apk's database.

Security: Alpine's repositories carry no security metadata (secfixes live only in APKBUILDs and the
separate secdb feed), so no package is flagged as a security update.
Holds: a version constraint in /etc/apk/world (`nginx=1.24.0-r6`, `busybox<1.37`, `musl~1.2`) keeps
`apk upgrade` from moving the package; such packages are held and never count as upgradable.
"""
from __future__ import annotations

import os
import re

from patchmon_agent.collectors.common import LOCAL_TIMEOUT, PackageResult, Runner, failure, package_record, run_parallel

LIST_INSTALLED = ["apk", "list", "--installed"]
LIST_UPGRADABLE = ["apk", "list", "--upgradable"]
VERSION_OLDER = ["apk", "version", "-l", "<"]  # apk before 2.9 has no `list`
INSTALLED_DB = ("lib/apk/db/installed", "usr/lib/apk/db/installed")
WORLD = "etc/apk/world"

_NAME_VERSION = re.compile(r"^(?P<name>.+)-(?P<version>[^-\s]+-r\d+)$")
_UPGRADABLE_FROM = re.compile(r"\[upgradable from: (?P<old>\S+)\]")
_WORLD_ENTRY = re.compile(r"^(?P<name>[^=<>~@!\s]+)(?:@[^<>=~\s]+)?(?P<op>[<>=~]+)?")


def split_name_version(text: str) -> tuple[str, str] | None:
    """Split "name-version-rN" into (name, "version-rN")."""
    found = _NAME_VERSION.match(text)
    return (found.group("name"), found.group("version")) if found else None


def parse_list_installed(text: str) -> dict[str, str]:
    """Map name to version from `apk list --installed`."""
    installed = {}
    for line in text.splitlines():
        if "[installed]" not in line:
            continue
        split = split_name_version(line.split(" ", 1)[0])
        if split:
            installed[split[0]] = split[1]
    return installed


def parse_list_upgradable(text: str) -> dict[str, str]:
    """Map name to available version from `apk list --upgradable`."""
    upgradable = {}
    for line in text.splitlines():
        if not _UPGRADABLE_FROM.search(line):
            continue
        split = split_name_version(line.split(" ", 1)[0])
        if split:
            upgradable[split[0]] = split[1]
    return upgradable


def parse_version_older(text: str) -> dict[str, str]:
    """Map name to available version from `apk version -l '<'` ("name-oldver  < newver")."""
    upgradable = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "<":
            split = split_name_version(parts[0])
            if split:
                upgradable[split[0]] = parts[2]
    return upgradable


def parse_installed_db(text: str) -> dict[str, str]:
    """Map name to description from apk's installed database (P: name, T: description lines)."""
    descriptions = {}
    name = ""
    for line in text.splitlines():
        if line.startswith("P:"):
            name = line[2:].strip()
        elif line.startswith("T:") and name:
            descriptions[name] = line[2:].strip()
        elif not line.strip():
            name = ""
    return descriptions


def parse_world(text: str) -> set[str]:
    """Names that /etc/apk/world pins to a version (=, <, <=, ~); ">=" alone does not hold back."""
    held = set()
    for entry in text.split():
        found = _WORLD_ENTRY.match(entry)
        if found and found.group("op") and found.group("op") not in (">", ">="):
            held.add(found.group("name"))
    return held


def _read(root: str, relative: str) -> str:
    try:
        with open(os.path.join(root, relative), encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _upgradable(run: Runner) -> tuple[list[str], dict[str, str] | None, str]:
    answer = run(LIST_UPGRADABLE, LOCAL_TIMEOUT)
    if answer.returncode == 0:
        return LIST_UPGRADABLE, parse_list_upgradable(answer.stdout), ""
    older = run(VERSION_OLDER, LOCAL_TIMEOUT)
    if older.returncode == 0:
        return VERSION_OLDER, parse_version_older(older.stdout), ""
    return LIST_UPGRADABLE, None, failure(LIST_UPGRADABLE, answer)


def collect(run: Runner, *, root: str = "/") -> PackageResult:
    """Collect apk's installed and upgradable packages; world version pins are holds."""
    result = PackageResult(manager="apk")
    out = run_parallel({"installed": lambda: run(LIST_INSTALLED, LOCAL_TIMEOUT), "upgradable": lambda: _upgradable(run)})
    installed = parse_list_installed(out["installed"].stdout) if out["installed"].returncode == 0 else {}
    if not installed:
        result.errors.append(failure(LIST_INSTALLED, out["installed"]) if out["installed"].returncode else "apk listed no installed packages")
        return result
    _, upgradable, error = out["upgradable"]
    if upgradable is None:
        result.errors.append(error)
        return result
    descriptions = {}
    for relative in INSTALLED_DB:
        descriptions = parse_installed_db(_read(root, relative))
        if descriptions:
            break
    held = parse_world(_read(root, WORLD)) & set(installed)
    for name, version in sorted(installed.items()):
        available = None if name in held else upgradable.get(name)
        result.packages.append(package_record(name=name, current=version, available=available if available != version else None,
                                              description=descriptions.get(name, "")))
    result.held = sorted(held)
    return result
