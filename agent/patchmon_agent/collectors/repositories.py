"""The package repositories configured on the host, read from files under `root`.

    repositories.collect(root="/")   # [{name, url, distribution, components, repoType, isEnabled, isSecure}]

Sources: apt (sources.list, sources.list.d/*.list, deb822 *.sources), dnf/yum (yum.repos.d, dnf/repos.d),
zypper (zypp/repos.d), apk (apk/repositories and repositories.d) and pacman (pacman.conf, with the
Server lines of its Include files). Only remote URLs are kept (http, https, ftp, apt's mirror methods).
Choices, and why:
- `$releasever`, `$basearch`, `$repo`, `$arch` stay as written: the files say so, the reference agent
  does the same, and hosts of one fleet then share one repository row instead of one per release.
- Disabled repositories are reported with isEnabled=false (deb822 `Enabled: no`, `enabled=0`);
  commented-out lines are comments, not repositories.
- One row per URL: several baseurls, metalink and mirrorlist, or pacman servers each make a row.
- Credentials never leave the host: user:password@ is dropped from every URL and zypper's query
  strings (SUSE Customer Center tokens) are cut off.
- apt URLs lose their trailing slash, the form `apt-cache policy` prints, so a package's
  sourceRepository ("url suite/component") matches its repository's url and distribution.
- Rows with the same (url, distribution, components), the identity the server uses, are merged,
  keeping an enabled `deb` row over a `deb-src` or disabled one.
"""
from __future__ import annotations

import configparser
import glob
import logging
import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

_REMOTE_SCHEMES = ("http://", "https://", "ftp://")
_FALSE = ("0", "no", "false", "off")


def _is_remote(url: str, *, apt: bool = False) -> bool:
    lowered = url.lower()
    return lowered.startswith(_REMOTE_SCHEMES) or (apt and lowered.startswith(("mirror://", "mirror+")))


