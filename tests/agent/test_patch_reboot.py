"""The reboot decision of a run for each policy, the pending-reboot marker, the rebooter, and the post-reboot hooks."""
from __future__ import annotations

import json
import os
import stat
import threading
from datetime import UTC, datetime

import pytest

from patchmon_agent.patching import PatchRequest, PatchRunner
from patchmon_agent.patching import reboot as reboots
from patchmon_agent.patching.reboot import system_rebooter as real_system_rebooter
from patchmon_agent.system.reboot import RebootStatus
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)
from tests.agent.patch_fakes import OutputEndpoint, ScriptedManager

pytestmark = pytest.mark.timeout(60)

RUN = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"
AT = datetime(2024, 11, 26, 10, 2, 3, tzinfo=UTC)
APT_REFRESH = "apt-get update -qq"
APT_UPGRADE_ALL = "apt-get -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --with-new-pkgs upgrade -y"
KERNEL_REASON = "kernel 6.1.0-28-amd64 installed, 6.1.0-18-amd64 running"
REQUIRED, NOT_REQUIRED = RebootStatus(True, KERNEL_REASON), RebootStatus(False)


class Rebooter:
    def __init__(self, result: reboots.RebootResult | None = None) -> None:
        self.calls = 0
        self.result = result or reboots.RebootResult(True, "systemctl reboot")

    def __call__(self) -> reboots.RebootResult:
        self.calls += 1
        return self.result


def _runner(manager: ScriptedManager, tmp_path, status: RebootStatus = NOT_REQUIRED, **options) -> PatchRunner:
    return manager.runner("apt", now=lambda: AT, grace_seconds=1, marker_path=str(tmp_path / "etc" / reboots.MARKER_NAME),
                          reboot_check=lambda: status, kernel_release=lambda: "6.1.0-18-amd64", boot_id=lambda: "boot-1",
                          rebooter=Rebooter(), **options)


def _real_run(tmp_path, policy: str | None, status: RebootStatus = NOT_REQUIRED, *, upgrade_rc: int = 0, **fields):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {"rc": upgrade_rc}})
    endpoint = OutputEndpoint()
    runner = _runner(manager, tmp_path, status)
    outcome = runner.execute(PatchRequest(RUN, reboot=policy, **fields), post=endpoint, stop=threading.Event())
    return outcome, endpoint, runner


# --- the decision ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("policy", "status", "decision", "reason"), [
    ("always", NOT_REQUIRED, "rebooting", "the policy reboots after every run"),
    ("always", REQUIRED, "rebooting", f"the policy reboots after every run ({KERNEL_REASON})"),
    ("if_required", REQUIRED, "rebooting", KERNEL_REASON),
    ("if_required", NOT_REQUIRED, "not_required", "no reboot required"),
    ("never", REQUIRED, "not_allowed", f"{KERNEL_REASON}; the policy never reboots"),
    ("never", NOT_REQUIRED, "not_required", "no reboot required"),
])
def test_completed_run_decides_the_reboot_its_policy_asks_for(tmp_path, policy, status, decision, reason):
    # When
    outcome, endpoint, runner = _real_run(tmp_path, policy, status)
    # Then the final stage carries the decision, and the output says it
    assert endpoint.final()["stage"] == "completed"
    assert endpoint.final()["reboot"] == {"policy": policy, "required": status.needed, "decision": decision, "reason": reason,
                                          "kernel_before": "6.1.0-18-amd64"}
    assert f"(reboot policy {policy}: {decision}, {reason})\n--- Patch run completed" in endpoint.final()["output"]
    assert outcome.rebooting is (decision == "rebooting")
    assert os.path.exists(runner.marker) is (decision == "rebooting")
    assert runner.rebooter.calls == 0  # the service reboots, after the report


