"""Fakes for the patch-run tests: a scripted package manager run as a real process, and an output endpoint that records."""
from __future__ import annotations

import json
import pathlib
import sys
import threading
from typing import Any

from patchmon_agent.patching import PatchRunner

# Run as `python fake_pm.py <plan.json> <argv of the package manager...>`. The plan maps the argv, joined by
# spaces, to what to do: print `lines` (stdout) and `stderr` lines with a short pause between them, write a
# `burst` of bytes at once, then either exit with `rc` or, with `block`, print "ready" and wait for a signal
# (SIGINT ends it with 130 unless `ignore_sigint`). Each call is appended to <plan.json>.calls.
FAKE_PM = r'''
import json, os, signal, sys, time

plan_path, argv = sys.argv[1], sys.argv[2:]
step = json.load(open(plan_path)).get(" ".join(argv))
with open(plan_path + ".calls", "a") as calls:
    calls.write(json.dumps({"argv": argv, "env": {k: os.environ.get(k) for k in ("LC_MESSAGES", "DEBIAN_FRONTEND")}}) + "\n")
if step is None:
    print("fake package manager: no plan for " + " ".join(argv), flush=True)
    sys.exit(127)

def on_sigint(signum, frame):
    if step.get("ignore_sigint"):
        print("got SIGINT, ignoring it", flush=True)
        return
    print("interrupted", flush=True)
    sys.exit(130)

signal.signal(signal.SIGINT, on_sigint)
for line in step.get("lines", []):
    print(line, flush=True)
    time.sleep(step.get("pause", 0.01))
for line in step.get("stderr", []):
    print(line, file=sys.stderr, flush=True)
if step.get("burst"):
    sys.stdout.write("x" * step["burst"] + "\n")
    sys.stdout.flush()
if step.get("block"):
    print("ready", flush=True)
    while True:
        time.sleep(0.02)
sys.exit(step.get("rc", 0))
'''

BINARIES = {"apt": "apt-get", "dnf": "dnf", "yum": "yum", "zypper": "zypper", "pacman": "pacman", "apk": "apk"}


class ScriptedManager:
    """A fake package manager: runners built here run it in place of the real one (through the command prefix)."""

    def __init__(self, directory: pathlib.Path, plan: dict[str, dict[str, Any]]) -> None:
        self.script = directory / "fake_pm.py"
        self.plan_path = directory / "plan.json"
        self.script.write_text(FAKE_PM)
        self.plan_path.write_text(json.dumps(plan))

    @property
    def prefix(self) -> tuple[str, ...]:
        return (sys.executable, str(self.script), str(self.plan_path))

    def runner(self, manager: str = "apt", **options: Any) -> PatchRunner:
        """A runner on a host whose only package manager is `manager`."""
        binary = BINARIES[manager]
        return PatchRunner(prefix=self.prefix, which=lambda name: f"/usr/bin/{name}" if name == binary else None, **options)

    def calls(self) -> list[dict[str, Any]]:
        path = pathlib.Path(f"{self.plan_path}.calls")
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class OutputEndpoint:
    """Stands in for POST /patching/runs/<id>/output: records bodies; `fail_progress` makes chunk posts raise."""

    def __init__(self, *, fail_progress: bool = False) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail_progress = fail_progress
        self._changed = threading.Condition()

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            self.bodies.append(body)
            self._changed.notify_all()
        if self.fail_progress and body.get("stage") == "progress":
            raise ConnectionError("server unreachable")
        return {}

    def stages(self) -> list[str]:
        return [b["stage"] for b in self.bodies]

    def chunks(self) -> list[str]:
        return [b["output"] for b in self.bodies if b["stage"] == "progress"]

    def final(self) -> dict[str, Any]:
        return self.bodies[-1]

    def wait_for(self, text: str, timeout: float = 20.0) -> bool:
        """Wait until the streamed output holds `text`."""
        with self._changed:
            return self._changed.wait_for(lambda: text in "".join(self.chunks()), timeout)
