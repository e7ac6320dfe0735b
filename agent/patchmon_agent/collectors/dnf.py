"""dnf (4 and 5) and yum: installed packages from rpm, updates from check-update, security from updateinfo.

Security: a package is a security update when an advisory of type security (RHSA, ALSA, RLSA, ELSA,
FEDORA-…, ALAS…) lists a build of it newer than the installed one: `dnf updateinfo list --security`
(dnf 4 and dnf 5) or `yum updateinfo list security` (`sec` on refusal). An advisory the newest installed
kernel already has is not counted for an older kernel left installed (dnf 4.14 and dnf5 5.4, as recorded, do
not list it; the check guards the versions that do). An advisory of a versionlocked package stays listed (recorded): only
an offered update is flagged.
Distributions that publish no updateinfo (CentOS 7 and Stream) flag nothing.
Holds: `versionlock list` (dnf 4 and yum print NEVRA patterns, dnf 5 prints "Package name:" blocks);
locked packages are already absent from check-update, as dnf applies the locks to every command.
Several installed versions (install-only kernels): one record per name with the newest version, the
version check-update compares against; the wire format keys packages by name (the server keeps one).
"""
from __future__ import annotations

import re
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
from patchmon_agent.collectors.rpmver import Evr, evr_cmp, parse_evr, split_nevra

RPM_QUERY = ["rpm", "-qa", "--queryformat", "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{GROUP}\\t%{SUMMARY}\\n"]
CHECK_UPDATE_NO_UPDATES, CHECK_UPDATE_UPDATES = 0, 100

_ADVISORY = re.compile(r"^[A-Z][A-Za-z0-9._:-]*-\d")  # RHSA-2024:1234, FEDORA-2024-0a1b, ALAS2KERNEL-5.10-2024-071
_VERSION = re.compile(r"^(?:\d+:)?[^\s:-]+-[^\s:-]+$")
_UNKNOWN_REPOS = frozenset({"", "<unknown>", "commandline", "@commandline", "installed", "@System", "System"})


@dataclass(frozen=True)
class RpmPackage:
    name: str
    evr: Evr
    arch: str
    group: str
    summary: str


@dataclass(frozen=True)
class DnfRow:
    name: str
    arch: str
    evr: str
    repo: str


def parse_rpm_query(text: str) -> list[RpmPackage]:
    """Parse `rpm -qa` in the RPM_QUERY format (every installed instance: arches, install-only kernels)."""
    packages = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 7 or fields[0] == "gpg-pubkey":  # imported signing keys, not software
            continue
        name, epoch, version, release, arch, group = fields[:6]
        packages.append(RpmPackage(name=name, evr=Evr(int(epoch) if epoch.isdigit() else 0, version, release), arch=arch,
                                   group="" if group in ("Unspecified", "(none)") else group, summary="\t".join(fields[6:]).strip()))
    return packages


def newest_installed(packages: list[RpmPackage]) -> tuple[dict[str, RpmPackage], dict[tuple[str, str], RpmPackage]]:
    """The newest instance of each name, and of each (name, arch)."""
    by_name: dict[str, RpmPackage] = {}
    by_arch: dict[tuple[str, str], RpmPackage] = {}
    for pkg in packages:
        if pkg.name not in by_name or evr_cmp(pkg.evr, by_name[pkg.name].evr) > 0:
            by_name[pkg.name] = pkg
        key = (pkg.name, pkg.arch)
        if key not in by_arch or evr_cmp(pkg.evr, by_arch[key].evr) > 0:
            by_arch[key] = pkg
    return by_name, by_arch


def pair_updates(packages: list[RpmPackage], updates: dict[str, tuple[str, str]]) -> list[tuple[RpmPackage, Evr, str | None]]:
    """One (package, current version, available version or None) per installed name, by name.

    `updates` maps a name to (arch, version) of its newest update. The current version is the newest
    installed one of the update's arch, so an outdated i686 glibc beside a current x86_64 one still
    shows its update; without an update it is the newest installed version (install-only kernels).
    """
    by_name, by_arch = newest_installed(packages)
    paired = []
    for name, pkg in sorted(by_name.items()):
        arch, available = updates.get(name, ("", ""))
        current = by_arch.get((name, arch), pkg).evr if available else pkg.evr
        if available and evr_cmp(parse_evr(available), current) <= 0:
            current, available = pkg.evr, ""
        paired.append((pkg, current, available or None))
    return paired


def parse_package_rows(text: str) -> list[DnfRow]:
    """Parse the `name.arch  [epoch:]version-release  repo` rows of check-update or list --installed.

    Banners, blank lines and the "Obsoleting Packages" block are skipped; a name too long for its
    column is printed alone on its line, with the rest on the next one.
    """
    rows: list[DnfRow] = []
    pending = ""
    for line in text.splitlines():
        if line.strip() == "Obsoleting Packages":  # what replaces what: not updates of installed names
            break
        tokens = (pending + " " + line).split() if pending else line.split()
        pending = ""
        if len(tokens) == 1 and "." in tokens[0] and not line.startswith(" "):
            pending = tokens[0]
            continue
        if len(tokens) != 3 or not _VERSION.match(tokens[1]) or "." not in tokens[0]:
            continue
        name, _, arch = tokens[0].rpartition(".")
        rows.append(DnfRow(name=name, arch=arch, evr=tokens[1], repo=tokens[2]))
    return rows


