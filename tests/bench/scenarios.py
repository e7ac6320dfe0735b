"""The measured operations. Each is measured once per run (memoised), so the cost model reuses what the
budget tests measured. Counting and timing are separate runs: the meter's shadow reads would inflate a
timed run, so handler durations come from unmetered repeats of the same request in the same state.
"""
from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core import clock
from chalicelib.core.settings import get_settings
from chalicelib.host import presence
from chalicelib.host import store as host_store
from chalicelib.realtime import agents as realtime_agents
from chalicelib.tenant import service as tenant_service
from tests.bench import capacity
from tests.bench import world as fleets
from tests.bench.meter import Meter, Window
from tests.factories.identity import Session, login

TIMING_REPEATS = 7


@dataclass
class Timing:
    """Median handler time of a request in process (an upper bound of a warm Lambda's), and how much of it
    was spent inside DynamoDB calls (moto, in Python, much slower than DynamoDB itself for large queries)."""

    handler_ms: float
    dynamodb_ms: float


@dataclass
class Measurement:
    """What one request cost: every DynamoDB request it made, and how long the handler took (unmetered)."""

    name: str
    window: Window
    timing: Timing | None = None

    @property
    def auth(self) -> Window:
        """The web authentication's requests (session, user, role, rate-limit counter, tenant)."""
        return self.window.select(lambda c: c.is_auth)

    @property
    def route(self) -> Window:
        """The route's own requests: everything but web authentication."""
        return self.window.select(lambda c: not c.is_auth)


