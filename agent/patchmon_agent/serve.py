"""`patchmon-agent serve`: startup sync, the scheduled check-ins, the WebSocket and its messages.

Everything that talks to the server or touches config.yml runs on the main thread, one thing at a
time: WebSocket messages are queued (10 deep, as the reference) and handled between ticks, so a
settings change can never race a check-in. SIGTERM and SIGINT end the loop cleanly. A patch run is the
exception: it runs on its own thread (patching.jobs) and posts only its output; the full report after
it goes back through the queue, and so does the reboot a run decided (the report first, then the reboot).
At startup, a pending-reboot marker beside config.yml means the host is back: its post-reboot hooks run.
"""
from __future__ import annotations

import queue
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from patchmon_agent import __version__
from patchmon_agent.checkin import CheckIn, Schedule
from patchmon_agent.config import CACHE_REFRESH_MODES, SERVER_SWITCHABLE, Credentials, normalise_integrations
from patchmon_agent.logs import log
from patchmon_agent.patching import Outcome, PatchJobs, PatchRunner
from patchmon_agent.patching.reboot import MARKER_NAME
from patchmon_agent.protocol import constants as protocol
from patchmon_agent.update import UpdateError, UpdateResult

QUEUE_DEPTH = 10
_WAKE = {"type": "__wake__"}
_POST_PATCH_REPORT = {"type": "__post_patch_report__"}
_POST_PATCH_REBOOT = {"type": "__post_patch_reboot__"}
REBOOT_ENQUEUE_SECONDS = 60.0
Handler = Callable[[dict[str, Any]], None]


def integration_status(name: str, enabled: bool) -> dict[str, Any]:
    """The integration-status body for an integration this agent does not run (docker, compliance)."""
    if not enabled:
        return {"integration": name, "enabled": False, "status": "disabled", "message": f"The {name} integration is disabled on this host"}
    return {"integration": name, "enabled": True, "status": "error",
            "message": f"The {name} integration is not supported by the PatchMon Cloud agent {__version__} yet"}


