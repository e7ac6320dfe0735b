"""`serve`: the startup sequence, the schedule, WebSocket messages and a clean stop."""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

from patchmon_agent import config as cfg
from patchmon_agent.checkin import CheckIn, Schedule, offset_seconds
from patchmon_agent.report import FAKE_COLLECTORS_ENV
from patchmon_agent.serve import Service
from patchmon_agent.update import UpdateResult
from tests.agent.agent_fakes import FakeApi, FakeHost, FakeServer, reset_agent_logger  # noqa: F401 (autouse fixture)

API_ID = "patchmon_serve"
ROOT = pathlib.Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


class FakeSocket:
    """Stands in for ws.AgentSocket: delivers `script` to on_message, then waits for stop."""

    script: list[dict] = []

    def __init__(self, url, headers, on_message, *, verify_tls=True, logger=None) -> None:
        self.url, self.headers, self.on_message, self.verify_tls = url, headers, on_message, verify_tls
        self.sent: list[dict] = []
        self.stopped = threading.Event()

    def run(self, stop: threading.Event) -> None:
        for message in self.script:
            self.on_message(message)
        stop.wait()
        self.stopped.set()

    def send(self, message: dict) -> bool:
        self.sent.append(message)
        return True


class FakeUpdater:
    def __init__(self, status: str = "up_to_date", has_update: bool = False) -> None:
        self.status, self.has_update = status, has_update
        self.calls: list[bool] = []

    def update(self, *, force: bool = False) -> UpdateResult:
        self.calls.append(force)
        return UpdateResult(self.status, "0.1.0", "0.2.0")

    def check(self) -> dict:
        return {"hasUpdate": self.has_update, "latestVersion": "0.2.0"}


@pytest.fixture
def config_file(tmp_path):
    loaded = cfg.load_config(tmp_path / "config.yml")
    loaded.config.patchmon_server = "http://127.0.0.1:9"
    loaded.save()
    return loaded


@pytest.fixture
def world(config_file):
    api, host, clock = FakeApi(), FakeHost(), Clock()
    checkin = CheckIn(api, host.collectors(), config_file, api_id=API_ID)
    service = Service(checkin, cfg.Credentials(API_ID, "secret-key-123"), socket_factory=FakeSocket, updater=FakeUpdater(), clock=clock)
    checkin.after_full_report = service.after_full_report
    return {"api": api, "host": host, "clock": clock, "service": service, "config_file": config_file}


def test_startup_syncs_settings_pings_connects_and_sends_a_full_report_in_order(world):
    # Given a server with a 30-minute interval
    api, service = world["api"], world["service"]
    api.responses[("GET", "/settings/update-interval")] = {"updateInterval": 30}
    # When
    service.startup()
    service.shutdown()
    # Then
    assert api.paths() == ["GET /settings/update-interval", "GET /hosts/integrations", "POST /hosts/ping", "POST /hosts/update"]
    assert api.bodies("POST", "/hosts/ping") == [None]
    assert "sections" not in api.bodies("POST", "/hosts/update")[0]
    assert service.socket.url == "ws://127.0.0.1:9/api/v1/agents/ws"
    assert service.socket.headers == {"X-API-ID": API_ID, "X-API-KEY": "secret-key-123"}
    saved = cfg.load_config(world["config_file"].path).config
    assert (saved.update_interval, saved.report_offset) == (30, offset_seconds(API_ID, 30))
    assert service.schedule == Schedule.starting(world["clock"].now, 30, offset_seconds(API_ID, 30))


def test_startup_goes_on_when_the_server_cannot_be_reached(world):
    from patchmon_agent.http import TransportError

    api, service = world["api"], world["service"]
    for key in list(api.responses):
        api.responses[key] = TransportError("connection refused")
    service.startup()
    service.shutdown()
    assert service.schedule is not None and len(api.calls) == 4


