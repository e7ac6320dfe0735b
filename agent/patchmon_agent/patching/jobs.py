"""The `run_patch` and `patch_run_stop` messages: at most one patch run at a time, each on its own thread.

The run's thread talks to the server only through its output endpoint, so the service's main loop
keeps its schedule and its messages while a run lasts up to 30 minutes. After a run that decided to reboot,
no other run starts; after the reboot, the post-reboot hooks of the pending-reboot marker run on the same
kind of thread (`resume_after_reboot`), so a `run_patch` meanwhile is answered as busy.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from patchmon_agent.logs import log
from patchmon_agent.patching import reboot as reboots
from patchmon_agent.patching.request import PatchRequest, parse_run_patch
from patchmon_agent.patching.runner import Outcome, PatchRunner, refuse
from patchmon_agent.protocol import constants as protocol

BUSY = "another patch run is in progress on this host"
REBOOTING = "the host is rebooting after patch run {run_id}"
REBOOTED_RETRY_DELAYS = (15.0, 30.0, 60.0, 120.0, 240.0, 480.0)  # ~16 minutes, then the next start sends it


@dataclass
class ActiveRun:
    request: PatchRequest
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    outcome: Outcome | None = None


class PatchJobs:
    """Starts, stops and tracks this host's patch run; `post(path, body)` is the API client's POST."""

    def __init__(self, runner: PatchRunner, post: Callable[[str, dict[str, Any]], Any], *,
                 after_run: Callable[[Outcome], None] | None = None) -> None:
        self.runner = runner
        self.post = post
        self.after_run = after_run
        self.active: ActiveRun | None = None
        self.rebooting_run: str | None = None  # the run whose reboot is pending: no other run may start
        self.rebooted_retry_delays: tuple[float, ...] = REBOOTED_RETRY_DELAYS
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        run = self.active
        return run is not None and run.thread is not None and run.thread.is_alive()

    def on_run_patch(self, message: dict[str, Any]) -> None:
        """Start the requested run in the background, or answer `failed` while another one runs."""
        request = parse_run_patch(message)
        if request is None:
            return
        if self.rebooting_run == request.run_id:  # a redelivered message of the run that is rebooting
            log.info("run_patch for the run being rebooted ignored", extra={"patch_run_id": request.run_id})
            return
        if self.rebooting_run is not None:
            log.warning("run_patch refused: the host is about to reboot", extra={"patch_run_id": request.run_id})
            refuse(request, self._poster(request.run_id), REBOOTING.format(run_id=self.rebooting_run))
            return
        with self._lock:
            running = self.active if self.busy else None
            if running is None:
                self.active = ActiveRun(request)
                self.active.thread = threading.Thread(target=self._run, args=(self.active,), name="patch-run", daemon=True)
                self.active.thread.start()
                log.info("patch run started", extra={"patch_run_id": request.run_id, "patch_type": request.patch_type,
                                                     "dry_run": request.dry_run, "packages": len(request.package_names)})
                return
        if running.request.run_id == request.run_id:  # a redelivered message: the run goes on
            log.info("run_patch for the run in progress ignored", extra={"patch_run_id": request.run_id})
            return
        log.warning("run_patch refused: another run is in progress", extra={"patch_run_id": request.run_id,
                                                                             "running": running.request.run_id})
        refuse(request, self._poster(request.run_id), BUSY)

    def on_stop(self, message: dict[str, Any]) -> None:
        """Stop the running run when the message names it."""
        run, run_id = self.active, message.get("patch_run_id")
        if run is None or not self.busy or run.request.run_id != run_id:
            log.warning("patch_run_stop for a run that is not running ignored", extra={"patch_run_id": str(run_id)[:140]})
            return
        log.info("patch run stop requested", extra={"patch_run_id": run_id})
        run.stop.set()

    def wait(self, timeout: float | None = None) -> Outcome | None:
        """Wait for the current run to end (tests, shutdown); return its outcome."""
        run = self.active
        if run is None or run.thread is None:
            return None
        run.thread.join(timeout)
        return run.outcome

    def shutdown(self, timeout: float) -> None:
        """Stop the running run, if any, and give it `timeout` seconds to end."""
        if self.busy and self.active is not None:
            self.active.stop.set()
            self.wait(timeout)

    def _poster(self, run_id: str) -> Callable[[dict[str, Any]], Any]:
        return lambda body: self.post(f"/patching/runs/{run_id}/output", body)

    def _run(self, run: ActiveRun) -> None:
        post = self._poster(run.request.run_id)
        try:
            run.outcome = self.runner.execute(run.request, post=post, stop=run.stop)
        except Exception as exc:  # a bug here must still end the run on the server
            log.exception("patch run crashed", extra={"patch_run_id": run.request.run_id})
            run.outcome = refuse(run.request, post, f"patch run failed in the agent: {exc}")
        if run.outcome.rebooting:
            self.rebooting_run = run.request.run_id
        self._after(run)

    def _after(self, run: ActiveRun) -> None:
        if self.after_run is not None and run.outcome is not None:
            try:
                self.after_run(run.outcome)
            except Exception as exc:
                log.warning("after-patch step failed", extra={"patch_run_id": run.request.run_id, "error": str(exc)})

    # --- the reboot ---------------------------------------------------------------------------------------------

    def reboot_now(self) -> None:
        """Reboot for the pending run; when the reboot command fails, tell the server and let runs start again."""
        run_id = self.rebooting_run
        if run_id is None:
            return
        result = self.runner.reboot()
        if result.ok:
            log.info("rebooting after patch run", extra={"patch_run_id": run_id, "detail": result.detail})
            if result.refused:  # the marker stays: the next start reports the "reboot" as if the host came back
                self.rebooting_run = None
            return
        log.warning("reboot failed", extra={"patch_run_id": run_id, "error": result.detail})
        reboots.remove_marker(self.runner.marker)
        self.rebooting_run = None
        self._post_reboot_failed(run_id, f"the reboot failed: {result.detail}")

    def _post_reboot_failed(self, run_id: str, error: str) -> None:
        try:
            self.post(f"/patching/runs/{run_id}/output", reboots.reboot_failed_body(error))
        except Exception as exc:
            log.warning("reboot failure not sent", extra={"patch_run_id": run_id, "error": str(exc)})

    def resume_after_reboot(self) -> bool:
        """When a reboot was pending, run its post-reboot hooks in the background and post `rebooted`; return whether one was."""
        marker = reboots.read_marker(self.runner.marker)
        if marker is None:
            return False
        request = PatchRequest(str(marker["patch_run_id"]), post_reboot_hooks=tuple(marker["post_reboot_hooks"]))
        with self._lock:
            self.active = ActiveRun(request)
            self.active.thread = threading.Thread(target=self._resume, args=(self.active, marker), name="patch-after-reboot", daemon=True)
            self.active.thread.start()
        log.info("host back after a patch run's reboot", extra={"patch_run_id": request.run_id, "hooks": len(request.post_reboot_hooks)})
        return True

    def _resume(self, run: ActiveRun, marker: dict[str, Any]) -> None:
        path, run_id = self.runner.marker, run.request.run_id
        # The agent restarted, but this machine did not reboot (killed before the reboot command, or the system did
        # not go down): say so, rather than run the post-reboot hooks or reboot by surprise. A runner behind a prefix
        # never reboots this machine, so there the next start stands for the host coming back.
        if not self.runner.prefix and reboots.same_boot(marker, self.runner.boot_id()):
            log.warning("pending reboot did not happen", extra={"patch_run_id": run_id})
            self._post_reboot_failed(run_id, "the host did not reboot: the agent restarted before the reboot took place")
            reboots.remove_marker(path)
            run.outcome = Outcome(run_id, protocol.PATCH_STAGE_REBOOT_FAILED, "", False, "the host did not reboot")
            return
        body = marker.get("rebooted_body")
        try:
            if not isinstance(body, dict):
                body = self._rebooted_body(run, marker, path)
        except Exception as exc:  # the server must still hear that the host is back
            log.exception("post-reboot step crashed", extra={"patch_run_id": run_id})
            body = self._body_without_hooks(marker, f"post-reboot hooks failed in the agent: {exc}")
        error = self._post_rebooted(run, body)
        if error is None:
            reboots.remove_marker(path)
        else:
            self._keep_for_next_start(path, marker, body, error)
        run.outcome = Outcome(run_id, protocol.PATCH_STAGE_REBOOTED, str(body.get("output") or ""), False, body.get("error_message"))
        self._after(run)

    def _post_rebooted(self, run: ActiveRun, body: dict[str, Any]) -> Exception | None:
        """POST the `rebooted` stage; after a reboot the network may come up late, so an unreachable server is retried."""
        for delay in (*self.rebooted_retry_delays, None):
            try:
                self.post(f"/patching/runs/{run.request.run_id}/output", body)
                return None
            except Exception as exc:
                if delay is None or not getattr(exc, "retryable", True) or run.stop.wait(delay):
                    return exc
                log.warning("rebooted stage not sent, retrying", extra={"patch_run_id": run.request.run_id, "error": str(exc),
                                                                        "retry_in_s": delay})
        return None  # not reached: the last delay is None

    def _keep_for_next_start(self, path: str, marker: dict[str, Any], body: dict[str, Any], exc: Exception) -> None:
        """A server that could not be reached gets the stage at the next start (the hooks do not run again); a refusal ends it."""
        if not getattr(exc, "retryable", True):
            log.warning("rebooted stage refused by the server", extra={"patch_run_id": marker["patch_run_id"], "error": str(exc)})
            reboots.remove_marker(path)
            return
        log.warning("rebooted stage not sent, kept for the next start", extra={"patch_run_id": marker["patch_run_id"], "error": str(exc)})
        try:
            reboots.write_marker(path, {**marker, "rebooted_body": body})
        except OSError as write_error:
            log.warning("pending-reboot marker not updated", extra={"path": path, "error": str(write_error)})

    def _rebooted_body(self, run: ActiveRun, marker: dict[str, Any], path: str) -> dict[str, Any]:
        if marker.get("hooks_started_at"):  # the agent stopped while they ran: never run a hook twice
            return self._body_without_hooks(marker, "post-reboot hooks interrupted: the agent stopped while they ran")
        if marker["post_reboot_hooks"]:
            try:
                reboots.write_marker(path, {**marker, "hooks_started_at": reboots.stamp(self.runner.now())})
            except OSError as exc:
                log.warning("pending-reboot marker not updated", extra={"path": path, "error": str(exc)})
        return self.runner.after_reboot(marker, stop=run.stop)

    def _body_without_hooks(self, marker: dict[str, Any], error: str) -> dict[str, Any]:
        return reboots.rebooted_body(marker, output="", error=error, kernel_after=self.runner.kernel_release(),
                                     booted_at=self.runner.boot_time())
