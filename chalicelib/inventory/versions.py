"""Ordering of package version strings across distributions, as a sortable key.

A version is split into runs of digits and of other characters; digit runs compare as numbers (by
zero-padding) and the rest as text, so 3.0.10 > 3.0.9, 1:2.0 > 9.9 (an epoch), 2.36-9+deb12u4 >
2.36-9+deb12u3. It does not implement every rule of dpkg (`~` sorting before everything) or rpm; it is
used to keep the newest version seen in a fleet aggregate, where those cases are rare and harmless.
"""
from __future__ import annotations

import re

_RUNS = re.compile(r"\d+|\D+")
_WIDTH = 12


def sort_key(version: str) -> str:
    """Return a string that sorts like the version it encodes (longest digit run up to 12 digits)."""
    epoch, _, rest = version.rpartition(":") if ":" in version else ("0", "", version)
    parts = [epoch.zfill(_WIDTH) if epoch.isdigit() else epoch]
    for run in _RUNS.findall(rest):
        parts.append(run.lstrip("0").zfill(_WIDTH)[-_WIDTH:] if run.isdigit() else run)
    return "|".join(parts)