class Service:
    """The long-running agent."""

    def __init__(self, checkin: CheckIn, credentials: Credentials, *, socket_factory: Callable[..., Any] | None = None,
                 updater: Any = None, restart: Callable[[], None] | None = None, clock: Callable[[], float] = time.monotonic,
                 verify_tls: bool = True, status_of: Callable[[str, bool], dict[str, Any]] = integration_status,
                 patch_runner: PatchRunner | None = None) -> None:
        self.checkin = checkin
        self.credentials = credentials
        self.socket_factory = socket_factory
        self.updater = updater
        self.restart = restart
        self.clock = clock
        self.verify_tls = verify_tls
        self.status_of = status_of
        self.stop = threading.Event()
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=QUEUE_DEPTH)
        self.schedule: Schedule | None = None
        self.socket: Any = None
        self._socket_thread: threading.Thread | None = None
        self.restart_requested = False
        runner = patch_runner or PatchRunner()
        if runner.marker_path is None:
            runner.marker_path = str(checkin.config_file.directory / MARKER_NAME)
        self.patching = PatchJobs(runner, self.checkin.client.post, after_run=self._after_patch_run)
        self.handlers: dict[str, Handler] = {
            protocol.WS_SETTINGS_UPDATE: self.on_settings_update,
            protocol.WS_REPORT_NOW: lambda _m: self.checkin.send_full(reason="requested by the server"),
            protocol.WS_UPDATE_AGENT: lambda _m: self.self_update(force=True),
            "update_notification": self.on_update_notification,
            protocol.WS_APPLY_CONFIG: self.on_apply_config,
            "integration_toggle": self.on_integration_toggle,
            protocol.WS_REFRESH_INTEGRATION_STATUS: lambda _m: self.send_integration_status(),
            protocol.WS_SSH_PROXY: lambda m: self._refuse_proxy("ssh", m),
            protocol.WS_RDP_PROXY: lambda m: self._refuse_proxy("rdp", m),
            protocol.WS_RUN_PATCH: self.patching.on_run_patch,
            protocol.WS_PATCH_RUN_STOP: self.patching.on_stop,
            protocol.WS_CONNECTED: lambda _m: None,
        }

    @property
    def config(self) -> Any:
        return self.checkin.config

    # --- lifecycle ----------------------------------------------------------------------------------

    def request_stop(self, *_args: Any) -> None:
        """Stop the loop (signal handler; any thread)."""
        self.stop.set()
        try:
            self.messages.put_nowait(_WAKE)
        except queue.Full:
            pass  # the loop is busy with messages and will see the stop flag between them

    def install_signal_handlers(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, self.request_stop)

    def reschedule(self) -> None:
        """Start the tick schedule afresh from now with the configured interval and offset."""
        self.schedule = Schedule.starting(self.clock(), self.config.update_interval, self.config.report_offset)
        log.info("check-ins scheduled", extra={"interval_minutes": self.config.update_interval,
                                                "first_in_seconds": int(self.schedule.seconds_until(self.clock()))})

    def _attempt(self, what: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except Exception as exc:
            log.error(f"{what} failed", extra={"error": str(exc), "error_type": type(exc).__name__})
            return None

    def startup(self) -> None:
        """Settings, integrations, offset, heartbeat, WebSocket, integration status and the first full report."""
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("settings sync", self.checkin.sync_interval),
            ("integrations sync", self.checkin.sync_integrations),
            ("offset", lambda: self.checkin.apply_interval(self.config.update_interval)),  # this api_id's offset, saved if it changed
            ("startup ping", self.checkin.startup_ping),
            ("websocket", self.start_socket),
            ("schedule", self.reschedule),
            ("integration status", lambda: self.send_integration_status(only_enabled=True)),
            ("post-reboot", self.patching.resume_after_reboot),
            ("initial report", lambda: self.checkin.send_full(reason="startup")),
        ]
        for what, action in steps:
            if self.stop.is_set():  # SIGTERM while starting: skip the rest
                return
            self._attempt(what, action)

    def run(self) -> int:
        """Serve until stopped; return the exit status."""
        log.info("agent starting", extra={"version": __version__, "api_id": self.credentials.api_id})
        self.install_signal_handlers()
        self.startup()
        if self.schedule is None:
            self.reschedule()
        while not self.stop.is_set() and not self.restart_requested:
            self.step()
        self.shutdown()
        if self.restart_requested and self.restart is not None:
            self.restart()
        return 0

    def step(self) -> None:
        """Handle one queued message, or the tick when it is due."""
        assert self.schedule is not None
        try:
            message = self.messages.get(timeout=self.schedule.seconds_until(self.clock()))
        except queue.Empty:
            message = None
        if self.stop.is_set():
            return
        if message is not None:
            self.handle(message)
            return
        if self.schedule.due(self.clock()):
            self.checkin.run_tick(self.clock)
            self.schedule.advance(self.clock())

    def shutdown(self) -> None:
        self.stop.set()
        self.patching.shutdown(timeout=self.patching.runner.grace_seconds + 5)
        if self._socket_thread is not None:
            self._socket_thread.join(timeout=10)
        log.info("agent stopped")

    # --- the WebSocket ------------------------------------------------------------------------------

    def start_socket(self) -> None:
        if self.socket_factory is None:
            return
        try:
            from patchmon_agent import ws

            url = ws.ws_url(self.config.patchmon_server)
        except (ImportError, ValueError) as exc:
            log.warning("websocket not available", extra={"error": str(exc)})
            return
        headers = {"X-API-ID": self.credentials.api_id, "X-API-KEY": self.credentials.api_key}
        self.socket = self.socket_factory(url, headers, self.enqueue, verify_tls=self.verify_tls, logger=log)
        self._socket_thread = threading.Thread(target=self.socket.run, args=(self.stop,), name="patchmon-ws", daemon=True)
        self._socket_thread.start()

    def enqueue(self, message: dict[str, Any]) -> None:
        """Hand a server message to the main loop (called from the socket's thread)."""
        try:
            self.messages.put(message, timeout=5)
        except queue.Full:
            log.warning("server message dropped: the agent is busy", extra={"type": str(message.get("type"))})

    def send(self, message: dict[str, Any]) -> None:
        if self.socket is not None:
            self.socket.send(message)

    # --- messages -----------------------------------------------------------------------------------

    def handle(self, message: dict[str, Any]) -> None:
        """Run the handler of one server message; unknown types are logged and ignored."""
        if message is _WAKE:
            return
        if message is _POST_PATCH_REPORT:
            self._attempt("post-patch report", lambda: self.checkin.send_full(reason="after patch run"))
            return
        if message is _POST_PATCH_REBOOT:  # the final stage is posted already; the report goes before the reboot
            self._attempt("pre-reboot report", lambda: self.checkin.send_full(reason="before the reboot of a patch run"))
            self._attempt("reboot", self.patching.reboot_now)
            return
        kind = message.get("type")
        handler = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            log.warning("server message not supported by this agent, ignored", extra={"type": kind})
            return
        log.info("server message", extra={"type": kind})
        self._attempt(f"{kind} handling", lambda: handler(message))

    def on_settings_update(self, message: dict[str, Any]) -> None:
        """New interval: save it with its offset and restart the schedule; cache and scan settings are saved too."""
        changed = False
        if self.checkin.apply_interval(message.get("update_interval")):
            self.reschedule()
        mode, max_age = message.get("package_cache_refresh_mode"), message.get("package_cache_refresh_max_age")
        if mode is not None:
            if mode in CACHE_REFRESH_MODES and isinstance(max_age, int) and not isinstance(max_age, bool) and 1 <= max_age <= 1440:
                changed |= (self.config.package_cache_refresh_mode, self.config.package_cache_refresh_max_age) != (mode, max_age)
                self.config.package_cache_refresh_mode, self.config.package_cache_refresh_max_age = mode, max_age
            else:
                log.warning("package cache settings refused", extra={"mode": str(mode), "max_age": str(max_age)})
        scan = message.get("compliance_scan_interval")
        if isinstance(scan, int) and not isinstance(scan, bool) and scan > 0:
            compliance = self.config.integrations["compliance"]
            clamped = min(max(scan, 60), 10080)
            changed |= compliance.get("scan_interval") != clamped
            compliance["scan_interval"] = clamped
        if changed:
            self.checkin.persist("settings update")

    def _after_patch_run(self, outcome: Outcome) -> None:
        """After a real run that completed or was stopped, or the host's return, the main loop sends a full report; or reboots."""
        if outcome.rebooting:
            try:
                self.messages.put(_POST_PATCH_REBOOT, timeout=REBOOT_ENQUEUE_SECONDS)
            except queue.Full:  # the marker makes the report after the boot; the reboot must not be lost
                log.warning("main loop busy: rebooting without the report before it", extra={"patch_run_id": outcome.run_id})
                self.patching.reboot_now()
            return
        ended = (protocol.PATCH_STAGE_COMPLETED, protocol.PATCH_STAGE_CANCELLED, protocol.PATCH_STAGE_REBOOTED)
        if not outcome.dry_run and outcome.stage in ended:
            self.enqueue(_POST_PATCH_REPORT)

    def on_update_notification(self, message: dict[str, Any]) -> None:
        log.info("server announced a new agent version", extra={"version": str(message.get("version") or message.get("latestVersion"))})
        self.self_update(force=False)

    def self_update(self, *, force: bool) -> UpdateResult | None:
        """Update now (force: even when auto-update is disabled); restart after a successful update."""
        if self.updater is None:
            log.warning("self-update not available in this run")
            return None
        if self.patching.busy or self.patching.rebooting_run:  # a restart would interrupt the package manager or lose the reboot
            log.info("agent update deferred: a patch run is in progress")
            return None
        try:
            result = self.updater.update(force=force)
        except UpdateError as exc:
            log.error("agent update refused", extra={"error": str(exc)})
            return None
        log.info("agent update check", extra={"status": result.status, "latest": result.latest, "detail": str(result.message)})
        if result.updated:
            self.restart_requested = True
        return result

    def after_full_report(self, answer: dict[str, Any]) -> None:
        """Auto-update after a full report: when the server says so, or when the version check offers one."""
        if self.updater is None or self.restart_requested:
            return
        auto = answer.get("autoUpdate") if isinstance(answer.get("autoUpdate"), dict) else {}
        if auto.get("shouldUpdate") or self.updater.check().get("hasUpdate"):
            self.self_update(force=False)

    def on_apply_config(self, message: dict[str, Any]) -> None:
        """Switch docker/compliance as the server's pending config says (the proxies are never touched)."""
        wanted = message.get("config")
        if not isinstance(wanted, dict):
            log.warning("apply_config without a config object ignored")
            return
        changed = []
        for name in SERVER_SWITCHABLE:
            if name in wanted:
                value = wanted[name]
                if name == "compliance" and isinstance(value, dict):
                    merged = dict(self.config.integrations.get("compliance") or {})
                    merged.update({k: v for k, v in value.items() if k in ("enabled", "openscap_enabled", "docker_bench_enabled")})
                    before = self.config.integrations.get("compliance")
                    self.config.integrations = normalise_integrations({**self.config.integrations, "compliance": merged})
                    if before != self.config.integrations["compliance"]:
                        changed.append(name)
                elif self.config.set_integration(name, value):
                    changed.append(name)
        for wire, key in (("compliance_openscap_enabled", "openscap_enabled"), ("compliance_docker_bench_enabled", "docker_bench_enabled")):
            if isinstance(wanted.get(wire), bool) and self.config.integrations["compliance"].get(key) != wanted[wire]:
                self.config.integrations["compliance"][key] = wanted[wire]
                changed.append(key)
        if changed:
            self.checkin.persist("apply_config")
        self.send_integration_status()

    def on_integration_toggle(self, message: dict[str, Any]) -> None:
        """Persist one integration switch and tell the server where it stands."""
        name, enabled = message.get("integration"), message.get("enabled")
        if name not in SERVER_SWITCHABLE or not isinstance(enabled, (bool, str)):
            log.warning("integration_toggle refused", extra={"integration": str(name)})
            return
        if self.config.set_integration(name, enabled):
            self.checkin.persist("integration toggle")
        self.send_integration_status(names=(name,))

    def send_integration_status(self, *, names: tuple[str, ...] = SERVER_SWITCHABLE, only_enabled: bool = False) -> None:
        """POST /hosts/integration-status for each integration named."""
        for name in names:
            enabled = self.config.integration_enabled(name)
            if only_enabled and not enabled:
                continue
            self.checkin.client.post("/hosts/integration-status", self.status_of(name, enabled))

    def _refuse_proxy(self, kind: str, message: dict[str, Any]) -> None:
        log.warning("remote access session refused: not supported by this agent", extra={"kind": kind})
        self.send({"type": f"{kind}_proxy_error", "session_id": message.get("session_id"),
                   "message": f"{kind.upper()} proxy is not supported by this agent", "data": ""})