@pytest.mark.parametrize(("upgrade_rc", "request_fields", "reason"), [(100, {}, "the run failed"), (0, {"dry_run": True}, "dry run")])
def test_failed_or_dry_run_skips_the_reboot(tmp_path, upgrade_rc, request_fields, reason):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {"rc": upgrade_rc}, "apt-get -s --with-new-pkgs upgrade": {}})
    endpoint = OutputEndpoint()
    runner = _runner(manager, tmp_path, REQUIRED)
    runner.execute(PatchRequest(RUN, reboot="always", **request_fields), post=endpoint, stop=threading.Event())
    assert endpoint.final()["reboot"] == {"policy": "always", "required": True, "decision": "skipped", "reason": reason,
                                          "kernel_before": "6.1.0-18-amd64"}
    assert not os.path.exists(runner.marker)


def test_stopped_run_skips_the_reboot():
    decided = reboots.decide("always", stage="cancelled", dry_run=False, required=False, why="", kernel_before="6.1.0-18-amd64")
    assert (decided["decision"], decided["reason"]) == ("skipped", "the run was stopped")


def test_run_without_a_policy_reports_no_reboot_object(tmp_path):
    outcome, endpoint, runner = _real_run(tmp_path, None, REQUIRED)
    assert "reboot" not in endpoint.final() and outcome.reboot is None and not os.path.exists(runner.marker)


def test_reboot_check_that_fails_is_reported_as_not_required(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {}})
    endpoint = OutputEndpoint()

    def broken():
        raise OSError("rpm database locked")

    runner = _runner(manager, tmp_path)
    runner.reboot_check = broken
    runner.execute(PatchRequest(RUN, reboot="if_required"), post=endpoint, stop=threading.Event())
    reboot = endpoint.final()["reboot"]
    assert (reboot["decision"], reboot["required"]) == ("not_required", False)
    assert reboot["reason"] == "could not tell whether a reboot is required: rpm database locked"


def test_marker_is_written_privately_before_the_final_stage_is_posted(tmp_path):
    # Given a server endpoint that looks for the marker when the final stage arrives
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {}})
    runner = _runner(manager, tmp_path)
    seen = {}

    def post(body):
        if body["stage"] == "completed":
            seen["marker"] = json.loads(open(runner.marker).read())
        return {}

    # When
    runner.execute(PatchRequest(RUN, reboot="always", post_reboot_hooks=("systemctl is-active app",)), post=post, stop=threading.Event())
    # Then
    assert seen["marker"] == {"patch_run_id": RUN, "kernel_before": "6.1.0-18-amd64", "post_reboot_hooks": ["systemctl is-active app"],
                              "requested_at": "2024-11-26T10:02:03Z", "boot_id": "boot-1"}
    assert stat.S_IMODE(os.stat(runner.marker).st_mode) == 0o600


def test_reboot_is_skipped_when_the_marker_cannot_be_written(tmp_path):
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, APT_UPGRADE_ALL: {}})
    (tmp_path / "not-a-dir").write_text("")
    runner = _runner(manager, tmp_path)
    runner.marker_path = str(tmp_path / "not-a-dir" / reboots.MARKER_NAME)
    endpoint = OutputEndpoint()
    outcome = runner.execute(PatchRequest(RUN, reboot="always"), post=endpoint, stop=threading.Event())
    assert not outcome.rebooting and endpoint.final()["reboot"]["decision"] == "skipped"
    assert endpoint.final()["reboot"]["reason"].startswith("could not record the pending reboot: ")


# --- the rebooter ------------------------------------------------------------------------------------------------


def test_runner_calls_its_injected_rebooter(tmp_path):
    rebooter = Rebooter()
    assert PatchRunner(rebooter=rebooter).reboot().ok and rebooter.calls == 1


def test_runner_behind_a_prefix_refuses_to_reboot_this_machine(caplog):
    result = PatchRunner.in_root("/srv/roots/debian-12").reboot()
    assert result.ok and result.refused
    assert any(r.getMessage().startswith("reboot refused") for r in caplog.records)


def test_runner_without_prefix_or_rebooter_uses_the_system_rebooter(monkeypatch):
    monkeypatch.setattr(reboots, "system_rebooter", lambda: reboots.RebootResult(True, "stand-in"))
    assert PatchRunner().reboot() == reboots.RebootResult(True, "stand-in")


