"""The check-in cycle: startup sync, the hash-gated tick, partial and full reports, and the schedule.

Each tick collects, hashes, and pings with the hashes; the server answers which sections it needs
(`requestFull`) and only those travel in a partial /hosts/update. Every 24th tick sends a full report
whatever the hashes say. The schedule applies the reference's FNV-64a offset as a real phase: the
first tick comes `offset` after start (or after an interval change), then one every interval, so a
fleet started (or re-configured) at the same moment is spread over the interval.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from patchmon_agent import __version__
from patchmon_agent import report as reports
from patchmon_agent.config import SERVER_SWITCHABLE, ConfigError, ConfigFile
from patchmon_agent.http import ApiClient, ApiError
from patchmon_agent.logs import log
from patchmon_agent.protocol import constants as protocol

FORCED_FULL_EVERY = 24
MIN_FIRST_TICK_SECONDS = 60  # a first tick this close to the startup report would only repeat it


def offset_seconds(api_id: str, interval_minutes: int) -> int:
    """The reference's per-host offset (FNV-64a of the api_id), in seconds, below the interval."""
    return protocol.check_in_offset_seconds(api_id, interval_minutes)


@dataclass
class Schedule:
    """Tick times on the monotonic clock: start + offset, then every interval."""

    interval_seconds: float
    offset_seconds: float
    next_at: float

    @classmethod
    def starting(cls, now: float, interval_minutes: int, offset: int) -> Schedule:
        """The schedule of an agent (re)starting its cycle at `now`."""
        interval = interval_minutes * 60.0
        first = now + offset
        if offset < MIN_FIRST_TICK_SECONDS:
            first += interval  # same phase, one interval later
        return cls(interval, float(offset), first)

    def seconds_until(self, now: float) -> float:
        return max(self.next_at - now, 0.0)

    def due(self, now: float) -> bool:
        return now >= self.next_at

    def advance(self, now: float) -> None:
        """Move to the next tick after `now` (ticks missed while busy or suspended are skipped, not bunched)."""
        while self.next_at <= now:
            self.next_at += self.interval_seconds


@dataclass
class TickResult:
    """What a tick sent: "ping" (nothing changed), "partial" (with `sections`) or "full"."""

    kind: str
    sections: list[str] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)