def clean_url(url: str, *, drop_query: bool = False) -> str:
    """Drop credentials (and, if asked, the query) from a URL."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "" if drop_query else parts.query, ""))


def _row(*, name: str, url: str, distribution: str, components: str, repo_type: str, enabled: bool) -> dict[str, Any]:
    return {"name": name, "url": url, "distribution": distribution, "components": components, "repoType": repo_type,
            "isEnabled": enabled, "isSecure": url.lower().startswith("https://")}


# --- apt ---------------------------------------------------------------------------------------------

def apt_repo_name(url: str, suite: str, components: str) -> str:
    """Name an apt source after its host and suite, e.g. "deb-debian-bookworm-security"."""
    plain = url[len("mirror+"):] if url.lower().startswith("mirror+") else url
    host = (urlsplit(plain).hostname or "local").lower()
    host = host[4:] if host.startswith("www.") else host
    for suffix in (".com", ".org", ".net"):
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    name = f"{host}-{suite.strip('/') or 'flat'}"
    parts = components.split()
    if len(parts) == 1 and parts[0] != "main":
        name += f"-{parts[0]}"
    return name.replace(".", "-").replace("/", "-").lower()


def _apt_rows(kind: str, url: str, suite: str, components: list[str], *, enabled: bool, name: str = "") -> list[dict[str, Any]]:
    # A flat repository ("suite/" ending in a slash) has no components; any other needs at least one.
    if kind not in ("deb", "deb-src") or not _is_remote(url, apt=True) or suite.endswith("/") == bool(components):
        return []
    url = clean_url(url).rstrip("/")
    joined = " ".join(components)
    return [_row(name=name or apt_repo_name(url, suite, joined), url=url, distribution=suite, components=joined,
                 repo_type=kind, enabled=enabled)]


def parse_sources_list(text: str) -> list[dict[str, Any]]:
    """Parse one-line apt sources: `deb [options] URL suite [component...]`."""
    rows: list[dict[str, Any]] = []
    for raw in text.splitlines():
        tokens = raw.split("#", 1)[0].split()
        if len(tokens) < 3:
            continue
        kind, rest, options = tokens[0], tokens[1:], {}
        if rest[0].startswith("["):
            option_tokens = []
            while rest and not rest[0].endswith("]"):
                option_tokens.append(rest.pop(0))
            option_tokens.append(rest.pop(0) if rest else "")
            for option in " ".join(option_tokens).strip("[] ").split():
                key, _, value = option.partition("=")
                options[key.lower()] = value
        if len(rest) >= 2:
            rows += _apt_rows(kind, rest[0], rest[1], rest[2:], enabled=options.get("enabled", "yes").lower() not in _FALSE)
    return rows


def _deb822_paragraphs(text: str) -> list[dict[str, str]]:
    paragraphs: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    key = ""
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                paragraphs.append(fields)
            fields, key = {}, ""
        elif line[0] in " \t" and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
    return paragraphs


def parse_deb822(text: str) -> list[dict[str, Any]]:
    """Parse deb822 `.sources` stanzas: every (type, URI, suite) of a stanza is one repository."""
    rows: list[dict[str, Any]] = []
    for fields in _deb822_paragraphs(text):
        enabled = fields.get("enabled", "yes").lower() not in _FALSE
        name = fields.get("x-repolib-name", "").strip().lower().replace(" ", "-")
        for kind in fields.get("types", "").split():
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    rows += _apt_rows(kind, uri, suite, fields.get("components", "").split(), enabled=enabled, name=name)
    return rows


def apt_repositories(root: str) -> list[dict[str, Any]]:
    """Read sources.list, sources.list.d/*.list and sources.list.d/*.sources."""
    base = os.path.join(root, "etc/apt")
    rows = parse_sources_list(_read(os.path.join(base, "sources.list")))
    for path in sorted(glob.glob(os.path.join(base, "sources.list.d", "*"))):
        if path.endswith(".list"):
            rows += parse_sources_list(_read(path))
        elif path.endswith(".sources"):
            rows += parse_deb822(_read(path))
    return rows


# --- rpm: dnf, yum, zypper -------------------------------------------------------------------------

def parse_repo_file(text: str, *, drop_query: bool = False, source: str = "") -> list[dict[str, Any]]:
    """Parse a dnf/yum/zypper `.repo` file: one row per baseurl, metalink and mirrorlist URL."""
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text, source=source or "<repo>")
    except configparser.Error as exc:
        logger.warning("repository file not parsed: %s: %s", source, exc)
        return []
    rows: list[dict[str, Any]] = []
    for repo_id in parser.sections():
        section = parser[repo_id]
        enabled = section.get("enabled", "1").strip().lower() not in _FALSE
        urls = section.get("baseurl", "").replace(",", " ").split()
        urls += [section.get(key, "").strip() for key in ("metalink", "mirrorlist")]
        for url in urls:
            if url and _is_remote(url):
                rows.append(_row(name=repo_id, url=clean_url(url, drop_query=drop_query), distribution=section.get("name", "").strip(),
                                 components="", repo_type="rpm", enabled=enabled))
    return rows


def rpm_repositories(root: str) -> list[dict[str, Any]]:
    """Read dnf/yum repositories (yum.repos.d, dnf/repos.d) and zypper's (zypp/repos.d)."""
    rows: list[dict[str, Any]] = []
    for folder, drop_query in (("etc/yum.repos.d", False), ("etc/dnf/repos.d", False), ("etc/zypp/repos.d", True)):
        for path in sorted(glob.glob(os.path.join(root, folder, "*.repo"))):
            rows += parse_repo_file(_read(path), drop_query=drop_query, source=path)
    return rows


# --- apk ---------------------------------------------------------------------------------------------

def parse_apk_repositories(text: str) -> list[dict[str, Any]]:
    """Parse /etc/apk/repositories: `[@tag] URL` lines, e.g. https://dl-cdn.alpinelinux.org/alpine/v3.20/main."""
    rows: list[dict[str, Any]] = []
    for raw in text.splitlines():
        line = raw.strip()
        tag = ""
        if line.startswith("@"):
            tag, _, line = line[1:].partition(" ")
            line = line.strip()
        if not line or line.startswith("#") or not _is_remote(line):
            continue
        url = clean_url(line).rstrip("/")
        path = [p for p in urlsplit(url).path.split("/") if p]
        if "alpine" in path:
            at = path.index("alpine")
            distribution, components = (path[at + 1] if len(path) > at + 1 else ""), " ".join(path[at + 2:])
        else:
            distribution, components = "", path[-1] if path else ""
        name = "-".join(p for p in (tag, distribution, components.replace(" ", "-")) if p).lower()
        rows.append(_row(name=name or (urlsplit(url).hostname or "apk"), url=url, distribution=distribution,
                         components=components, repo_type="apk", enabled=True))
    return rows


def apk_repositories(root: str) -> list[dict[str, Any]]:
    """Read /etc/apk/repositories and /etc/apk/repositories.d/*.list."""
    rows = parse_apk_repositories(_read(os.path.join(root, "etc/apk/repositories")))
    for path in sorted(glob.glob(os.path.join(root, "etc/apk/repositories.d", "*.list"))):
        rows += parse_apk_repositories(_read(path))
    return rows


# --- pacman ------------------------------------------------------------------------------------------

def parse_pacman_conf(text: str) -> list[tuple[str, list[str], list[str]]]:
    """Sections of pacman.conf other than [options], each with its Server and Include values, in order."""
    sections: list[tuple[str, list[str], list[str]]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1].strip(), [], []))
            continue
        key, sep, value = line.partition("=")
        if not sections or not sep:
            continue
        if key.strip() == "Server":
            sections[-1][1].append(value.strip())
        elif key.strip() == "Include":
            sections[-1][2].append(value.strip())
    return [s for s in sections if s[0] != "options"]


def parse_mirrorlist(text: str) -> list[str]:
    """Server values of a pacman mirrorlist (commented mirrors are not used)."""
    return [server for name, servers, _ in parse_pacman_conf("[mirrors]\n" + text) if name == "mirrors" for server in servers]


def pacman_repositories(root: str) -> list[dict[str, Any]]:
    """Read pacman.conf: each repository section with its servers, its Include files' servers included."""
    rows: list[dict[str, Any]] = []
    for name, servers, includes in parse_pacman_conf(_read(os.path.join(root, "etc/pacman.conf"))):
        urls = list(servers)
        for include in includes:
            for path in sorted(glob.glob(os.path.join(root, include.lstrip("/")))):
                urls += parse_mirrorlist(_read(path))
        for url in urls:
            if _is_remote(url):
                rows.append(_row(name=name, url=clean_url(url), distribution=name, components="", repo_type="pacman", enabled=True))
    return rows


# --- all ---------------------------------------------------------------------------------------------

def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        logger.warning("repository file unreadable: %s: %s", path, exc)
        return ""


def merge(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (url, distribution, components), preferring enabled rows and `deb` over `deb-src`."""
    kept: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["url"], row["distribution"], row["components"])
        known = kept.get(key)
        if known is None or _rank(row) > _rank(known):
            kept[key] = row
    return list(kept.values())


def _rank(row: dict[str, Any]) -> tuple[bool, bool]:
    return row["isEnabled"], row["repoType"] != "deb-src"


def collect(root: str = "/") -> list[dict[str, Any]]:
    """Collect every package repository configured under root, in the wire format."""
    rows = apt_repositories(root) + rpm_repositories(root) + apk_repositories(root) + pacman_repositories(root)
    return merge(rows)
