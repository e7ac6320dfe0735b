"""Pre- and post-patch hooks: run with /bin/sh -c through the runner's prefix, in order, streamed, and what their failure does."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from patchmon_agent.patching import PatchRequest
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)
from tests.agent.patch_fakes import OutputEndpoint, ScriptedManager

pytestmark = pytest.mark.timeout(60)

RUN = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"
AT = datetime(2024, 11, 26, 10, 2, 3, tzinfo=UTC)
APT_REFRESH = "apt-get update -qq"
APT_UPGRADE_ALL = "apt-get -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --with-new-pkgs upgrade -y"
STOP_APP, START_APP, CHECK_APP = "systemctl stop app", "systemctl start app", "curl -fsS http://127.0.0.1:8080/health"
HOOKED = PatchRequest(RUN, pre_hooks=(STOP_APP,), post_hooks=(START_APP, CHECK_APP))


def sh(command: str) -> str:
    """The plan key of a hook: what reaches the fake through the prefix."""
    return f"/bin/sh -c {command}"


def _execute(manager: ScriptedManager, request: PatchRequest, *, stop: threading.Event | None = None, **options):
    endpoint = OutputEndpoint()
    outcome = manager.runner("apt", now=lambda: AT, grace_seconds=1, **options).execute(request, post=endpoint,
                                                                                          stop=stop or threading.Event())
    return outcome, endpoint


def _calls(manager: ScriptedManager) -> list[str]:
    return [" ".join(call["argv"]) for call in manager.calls()]


def test_hooks_run_around_the_package_operation_in_order_and_are_announced(tmp_path):
    # Given
    manager = ScriptedManager(tmp_path, {sh(STOP_APP): {"lines": ["app stopped"]}, APT_REFRESH: {}, APT_UPGRADE_ALL: {"lines": ["done"]},
                                         sh(START_APP): {"lines": ["app started"]}, sh(CHECK_APP): {"lines": ["ok"]}})
    # When
    outcome, endpoint = _execute(manager, HOOKED)
    # Then
    assert _calls(manager) == [sh(STOP_APP), APT_REFRESH, APT_UPGRADE_ALL, sh(START_APP), sh(CHECK_APP)]
    assert outcome.stage == "completed"
    streamed = "".join(endpoint.chunks())
    assert streamed.startswith(f"$ <hook: pre> {STOP_APP}\napp stopped\n$ {APT_REFRESH}\n")
    assert streamed.endswith(f"$ <hook: post> {START_APP}\napp started\n$ <hook: post> {CHECK_APP}\nok\n")


def test_failing_pre_hook_aborts_the_run_before_any_package_command(tmp_path):
    manager = ScriptedManager(tmp_path, {sh(STOP_APP): {"stderr": ["Failed to stop app.service: Unit app.service not loaded."], "rc": 5}})
    outcome, endpoint = _execute(manager, HOOKED)
    assert _calls(manager) == [sh(STOP_APP)]
    assert outcome.stage == "failed" and endpoint.final()["error_message"] == f"pre-patch hook failed: {STOP_APP} (exit 5)"
    assert "Unit app.service not loaded.\n--- Patch run failed at " in endpoint.final()["output"]


def test_failing_post_hook_fails_the_run_and_later_hooks_do_not_run(tmp_path):
    manager = ScriptedManager(tmp_path, {sh(STOP_APP): {}, APT_REFRESH: {}, APT_UPGRADE_ALL: {}, sh(START_APP): {"rc": 1}})
    outcome, endpoint = _execute(manager, HOOKED)
    assert _calls(manager)[-1] == sh(START_APP)
    assert outcome.stage == "failed" and endpoint.final()["error_message"] == f"post-patch hook failed: {START_APP} (exit 1)"


def test_post_hooks_do_not_run_after_a_failed_operation(tmp_path):
    manager = ScriptedManager(tmp_path, {sh(STOP_APP): {}, APT_REFRESH: {}, APT_UPGRADE_ALL: {"rc": 100}})
    outcome, endpoint = _execute(manager, HOOKED)
    assert _calls(manager) == [sh(STOP_APP), APT_REFRESH, APT_UPGRADE_ALL]
    assert endpoint.final()["error_message"] == "apt-get exited with status 100"


def test_hooks_are_skipped_in_a_dry_run_and_the_output_says_so(tmp_path):
    dry = "apt-get -s --with-new-pkgs upgrade"
    manager = ScriptedManager(tmp_path, {dry: {}})
    outcome, endpoint = _execute(manager, PatchRequest(RUN, dry_run=True, pre_hooks=(STOP_APP,), post_reboot_hooks=("uptime",)))
    assert _calls(manager) == [dry] and outcome.stage == "dry_run_completed"
    assert endpoint.final()["output"].startswith(f"(hooks skipped in a dry run)\n$ {dry}\n")


def test_hook_longer_than_its_timeout_is_interrupted_and_fails_the_run(tmp_path):
    manager = ScriptedManager(tmp_path, {sh(STOP_APP): {"block": True}})
    outcome, endpoint = _execute(manager, HOOKED, hook_timeout_seconds=0.5)
    assert _calls(manager) == [sh(STOP_APP)]
    assert endpoint.final()["error_message"] == f"pre-patch hook failed: {STOP_APP} (timed out after 0.5 seconds)"
    assert "interrupted\n" in endpoint.final()["output"]


def test_hook_cut_by_the_run_timeout_reports_the_run_timeout(tmp_path):
    manager = ScriptedManager(tmp_path, {sh(STOP_APP): {"block": True}})
    _, endpoint = _execute(manager, HOOKED, timeout_seconds=0.5)
    assert endpoint.final()["error_message"] == "timed out after 0.5 seconds"


def test_stop_during_a_hook_cancels_the_run(tmp_path):
    manager = ScriptedManager(tmp_path, {sh(STOP_APP): {"block": True}})
    stop = threading.Event()
    endpoint = OutputEndpoint()
    threading.Thread(target=lambda: endpoint.wait_for("ready") and stop.set(), daemon=True).start()
    outcome = manager.runner("apt", now=lambda: AT, grace_seconds=1).execute(HOOKED, post=endpoint, stop=stop)
    assert outcome.stage == "cancelled" and _calls(manager) == [sh(STOP_APP)]


def test_hook_that_cannot_start_fails_the_run(tmp_path):
    endpoint = OutputEndpoint()
    manager = ScriptedManager(tmp_path, {})
    runner = manager.runner("apt", now=lambda: AT)
    runner.prefix = (str(tmp_path / "missing-helper"),)
    runner.execute(HOOKED, post=endpoint, stop=threading.Event())
    assert endpoint.final()["error_message"].startswith(f"pre-patch hook failed: {STOP_APP} (could not start /bin/sh: ")
