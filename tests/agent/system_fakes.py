"""Fixture trees and a recorded-command runner for the system collector's tests."""
from __future__ import annotations

import json
import pathlib
from collections.abc import Sequence

from patchmon_agent.system import CommandResult

CASES = pathlib.Path(__file__).parent / "fixtures" / "system"


def case_root(name: str) -> str:
    """The root directory of a fixture tree."""
    path = CASES / name
    assert path.is_dir(), f"no fixture tree {name}"
    return str(path)


class FakeRunner:
    """Answers commands from a case's commands/*.json sidecars, 127 for any other argv; records every call."""

    def __init__(self, case: str | None = None) -> None:
        self.results: dict[tuple[str, ...], CommandResult] = {}
        self.calls: list[list[str]] = []
        for sidecar in sorted((CASES / case / "commands").glob("*.json")) if case else []:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
            stdout = sidecar.with_suffix(".stdout").read_text(encoding="utf-8")
            self.results[tuple(meta["argv"])] = CommandResult(meta["rc"], stdout, meta["stderr"])

    def __call__(self, argv: Sequence[str], timeout: float) -> CommandResult:
        assert timeout > 0
        self.calls.append(list(argv))
        return self.results.get(tuple(argv), CommandResult(127, "", f"{argv[0]}: command not found"))

    def programs(self) -> list[str]:
        return [argv[0] for argv in self.calls]
