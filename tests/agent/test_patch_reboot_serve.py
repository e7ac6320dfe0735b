"""`serve` and reboots: final stage, then the full report, then the reboot; and at the next start, the host back with its hooks."""
from __future__ import annotations

import json

import pytest

from patchmon_agent import config as cfg
from patchmon_agent.checkin import CheckIn
from patchmon_agent.http import ApiError, TransportError
from patchmon_agent.patching import reboot as reboots
from patchmon_agent.serve import Service
from patchmon_agent.system.reboot import RebootStatus
from tests.agent.agent_fakes import Call, FakeApi, FakeHost, reset_agent_logger  # noqa: F401 (autouse fixture)
from tests.agent.patch_fakes import OutputEndpoint, ScriptedManager

pytestmark = pytest.mark.timeout(60)

API_ID = "patchmon_reboot"
RUN_A = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"
RUN_B = "0193a5b2-9999-7d21-9f3a-5b2c7e4d2193"
REFRESH = "apt-get update -qq"
UPGRADE_ALL = "apt-get -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --with-new-pkgs upgrade -y"
CHECK_APP = "systemctl is-active app"
OUTPUT_A, OUTPUT_B = f"/patching/runs/{RUN_A}/output", f"/patching/runs/{RUN_B}/output"


class World:
    """A service whose runner runs a scripted package manager and reboots nothing but a counter."""

    def __init__(self, tmp_path, plan: dict, *, kernel: str = "6.1.0-18-amd64", reboot_result: reboots.RebootResult | None = None,
                 injected_rebooter: bool = True) -> None:
        loaded = cfg.load_config(tmp_path / "config.yml")
        loaded.config.patchmon_server = "http://127.0.0.1:9"
        self.manager = ScriptedManager(tmp_path, plan)
        self.api, self.endpoints = FakeApi(), {RUN_A: OutputEndpoint(), RUN_B: OutputEndpoint()}
        self.api.responses[("POST", OUTPUT_A)] = self.endpoints[RUN_A]
        self.api.responses[("POST", OUTPUT_B)] = self.endpoints[RUN_B]
        self.reboots = 0
        self.reboot_result = reboot_result or reboots.RebootResult(True, "systemctl reboot")
        runner = self.manager.runner("apt", grace_seconds=1, reboot_check=lambda: RebootStatus(True, "kernel"),
                                     kernel_release=lambda: kernel, boot_time=lambda: "2024-11-26T10:04:41Z", boot_id=lambda: "boot-2",
                                     rebooter=self._reboot if injected_rebooter else None)
        self.service = Service(CheckIn(self.api, FakeHost().collectors(), loaded, api_id=API_ID),
                               cfg.Credentials(API_ID, "secret-key-123"), patch_runner=runner)
        self.service.patching.rebooted_retry_delays = (0.01,)
        self.marker = tmp_path / reboots.MARKER_NAME

    def _reboot(self) -> reboots.RebootResult:
        self.reboots += 1
        self.api.calls.append(Call("REBOOT", ""))
        return self.reboot_result

    def run(self, **fields) -> None:
        self.service.handle({"type": "run_patch", "patch_run_id": RUN_A, **fields})
        assert self.service.patching.wait(timeout=30) is not None

    def hook_calls(self) -> list[str]:
        return [" ".join(c["argv"]) for c in self.manager.calls() if c["argv"][0] == "/bin/sh"]


def _pending(world: World, **extra) -> None:
    marker = {"patch_run_id": RUN_A, "kernel_before": "6.1.0-18-amd64", "post_reboot_hooks": [CHECK_APP],
              "requested_at": "2024-11-26T10:02:03Z", "boot_id": "boot-1", **extra}
    reboots.write_marker(str(world.marker), marker)


def test_rebooting_run_posts_its_final_stage_then_the_full_report_then_reboots(tmp_path):
    # Given
    world = World(tmp_path, {REFRESH: {}, UPGRADE_ALL: {}})
    # When a run with the policy always completes
    world.run(reboot="always", post_reboot_hooks=[CHECK_APP])
    # Then the final stage says so and the marker beside config.yml holds the post-reboot hooks
    assert world.endpoints[RUN_A].final()["reboot"]["decision"] == "rebooting" and world.reboots == 0
    assert json.loads(world.marker.read_text())["post_reboot_hooks"] == [CHECK_APP]
    # When the main loop handles what the run left for it
    world.service.handle(world.service.messages.get(timeout=5))
    # Then the report went out before the reboot
    paths = world.api.paths()
    assert paths[-2:] == ["POST /hosts/update", "REBOOT "]
    assert paths.index("POST /hosts/update") > max(i for i, p in enumerate(paths) if p == f"POST {OUTPUT_A}")


