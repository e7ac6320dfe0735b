"""PatchRunner against a scripted package manager run as a real process: stages, streaming, stop, kill, timeout, exit codes."""
from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import threading
from datetime import UTC, datetime

import pytest

from patchmon_agent.patching import PatchRequest, PatchRunner
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)
from tests.agent.patch_fakes import OutputEndpoint, ScriptedManager
from tests.agent.test_collect_packages import PYTHON39

pytestmark = pytest.mark.timeout(60)

RUN = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"
AT = datetime(2024, 11, 26, 10, 2, 3, tzinfo=UTC)
DPKG = "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
APT_REFRESH = "apt-get update -qq"
APT_UPGRADE_ALL = f"apt-get {DPKG} --with-new-pkgs upgrade -y"
APT_DRY_PACKAGE = "apt-get -s --only-upgrade install openssl"
ALL = PatchRequest(RUN, "patch_all")
DRY_OPENSSL = PatchRequest(RUN, "patch_package", ("openssl",), dry_run=True)
SIMULATION = ["Reading package lists...", "The following packages will be upgraded:", "  libssl3 openssl",
              "Inst libssl3 [3.0.19-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])",
              "Inst openssl [3.0.19-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])"]


def _execute(manager: ScriptedManager, request: PatchRequest, endpoint: OutputEndpoint, *, pm: str = "apt", stop: threading.Event | None = None,
             **options):
    runner = manager.runner(pm, now=lambda: AT, **options)
    return runner.execute(request, post=endpoint, stop=stop or threading.Event())


def _stop_when_ready(endpoint: OutputEndpoint) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=lambda: endpoint.wait_for("ready") and stop.set(), daemon=True).start()
    return stop


def test_real_run_posts_started_progress_and_completed_with_the_whole_output(tmp_path):
    # Given
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {"lines": ["Hit:1 http://deb.debian.org/debian bookworm InRelease"]},
                                         APT_UPGRADE_ALL: {"lines": ["Setting up openssl (3.0.22-1~deb12u2) ...", "done"],
                                                           "stderr": ["debconf: delaying package configuration"]}})
    endpoint = OutputEndpoint()
    # When
    outcome = _execute(manager, ALL, endpoint)
    # Then
    stages = endpoint.stages()
    assert stages[0] == "started" and stages[-1] == "completed" and set(stages[1:-1]) == {"progress"}
    streamed = "".join(endpoint.chunks())
    assert streamed == (f"$ {APT_REFRESH}\nHit:1 http://deb.debian.org/debian bookworm InRelease\n"
                        f"$ {APT_UPGRADE_ALL}\nSetting up openssl (3.0.22-1~deb12u2) ...\ndone\ndebconf: delaying package configuration\n")
    assert endpoint.final() == {"stage": "completed", "output": streamed + "--- Patch run completed at 2024-11-26T10:02:03Z ---\n"}
    assert outcome.body() == endpoint.final() and not outcome.dry_run
    assert [c["argv"] for c in manager.calls()] == [APT_REFRESH.split(), APT_UPGRADE_ALL.split()]
    assert manager.calls()[0]["env"] == {"LC_MESSAGES": "C", "DEBIAN_FRONTEND": "noninteractive"}


def test_no_chunk_holds_output_of_two_commands_when_streamed(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {"burst": 3000}, APT_UPGRADE_ALL: {"lines": ["upgraded"]}})
    endpoint = OutputEndpoint()
    _execute(manager, ALL, endpoint)
    chunks = endpoint.chunks()
    assert len(chunks) >= 2
    assert any(c.startswith(f"$ {APT_UPGRADE_ALL}\n") for c in chunks)
    assert not any(APT_REFRESH in c and "upgraded" in c for c in chunks)


def test_dry_run_is_only_the_simulation_and_reports_the_packages_affected(tmp_path):
    # Given
    manager = ScriptedManager(tmp_path, {APT_DRY_PACKAGE: {"lines": SIMULATION}})
    endpoint = OutputEndpoint()
    # When
    outcome = _execute(manager, DRY_OPENSSL, endpoint)
    # Then
    assert [c["argv"] for c in manager.calls()] == [APT_DRY_PACKAGE.split()]
    final = endpoint.final()
    assert final["stage"] == "dry_run_completed" and final["output"].endswith("--- Patch run Dry run completed at 2024-11-26T10:02:03Z ---\n")
    assert final["packages_affected"] == [{"name": "libssl3", "version": "3.0.22-1~deb12u2", "action": "upgrade"},
                                          {"name": "openssl", "version": "3.0.22-1~deb12u2", "action": "upgrade"}]
    assert outcome.dry_run


