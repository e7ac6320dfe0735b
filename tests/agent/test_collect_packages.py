"""Choosing the package manager, the command runner, the wire record, and the real collector on this machine."""
from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import time

import pytest

from patchmon_agent.collectors import packages
from patchmon_agent.collectors.common import NOT_FOUND_RC, TIMEOUT_RC, CommandResult, default_runner, failure, package_record
from tests.agent.command_fixtures import FIXTURES, FakeRunner

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _which(*present: str):
    return lambda command: f"/usr/bin/{command}" if command in present else None


@pytest.mark.parametrize(("present", "manager"), [
    (("apt-get", "dpkg-query", "apt"), "apt"),
    (("dnf", "yum", "rpm"), "dnf"),
    (("yum", "rpm"), "yum"),
    (("zypper", "rpm", "dnf"), "zypper"),
    (("apk",), "apk"),
    (("pacman",), "pacman"),
    (("apt-get", "pacman", "dpkg-query"), "apt"),
    (("rpm",), None),
])
def test_manager_is_detected_from_the_commands_on_path_when_asked(present, manager):
    assert packages.detect_manager(_which(*present)) == manager


def test_result_says_unsupported_when_no_package_manager_is_found():
    result = packages.collect(FakeRunner("debian-12"), manager="unknown")
    assert (result.manager, result.packages) == ("unknown", []) and "unsupported package manager" in result.errors[0]


@pytest.mark.parametrize(("distro", "manager", "root"), [
    ("debian-12", "apt", None), ("rocky-9", "dnf", None), ("amazonlinux-2", "yum", None), ("opensuse-leap-15.6", "zypper", None),
    ("alpine-3.20", "apk", "alpine-3.20/root"), ("arch", "pacman", "arch/root"),
])
def test_collect_hands_over_to_the_manager_when_it_is_named(distro, manager, root):
    result = packages.collect(FakeRunner(distro), manager=manager, root=str(FIXTURES / root) if root else "/")
    assert result.manager == manager and result.errors == [] and result.packages


def test_refresh_runs_the_manager_refresh_and_reports_failure_when_it_fails():
    runner = FakeRunner("debian-12", overrides={("apt-get", "update", "-qq"): CommandResult(100, "", "E: Failed to fetch http://u:p@x/")})
    assert packages.refresh_cache("apt", runner) == "apt-get update -qq: exit status 100: E: Failed to fetch http://[redacted]@x/"
    assert packages.refresh_cache("pacman", runner) is None


def test_runner_returns_output_in_the_c_locale_when_the_command_succeeds():
    result = default_runner([sys.executable, "-c", "import os; print(os.environ['LC_ALL'], 'caf\\u00e9')"], 30)
    assert result == CommandResult(0, "C café\n", "")


def test_runner_returns_127_when_the_command_is_missing():
    assert default_runner(["patchmon-no-such-command"], 5).returncode == NOT_FOUND_RC


def test_runner_returns_124_when_the_command_times_out():
    started = time.monotonic()
    result = default_runner([sys.executable, "-c", "import time; time.sleep(30)"], 0.5)
    assert result.returncode == TIMEOUT_RC and time.monotonic() - started < 10


def test_failure_text_is_short_and_without_credentials_when_stderr_is_long():
    text = failure(["dnf", "check-update"], CommandResult(1, "", "Curl error: https://user:pw@repo.example.com/ " + "x" * 2000))
    assert text.startswith("dnf check-update: exit status 1: Curl error: https://[redacted]@repo.example.com/") and len(text) < 600


def test_record_leaves_out_empty_fields_and_security_without_update_when_built():
    """Only an available update can be a security update; empty optional fields are left out, as the reference does."""
    assert package_record(name="bash", current="5.2-1", security=True) == {"name": "bash", "currentVersion": "5.2-1", "needsUpdate": False,
                                                                            "isSecurityUpdate": False}


@pytest.mark.skipif(shutil.which("dpkg-query") is None or shutil.which("apt-get") is None, reason="not a Debian-family machine")
def test_real_collector_lists_every_installed_package_when_run_on_this_machine():
    """On this Debian machine: as many packages as dpkg has "ii", and no error. (Its speed is measured, not
    asserted here: docs/agent.md gives the figures; timed unit tests flake on shared machines.)"""
    # Given
    listing = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}\\n"], capture_output=True, text=True, check=True)
    installed = sum(1 for line in listing.stdout.splitlines() if line.startswith("ii"))
    # When
    result = packages.collect()
    # Then
    assert result.manager == "apt" and result.errors == []
    assert len(result.packages) == installed


def _python39() -> str | None:
    for candidate in [*map(str, sorted(pathlib.Path("/root/.pyenv/versions").glob("3.9*/bin/python3.9"))), shutil.which("python3.9")]:
        if candidate and subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 9)"], capture_output=True,
                                        check=False).returncode == 0:
            return candidate
    return None


PYTHON39 = _python39()

_PY39_SCRIPT = """
import json, pathlib, sys
from patchmon_agent.collectors import packages, repositories
from patchmon_agent.collectors.common import CommandResult
fixtures = pathlib.Path(sys.argv[1])
def runner_for(distro):
    recorded = {}
    for sidecar in (fixtures / distro).glob("*.json"):
        meta = json.loads(sidecar.read_text())
        recorded[tuple(meta["argv"])] = CommandResult(meta["rc"], sidecar.with_suffix(".stdout").read_text(), meta["stderr"])
    return lambda argv, timeout: recorded.get(tuple(argv), CommandResult(127, "", ""))
results = {}
for distro, manager in [("debian-12", "apt"), ("ubuntu-22.04", "apt"), ("rocky-9", "dnf"), ("fedora-41", "dnf"),
                        ("amazonlinux-2", "yum"), ("opensuse-leap-15.6", "zypper"), ("alpine-3.20", "apk"), ("arch", "pacman")]:
    result = packages.collect(runner_for(distro), manager=manager, root=str(fixtures / distro / "root"))
    assert not result.errors, result.errors
    results[distro] = [result.packages, result.held, repositories.collect(str(fixtures / distro / "root"))]
print(json.dumps(results, sort_keys=True))
"""


@pytest.mark.skipif(PYTHON39 is None, reason="no python3.9 on this machine")
def test_collectors_give_the_same_results_on_python39_when_run_on_recorded_output():
    """The agent runs on the host's python3 >= 3.9: collectors and parsers give there what they give on this Python."""
    on_39, here = (subprocess.run([python, "-c", _PY39_SCRIPT, str(FIXTURES)], capture_output=True, text=True, cwd=ROOT / "agent",
                                  timeout=60, check=False) for python in (PYTHON39, sys.executable))
    assert on_39.returncode == 0, on_39.stderr[-2000:]
    assert on_39.stdout == here.stdout and '"isSecurityUpdate": true' in here.stdout


def test_every_fixture_directory_is_used_by_a_collector_test_when_tests_run():
    """A recorded output or file tree no test reads is dead weight: each directory is named by a test file here."""
    mine = [p for p in pathlib.Path(__file__).parent.glob("test_*.py") if p.stem.startswith(("test_collect_", "test_repositories"))]
    tests = "".join(p.read_text() for p in mine)
    unused = [d.name for d in FIXTURES.iterdir() if d.is_dir() and d.name != "system" and f'"{d.name}' not in tests]
    assert unused == []
