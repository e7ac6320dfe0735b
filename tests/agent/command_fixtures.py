"""Recorded command output for collector tests: a runner that answers argv from fixture files.

A fixture is `fixtures/<distro>/<slug>.stdout` with its sidecar `<slug>.json` (argv, env, rc, stderr,
captured_from, synthetic). FakeRunner answers each argv from the sidecar with that exact argv and
records the calls, so a test can check that the collector read every fixture of its distribution.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from patchmon_agent.collectors.common import NOT_FOUND_RC, CommandResult

FIXTURES = Path(__file__).parent / "fixtures"


def load(distro: str) -> dict[tuple[str, ...], tuple[str, CommandResult]]:
    """Map each recorded argv of a distribution to (slug, result)."""
    recorded = {}
    for sidecar in sorted((FIXTURES / distro).glob("*.json")):
        meta = json.loads(sidecar.read_text())
        stdout = sidecar.with_suffix(".stdout").read_text()
        recorded[tuple(meta["argv"])] = (sidecar.stem, CommandResult(meta["rc"], stdout, meta["stderr"]))
    return recorded


class FakeRunner:
    """Answer commands from one distribution's fixtures; argv it does not know is a missing command."""

    def __init__(self, distro: str, overrides: dict[tuple[str, ...], CommandResult] | None = None) -> None:
        self.recorded = load(distro)
        self.overrides = dict(overrides or {})
        self.calls: list[list[str]] = []
        self.timeouts: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, argv: list[str], timeout: float) -> CommandResult:
        with self._lock:
            self.calls.append(list(argv))
            self.timeouts.append(timeout)
        key = tuple(argv)
        if key in self.overrides:
            return self.overrides[key]
        if key in self.recorded:
            return self.recorded[key][1]
        return CommandResult(NOT_FOUND_RC, "", f"{argv[0]}: no fixture for {argv!r}")

    def unused(self) -> set[str]:
        """Slugs of the fixtures no call asked for."""
        asked = {tuple(call) for call in self.calls}
        return {slug for argv, (slug, _) in self.recorded.items() if argv not in asked}

    def unknown_calls(self) -> list[list[str]]:
        """Calls that matched neither a fixture nor an override."""
        return [call for call in self.calls if tuple(call) not in self.recorded and tuple(call) not in self.overrides]


def sidecars(distro: str) -> list[dict]:
    """The sidecars of a distribution's fixtures (argv, env, rc, stderr, captured_from, synthetic)."""
    return [json.loads(path.read_text()) for path in sorted((FIXTURES / distro).glob("*.json"))]


def recorded(distro: str, argv0: str, *words: str) -> str:
    """The stdout of the one recorded command run as `argv0` with every one of `words` among its arguments."""
    found = [result.stdout for argv, (_, result) in load(distro).items() if argv[0] == argv0 and all(w in argv for w in words)]
    assert len(found) == 1, f"{len(found)} recorded commands of {distro} match {argv0} {' '.join(words)}"
    return found[0]


def by_name(result) -> dict[str, dict]:
    """A collector result's packages by name."""
    return {p["name"]: p for p in result.packages}
