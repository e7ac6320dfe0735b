"""The fixture recorder (tests/agent/record_fixtures.py) keeps every command of a collector that runs them in parallel."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from patchmon_agent.collectors import common, packages
from tests.agent import record_fixtures

AGENT = str(Path(__file__).resolve().parents[2] / "agent")


def test_commands_run_at_once_get_files_of_their_own_when_recorded(tmp_path, monkeypatch):
    def slow_runner(argv, timeout):
        time.sleep(0.01)  # every command is still running when the next one starts
        return common.CommandResult(0, " ".join(argv) + "\n", "")

    def parallel_collect(run, **_):
        commands = [["pacman", "-Q", str(n)] for n in range(12)]  # one slug prefix for all of them
        threads = [threading.Thread(target=run, args=(argv, 1.0)) for argv in commands]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return common.PackageResult(manager="pacman", packages=[])

    monkeypatch.setattr(common, "default_runner", slow_runner)
    monkeypatch.setattr(packages, "collect", parallel_collect)

    assert record_fixtures.main([AGENT, str(tmp_path), "test"]) == 0

    sidecars = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert sorted(s["argv"][2] for s in sidecars) == sorted(str(n) for n in range(12))
    for sidecar in tmp_path.glob("*.json"):
        assert sidecar.with_suffix(".stdout").read_text() == " ".join(json.loads(sidecar.read_text())["argv"]) + "\n"


def test_the_named_manager_is_the_one_recorded_when_the_host_has_several(tmp_path, monkeypatch):
    asked = {}

    def collect(run, **kwargs):
        asked.update(kwargs)
        return common.PackageResult(manager=kwargs["manager"], packages=[])

    monkeypatch.setattr(packages, "collect", collect)

    assert record_fixtures.main([AGENT, str(tmp_path), "test", "zypper"]) == 0
    assert asked == {"manager": "zypper"}
    assert record_fixtures.main([AGENT, str(tmp_path), "test"]) == 0
    assert asked == {"manager": None}  # detected, as on a real host
