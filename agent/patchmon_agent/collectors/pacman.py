"""pacman (Arch): installed packages from `pacman -Qi`, repositories from `-Sl`, updates from checkupdates.

Security: Arch's repositories carry no security metadata (advisories live on security.archlinux.org,
outside pacman), so no package is flagged as a security update.
Holds: IgnorePkg and IgnoreGroup of pacman.conf. `pacman -Qu` marks such updates "[ignored]";
checkupdates drops them, so pacman.conf is read as well. Ignored packages never count as upgradable.
"""
from __future__ import annotations

import fnmatch
import os
import re

from patchmon_agent.collectors.common import (
    LOCAL_TIMEOUT,
    NETWORK_TIMEOUT,
    NOT_FOUND_RC,
    CommandResult,
    PackageResult,
    Runner,
    failure,
    package_record,
    run_parallel,
)

QUERY_INFO = ["pacman", "-Qi"]
SYNC_LIST = ["pacman", "-Sl"]
CHECKUPDATES = ["checkupdates"]  # pacman-contrib: syncs a private copy of the databases first
QUERY_UPGRADES = ["pacman", "-Qu"]  # against the databases of the last `pacman -Sy`
QUERY_GROUPS = ["pacman", "-Qg"]
PACMAN_CONF = "etc/pacman.conf"
FOREIGN = "foreign"  # installed from neither sync repository (AUR, local builds), as the reference says

_UPDATE = re.compile(r"^(?P<name>\S+) (?P<old>\S+) -> (?P<new>\S+)(?P<ignored> \[ignored\])?\s*$")
_INFO_FIELD = re.compile(r"^(?P<key>[A-Z][A-Za-z ]*?)\s+: (?P<value>.*)$")


def parse_query_info(text: str) -> dict[str, tuple[str, str]]:
    """Map name to (version, description) from `pacman -Qi`."""
    packages: dict[str, tuple[str, str]] = {}
    fields: dict[str, str] = {}
    for line in [*text.splitlines(), ""]:
        found = _INFO_FIELD.match(line)
        if found:
            fields.setdefault(found.group("key"), found.group("value").strip())
        elif not line.strip():
            if fields.get("Name") and fields.get("Version"):
                description = fields.get("Description", "")
                packages[fields["Name"]] = (fields["Version"], "" if description == "None" else description)
            fields = {}
    return packages


def parse_sync_list(text: str) -> dict[str, str]:
    """Map each installed name to its sync repository from `pacman -Sl` ("repo name version [installed]")."""
    repos = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[3].startswith("[installed"):
            repos.setdefault(parts[1], parts[0])
    return repos


def parse_updates(text: str) -> tuple[dict[str, str], set[str]]:
    """Parse checkupdates / `pacman -Qu` lines: (name to new version, names marked [ignored])."""
    updates, ignored = {}, set()
    for line in text.splitlines():
        found = _UPDATE.match(line)
        if found is None:
            continue
        if found.group("ignored"):
            ignored.add(found.group("name"))
        else:
            updates[found.group("name")] = found.group("new")
    return updates, ignored


def parse_ignored(conf_text: str) -> tuple[list[str], list[str]]:
    """IgnorePkg and IgnoreGroup values (globs allowed) of the [options] section of pacman.conf."""
    packages: list[str] = []
    groups: list[str] = []
    section = ""
    for raw in conf_text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        key, sep, value = line.partition("=")
        if section != "options" or not sep:
            continue
        if key.strip() == "IgnorePkg":
            packages.extend(value.split())
        elif key.strip() == "IgnoreGroup":
            groups.extend(value.split())
    return packages, groups


def parse_query_groups(text: str) -> set[str]:
    """Package names of `pacman -Qg GROUP...` ("group package" lines)."""
    return {parts[1] for parts in (line.split() for line in text.splitlines()) if len(parts) == 2}


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _updates(run: Runner) -> tuple[list[str], CommandResult, bool]:
    """Run checkupdates, else `pacman -Qu`; return (argv, result, succeeded)."""
    answer = run(CHECKUPDATES, NETWORK_TIMEOUT)
    if answer.returncode in (0, 2):  # 2: no updates
        return CHECKUPDATES, answer, True
    if answer.returncode != NOT_FOUND_RC:
        return CHECKUPDATES, answer, False
    answer = run(QUERY_UPGRADES, LOCAL_TIMEOUT)
    # Exit 1 with nothing on stderr is "no updates".
    return QUERY_UPGRADES, answer, answer.returncode == 0 or (answer.returncode == 1 and not answer.stderr.strip())


def _held(run: Runner, root: str, installed: set[str], ignored_by_pacman: set[str]) -> tuple[set[str], list[str]]:
    patterns, groups = parse_ignored(_read(os.path.join(root, PACMAN_CONF)))
    held = {name for name in installed if any(fnmatch.fnmatchcase(name, p) for p in patterns)} | ignored_by_pacman
    errors = []
    if groups:
        answer = run(QUERY_GROUPS + groups, LOCAL_TIMEOUT)
        if answer.returncode == 0:
            held |= parse_query_groups(answer.stdout)
        else:
            errors.append(failure(QUERY_GROUPS + groups, answer))
    return held & installed, errors


def collect(run: Runner, *, root: str = "/") -> PackageResult:
    """Collect pacman's packages with their repository, pending updates and IgnorePkg holds."""
    result = PackageResult(manager="pacman")
    out = run_parallel({"info": lambda: run(QUERY_INFO, LOCAL_TIMEOUT), "repos": lambda: run(SYNC_LIST, LOCAL_TIMEOUT),
                        "updates": lambda: _updates(run)})
    installed = parse_query_info(out["info"].stdout) if out["info"].returncode == 0 else {}
    if not installed:
        result.errors.append(failure(QUERY_INFO, out["info"]) if out["info"].returncode else "pacman listed no installed packages")
        return result
    argv, answer, succeeded = out["updates"]
    if not succeeded:
        result.errors.append(failure(argv, answer))
        return result
    updates, ignored = parse_updates(answer.stdout)
    repos = parse_sync_list(out["repos"].stdout) if out["repos"].returncode == 0 else {}
    if out["repos"].returncode != 0:
        result.errors.append(failure(SYNC_LIST, out["repos"]))
    held, errors = _held(run, root, set(installed), ignored)
    result.errors.extend(errors)
    for name, (version, description) in sorted(installed.items()):
        available = None if name in held else updates.get(name)
        source = repos.get(name, FOREIGN if repos else "")
        result.packages.append(package_record(name=name, current=version, available=available, description=description, source=source))
    result.held = sorted(held)
    return result