class Bench:
    def __init__(self, world: fleets.World, meter: Meter) -> None:
        self.world = world
        self.meter = meter
        self.agent = world.agent
        self.base = fleets.full_report(world.packages, hostname=world.agent_hostname)

    # --- helpers ------------------------------------------------------------------------------
    def _metered(self, name: str, send: Callable[[], Any]) -> Measurement:
        with self.meter.window() as window:
            response = send()
        assert response.status_code == 200, f"{name}: HTTP {response.status_code} {response.body!r}"
        return Measurement(name, window)

    def _timed(self, send: Callable[[], Any], *, repeats: int = TIMING_REPEATS) -> Timing:
        samples = []
        for _ in range(repeats):
            with self.meter.stopwatch() as dynamodb:
                started = time.perf_counter()
                response = send()
                elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.body
            samples.append((elapsed * 1000, sum(dynamodb) * 1000))
        median = statistics.median(s[0] for s in samples)
        return Timing(median, statistics.median(s[1] for s in samples))

    def _reset(self) -> None:
        """Bring the bench host back to the base report (stored hashes = the base report's)."""
        assert self.agent.post("/hosts/update", self.base).status_code == 200

    def item_breakdown(self, key: tuple[str, str], *, top: int = 5) -> str:
        """An item's size and its largest attributes (what to slim when a write crosses a 1 KB step)."""
        item = self.meter.read_item(get_settings().main_table, {"pk": {"S": key[0]}, "sk": {"S": key[1]}}) or {}
        sizes = sorted(((len(name.encode()) + capacity.value_size(value), name) for name, value in item.items()), reverse=True)
        return f"{capacity.item_size(item):,} B (" + ", ".join(f"{name} {size} B" for size, name in sizes[:top]) + ", ...)"

    # --- the agent protocol -------------------------------------------------------------------
    def _ping(self) -> Callable[[], Any]:
        return functools.partial(self.agent.post, "/hosts/ping", fleets.ping_body(self.base))

    @functools.cached_property
    def ping_unchanged(self) -> Measurement:
        self._reset()
        send = self._ping()
        assert "requestFull" not in send().json_body  # warm: the tenant cache is filled, every hash matches
        measured = self._metered("agent check-in, hashes match (warm)", send)
        measured.timing = self._timed(send, repeats=15)
        return measured

    @functools.cached_property
    def ping_cold(self) -> Measurement:
        """The same check-in on a Lambda instance whose tenant cache is empty (at most once per 30 s per instance)."""
        self._reset()
        send = self._ping()
        send()
        tenant_service.clear_cache()
        return self._metered("agent check-in, tenant cache cold", send)

    @functools.cached_property
    def ping_without_websocket(self) -> Measurement:
        """The same check-in from an agent whose WebSocket is closed: it also moves the host's offline watch (gsi2)."""
        self._reset()
        record = host_store.get_agent(self.agent.api_id)
        realtime_agents.close_connection({"connection_id": record["ws_connection_id"], "api_id": self.agent.api_id})
        send = self._ping()
        send()
        measured = self._metered("agent check-in, no WebSocket (info)", send)
        realtime_agents.open_connection(host_store.get_agent(self.agent.api_id), connection_id="bench-reopened", headers={})
        return measured

    @functools.cache  # noqa: B019 - one Bench per session
    def sweep(self, fleet_name: str, k: int) -> Measurement:
        """The status sweep when k of the fleet's active hosts have gone quiet (and nothing else is due)."""
        now = clock.epoch_seconds(clock.now())
        quiet = self.world.active_agents[fleet_name][:k]
        del self.world.active_agents[fleet_name][:k]  # each host goes offline once
        for api_id in quiet:  # their agents checked in 4 hours ago, without a WebSocket, and their watch is due
            host_store.update_agent(api_id, {"ws_connected": False, "last_seen_epoch": now - 4 * 3600, **presence.watch(api_id, now - 60)})
        with self.meter.window() as window:
            counts = presence.sweep(now)
        assert counts["offline"] == k, counts
        fleet: fleets.Fleet = getattr(self.world, fleet_name)
        return Measurement(f"status sweep @ {fleet.hosts:,} hosts, {k} went offline", window)

    @functools.cached_property
    def full_unchanged(self) -> Measurement:
        self._reset()
        send = functools.partial(self.agent.post, "/hosts/update", self.base)
        measured = self._metered("full report, 1,500 pkgs, unchanged", send)
        measured.timing = self._timed(send)
        return measured

    @functools.cache  # noqa: B019 - one Bench per session
    def packages_changed(self, k: int) -> Measurement:
        self._reset()
        report = fleets.partial_packages_report(fleets.changed(self.world.packages, k))
        measured = self._metered(f"partial report, {k}/1,500 pkgs changed", functools.partial(self.agent.post, "/hosts/update", report))
        back = fleets.partial_packages_report(self.world.packages)
        reports = iter([back, report] * TIMING_REPEATS)  # every timed request changes k packages (there and back)
        measured.timing = self._timed(lambda: self.agent.post("/hosts/update", next(reports)), repeats=2 * TIMING_REPEATS)
        self._reset()
        return measured

    # --- pages ----------------------------------------------------------------------------------
    def _fresh_session(self, fleet: fleets.Fleet) -> Session:
        """A new session of the fleet's viewer: its activity was just recorded, so no activity write falls in the window."""
        response = login(fleet.viewer.client, fleet.tenant, fleet.viewer_name)
        assert response.status_code == 200, response.body
        body = response.json_body
        return Session(fleet.viewer.client, fleet.tenant, body["token"], body["refresh_token"], fleet.viewer.user_id)

    @functools.cache  # noqa: B019 - one Bench per session
    def page(self, fleet_name: str, path: str, *, cold_tenant: bool = False) -> Measurement:
        fleet: fleets.Fleet = getattr(self.world, fleet_name)
        send = functools.partial(self._fresh_session(fleet).get, path)
        assert send().status_code == 200  # warm: the tenant is cached
        if cold_tenant:
            tenant_service.clear_cache()
        measured = self._metered(f"GET {path} @ {fleet.hosts:,} hosts" + (" (tenant cache cold)" if cold_tenant else ""), send)
        if not cold_tenant:
            measured.timing = self._timed(send, repeats=3)
        return measured
