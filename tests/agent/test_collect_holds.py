"""Held packages as the host's own package manager reports them (`heldPackages`), and the report that carries them."""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

from patchmon_agent import report as reports
from patchmon_agent.collectors import holds
from patchmon_agent.collectors.common import CommandResult, default_runner
from tests.agent.agent_fakes import FakeHost, reset_agent_logger  # noqa: F401 (autouse fixture)
from tests.agent.command_fixtures import FIXTURES, FakeRunner
from tests.agent.test_report import PYTHON39

ROOT = pathlib.Path(__file__).resolve().parents[2]
CANONICAL = json.loads((ROOT / "tests/contract/canonical_fixtures.json").read_text())


@pytest.mark.parametrize(("distro", "manager", "root", "held"), [
    ("debian-12-holds", "apt", None, ["ca-certificates", "curl", "libssl3", "openssl"]),  # recorded apt-mark output
    ("rocky-9", "dnf", None, ["docker-ce"]),  # dnf 4: name-epoch:version-release.*
    ("fedora-41", "dnf", None, ["kernel"]),  # dnf 5: "Package name:" blocks
    ("amazonlinux-2", "yum", None, []),  # no versionlock plugin: nothing is locked
    ("opensuse-leap-15.6", "zypper", None, ["nginx"]),
    ("arch", "pacman", "arch/root", ["linux-lts"]),
    ("alpine-3.20", "apk", "alpine-3.20/root", ["nginx"]),  # pinned with "="; ">=" does not hold
])
def test_held_packages_are_read_from_each_managers_own_record(distro, manager, root, held):
    runner = FakeRunner(distro)
    assert holds.collect(runner, manager=manager, root=str(FIXTURES / root) if root else "/") == held
    assert runner.unknown_calls() == []


def test_apt_showhold_lines_become_names_without_their_architecture():
    assert holds.parse_apt_showhold("kubelet\nlibc6:i386\n\n  nginx  \n") == ["kubelet", "libc6", "nginx"]


@pytest.mark.parametrize(("manager", "argv"), [("apt", ("apt-mark", "showhold")), ("zypper", ("zypper", "--non-interactive", "locks")),
                                               ("dnf", ("dnf", "-C", "versionlock", "list"))])
def test_missing_tool_leaves_the_holds_unknown(manager, argv):
    runner = FakeRunner("debian-12", overrides={argv: CommandResult(127, "", "No such file or directory")})
    assert holds.collect(runner, manager=manager) is None


def test_zypper_that_fails_leaves_the_holds_unknown_rather_than_empty():
    locked = CommandResult(7, "", "System management is locked by the application with pid 1234 (zypper).")
    runner = FakeRunner("opensuse-leap-15.6", overrides={("zypper", "--non-interactive", "locks"): locked})
    assert holds.collect(runner, manager="zypper") is None


def test_files_that_are_missing_or_an_unknown_manager_leave_the_holds_unknown(tmp_path):
    assert holds.collect(FakeRunner("arch"), manager="pacman", root=str(tmp_path)) is None
    assert holds.collect(FakeRunner("alpine-3.20"), manager="apk", root=str(tmp_path)) is None
    assert holds.collect(FakeRunner("debian-12"), manager="unknown") is None


def test_duplicates_are_reported_once_and_sorted():
    runner = FakeRunner("debian-12", overrides={("apt-mark", "showhold"): CommandResult(0, "zlib1g\nlibc6:amd64\nlibc6:i386\n", "")})
    assert holds.collect(runner, manager="apt") == ["libc6", "zlib1g"]


@pytest.mark.skipif(shutil.which("apt-mark") is None, reason="needs apt-mark")
def test_real_apt_mark_on_this_machine_answers_a_list():
    held = holds.collect(default_runner, manager="apt")
    assert isinstance(held, list) and held == sorted(set(held))


# --- the report ----------------------------------------------------------------------------------------------


def _collectors(held):
    collectors = FakeHost().collectors()
    collectors.holds = held if callable(held) else (lambda: held)
    return collectors


def test_full_report_carries_the_held_packages_sorted_and_unique():
    report = reports.collect(_collectors(["nginx", "kubelet", "nginx", "", 7, "x" * 300]))
    assert report["heldPackages"] == ["kubelet", "nginx"]
    assert list(report)[list(report).index("packageManager") + 1] == "heldPackages"


def test_unknown_holds_leave_the_field_out():
    assert "heldPackages" not in reports.collect(_collectors(None))
    assert "heldPackages" not in reports.collect(FakeHost().collectors())


def test_failing_hold_collector_costs_only_the_field(caplog):
    def broken():
        raise OSError("apt-mark: cannot open /var/lib/dpkg/status")

    report = reports.collect(_collectors(broken))
    assert "heldPackages" not in report and report["packages"]
    assert any(r.getMessage() == "held package collection failed" for r in caplog.records)


def test_held_packages_change_no_canonical_hash():
    # Given the same host with and without holds
    with_holds, without = reports.collect(_collectors(["kubelet"])), reports.collect(_collectors(None))
    # Then the hashes are the same, and still match the shared reference vectors
    assert with_holds["hashes"] == without["hashes"]
    assert reports.section_hashes({"packages": CANONICAL["packages"]["input"], "heldPackages": ["x"]})["packagesHash"] == \
        CANONICAL["packages"]["expected_hash"]


def test_partial_packages_section_carries_the_held_packages_too():
    report = reports.collect(_collectors(["kubelet"]))
    assert reports.partial(report, ["packages"])["heldPackages"] == ["kubelet"]
    assert "heldPackages" not in reports.partial(report, ["hostname"])


def test_fake_collectors_read_held_packages_from_their_file(tmp_path):
    source = tmp_path / "host.json"
    source.write_text(json.dumps({"heldPackages": ["nginx"]}))
    assert reports.fake_collectors(str(source)).holds() == ["nginx"]


def test_default_collectors_include_the_hold_collector():
    assert reports.default_collectors({}).holds is holds.collect


_PY39_SCRIPT = """
import threading
from patchmon_agent.collectors import holds
from patchmon_agent.collectors.common import CommandResult
from patchmon_agent.patching import PatchRunner, exclusions, parse_run_patch, reboot
run = lambda argv, timeout: CommandResult(0, "kubelet\\nlibc6:i386\\n", "")
request = parse_run_patch({"patch_run_id": "r1", "exclude_packages": ["linux-*", "a b"], "pre_hooks": ["true"], "reboot": "always"})
body = PatchRunner(kernel_release=lambda: "k2", boot_time=lambda: "").after_reboot(
    {"patch_run_id": "r1", "kernel_before": "k1", "post_reboot_hooks": ["echo hi"]}, stop=threading.Event())
print(holds.collect(run, manager="apt"), request.exclude_packages, len(request.notes), request.reboot, body["output"].splitlines()[-1],
      body["reboot"]["new_kernel"])
"""


@pytest.mark.skipif(PYTHON39 is None, reason="no python3.9 on this machine")
def test_holds_exclusions_hooks_and_reboot_work_on_the_oldest_python_the_agent_supports():
    done = subprocess.run([PYTHON39, "-c", _PY39_SCRIPT], cwd=ROOT / "agent", capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "['kubelet', 'libc6'] ('linux-*',) 1 always hi True\n"