def test_no_run_starts_while_the_reboot_is_pending(tmp_path):
    world = World(tmp_path, {REFRESH: {}, UPGRADE_ALL: {}})
    world.run(reboot="always")
    world.service.handle({"type": "run_patch", "patch_run_id": RUN_B})
    assert world.endpoints[RUN_B].bodies[-1]["error_message"] == f"the host is rebooting after patch run {RUN_A}"
    assert world.endpoints[RUN_B].stages() == ["failed"]
    # and the rebooting run's own message, delivered again, changes nothing
    posted = len(world.endpoints[RUN_A].bodies)
    world.service.handle({"type": "run_patch", "patch_run_id": RUN_A})
    assert len(world.endpoints[RUN_A].bodies) == posted and world.service.patching.rebooting_run == RUN_A


def test_failed_reboot_is_reported_and_runs_may_start_again(tmp_path):
    # Given a reboot command that fails
    world = World(tmp_path, {REFRESH: {}, UPGRADE_ALL: {}}, reboot_result=reboots.RebootResult(False, "systemctl reboot: exit status 1"))
    world.run(reboot="always")
    # When
    world.service.handle(world.service.messages.get(timeout=5))
    # Then
    assert world.endpoints[RUN_A].final() == {"stage": "reboot_failed", "output": "",
                                              "error_message": "the reboot failed: systemctl reboot: exit status 1"}
    assert not world.marker.exists() and world.service.patching.rebooting_run is None


def test_runner_behind_a_prefix_reports_rebooting_but_never_reboots_this_machine(tmp_path, caplog):
    # Given the default rebooter of a runner with a prefix (here the scripted manager's)
    world = World(tmp_path, {REFRESH: {}, UPGRADE_ALL: {}}, injected_rebooter=False)
    world.run(reboot="always")
    # When
    world.service.handle(world.service.messages.get(timeout=5))
    # Then the decision was reported, nothing rebooted, and the marker waits for the next start
    assert world.endpoints[RUN_A].final()["reboot"]["decision"] == "rebooting"
    assert any(r.getMessage().startswith("reboot refused") for r in caplog.records)
    assert world.marker.exists() and world.service.patching.rebooting_run is None


def test_if_required_policy_without_a_needed_reboot_leaves_no_marker_and_reports_as_usual(tmp_path):
    world = World(tmp_path, {REFRESH: {}, UPGRADE_ALL: {}})
    world.service.patching.runner.reboot_check = lambda: RebootStatus(False)
    world.run(reboot="if_required")
    assert world.endpoints[RUN_A].final()["reboot"]["decision"] == "not_required" and not world.marker.exists()
    world.service.handle(world.service.messages.get(timeout=5))
    assert world.reboots == 0 and world.api.paths()[-1] == "POST /hosts/update"


def test_next_start_runs_the_post_reboot_hooks_posts_rebooted_and_reports(tmp_path):
    # Given a pending reboot, and a new kernel running
    world = World(tmp_path, {f"/bin/sh -c {CHECK_APP}": {"lines": ["active"]}}, kernel="6.1.0-28-amd64")
    _pending(world)
    # When the service starts
    world.service.startup()
    world.service.patching.wait(timeout=30)
    # Then
    assert world.hook_calls() == [f"/bin/sh -c {CHECK_APP}"]
    assert world.endpoints[RUN_A].bodies == [{"stage": "rebooted", "output": f"$ <hook: post-reboot> {CHECK_APP}\nactive\n",
                                              "reboot": {"kernel_before": "6.1.0-18-amd64", "kernel_after": "6.1.0-28-amd64",
                                                         "new_kernel": True, "booted_at": "2024-11-26T10:04:41Z"}}]
    assert not world.marker.exists()
    reports = len(world.api.bodies("POST", "/hosts/update"))
    world.service.handle(world.service.messages.get(timeout=5))
    assert len(world.api.bodies("POST", "/hosts/update")) == reports + 1


def test_failing_post_reboot_hook_is_reported_in_the_rebooted_stage(tmp_path):
    world = World(tmp_path, {f"/bin/sh -c {CHECK_APP}": {"lines": ["inactive"], "rc": 3}})
    _pending(world)
    world.service.patching.resume_after_reboot()
    world.service.patching.wait(timeout=30)
    body = world.endpoints[RUN_A].final()
    assert body["stage"] == "rebooted" and body["error_message"] == f"post-reboot hook failed: {CHECK_APP} (exit 3)"
    assert body["reboot"]["new_kernel"] is False