def test_dnf_dry_run_that_exits_1_after_the_table_counts_as_done(tmp_path):
    table = ["Dependencies resolved.", "Upgrading:", " openssl   x86_64   1:3.2.2-6.el9_5   baseos   1.4 M", "", "Transaction Summary",
             "Operation aborted."]
    manager = ScriptedManager(tmp_path, {"dnf upgrade --assumeno openssl": {"lines": table, "rc": 1}})
    endpoint = OutputEndpoint()
    _execute(manager, DRY_OPENSSL, endpoint, pm="dnf")
    assert endpoint.final()["stage"] == "dry_run_completed"
    assert endpoint.final()["packages_affected"] == [{"name": "openssl", "version": "1:3.2.2-6.el9_5", "action": "upgrade"}]


def test_dnf_dry_run_that_exits_1_with_an_error_fails(tmp_path):
    manager = ScriptedManager(tmp_path, {"dnf upgrade --assumeno openssl": {"stderr": ["No match for argument: openssl",
                                                                                       "Error: No packages marked for upgrade."], "rc": 1}})
    endpoint = OutputEndpoint()
    _execute(manager, DRY_OPENSSL, endpoint, pm="dnf")
    assert endpoint.final()["stage"] == "failed" and endpoint.final()["error_message"] == "dnf exited with status 1"
    assert "packages_affected" not in endpoint.final()


def test_failing_upgrade_ends_the_run_as_failed_with_its_exit_status(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {"stderr": ["E: Could not get lock /var/lib/dpkg/lock-frontend"],
                                                                            "rc": 100}})
    endpoint = OutputEndpoint()
    _execute(manager, ALL, endpoint)
    final = endpoint.final()
    assert final["stage"] == "failed" and final["error_message"] == "apt-get exited with status 100"
    assert final["output"].endswith("E: Could not get lock /var/lib/dpkg/lock-frontend\n--- Patch run failed at 2024-11-26T10:02:03Z ---\n")


def test_failed_refresh_is_noted_and_the_upgrade_still_runs(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {"lines": ["W: Failed to fetch http://example.com/dists/x/InRelease"], "rc": 100},
                                         APT_UPGRADE_ALL: {"lines": ["0 upgraded"]}})
    endpoint = OutputEndpoint()
    _execute(manager, ALL, endpoint)
    assert endpoint.final()["stage"] == "completed"
    assert "(refreshing the package lists failed with exit status 100; continuing)\n" in endpoint.final()["output"]


def test_zypper_informational_exit_code_completes_the_run(tmp_path):
    manager = ScriptedManager(tmp_path, {"zypper --non-interactive refresh": {},
                                         "zypper --non-interactive update --auto-agree-with-licenses": {"lines": ["Note: reboot required"],
                                                                                                        "rc": 102}})
    endpoint = OutputEndpoint()
    _execute(manager, ALL, endpoint, pm="zypper")
    assert endpoint.final()["stage"] == "completed"


def test_stop_interrupts_the_running_command_and_ends_as_cancelled(tmp_path):
    # Given an upgrade that runs until it is interrupted
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {"lines": ["Unpacking openssl ..."], "block": True}})
    endpoint = OutputEndpoint()
    # When the server asks to stop once the command is running
    outcome = _execute(manager, ALL, endpoint, stop=_stop_when_ready(endpoint))
    # Then the command got SIGINT and the run is cancelled
    final = endpoint.final()
    assert final["stage"] == "cancelled" and final["error_message"] == "stopped by user"
    assert final["output"].endswith("ready\ninterrupted\n--- Patch run stopped by user at 2024-11-26T10:02:03Z ---\n")
    assert outcome.stage == "cancelled"


def test_command_that_ignores_sigint_is_killed_after_the_grace_period(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {"block": True, "ignore_sigint": True}})
    endpoint = OutputEndpoint()
    _execute(manager, ALL, endpoint, stop=_stop_when_ready(endpoint), grace_seconds=0.3)
    final = endpoint.final()
    assert final["stage"] == "cancelled" and "got SIGINT, ignoring it\n" in final["output"]


def test_stop_before_the_next_command_skips_it(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {"lines": ["refreshed"]}, APT_UPGRADE_ALL: {}})
    endpoint = OutputEndpoint()
    stop = threading.Event()
    stop.set()
    _execute(manager, ALL, endpoint, stop=stop)
    assert endpoint.final()["stage"] == "cancelled" and manager.calls() == []