def parse_updateinfo_security(text: str) -> dict[str, list[Evr]]:
    """Map each package of a security advisory in `updateinfo list --security` to its fixed versions (dnf 4, dnf 5, yum)."""
    fixed: dict[str, list[Evr]] = {}
    for line in text.splitlines():
        tokens = line.split()
        if not tokens or not _ADVISORY.match(tokens[0]):
            continue
        for token in tokens[1:]:  # dnf 4/yum: id severity/Sec. NEVRA; dnf 5: id type severity NEVRA date time
            nevra = split_nevra(token)
            if nevra:
                fixed.setdefault(nevra[0], []).append(nevra[1])
                break
    return fixed


def fixes_installed_version(fixed: list[Evr], current: Evr) -> bool:
    """True when an advisory fixes a version newer than the installed one (an older kernel left installed does not count)."""
    return any(evr_cmp(version, current) > 0 for version in fixed)


def parse_versionlock(text: str) -> set[str]:
    """Names locked by `versionlock list` ("name-[e:]v-r.*", yum's "e:name-v-r.*", dnf 5's "Package name: x")."""
    names = set()
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("Package name:"):
            names.add(line.split(":", 1)[1].strip())
            continue
        if not line or line.startswith(("#", "!")) or " " in line:  # banners have spaces; "!" excludes a version
            continue
        parts = re.sub(r"^\d+:", "", line).rsplit("-", 2)
        if len(parts) == 3 and parts[0]:
            names.add(parts[0])
    return names


def newest_rows(rows: list[DnfRow]) -> dict[str, DnfRow]:
    """One row per name, the one with the newest version (several arches or install-only kernels)."""
    newest: dict[str, DnfRow] = {}
    for row in rows:
        known = newest.get(row.name)
        if known is None or evr_cmp(parse_evr(row.evr), parse_evr(known.evr)) > 0:
            newest[row.name] = row
    return newest


def _commands(tool: str) -> dict[str, list[str]]:
    # After check-update has refreshed the metadata, the other dnf commands read the cache only (-C).
    installed = ["list", "--installed"] if tool == "dnf" else ["list", "installed"]
    return {"updates": [tool, "check-update"], "security": [tool, "-C", "updateinfo", "list", "--security" if tool == "dnf" else "security"],
            "locks": [tool, "-C", "versionlock", "list"], "origins": [tool, "-C", *installed]}


def _run_security(run: Runner, argv: list[str]) -> tuple[list[str], CommandResult]:
    answer = run(argv, LOCAL_TIMEOUT)
    if answer.returncode != 0:  # the legacy spelling of the type filter, still understood by old yum and dnf
        legacy = [*argv[:-1], "sec"]
        retry = run(legacy, LOCAL_TIMEOUT)
        if retry.returncode == 0:
            return legacy, retry
    return argv, answer


def _run_dnf_commands(run: Runner, argv: dict[str, list[str]]) -> dict[str, tuple[list[str], CommandResult]]:
    # One dnf at a time: each loads every repository's metadata (hundreds of MB on a small VM), and they
    # would queue on dnf's cache lock anyway.
    out = {"updates": (argv["updates"], run(argv["updates"], NETWORK_TIMEOUT))}
    if out["updates"][1].returncode not in (CHECK_UPDATE_NO_UPDATES, CHECK_UPDATE_UPDATES):
        return out
    out["security"] = _run_security(run, argv["security"])
    out["locks"] = (argv["locks"], run(argv["locks"], LOCAL_TIMEOUT))
    out["origins"] = (argv["origins"], run(argv["origins"], LOCAL_TIMEOUT))
    return out


def collect(run: Runner, tool: str = "dnf") -> PackageResult:
    """Collect rpm's packages with dnf's (or yum's) updates, security advisories, locks and origin repos."""
    result = PackageResult(manager=tool)
    argv = _commands(tool)
    both = run_parallel({"rpm": lambda: run(RPM_QUERY, LOCAL_TIMEOUT), "dnf": lambda: _run_dnf_commands(run, argv)})
    rpm_out: CommandResult = both["rpm"]
    out = {key: answer for key, (_, answer) in both["dnf"].items()}
    installed = parse_rpm_query(rpm_out.stdout) if rpm_out.returncode == 0 else []
    if not installed:
        result.errors.append(failure(RPM_QUERY, rpm_out) if rpm_out.returncode else "rpm listed no installed packages")
        return result
    if out["updates"].returncode not in (CHECK_UPDATE_NO_UPDATES, CHECK_UPDATE_UPDATES):
        result.errors.append(failure(argv["updates"], out["updates"]))
        return result
    security_argv = both["dnf"]["security"][0]
    security = parse_updateinfo_security(out["security"].stdout) if out["security"].returncode == 0 else {}
    if out["security"].returncode != 0:
        result.errors.append(failure(security_argv, out["security"]))
    # Without the versionlock plugin the command does not exist: nothing is locked.
    locked = parse_versionlock(out["locks"].stdout) if out["locks"].returncode == 0 else set()
    origins = newest_rows(parse_package_rows(out["origins"].stdout)) if out["origins"].returncode == 0 else {}
    updates = {name: (row.arch, row.evr) for name, row in newest_rows(parse_package_rows(out["updates"].stdout)).items()}
    for pkg, current, available in pair_updates(installed, updates):
        origin = origins.get(pkg.name)
        source = _repo_id(origin.repo if origin else "")
        result.packages.append(package_record(name=pkg.name, current=str(current), available=available,
                                              security=fixes_installed_version(security.get(pkg.name, []), current),
                                              description=pkg.summary, category=pkg.group, source=source))
    result.held = sorted(locked)
    return result


def _repo_id(repo: str) -> str:
    """The repo id dnf recorded for an installed package; "unknown" when it came from a file."""
    if not repo:
        return ""
    repo = repo[1:] if repo.startswith("@") else repo
    return "unknown" if repo in _UNKNOWN_REPOS else repo

