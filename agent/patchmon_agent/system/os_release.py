"""Operating system identity from os-release: the reported name and version, and the family our rules key on."""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from .files import Root

UNKNOWN = "Unknown"

# ID or ID_LIKE token -> family whose reboot rules apply. ID is looked up before ID_LIKE.
_FAMILIES = {
    "debian": "debian", "ubuntu": "debian", "raspbian": "debian", "linuxmint": "debian", "pop": "debian",
    "rhel": "rhel", "fedora": "rhel", "centos": "rhel", "rocky": "rhel", "almalinux": "rhel", "ol": "rhel",
    "amzn": "rhel", "suse": "suse", "opensuse": "suse", "sles": "suse", "sled": "suse", "opensuse-leap": "suse",
    "opensuse-tumbleweed": "suse", "alpine": "alpine", "arch": "arch", "archarm": "arch", "manjaro": "arch",
}


@dataclass(frozen=True)
class OsRelease:
    name: str = ""
    version: str = ""
    id: str = ""
    id_like: tuple[str, ...] = field(default_factory=tuple)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def os_type(self) -> str:
        """The reported osType: NAME, as the reference agent sends it."""
        return self.name or UNKNOWN

    @property
    def os_version(self) -> str:
        """The reported osVersion: VERSION, else VERSION_ID or BUILD_ID (Alpine and Arch have no VERSION)."""
        for key in ("VERSION", "VERSION_ID", "BUILD_ID"):
            if self.fields.get(key):
                return self.fields[key]
        return UNKNOWN

    @property
    def family(self) -> str:
        """debian, rhel, suse, alpine, arch or unknown."""
        for token in (self.id, *self.id_like):
            if token in _FAMILIES:
                return _FAMILIES[token]
            if token.startswith(("opensuse", "sles")):
                return "suse"
        return "unknown"


def parse(text: str) -> OsRelease:
    """Parse os-release text (shell-style KEY=value lines, quotes optional)."""
    fields: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            words = shlex.split(raw, posix=True)
        except ValueError:
            words = [raw.strip("\"'")]
        fields[key.strip()] = " ".join(words).strip()
    return OsRelease(name=fields.get("NAME", ""), version=fields.get("VERSION", ""), id=fields.get("ID", "").lower(),
                     id_like=tuple(fields.get("ID_LIKE", "").lower().split()), fields=fields)


def read(fs: Root) -> OsRelease:
    """Read /etc/os-release, falling back to /usr/lib/os-release as systemd does."""
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        text = fs.read(path)
        if text:
            return parse(text)
    return OsRelease()
