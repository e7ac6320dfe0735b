"""The `run_patch` and `patch_run_stop` messages: at most one patch run at a time, each on its own thread.

The run's thread talks to the server only through its output endpoint, so the service's main loop
keeps its schedule and its messages while a run lasts up to 30 minutes.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from patchmon_agent.logs import log
from patchmon_agent.patching.request import PatchRequest, parse_run_patch
from patchmon_agent.patching.runner import Outcome, PatchRunner, refuse

BUSY = "another patch run is in progress on this host"


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
        if self.after_run is not None:
            try:
                self.after_run(run.outcome)
            except Exception as exc:
                log.warning("after-patch step failed", extra={"patch_run_id": run.request.run_id, "error": str(exc)})