def _release_memory() -> None:
    """Give the memory of a collection back (the report of a big host is a few MB of small objects)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class CheckIn:
    """One host's conversation with the server: reports, pings and settings."""

    def __init__(self, client: ApiClient, collectors: reports.Collectors, config_file: ConfigFile, *, api_id: str,
                 agent_version: str = __version__, after_full_report: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.client = client
        self.collectors = collectors
        self.config_file = config_file
        self.api_id = api_id
        self.agent_version = agent_version
        self.after_full_report = after_full_report
        self.ticks = 0

    @property
    def config(self) -> Any:
        return self.config_file.config

    # --- settings -----------------------------------------------------------------------------------

    def persist(self, reason: str) -> None:
        """Save config.yml; a failure is logged and the new values stay in memory."""
        try:
            self.config_file.save()
            log.info("configuration saved", extra={"reason": reason})
        except (ConfigError, OSError) as exc:
            log.warning("configuration not saved", extra={"reason": reason, "error": str(exc)})

    def apply_interval(self, minutes: Any) -> bool:
        """Adopt a new check-in interval (and its offset); return whether it changed."""
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or int(minutes) <= 0:
            return False
        minutes = int(minutes)
        offset = offset_seconds(self.api_id, minutes)
        if minutes == self.config.update_interval and offset == self.config.report_offset:
            return False
        self.config.update_interval, self.config.report_offset = minutes, offset
        self.persist("update interval")
        log.info("check-in interval set", extra={"interval_minutes": minutes, "offset_seconds": offset})
        return True

    def sync_interval(self) -> bool:
        """GET /settings/update-interval and adopt it."""
        answer = self.client.get("/settings/update-interval")
        return self.apply_interval(answer.get("updateInterval") if isinstance(answer, dict) else None)

    def sync_integrations(self) -> list[str]:
        """GET /hosts/integrations and switch docker/compliance to match (never the local-only proxies)."""
        answer = self.client.get("/hosts/integrations")
        wanted = answer.get("integrations") if isinstance(answer, dict) else None
        changed = []
        for name, value in (wanted or {}).items():
            if name not in SERVER_SWITCHABLE:
                log.warning("server asked to switch an integration it may not switch", extra={"integration": str(name)})
                continue
            # on-demand compliance already counts as enabled, so a server `true` leaves it as it is
            if self.config.integration_enabled(name) != bool(value) and self.config.set_integration(name, bool(value)):
                changed.append(name)
        compliance = self.config.integrations["compliance"]
        for wire, key in (("compliance_openscap_enabled", "openscap_enabled"), ("compliance_docker_bench_enabled", "docker_bench_enabled")):
            if isinstance(answer.get(wire), bool) and compliance.get(key) != answer[wire]:
                compliance[key] = answer[wire]
                changed.append(key)
        if changed:
            self.persist("integrations")
        return changed

    # --- reports ------------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        return reports.collect(self.collectors, agent_version=self.agent_version)

    def startup_ping(self) -> dict[str, Any]:
        """POST /hosts/ping with no body: the startup heartbeat."""
        return self.client.post("/hosts/ping")

    def send_full(self, report: dict[str, Any] | None = None, *, reason: str = "scheduled") -> TickResult:
        """POST a full report (collected now unless given), then run the after-report hook (auto-update)."""
        report = report if report is not None else self.collect()
        counts = reports.summary(report)
        answer = self.client.post("/hosts/update", report)
        del report
        log.info("full report sent", extra={"reason": reason, **counts})
        if self.after_full_report is not None:
            try:
                self.after_full_report(answer if isinstance(answer, dict) else {})
            except Exception as exc:  # an update problem must not fail the report that succeeded
                log.warning("after-report step failed", extra={"error": str(exc)})
        return TickResult("full", list(reports.PARTIAL_SECTIONS), answer if isinstance(answer, dict) else {})

    def send_partial(self, report: dict[str, Any], sections: list[str]) -> TickResult:
        """POST only the requested sections; a refused partial report falls back to a full one."""
        body = reports.partial(report, sections)
        try:
            answer = self.client.post("/hosts/update", body)
        except ApiError as exc:
            if exc.retryable:
                raise
            log.warning("partial report refused, sending a full one", extra={"status": exc.status, "error": str(exc.message)})
            return self.send_full(report, reason="partial refused")
        log.info("partial report sent", extra={"sections": ",".join(body["sections"])})
        return TickResult("partial", body["sections"], answer if isinstance(answer, dict) else {})

    def tick(self) -> TickResult:
        """One check-in: a full report every 24th tick, else hashes first and only what the server asks for."""
        self.ticks += 1
        try:
            if self.ticks % FORCED_FULL_EVERY == 0:
                return self.send_full(reason="every 24th check-in")
            report = self.collect()
            answer = self.client.post("/hosts/ping", reports.ping_body(report))
            answer = answer if isinstance(answer, dict) else {}
            if not answer.get("hashGate"):
                return self.send_full(report, reason="server without hash gate")
            requested = [str(s) for s in answer.get("requestFull") or []]
            sections = [s for s in reports.PARTIAL_SECTIONS if s in requested]
            ignored = [s for s in requested if s not in reports.PARTIAL_SECTIONS]
            if ignored:
                log.debug("sections this agent does not report", extra={"sections": ",".join(ignored)})
            if not sections:
                log.debug("check-in: nothing changed")
                return TickResult("ping", [], answer)
            return self.send_partial(report, sections)
        finally:
            report = None
            _release_memory()

    def run_tick(self, clock: Callable[[], float] = time.monotonic) -> TickResult | None:
        """`tick`, with every failure logged instead of raised (the service keeps its schedule)."""
        started = clock()
        try:
            result = self.tick()
        except Exception as exc:
            log.error("check-in failed", extra={"error": str(exc), "error_type": type(exc).__name__})
            return None
        log.debug("check-in done", extra={"kind": result.kind, "seconds": round(clock() - started, 2)})
        return result
