"""The check-in cycle: the hash gate, partial and forced full reports, the phase offset and settings sync."""
from __future__ import annotations

import collections
import statistics

import pytest

from patchmon_agent import config as cfg
from patchmon_agent.checkin import FORCED_FULL_EVERY, MIN_FIRST_TICK_SECONDS, CheckIn, Schedule, offset_seconds
from patchmon_agent.http import ApiError
from patchmon_agent.protocol import canonical
from tests.agent.agent_fakes import FakeApi, FakeHost, package, reset_agent_logger  # noqa: F401 (autouse fixture)


@pytest.fixture
def config_file(tmp_path):
    loaded = cfg.load_config(tmp_path / "config.yml")
    loaded.config.patchmon_server = "https://pm.example"
    loaded.save()
    return loaded


def _checkin(api: FakeApi, host: FakeHost, config_file, **options) -> CheckIn:
    return CheckIn(api, host.collectors(), config_file, api_id="patchmon_test", **options)


def _gate(*sections: str):
    """A ping answer of a hash-gating server that wants `sections`."""
    return {"message": "Ping successful", "hashGate": True, **({"requestFull": list(sections)} if sections else {})}


# --- the hash-gated tick -------------------------------------------------------------------------------

def test_tick_pings_with_the_four_hashes_and_sends_nothing_else_when_nothing_changed(config_file):
    # Given a server whose stored hashes match
    api, host = FakeApi({("POST", "/hosts/ping"): _gate()}), FakeHost()
    # When
    result = _checkin(api, host, config_file).tick()
    # Then
    assert result.kind == "ping" and api.paths() == ["POST /hosts/ping"]
    ping = api.bodies("POST", "/hosts/ping")[0]
    assert ping["hashes"]["packagesHash"] == canonical.packages_hash(host.packages)
    assert set(ping["hashes"]) == {"packagesHash", "reposHash", "interfacesHash", "hostnameHash"}
    assert ping["metrics"]["needsReboot"] is False and ping["agentVersion"]


def test_tick_sends_only_the_requested_sections_when_the_server_asks_for_them(config_file):
    # Given a host whose packages changed, and a server that asks for packages (and docker, which this agent does not send)
    api, host = FakeApi({("POST", "/hosts/ping"): _gate("packages", "docker")}), FakeHost()
    host.packages.append(package("openssl", "3.0.1", available="3.0.2", security=True))
    # When
    result = _checkin(api, host, config_file).tick()
    # Then one partial report with the packages section only
    assert result.kind == "partial" and result.sections == ["packages"]
    assert api.paths() == ["POST /hosts/ping", "POST /hosts/update"]
    update = api.bodies("POST", "/hosts/update")[0]
    assert update["sections"] == ["packages"] and len(update["packages"]) == 4 and update["packageManager"] == "apt"
    for absent in ("repositories", "hostname", "networkInterfaces", "ip", "needsReboot", "cpuCores"):
        assert absent not in update
    assert update["hashes"]["packagesHash"] == canonical.packages_hash(host.packages)


def test_tick_sends_each_requested_section_in_one_partial_report_when_several_changed(config_file):
    api = FakeApi({("POST", "/hosts/ping"): _gate("hostname", "repos")})
    _checkin(api, FakeHost(), config_file).tick()
    update = api.bodies("POST", "/hosts/update")[0]
    assert update["sections"] == ["repos", "hostname"] and update["hostname"] == "web-01" and "repositories" in update
    assert "packages" not in update


def test_refused_partial_report_falls_back_to_a_full_report_when_the_server_says_400(config_file):
    answers = [ApiError(400, "packages hash mismatch"), {"message": "Host updated successfully"}]
    api = FakeApi({("POST", "/hosts/ping"): _gate("packages"), ("POST", "/hosts/update"): lambda _body: answers.pop(0)})
    result = _checkin(api, FakeHost(), config_file).tick()
    first, second = api.bodies("POST", "/hosts/update")
    assert first["sections"] == ["packages"] and "sections" not in second and result.kind == "full"


def test_server_without_the_hash_gate_gets_a_full_report_when_pinged(config_file):
    api = FakeApi({("POST", "/hosts/ping"): {"message": "Ping successful"}})
    assert _checkin(api, FakeHost(), config_file).tick().kind == "full"
    assert "sections" not in api.bodies("POST", "/hosts/update")[0]


def test_every_24th_tick_is_a_full_report_whatever_the_hashes_say(config_file):
    # Given a server that never needs anything
    api, host = FakeApi({("POST", "/hosts/ping"): _gate()}), FakeHost()
    checkin = _checkin(api, host, config_file)
    # When 48 ticks run
    kinds = [checkin.tick().kind for _ in range(2 * FORCED_FULL_EVERY)]
    # Then ticks 24 and 48 (and only those) sent full reports, without a ping first
    assert [i + 1 for i, kind in enumerate(kinds) if kind == "full"] == [24, 48]
    assert len(api.bodies("POST", "/hosts/ping")) == 46
    full = api.bodies("POST", "/hosts/update")
    assert len(full) == 2 and all("sections" not in body and len(body["packages"]) == 3 for body in full)