def test_settings_update_saves_the_interval_and_restarts_the_schedule_from_now(world):
    # Given a running service on the default hourly schedule
    service, clock = world["service"], world["clock"]
    service.startup()
    before = service.schedule
    # When the server changes the interval to 5 minutes, 100 s later
    clock.now += 100
    service.handle({"type": "settings_update", "update_interval": 5})
    # Then the next tick is this host's 5-minute offset from now, and config.yml says so
    assert service.schedule is not before and service.schedule.interval_seconds == 300
    assert service.schedule == Schedule.starting(clock.now, 5, offset_seconds(API_ID, 5))
    saved = cfg.load_config(world["config_file"].path).config
    assert (saved.update_interval, saved.report_offset) == (5, offset_seconds(API_ID, 5))
    service.shutdown()


def test_settings_update_without_a_new_interval_keeps_the_schedule(world):
    service = world["service"]
    service.startup()
    schedule = service.schedule
    service.handle({"type": "settings_update", "update_interval": 60, "package_cache_refresh_mode": "if_stale",
                    "package_cache_refresh_max_age": 120, "compliance_scan_interval": 30})
    assert service.schedule is schedule
    saved = cfg.load_config(world["config_file"].path).config
    assert (saved.package_cache_refresh_mode, saved.package_cache_refresh_max_age) == ("if_stale", 120)
    assert saved.integrations["compliance"]["scan_interval"] == 60
    service.shutdown()


def test_cache_mode_without_a_valid_max_age_is_refused(world):
    world["service"].handle({"type": "settings_update", "package_cache_refresh_mode": "never", "package_cache_refresh_max_age": 0})
    assert cfg.load_config(world["config_file"].path).config.package_cache_refresh_mode == "always"


def test_due_tick_runs_a_check_in_and_moves_the_schedule(world):
    service, clock, api = world["service"], world["clock"], world["api"]
    service.startup()
    first = service.schedule.next_at
    clock.now = first
    service.step()
    assert api.paths()[-1] == "POST /hosts/ping" and service.schedule.next_at == first + 3600
    service.shutdown()


def test_report_now_sends_a_full_report(world):
    world["service"].handle({"type": "report_now"})
    body = world["api"].bodies("POST", "/hosts/update")[0]
    assert "sections" not in body and len(body["packages"]) == 3


def test_update_agent_forces_an_update_and_restarts_after_it(world):
    service = world["service"]
    service.updater = FakeUpdater(status="updated")
    service.handle({"type": "update_agent"})
    assert service.updater.calls == [True] and service.restart_requested


def test_update_notification_updates_only_if_allowed(world):
    service = world["service"]
    service.handle({"type": "update_notification", "version": "0.2.0"})
    assert service.updater.calls == [False] and not service.restart_requested


def test_full_report_checks_for_an_update_after_it_is_sent(world):
    service = world["service"]
    service.updater = FakeUpdater(status="updated", has_update=True)
    service.handle({"type": "report_now"})
    assert service.updater.calls == [False] and service.restart_requested


def test_integration_toggle_is_saved_and_reported_but_never_for_the_proxies(world):
    service, api = world["service"], world["api"]
    service.handle({"type": "integration_toggle", "integration": "docker", "enabled": True})
    service.handle({"type": "integration_toggle", "integration": "ssh-proxy-enabled", "enabled": True})
    saved = cfg.load_config(world["config_file"].path).config.integrations
    assert saved["docker"] is True and saved["ssh-proxy-enabled"] is False
    statuses = api.bodies("POST", "/hosts/integration-status")
    assert [(s["integration"], s["enabled"]) for s in statuses] == [("docker", True)]


def test_apply_config_switches_docker_and_compliance_and_reports_both(world):
    service, api = world["service"], world["api"]
    service.handle({"type": "apply_config", "config": {"docker": True, "compliance": {"enabled": "on-demand", "docker_bench_enabled": True},
                                                       "ssh-proxy-enabled": True}})
    saved = cfg.load_config(world["config_file"].path).config.integrations
    assert saved["docker"] is True and saved["compliance"]["enabled"] == "on-demand" and saved["compliance"]["docker_bench_enabled"] is True
    assert saved["ssh-proxy-enabled"] is False
    assert [s["integration"] for s in api.bodies("POST", "/hosts/integration-status")] == ["docker", "compliance"]


