"""apt/dpkg: what dpkg has installed, what `apt-get upgrade` would install, and the archives of each version.

Security: an update is a security update when a security pocket carries its candidate version, or a
version between the installed one and the candidate (a later point release or -updates upload that
supersedes a security fix still brings it). Two sources are combined, as each misses what the other sees:
- the origins on the `Inst` line of `apt-get -s upgrade` (`Debian-Security:12/bookworm-security`,
  `Ubuntu:24.04/noble-security`). apt prints one origin per release *label and version*, so on Ubuntu a
  version published in both jammy-updates and jammy-security (same label "Ubuntu", same "22.04") shows
  only one of them, often `-updates`;
- the version table of `apt-cache policy`, which lists every archive of every available version
  (`http://security.ubuntu.com/ubuntu jammy-security/main`), newest first.
Phasing: Ubuntu's phased updates not yet offered to this host get no `Inst` line (apt lists them as
"deferred due to phasing", or as "kept back" before apt 2.5), so they do not count as available.
Holds: dpkg's "hold" selection (what `apt-mark hold` sets) is the first letter of db:Status-Abbrev.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from patchmon_agent.collectors.common import (
    LOCAL_TIMEOUT,
    CommandResult,
    PackageResult,
    Runner,
    failure,
    package_record,
    run_parallel,
)

DPKG_QUERY = ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}\\t${binary:Package}\\t${Version}\\t${Section}\\t${binary:Summary}\\n"]
APT_UPGRADE = ["apt-get", "--simulate", "--with-new-pkgs", "-o", "Debug::NoLocking=1", "upgrade"]
APT_POLICY = ["apt-cache", "policy"]
POLICY_BATCH = 2000  # names per apt-cache call: one process for most hosts, far below the argv limit

_NOT_INSTALLED = frozenset("nc")  # dpkg status letters of packages with no files (not-installed, config-files)
_INST = re.compile(r"^Inst (?P<pkg>\S+) (?:\[(?P<current>[^\]]*)\] )?\((?P<candidate>\S+)(?: (?P<origins>[^()]*))?\)")
_ARCH_SUFFIX = re.compile(r"\s*\[[^\]]*\]\s*$")
_PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9+.\-]*(?::[a-z0-9-]+)?$")
_POLICY_HEADER = re.compile(r"^(\S+):$")
_POLICY_VERSION = re.compile(r"^ (?P<mark>\*\*\*| {3}) (?P<version>\S+) (?P<priority>-?\d+)(?P<rest>.*)$")
_POLICY_SOURCE = re.compile(r"^ {8}(?P<priority>-?\d+) (?P<location>\S.*)$")


@dataclass(frozen=True)
class DpkgPackage:
    name: str  # without the ":arch" qualifier
    qualified: str  # as apt-cache expects it: "name" or "name:arch"
    version: str
    section: str
    summary: str
    held: bool


@dataclass(frozen=True)
class AptUpgrade:
    name: str
    current: str  # empty for a package the upgrade would newly install
    candidate: str
    origins: tuple[str, ...]


@dataclass
class UpgradeSimulation:
    upgrades: list[AptUpgrade] = field(default_factory=list)
    kept_back: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # phased updates not offered to this host yet


@dataclass
class PolicyVersion:
    version: str
    installed: bool
    phased: bool
    sources: list[str] = field(default_factory=list)  # "url suite/component" of each archive carrying it


@dataclass
class PolicyEntry:
    installed: str | None
    candidate: str | None
    versions: list[PolicyVersion] = field(default_factory=list)

    def version(self, version: str | None) -> PolicyVersion | None:
        return next((v for v in self.versions if v.version == version), None)


def bare_name(qualified: str) -> str:
    """Drop the ":arch" qualifier of a Debian package name."""
    return qualified.split(":", 1)[0]


def parse_dpkg_query(text: str) -> list[DpkgPackage]:
    """Parse `dpkg-query -W -f` output in the DPKG_QUERY format; packages without files are left out."""
    packages = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 5:
            continue
        status, qualified, version, section = fields[:4]
        if len(status) < 2 or status[1] in _NOT_INSTALLED or not version:
            continue
        packages.append(DpkgPackage(name=bare_name(qualified), qualified=qualified, version=version,
                                    section=section.rsplit("/", 1)[-1], summary="\t".join(fields[4:]).strip(),
                                    held=status[0] == "h"))
    return packages


def parse_upgrade_simulation(text: str) -> UpgradeSimulation:
    """Parse `apt-get -s upgrade`: the Inst lines, and the kept-back and phasing-deferred lists."""
    sim = UpgradeSimulation()
    current_list: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(" ") and current_list is not None:
            current_list.extend(bare_name(t) for t in line.split() if _PACKAGE_NAME.match(t))
            continue
        current_list = _list_for_header(sim, line)
        found = _INST.match(line)
        if found:
            origins = _ARCH_SUFFIX.sub("", found.group("origins") or "")
            sim.upgrades.append(AptUpgrade(name=bare_name(found.group("pkg")), current=found.group("current") or "",
                                           candidate=found.group("candidate"),
                                           origins=tuple(o.strip() for o in origins.split(",") if o.strip())))
    return sim


def _list_for_header(sim: UpgradeSimulation, line: str) -> list[str] | None:
    if not line.endswith(":"):
        return None
    lowered = line.lower()
    if "phasing" in lowered:  # "deferred due to phasing" (apt >= 2.5), "Not upgrading yet due to phasing" (apt 3)
        return sim.deferred
    if "kept back" in lowered or lowered == "not upgrading:":
        return sim.kept_back
    return None


def parse_apt_cache_policy(text: str) -> dict[str, PolicyEntry]:
    """Parse `apt-cache policy NAME...` into one entry per package (the first architecture printed wins)."""
    entries: dict[str, PolicyEntry] = {}
    entry: PolicyEntry | None = None
    version: PolicyVersion | None = None
    for line in text.splitlines():
        header = _POLICY_HEADER.match(line)
        if header:
            entry, version = PolicyEntry(installed=None, candidate=None), None
            entries.setdefault(bare_name(header.group(1)), entry)
        elif entry is None:
            continue
        elif line.startswith("  Installed: "):
            entry.installed = _none_if_absent(line.split(":", 1)[1])
        elif line.startswith("  Candidate: "):
            entry.candidate = _none_if_absent(line.split(":", 1)[1])
        elif _POLICY_VERSION.match(line):
            found = _POLICY_VERSION.match(line)
            assert found is not None
            version = PolicyVersion(version=found.group("version"), installed=found.group("mark") == "***",
                                    phased="(phased" in found.group("rest"))
            entry.versions.append(version)
        elif version is not None and _POLICY_SOURCE.match(line):
            source = _archive_of(line)
            if source:
                version.sources.append(source)
    return entries


def _none_if_absent(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "(none)") else value


def _archive_of(line: str) -> str:
    tokens = line.split()[1:]
    if not tokens or tokens[0].startswith("/"):  # /var/lib/dpkg/status: installed, not an archive
        return ""
    url = tokens[0].rstrip("/")
    if len(tokens) < 2 or tokens[1] in ("Packages", "Sources"):  # a flat repository ("deb URL /") prints no suite
        return f"{url} /"
    return f"{url} {tokens[1]}"


def is_security_origin(origin: str) -> bool:
    """True for an Inst-line origin ("Label:Version/Archive") of a security archive."""
    label, sep, rest = origin.partition(":")
    if not sep:
        label, rest = "", origin
    archive = rest.rsplit("/", 1)[-1]
    return label.lower().endswith("-security") or archive.lower().endswith("-security")


def is_security_source(source: str) -> bool:
    """True for a policy archive ("url suite/component") that is a security pocket."""
    url, _, dist = source.partition(" ")
    suite = (dist.rsplit("/", 1)[0] if "/" in dist else dist).lower()
    # Debian <= 10 named its security suite "<codename>/updates" on security.debian.org.
    return suite.endswith("-security") or (suite.endswith("/updates") and "security" in url.lower())


def update_fixes_security(entry: PolicyEntry | None, candidate: str) -> bool:
    """True when a security pocket carries the candidate, or a version between the installed one and it.

    apt-cache policy lists versions newest first. A point release or an -updates upload can supersede a
    security upload the host never installed: upgrading to the candidate still brings that fix.
    """
    if entry is None:
        return False
    between = False
    for version in entry.versions:
        between = between or version.version == candidate
        if version.installed:
            break
        if between and any(is_security_source(s) for s in version.sources):
            return True
    return False


def _source_repository(entry: PolicyEntry | None) -> str:
    """The archive of the installed version, else of the candidate, else any (the reference's choice)."""
    if entry is None:
        return ""
    ordered = [v for v in entry.versions if v.installed] + [v for v in entry.versions if v.version == entry.candidate] + entry.versions
    return next((v.sources[0] for v in ordered if v.sources), "")


def available_updates(sim: UpgradeSimulation, policy: dict[str, PolicyEntry], held: set[str]) -> dict[str, tuple[str, bool]]:
    """Map each upgradable package to (candidate version, is security)."""
    updates: dict[str, tuple[str, bool]] = {}
    for up in sim.upgrades:
        if not up.current or up.name in held:  # a new dependency, not an upgrade of something installed
            continue
        security = any(is_security_origin(o) for o in up.origins) or update_fixes_security(policy.get(up.name), up.candidate)
        if up.name not in updates or security:
            updates[up.name] = (up.candidate, security)
    deferred = set(sim.deferred)
    for name in sim.kept_back:
        entry = policy.get(name)
        if name in updates or name in held or name in deferred or entry is None or not entry.candidate:
            continue
        candidate = entry.version(entry.candidate)
        # Before apt 2.5 phased updates were printed as "kept back": the policy marks them "(phased N%)".
        if candidate is None or candidate.phased or candidate.installed or entry.candidate == entry.installed:
            continue
        updates[name] = (entry.candidate, update_fixes_security(entry, entry.candidate))
    return updates


def collect(run: Runner) -> PackageResult:
    """Collect dpkg's packages with apt's upgrades, their security pocket and their archive."""
    result = PackageResult(manager="apt")
    outputs = run_parallel({"installed": lambda: _installed_with_policy(run),
                            "upgrade": lambda: run(APT_UPGRADE, LOCAL_TIMEOUT)})
    listing, installed, policy, policy_errors = outputs["installed"]
    upgrade: CommandResult = outputs["upgrade"]
    result.errors.extend(policy_errors)
    if listing.returncode != 0 or not installed:
        result.errors.insert(0, failure(DPKG_QUERY, listing) if listing.returncode else "dpkg-query listed no installed packages")
        return result
    if upgrade.returncode != 0:
        result.errors.insert(0, failure(APT_UPGRADE, upgrade))
        return result
    held = {p.name for p in installed if p.held}
    updates = available_updates(parse_upgrade_simulation(upgrade.stdout), policy, held)
    seen: set[str] = set()
    for pkg in installed:
        if pkg.name in seen:  # multi-arch copies of one package share its name on the wire
            continue
        seen.add(pkg.name)
        candidate, security = updates.get(pkg.name, (None, False))
        result.packages.append(package_record(name=pkg.name, current=pkg.version, available=candidate, security=security,
                                              description=pkg.summary, category=pkg.section,
                                              source=_source_repository(policy.get(pkg.name))))
    result.held = sorted(held)
    return result


def _installed_with_policy(run: Runner) -> tuple[CommandResult, list[DpkgPackage], dict[str, PolicyEntry], list[str]]:
    listing = run(DPKG_QUERY, LOCAL_TIMEOUT)
    if listing.returncode != 0:
        return listing, [], {}, []
    installed = parse_dpkg_query(listing.stdout)
    names = sorted({p.qualified for p in installed})
    policy: dict[str, PolicyEntry] = {}
    errors = []
    for start in range(0, len(names), POLICY_BATCH):
        argv = APT_POLICY + names[start:start + POLICY_BATCH]
        answer = run(argv, LOCAL_TIMEOUT)
        if answer.returncode != 0:
            errors.append(failure(argv, answer))
            continue
        for name, entry in parse_apt_cache_policy(answer.stdout).items():
            policy.setdefault(name, entry)
    return listing, installed, policy, errors