def test_run_longer_than_the_timeout_is_interrupted_and_fails(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {"block": True}})
    endpoint = OutputEndpoint()
    _execute(manager, ALL, endpoint, timeout_seconds=1)
    final = endpoint.final()
    assert final["stage"] == "failed" and final["error_message"] == "timed out after 1 second"
    assert "interrupted\n" in final["output"]


def test_failing_chunk_posts_do_not_stop_the_run(tmp_path, caplog):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {"lines": ["a", "b"]}, APT_UPGRADE_ALL: {"lines": ["c"]}})
    endpoint = OutputEndpoint(fail_progress=True)
    _execute(manager, ALL, endpoint)
    assert endpoint.final()["stage"] == "completed" and "c\n" in endpoint.final()["output"]
    assert {r.getMessage() for r in caplog.records if r.levelname == "WARNING"} == {"patch output chunk not sent"}


def test_command_that_cannot_start_fails_the_run(tmp_path):
    endpoint = OutputEndpoint()
    runner = PatchRunner(prefix=(str(tmp_path / "missing-chroot-helper"),), which=lambda n: "/usr/bin/apt-get" if n == "apt-get" else None,
                         now=lambda: AT)
    runner.execute(ALL, post=endpoint, stop=threading.Event())
    assert endpoint.stages()[0] == "started" and endpoint.final()["stage"] == "failed"
    assert endpoint.final()["error_message"].startswith("could not start apt-get: ")


def test_alpine_host_gets_only_a_failed_stage(tmp_path):
    manager = ScriptedManager(tmp_path, {})
    endpoint = OutputEndpoint()
    _execute(manager, ALL, endpoint, pm="apk")
    message = 'package manager "apk" not supported for patching (apt, dnf, yum, zypper, pacman required)'
    assert endpoint.bodies == [{"stage": "failed", "output": f"{message}\n--- Patch run failed at 2024-11-26T10:02:03Z ---\n",
                                "error_message": message}]
    assert manager.calls() == []


def test_in_root_prefixes_every_command_with_chroot_and_looks_for_the_manager_inside(tmp_path):
    (tmp_path / "usr/bin").mkdir(parents=True)
    (tmp_path / "usr/bin/pacman").write_text("#!/bin/sh\n")
    (tmp_path / "usr/bin/pacman").chmod(0o755)
    runner = PatchRunner.in_root(str(tmp_path), timeout_seconds=5)
    assert runner.prefix == ("chroot", str(tmp_path)) and runner.timeout_seconds == 5
    assert runner.which("pacman") == str(tmp_path / "usr/bin/pacman") and runner.which("apt-get") is None


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt-get")
def test_real_apt_dry_run_of_an_installed_package_posts_its_stages():
    """`apt-get -s --only-upgrade install bash` on this machine: a simulation, nothing is changed."""
    endpoint = OutputEndpoint()
    request = PatchRequest(RUN, "patch_package", ("bash",), dry_run=True)
    PatchRunner().execute(request, post=endpoint, stop=threading.Event())
    stages, final = endpoint.stages(), endpoint.final()
    assert stages[0] == "started" and stages[-1] == "dry_run_completed" and "progress" in stages
    assert final["output"].startswith("$ apt-get -s --only-upgrade install bash\n")
    assert re.search(r"\n--- Patch run Dry run completed at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ---\n$", final["output"])
    affected = final["packages_affected"]
    if "\nInst bash [" in final["output"]:
        assert any(p["name"] == "bash" and p["action"] == "upgrade" for p in affected)
    else:
        assert affected == []


_PY39_RUN = """
import threading
from patchmon_agent.patching import PatchRequest, PatchRunner
bodies = []
runner = PatchRunner(prefix=("echo",), which=lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
runner.execute(PatchRequest("r1", "patch_package", ("curl",), dry_run=True), post=bodies.append, stop=threading.Event())
print(bodies[0]["stage"], bodies[-1]["stage"], repr(bodies[-1]["output"].splitlines()[:2]))
"""


@pytest.mark.skipif(PYTHON39 is None, reason="no python3.9 on this machine")
def test_patch_run_works_on_the_oldest_python_the_agent_supports():
    """The agent runs on the host's python3 >= 3.9: a run (through an `echo` prefix) goes the same way there."""
    agent = pathlib.Path(__file__).resolve().parents[2] / "agent"
    done = subprocess.run([PYTHON39, "-c", _PY39_RUN], cwd=agent, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "started dry_run_completed ['$ apt-get -s --only-upgrade install curl', 'apt-get -s --only-upgrade install curl']\n"
