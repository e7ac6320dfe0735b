"""RPM version comparison (the rpmvercmp rules, tilde and caret included) and NEVRA splitting."""
from __future__ import annotations

import re
from typing import NamedTuple

_ALNUM = re.compile(r"[A-Za-z0-9~^]")
_SEGMENT = re.compile(r"\d+|[A-Za-z]+")
_NEVRA = re.compile(r"^(?P<name>.+)-(?:(?P<epoch>\d+):)?(?P<version>[^-:]+)-(?P<release>[^-]+)\.(?P<arch>[^.-]+)$")

RPM_ARCHES = frozenset({"x86_64", "i686", "i586", "i386", "noarch", "aarch64", "armv7hl", "ppc64le", "ppc64", "s390x",
                        "riscv64", "src", "nosrc"})


class Evr(NamedTuple):
    epoch: int
    version: str
    release: str

    def __str__(self) -> str:
        evr = f"{self.version}-{self.release}" if self.release else self.version
        return f"{self.epoch}:{evr}" if self.epoch else evr


def parse_evr(text: str) -> Evr:
    """Split "[epoch:]version[-release]" as dnf and zypper print it."""
    epoch, _, rest = text.rpartition(":") if ":" in text else ("0", "", text)
    version, _, release = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return Evr(int(epoch) if epoch.isdigit() else 0, version, release)


def vercmp(a: str, b: str) -> int:
    """Compare two version or release strings as rpm does: -1, 0 or 1."""
    if a == b:
        return 0
    i = j = 0
    while True:
        i = _skip_separators(a, i)
        j = _skip_separators(b, j)
        a_mark, b_mark = a[i:i + 1], b[j:j + 1]
        if a_mark == "~" or b_mark == "~":  # a tilde sorts before anything, even the end
            if a_mark != b_mark:
                return -1 if a_mark == "~" else 1
            i, j = i + 1, j + 1
            continue
        if a_mark == "^" or b_mark == "^":  # a caret sorts after the end but before anything else
            if not a_mark:
                return -1
            if not b_mark:
                return 1
            if a_mark != b_mark:
                return -1 if a_mark == "^" else 1
            i, j = i + 1, j + 1
            continue
        if not a_mark or not b_mark:
            break
        seg_a = _SEGMENT.match(a, i)
        seg_b = _SEGMENT.match(b, j)
        assert seg_a is not None and seg_b is not None  # _skip_separators stops at an alphanumeric
        x, y = seg_a.group(), seg_b.group()
        if x[0].isdigit() != y[0].isdigit():
            return 1 if x[0].isdigit() else -1  # a number beats letters
        if x[0].isdigit():
            x, y = x.lstrip("0"), y.lstrip("0")
            if len(x) != len(y):
                return 1 if len(x) > len(y) else -1
        if x != y:
            return 1 if x > y else -1
        i, j = seg_a.end(), seg_b.end()
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def _skip_separators(text: str, pos: int) -> int:
    while pos < len(text) and not _ALNUM.match(text, pos):
        pos += 1
    return pos


def evr_cmp(a: Evr, b: Evr) -> int:
    """Compare two (epoch, version, release) triples as rpm does."""
    if a.epoch != b.epoch:
        return 1 if a.epoch > b.epoch else -1
    return vercmp(a.version, b.version) or vercmp(a.release, b.release)


def split_nevra(text: str) -> tuple[str, Evr, str] | None:
    """Split "name-[epoch:]version-release.arch" into (name, evr, arch); None if it has not that shape."""
    found = _NEVRA.match(text.strip())
    if found is None:
        return None
    epoch = int(found.group("epoch") or 0)
    return found.group("name"), Evr(epoch, found.group("version"), found.group("release")), found.group("arch")


def strip_arch(name_arch: str) -> str:
    """Drop a known ".arch" suffix from "name.arch"."""
    name, dot, arch = name_arch.rpartition(".")
    return name if dot and arch in RPM_ARCHES else name_arch