def test_system_rebooter_falls_back_from_systemctl_to_shutdown():
    calls = []

    def run(argv, **_options):
        calls.append(argv)
        if argv[0] == "systemctl":
            raise FileNotFoundError(argv[0])
        return type("Done", (), {"returncode": 0, "stdout": "", "stderr": ""})()

    result = real_system_rebooter(run=run, in_chroot=lambda: False)
    assert result == reboots.RebootResult(True, "shutdown -r now") and calls == [["systemctl", "reboot"], ["shutdown", "-r", "now"]]


def test_system_rebooter_reports_every_failure_when_no_command_works():
    def run(argv, **_options):
        return type("Done", (), {"returncode": 1, "stdout": "", "stderr": "Access denied"})()

    result = real_system_rebooter(run=run, in_chroot=lambda: False)
    assert not result.ok and result.detail.count("Access denied") == 3


def test_system_rebooter_never_reboots_from_inside_a_chroot():
    def run(argv, **_options):
        raise AssertionError("must not run")

    result = real_system_rebooter(run=run, in_chroot=lambda: True)
    assert result.ok and result.refused


# --- after the reboot --------------------------------------------------------------------------------------------


def test_post_reboot_hooks_run_with_a_real_shell_and_their_output_is_collected():
    # Given a marker with two hooks, the second failing (a runner without prefix: /bin/sh of this machine)
    marker = {"patch_run_id": RUN, "kernel_before": "6.1.0-18-amd64", "requested_at": "2024-11-26T10:02:03Z",
              "post_reboot_hooks": ['echo "hook $PATCHMON_HOOK of $PATCHMON_PATCH_RUN_ID"', "echo broken >&2; exit 3", "echo never"]}
    runner = PatchRunner(kernel_release=lambda: "6.1.0-28-amd64", boot_time=lambda: "2024-11-26T10:04:41Z")
    # When
    body = runner.after_reboot(marker, stop=threading.Event())
    # Then
    assert body == {"stage": "rebooted",
                    "output": (f'$ <hook: post-reboot> echo "hook $PATCHMON_HOOK of $PATCHMON_PATCH_RUN_ID"\nhook post-reboot of {RUN}\n'
                               "$ <hook: post-reboot> echo broken >&2; exit 3\nbroken\n"),
                    "reboot": {"kernel_before": "6.1.0-18-amd64", "kernel_after": "6.1.0-28-amd64", "new_kernel": True,
                               "booted_at": "2024-11-26T10:04:41Z"},
                    "error_message": "post-reboot hook failed: echo broken >&2; exit 3 (exit 3)"}


def test_rebooted_body_without_hooks_has_no_error_and_same_kernel_is_not_new():
    marker = {"patch_run_id": RUN, "kernel_before": "6.1.0-18-amd64", "post_reboot_hooks": []}
    body = PatchRunner(kernel_release=lambda: "6.1.0-18-amd64", boot_time=lambda: "").after_reboot(marker, stop=threading.Event())
    assert body == {"stage": "rebooted", "output": "", "reboot": {"kernel_before": "6.1.0-18-amd64", "kernel_after": "6.1.0-18-amd64",
                                                                  "new_kernel": False}}


@pytest.mark.parametrize("content", ["{not json", json.dumps({"patch_run_id": "../x", "post_reboot_hooks": []}),
                                     json.dumps({"patch_run_id": RUN, "post_reboot_hooks": "uptime"}), json.dumps([1])])
def test_invalid_marker_is_removed_and_ignored(tmp_path, content):
    path = tmp_path / reboots.MARKER_NAME
    path.write_text(content)
    assert reboots.read_marker(str(path)) is None and not path.exists()


def test_boot_time_and_boot_id_of_this_machine_are_read_or_unknown():
    booted, boot = reboots.boot_time(), reboots.boot_id()
    assert booted == "" or (len(booted) == 20 and booted.endswith("Z"))
    assert boot == "" or len(boot) == 36


@pytest.mark.parametrize(("marker", "current", "same"), [({"boot_id": "b1"}, "b1", True), ({"boot_id": "b1"}, "b2", False),
                                                          ({}, "b1", False), ({"boot_id": ""}, "", False)])
def test_same_boot_only_when_both_boot_ids_are_known_and_equal(marker, current, same):
    assert reboots.same_boot(marker, current) is same