def test_unknown_message_is_logged_and_ignored(world, caplog):
    world["service"].handle({"type": "launch_rockets", "payload": "x"})
    world["service"].handle({"no_type": True})
    assert world["api"].calls == []
    assert [r.type for r in caplog.records if r.getMessage().startswith("server message not supported")] == ["launch_rockets", None]


def test_ssh_proxy_request_is_answered_with_an_error_frame(world):
    service = world["service"]
    service.start_socket()
    service.handle({"type": "ssh_proxy", "session_id": "s1", "host": "localhost"})
    service.shutdown()
    assert service.socket.sent == [{"type": "ssh_proxy_error", "session_id": "s1", "message": "SSH proxy is not supported by this agent",
                                    "data": ""}]


def test_run_handles_socket_messages_and_stops_cleanly_when_asked(world):
    # Given a socket that delivers report_now as soon as it connects
    service, api = world["service"], world["api"]
    service.clock = __import__("time").monotonic
    FakeSocket.script = [{"type": "report_now"}]
    exit_code: list[int] = []
    try:
        runner = threading.Thread(target=lambda: exit_code.append(service.run()))
        runner.start()
        # When the startup report and the requested one are in, the service is stopped
        for _ in range(200):
            if len(api.bodies("POST", "/hosts/update")) >= 2:
                break
            threading.Event().wait(0.05)
        service.request_stop()
        runner.join(timeout=10)
    finally:
        FakeSocket.script = []
    # Then
    assert exit_code == [0] and not runner.is_alive() and service.socket.stopped.is_set()
    assert len(api.bodies("POST", "/hosts/update")) == 2


def test_run_restarts_after_a_self_update(world):
    service, restarted = world["service"], []
    service.updater = FakeUpdater(status="updated", has_update=True)
    service.restart = lambda: restarted.append(True)
    assert service.run() == 0
    assert restarted == [True] and service.stop.is_set()


def test_stop_requested_while_starting_skips_the_rest_of_the_startup(world):
    service = world["service"]
    service.request_stop()
    assert service.run() == 0
    assert world["api"].calls == []


@pytest.mark.timeout(90)
def test_serve_process_stops_cleanly_on_sigterm(tmp_path):
    """A real `serve` process against a local HTTP server: it starts, reports, and exits 0 on SIGTERM."""
    # Given a configured agent and a server that answers the agent API (and refuses the WebSocket upgrade)
    host = FakeHost()
    fixture = tmp_path / "host.json"
    fixture.write_text(json.dumps({"packageManager": "apt", "packages": host.packages, "system": host.system}))
    routes = {("GET", "/api/v1/settings/update-interval"): (200, {"updateInterval": 60}),
              ("GET", "/api/v1/hosts/integrations"): (200, {"success": True, "integrations": {}}),
              ("POST", "/api/v1/hosts/ping"): (200, {"hashGate": True}), ("POST", "/api/v1/hosts/update"): (200, {"message": "ok"}),
              ("GET", "/api/v1/hosts/agent/version"): (200, {"latestVersion": "0.1.0", "hasUpdate": False})}
    with FakeServer(routes) as server:
        loaded = cfg.load_config(tmp_path / "config.yml")
        loaded.config.patchmon_server = server.url
        loaded.save()
        cfg.save_credentials(loaded.config.credentials_file, cfg.Credentials(API_ID, "secret-key-123"))
        env = {**{k: v for k, v in os.environ.items() if "proxy" not in k.lower()}, "PYTHONPATH": str(ROOT / "agent"),
               "PATCHMON_ALLOW_NON_ROOT": "true", FAKE_COLLECTORS_ENV: str(fixture)}
        process = subprocess.Popen([sys.executable, "-m", "patchmon_agent", "--config", str(loaded.path), "serve"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        log = pathlib.Path(loaded.config.log_file)
        try:
            deadline = time.monotonic() + 30
            while "full report sent" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
                time.sleep(0.1)
            # When
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)
    # Then
    text = log.read_text()
    assert code == 0 and "full report sent" in text and text.rstrip().endswith('msg="agent stopped"')
    assert server.paths()[:3] == ["GET /api/v1/settings/update-interval", "GET /api/v1/hosts/integrations", "POST /api/v1/hosts/ping"]