def test_full_report_runs_the_after_report_hook_with_the_servers_answer(config_file):
    seen = []
    api = FakeApi({("POST", "/hosts/update"): {"message": "ok", "autoUpdate": {"shouldUpdate": True}}})
    _checkin(api, FakeHost(), config_file, after_full_report=seen.append).send_full()
    assert seen == [{"message": "ok", "autoUpdate": {"shouldUpdate": True}}]


def test_failed_tick_is_logged_and_the_cycle_goes_on_when_run(config_file, caplog):
    api = FakeApi({("POST", "/hosts/ping"): ApiError(401, "Invalid API credentials")})
    checkin = _checkin(api, FakeHost(), config_file)
    assert checkin.run_tick() is None
    assert [(r.getMessage(), r.error) for r in caplog.records] == [("check-in failed", "server returned 401: Invalid API credentials")]
    api.responses[("POST", "/hosts/ping")] = _gate()
    assert checkin.run_tick().kind == "ping"


# --- the schedule and its offset ---------------------------------------------------------------------------

def test_first_tick_comes_one_offset_after_start_then_every_interval():
    schedule = Schedule.starting(1000.0, 60, 1800)
    assert schedule.next_at == 2800.0
    schedule.advance(2800.0)
    assert schedule.next_at == 2800.0 + 3600


def test_first_tick_keeps_its_phase_but_skips_the_startup_report_when_the_offset_is_tiny():
    schedule = Schedule.starting(1000.0, 60, MIN_FIRST_TICK_SECONDS - 1)
    assert schedule.next_at == 1000.0 + MIN_FIRST_TICK_SECONDS - 1 + 3600


def test_missed_ticks_are_skipped_not_bunched_when_the_loop_was_busy():
    schedule = Schedule.starting(0.0, 1, 30)
    schedule.advance(30.0 + 60 * 5 + 1)
    assert schedule.next_at == 30.0 + 60 * 6


@pytest.mark.parametrize(("interval", "buckets"), [(60, 60), (5, 10), (1440, 60)])
def test_offsets_spread_a_fleet_started_at_the_same_moment_over_the_interval(interval, buckets):
    """A fleet started at once (a mass install, a settings fan-out) is spread, not synchronised as the reference's quirk leaves it."""
    # Given 6,000 hosts that all start their cycle at t=0
    first_ticks = [Schedule.starting(0.0, interval, offset_seconds(f"patchmon_{i:06x}", interval)).next_at for i in range(6000)]
    # Then their first check-ins fall in every slot of the spread window, none much busier than the average
    window = min(interval, 60) * 60  # the reference's offset spans the interval, at most its first hour
    slots = collections.Counter(int((t % (interval * 60)) // (window / buckets)) for t in first_ticks)
    assert set(slots) == set(range(buckets))
    assert max(slots.values()) < 1.5 * statistics.mean(slots.values())
    # and each host keeps its own phase on later ticks
    schedule = Schedule.starting(0.0, interval, offset_seconds("patchmon_000001", interval))
    first = schedule.next_at
    schedule.advance(first)
    assert schedule.next_at - first == interval * 60


def test_offset_is_the_references_fnv_value_in_seconds_when_computed():
    assert offset_seconds("patchmon_testid", 60) == 180 and offset_seconds("patchmon_testid", 1) == 3


# --- settings sync -------------------------------------------------------------------------------------

def test_new_interval_is_saved_with_its_offset_when_the_server_sends_it(config_file):
    api = FakeApi({("GET", "/settings/update-interval"): {"updateInterval": 15}})
    assert _checkin(api, FakeHost(), config_file).sync_interval() is True
    saved = cfg.load_config(config_file.path).config
    assert (saved.update_interval, saved.report_offset) == (15, offset_seconds("patchmon_test", 15))


@pytest.mark.parametrize("value", [0, -1, "15", None, True])
def test_invalid_interval_changes_nothing_when_the_server_sends_it(config_file, value):
    api = FakeApi({("GET", "/settings/update-interval"): {"updateInterval": value}})
    assert _checkin(api, FakeHost(), config_file).sync_interval() is False
    assert cfg.load_config(config_file.path).config.update_interval == 60


def test_integrations_follow_the_server_but_never_the_proxies_when_synced(config_file):
    # Given a server that enables docker and (wrongly) the SSH proxy
    api = FakeApi({("GET", "/hosts/integrations"): {"success": True, "integrations": {"docker": True, "compliance": False,
                                                                                      "ssh-proxy-enabled": True},
                                                    "compliance_openscap_enabled": False}})
    # When
    changed = _checkin(api, FakeHost(), config_file).sync_integrations()
    # Then
    saved = cfg.load_config(config_file.path).config.integrations
    assert saved["docker"] is True and saved["ssh-proxy-enabled"] is False
    assert saved["compliance"]["openscap_enabled"] is False and set(changed) == {"docker", "openscap_enabled"}


def test_on_demand_compliance_stays_on_demand_when_the_server_says_enabled(config_file):
    config_file.config.set_integration("compliance", "on-demand")
    api = FakeApi({("GET", "/hosts/integrations"): {"success": True, "integrations": {"compliance": True}}})
    assert _checkin(api, FakeHost(), config_file).sync_integrations() == []
    assert config_file.config.integrations["compliance"]["enabled"] == "on-demand"
