"""`serve` and patch runs: run_patch in the background, one run at a time, patch_run_stop, and the report after a run."""
from __future__ import annotations

import pytest

from patchmon_agent import config as cfg
from patchmon_agent.checkin import CheckIn
from patchmon_agent.serve import Service
from tests.agent.agent_fakes import FakeApi, FakeHost, reset_agent_logger  # noqa: F401 (autouse fixture)
from tests.agent.patch_fakes import OutputEndpoint, ScriptedManager

pytestmark = pytest.mark.timeout(60)

API_ID = "patchmon_patch"
RUN_A = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"
RUN_B = "0193a5b2-9999-7d21-9f3a-5b2c7e4d2193"
REFRESH = "apt-get update -qq"
UPGRADE_ALL = "apt-get -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --with-new-pkgs upgrade -y"
UPGRADE_CURL = "apt-get -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --only-upgrade install -y curl"
DRY_CURL = "apt-get -s --only-upgrade install curl"


def output_path(run_id: str) -> str:
    return f"/patching/runs/{run_id}/output"


@pytest.fixture
def world(tmp_path):
    def build(plan: dict[str, dict]):
        loaded = cfg.load_config(tmp_path / "config.yml")
        loaded.config.patchmon_server = "http://127.0.0.1:9"
        manager = ScriptedManager(tmp_path, plan)
        api, endpoints = FakeApi(), {RUN_A: OutputEndpoint(), RUN_B: OutputEndpoint()}
        for run_id, endpoint in endpoints.items():
            api.responses[("POST", output_path(run_id))] = endpoint
        checkin = CheckIn(api, FakeHost().collectors(), loaded, api_id=API_ID)
        service = Service(checkin, cfg.Credentials(API_ID, "secret-key-123"), patch_runner=manager.runner("apt", grace_seconds=1))
        return service, api, endpoints, manager

    return build


def test_run_patch_runs_in_the_background_and_reports_the_inventory_after_it(world):
    # Given
    service, api, endpoints, _ = world({REFRESH: {}, UPGRADE_CURL: {"lines": ["Setting up curl ..."]}})
    # When
    service.handle({"type": "run_patch", "patch_run_id": RUN_A, "patch_type": "patch_package", "package_names": ["curl", "bad name"]})
    outcome = service.patching.wait(timeout=30)
    # Then the run completed, and the main loop gets the full report to send
    assert outcome is not None and endpoints[RUN_A].stages()[-1] == "completed"
    assert api.bodies("POST", "/hosts/update") == []
    service.handle(service.messages.get(timeout=5))
    assert len(api.bodies("POST", "/hosts/update")) == 1 and "sections" not in api.bodies("POST", "/hosts/update")[0]


def test_dry_run_is_not_followed_by_a_report(world):
    service, _, endpoints, _ = world({DRY_CURL: {"lines": ["Inst curl [7.88.1-10+deb12u14] (7.88.1-10+deb12u15 Debian:12.15/oldstable [amd64])"]}})
    service.handle({"type": "run_patch", "patch_run_id": RUN_A, "patch_type": "patch_package", "package_name": "curl", "dry_run": True})
    service.patching.wait(timeout=30)
    assert endpoints[RUN_A].final()["stage"] == "dry_run_completed"
    assert service.messages.empty()


def test_second_run_while_one_is_running_is_answered_failed(world):
    # Given a run in progress
    service, _, endpoints, _ = world({REFRESH: {}, UPGRADE_ALL: {"block": True}})
    service.handle({"type": "run_patch", "patch_run_id": RUN_A})
    assert endpoints[RUN_A].wait_for("ready")
    # When another run arrives, and the first one's message is delivered again
    service.handle({"type": "run_patch", "patch_run_id": RUN_B, "patch_type": "patch_all"})
    service.handle({"type": "run_patch", "patch_run_id": RUN_A})
    # Then the second run fails at once and the first goes on
    final_b = endpoints[RUN_B].bodies
    assert [b["stage"] for b in final_b] == ["failed"] and final_b[0]["error_message"] == "another patch run is in progress on this host"
    assert service.patching.busy and "failed" not in endpoints[RUN_A].stages()
    service.handle({"type": "patch_run_stop", "patch_run_id": RUN_A})
    service.patching.wait(timeout=30)


def test_patch_run_stop_stops_the_named_run_and_a_report_follows(world):
    # Given a run in progress
    service, api, endpoints, _ = world({REFRESH: {}, UPGRADE_ALL: {"block": True}})
    service.handle({"type": "run_patch", "patch_run_id": RUN_A})
    assert endpoints[RUN_A].wait_for("ready")
    # When a stop for another run, then for this one, arrive
    service.handle({"type": "patch_run_stop", "patch_run_id": RUN_B})
    assert service.patching.busy
    service.handle({"type": "patch_run_stop", "patch_run_id": RUN_A})
    outcome = service.patching.wait(timeout=30)
    # Then
    assert outcome is not None and outcome.stage == "cancelled"
    assert endpoints[RUN_A].final()["error_message"] == "stopped by user"
    service.handle(service.messages.get(timeout=5))
    assert len(api.bodies("POST", "/hosts/update")) == 1


def test_failed_run_is_not_followed_by_a_report(world):
    service, _, endpoints, _ = world({REFRESH: {}, UPGRADE_ALL: {"rc": 100}})
    service.handle({"type": "run_patch", "patch_run_id": RUN_A})
    service.patching.wait(timeout=30)
    assert endpoints[RUN_A].final()["stage"] == "failed" and service.messages.empty()


def test_patch_package_without_a_valid_name_is_ignored(world):
    service, api, _, manager = world({})
    service.handle({"type": "run_patch", "patch_run_id": RUN_A, "patch_type": "patch_package", "package_names": ["--purge", "x y"]})
    assert service.patching.active is None and api.calls == [] and manager.calls() == []


def test_self_update_waits_while_a_patch_runs(world):
    service, _, endpoints, _ = world({REFRESH: {}, UPGRADE_ALL: {"block": True}})

    class Updater:
        calls = 0

        def update(self, *, force):
            Updater.calls += 1

    service.updater = Updater()
    service.handle({"type": "run_patch", "patch_run_id": RUN_A})
    assert endpoints[RUN_A].wait_for("ready")
    service.handle({"type": "update_agent"})
    assert Updater.calls == 0
    service.shutdown()
    assert not service.patching.busy and endpoints[RUN_A].final()["stage"] == "cancelled"