def test_hooks_interrupted_by_an_agent_crash_are_not_run_again(tmp_path):
    world = World(tmp_path, {})
    _pending(world, hooks_started_at="2024-11-26T10:05:00Z")
    world.service.patching.resume_after_reboot()
    world.service.patching.wait(timeout=30)
    assert world.hook_calls() == []
    assert world.endpoints[RUN_A].final()["error_message"] == "post-reboot hooks interrupted: the agent stopped while they ran"
    assert not world.marker.exists()


def test_rebooted_stage_the_server_did_not_get_is_sent_at_the_next_start_without_running_the_hooks_again(tmp_path):
    # Given a server that cannot be reached at the first start
    world = World(tmp_path, {f"/bin/sh -c {CHECK_APP}": {"lines": ["active"]}})
    _pending(world)
    world.api.responses[("POST", OUTPUT_A)] = TransportError("connection refused")
    world.service.patching.resume_after_reboot()
    world.service.patching.wait(timeout=30)
    kept = json.loads(world.marker.read_text())
    assert kept["rebooted_body"]["output"] == f"$ <hook: post-reboot> {CHECK_APP}\nactive\n"
    # When the server answers again at the next start
    world.api.responses[("POST", OUTPUT_A)] = world.endpoints[RUN_A]
    world.service.patching.resume_after_reboot()
    world.service.patching.wait(timeout=30)
    # Then the kept stage is sent, the hook ran once
    assert world.endpoints[RUN_A].final() == kept["rebooted_body"] and world.hook_calls() == [f"/bin/sh -c {CHECK_APP}"]
    assert not world.marker.exists()


def test_rebooted_stage_the_server_refuses_is_dropped(tmp_path):
    world = World(tmp_path, {f"/bin/sh -c {CHECK_APP}": {}})
    _pending(world)
    world.api.responses[("POST", OUTPUT_A)] = ApiError(409, "This run did not reboot its host")
    world.service.patching.resume_after_reboot()
    world.service.patching.wait(timeout=30)
    assert not world.marker.exists()


def test_run_patch_is_answered_busy_while_post_reboot_hooks_run(tmp_path):
    world = World(tmp_path, {f"/bin/sh -c {CHECK_APP}": {"block": True}})
    _pending(world)
    assert world.service.patching.resume_after_reboot() and world.service.patching.busy
    world.service.handle({"type": "run_patch", "patch_run_id": RUN_B})
    assert world.endpoints[RUN_B].bodies[-1]["error_message"] == "another patch run is in progress on this host"
    world.service.shutdown()
    assert world.endpoints[RUN_A].final()["error_message"] == "post-reboot hooks stopped by user"


def test_start_without_a_marker_runs_nothing_after_reboot(tmp_path):
    world = World(tmp_path, {})
    assert world.service.patching.resume_after_reboot() is False and world.service.patching.active is None


def test_start_on_the_same_boot_reports_that_the_host_did_not_reboot(tmp_path):
    # Given a pending reboot written during this very boot, on a runner patching this machine (no prefix)
    world = World(tmp_path, {})
    world.service.patching.runner.prefix = ()
    _pending(world, boot_id="boot-2")
    # When
    world.service.patching.resume_after_reboot()
    world.service.patching.wait(timeout=30)
    # Then no hook ran and nothing reboots by surprise: the server hears that the reboot did not happen
    assert world.endpoints[RUN_A].bodies == [{"stage": "reboot_failed", "output": "",
                                              "error_message": "the host did not reboot: the agent restarted before the reboot took place"}]
    assert world.hook_calls() == [] and world.reboots == 0 and not world.marker.exists()


def test_start_on_a_new_boot_of_this_machine_reports_the_host_back(tmp_path):
    world = World(tmp_path, {})
    world.service.patching.runner.prefix = ()
    _pending(world, post_reboot_hooks=[])
    world.service.patching.resume_after_reboot()
    world.service.patching.wait(timeout=30)
    assert world.endpoints[RUN_A].final()["stage"] == "rebooted" and not world.marker.exists()


def test_agent_update_waits_while_a_reboot_is_pending(tmp_path):
    class Updater:
        calls = 0

        def update(self, *, force):
            Updater.calls += 1

    world = World(tmp_path, {REFRESH: {}, UPGRADE_ALL: {}})
    world.service.updater = Updater()
    world.run(reboot="always")
    world.service.handle({"type": "update_agent"})
    assert Updater.calls == 0
