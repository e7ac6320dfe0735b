"""zypper (openSUSE, SLES): installed packages from rpm, updates from list-updates, security from patches.

Security: SUSE publishes security fixes as patches of category "security". `list-patches --category
security` names the patches this host needs but not their packages (with `--xmlout`, zypper 1.14 lists
every needed patch whatever the category, so the category attribute is what decides), so `info -t patch` is asked for
them: each patch "conflicts" with the vulnerable versions (`libopenssl3.x86_64 < 3.0.8-150500.5.27.1`);
an update is a security update when a needed security patch conflicts with the installed version.
Holds: `zypper locks` (names may be globs); locked packages never count as upgradable.
zypper takes a system-wide lock and fails instead of waiting, so its commands run one after another.
"""
from __future__ import annotations

import fnmatch
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from patchmon_agent.collectors.common import (
    LOCAL_TIMEOUT,
    NETWORK_TIMEOUT,
    CommandResult,
    PackageResult,
    Runner,
    failure,
    package_record,
    run_parallel,
)
from patchmon_agent.collectors.dnf import RPM_QUERY, pair_updates, parse_rpm_query
from patchmon_agent.collectors.rpmver import Evr, evr_cmp, parse_evr, strip_arch

ZYPPER = ["zypper", "--non-interactive"]
LIST_UPDATES = [*ZYPPER, "--xmlout", "list-updates"]
LIST_SECURITY_PATCHES = [*ZYPPER, "--xmlout", "list-patches", "--category", "security"]
PATCH_INFO = [*ZYPPER, "info", "-t", "patch"]
LOCKS = [*ZYPPER, "locks"]
# 100-103: updates, security updates, reboot or restart needed; 106: some repositories skipped.
REPOS_SKIPPED = 106
OK_CODES = frozenset({0, 100, 101, 102, 103, REPOS_SKIPPED})


@dataclass(frozen=True)
class ZypperUpdate:
    name: str
    arch: str
    edition: str
    repo: str
    summary: str


def _xml_root(text: str) -> ET.Element | None:
    start = text.find("<?xml")
    try:
        return ET.fromstring(text[start:] if start >= 0 else text)  # noqa: S314 - zypper's own output, read as root
    except ET.ParseError:
        return None


def parse_list_updates(text: str) -> list[ZypperUpdate]:
    """Parse `zypper --xmlout list-updates`: the package updates zypper would install."""
    root = _xml_root(text)
    if root is None:
        return []
    updates = []
    for node in root.iterfind(".//update-list/update"):
        if node.get("kind", "package") != "package":
            continue
        source = node.find("source")
        updates.append(ZypperUpdate(name=node.get("name", ""), arch=node.get("arch", ""), edition=node.get("edition", ""),
                                    repo=source.get("alias", "") if source is not None else "",
                                    summary=(node.findtext("summary") or "").strip()))
    return [u for u in updates if u.name and u.edition]


def parse_list_patches(text: str) -> list[str]:
    """Names of the needed security patches in `zypper --xmlout list-patches --category security`."""
    root = _xml_root(text)
    if root is None:
        return []
    return sorted({node.get("name", "") for node in root.iterfind(".//update-list/update")
                   if node.get("kind") == "patch" and node.get("category", "security") == "security"
                   and node.get("status", "needed") in ("needed", "")} - {""})


def parse_patch_conflicts(text: str) -> dict[str, Evr]:
    """Map each package named in the Conflicts of `zypper info -t patch` to the first fixed version."""
    fixed: dict[str, Evr] = {}
    in_conflicts = False
    for line in text.splitlines():
        if not line.startswith(" "):
            in_conflicts = line.startswith("Conflicts")
            continue
        parts = line.split()
        if not in_conflicts or len(parts) != 3 or parts[1] not in ("<", "<="):
            continue
        if ":" in parts[0]:  # srcpackage:name and other non-package kinds
            continue
        name, version = strip_arch(parts[0]), parse_evr(parts[2])
        if name not in fixed or evr_cmp(version, fixed[name]) > 0:
            fixed[name] = version
    return fixed


def parse_locks(text: str) -> list[str]:
    """Lock names (maybe globs) of the `zypper locks` table."""
    names: list[str] = []
    name_column: int | None = None
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if "Name" in cells:
            name_column = cells.index("Name")
        elif name_column is not None and cells[0].isdigit() and name_column < len(cells) and cells[name_column]:
            names.append(cells[name_column])
    return names


def _is_locked(name: str, locks: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in locks)


def _ok(result: CommandResult) -> bool:
    return result.returncode in OK_CODES


def _run_zypper_commands(run: Runner) -> dict[str, tuple[list[str], CommandResult]]:
    out = {"updates": (LIST_UPDATES, run(LIST_UPDATES, NETWORK_TIMEOUT))}
    if not _ok(out["updates"][1]):
        return out
    out["patches"] = (LIST_SECURITY_PATCHES, run(LIST_SECURITY_PATCHES, LOCAL_TIMEOUT))
    patches = parse_list_patches(out["patches"][1].stdout) if _ok(out["patches"][1]) else []
    if patches:
        argv = PATCH_INFO + patches
        out["patch_info"] = (argv, run(argv, LOCAL_TIMEOUT))
    out["locks"] = (LOCKS, run(LOCKS, LOCAL_TIMEOUT))
    return out


def collect(run: Runner) -> PackageResult:
    """Collect rpm's packages with zypper's updates, security patches and locks."""
    result = PackageResult(manager="zypper")
    both = run_parallel({"rpm": lambda: run(RPM_QUERY, LOCAL_TIMEOUT), "zypper": lambda: _run_zypper_commands(run)})
    rpm_out: CommandResult = both["rpm"]
    zypper = both["zypper"]
    installed = parse_rpm_query(rpm_out.stdout) if rpm_out.returncode == 0 else []
    if not installed:
        result.errors.append(failure(RPM_QUERY, rpm_out) if rpm_out.returncode else "rpm listed no installed packages")
        return result
    argv, updates_out = zypper["updates"]
    if not _ok(updates_out):
        result.errors.append(failure(argv, updates_out))
        return result
    if updates_out.returncode == REPOS_SKIPPED:
        result.errors.append("zypper skipped repositories it could not refresh: their updates are missing")
    result.errors.extend(failure(a, r) for key, (a, r) in zypper.items() if key != "updates" and not _ok(r))
    fixed = parse_patch_conflicts(zypper["patch_info"][1].stdout) if "patch_info" in zypper else {}
    locks = parse_locks(zypper["locks"][1].stdout) if _ok(zypper["locks"][1]) else []
    listed = parse_list_updates(updates_out.stdout)
    updates = {u.name: (u.arch, u.edition) for u in listed if not _is_locked(u.name, locks)}
    repos = {u.name: u.repo for u in listed}
    for pkg, current, available in pair_updates(installed, updates):
        # A needed patch conflicts with the vulnerable versions: installed below its fixed version.
        security = pkg.name in fixed and evr_cmp(current, fixed[pkg.name]) < 0
        result.packages.append(package_record(name=pkg.name, current=str(current), available=available, security=security,
                                              description=pkg.summary, category=pkg.group, source=repos.get(pkg.name, "") if available else ""))
    result.held = sorted({pkg.name for pkg in installed if _is_locked(pkg.name, locks)})
    return result
