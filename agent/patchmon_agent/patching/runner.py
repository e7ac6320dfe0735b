"""Execute one patch run: its commands as real processes, the output streamed, one final stage.

    runner = PatchRunner()                                   # this host
    runner = PatchRunner.in_root("/srv/roots/debian-12")     # every command as `chroot <root> ...`
    outcome = runner.execute(request, post=post_output, stop=threading.Event())

`post(body)` sends one POST /patching/runs/<id>/output body and raises when it fails. The stages are
`started`, then `progress` chunks, then exactly one of `completed`, `failed`, `cancelled` or
`dry_run_completed`, whose `output` is the whole text plus a trailer line.
"""
from __future__ import annotations

import codecs
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from patchmon_agent.logs import log
from patchmon_agent.patching import managers
from patchmon_agent.patching.process import StepProcess
from patchmon_agent.patching.request import PatchRequest
from patchmon_agent.patching.stream import OutputStream
from patchmon_agent.protocol import constants as protocol
from patchmon_agent.protocol.dry_run import parse_dry_run

RUN_TIMEOUT_SECONDS = 30 * 60
STOP_GRACE_SECONDS = 30.0
STOPPED_BY_USER = "stopped by user"
_TRAILER_WORDS = {protocol.PATCH_STAGE_COMPLETED: "completed", protocol.PATCH_STAGE_FAILED: "failed",
                  protocol.PATCH_STAGE_CANCELLED: STOPPED_BY_USER, protocol.PATCH_STAGE_DRY_RUN_COMPLETED: "Dry run completed"}
_POLL_SECONDS = 0.05
_STOPPED, _TIMED_OUT = "stopped", "timed out"

Post = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Outcome:
    """How a run ended, as posted in its final stage."""

    run_id: str
    stage: str
    output: str
    dry_run: bool
    error_message: str | None = None
    packages_affected: list[dict[str, Any]] | None = None

    def body(self) -> dict[str, Any]:
        """The final POST /patching/runs/<id>/output body."""
        body: dict[str, Any] = {"stage": self.stage, "output": self.output}
        if self.error_message is not None:
            body["error_message"] = self.error_message
        if self.packages_affected is not None:
            body["packages_affected"] = self.packages_affected
        return body


@dataclass
class _StepResult:
    output: str = ""
    returncode: int | None = None
    ending: str | None = None  # _STOPPED or _TIMED_OUT
    start_error: str | None = None


def duration_text(seconds: float) -> str:
    """Say a timeout the way `error_message` does: "30 minutes", "1 second"."""
    whole = int(seconds)
    if whole >= 60 and whole % 60 == 0:
        return f"{whole // 60} minute{'s' if whole != 60 else ''}"
    return f"{seconds:g} second{'s' if seconds != 1 else ''}"


def rooted_which(root: str) -> Callable[[str], str | None]:
    """A `which` that looks for a program inside `root` (for runs through `chroot <root>`)."""
    dirs = ("usr/local/sbin", "usr/local/bin", "usr/sbin", "usr/bin", "sbin", "bin")
    return lambda name: shutil.which(name, path=os.pathsep.join(os.path.join(root, d) for d in dirs))


@dataclass
class PatchRunner:
    """Runs patch commands, each behind `prefix` (e.g. `("chroot", root)`), as real processes."""

    prefix: Sequence[str] = ()
    which: Callable[[str], str | None] = shutil.which
    timeout_seconds: float = RUN_TIMEOUT_SECONDS
    grace_seconds: float = STOP_GRACE_SECONDS
    drain_seconds: float = 5.0  # after the command exits, while a child it left behind holds the output open
    flush_bytes: int = 1024
    flush_seconds: float = 0.25
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))

    @classmethod
    def in_root(cls, root: str, **options: Any) -> PatchRunner:
        """A runner whose commands run as `chroot <root> <argv>`, detecting the package manager inside root."""
        return cls(prefix=("chroot", root), which=rooted_which(root), **options)

    def execute(self, request: PatchRequest, *, post: Post, stop: threading.Event) -> Outcome:
        """Run the request to its end and post every stage; return the final one."""
        try:
            manager = managers.detect(self.which)
        except managers.UnsupportedManager as exc:
            return refuse(request, post, str(exc), at=self.now())
        _post_logged(post, {"stage": protocol.PATCH_STAGE_STARTED}, request.run_id, "started")
        stream = OutputStream(lambda chunk: post({"stage": protocol.PATCH_STAGE_PROGRESS, "output": chunk}), flush_bytes=self.flush_bytes,
                              flush_seconds=self.flush_seconds, clock=self.clock, run_id=request.run_id)
        try:
            stage, error, last = self._run_steps(manager, request, stream, stop)
        finally:
            stream.close()
        affected = parse_dry_run(last) if stage == protocol.PATCH_STAGE_DRY_RUN_COMPLETED else None
        return self._finish(request, post, stage, stream.text, error=error, affected=affected)

    def _run_steps(self, manager: str, request: PatchRequest, stream: OutputStream, stop: threading.Event) -> tuple[str, str | None, str]:
        deadline = self.clock() + self.timeout_seconds
        output = ""
        for step in managers.steps(manager, patch_type=request.patch_type, package_names=request.package_names, dry_run=request.dry_run):
            if stop.is_set():
                return protocol.PATCH_STAGE_CANCELLED, STOPPED_BY_USER, output
            if self.clock() >= deadline:
                return protocol.PATCH_STAGE_FAILED, self._timeout_message(), output
            result = self._run_step(step, stream, stop, deadline)
            output = result.output
            if result.start_error is not None:
                return protocol.PATCH_STAGE_FAILED, result.start_error, output
            if result.ending == _STOPPED:
                return protocol.PATCH_STAGE_CANCELLED, STOPPED_BY_USER, output
            if result.ending == _TIMED_OUT:
                return protocol.PATCH_STAGE_FAILED, self._timeout_message(), output
            assert result.returncode is not None
            if managers.step_succeeded(manager, result.returncode, output, dry_run=request.dry_run):
                continue
            if step.kind == managers.REFRESH:  # the upgrade can still use the metadata already on the host
                stream.write(f"(refreshing the package lists failed with exit status {result.returncode}; continuing)\n")
                continue
            return protocol.PATCH_STAGE_FAILED, f"{step.argv[0]} exited with status {result.returncode}", output
        done = protocol.PATCH_STAGE_DRY_RUN_COMPLETED if request.dry_run else protocol.PATCH_STAGE_COMPLETED
        return done, None, output

    def _run_step(self, step: managers.Step, stream: OutputStream, stop: threading.Event, deadline: float) -> _StepResult:
        stream.write(f"$ {step.display}\n")
        try:
            process = StepProcess([*self.prefix, *step.argv], {**os.environ, **step.env})
        except OSError as exc:
            stream.flush()
            return _StepResult(start_error=f"could not start {step.argv[0]}: {exc.strerror or exc}")
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts: list[str] = []
        result = _StepResult()
        signalled_at = exited_at = None
        killed = False
        while True:
            text = decoder.decode(process.read(_POLL_SECONDS))
            if text:
                parts.append(text)
                stream.write(text)
            stream.tick()
            now = self.clock()
            returncode = process.poll()
            if returncode is not None:
                if process.eof:
                    break
                exited_at = exited_at if exited_at is not None else now
                if now - exited_at >= self.drain_seconds:
                    break
            elif result.ending is None and (stop.is_set() or now >= deadline):
                result.ending = _STOPPED if stop.is_set() else _TIMED_OUT
                process.interrupt()
                signalled_at = now
            elif signalled_at is not None and not killed and now - signalled_at >= self.grace_seconds:
                process.kill()
                killed = True
        parts.append(decoder.decode(b"", final=True))
        stream.write(parts[-1])
        stream.flush()
        result.output, result.returncode = "".join(parts), returncode
        return result

    def _timeout_message(self) -> str:
        return f"timed out after {duration_text(self.timeout_seconds)}"

    def _finish(self, request: PatchRequest, post: Post, stage: str, text: str, *, error: str | None = None,
                affected: list[dict[str, Any]] | None = None) -> Outcome:
        outcome = final_outcome(request, stage, text, at=self.now(), error=error, affected=affected)
        if _post_logged(post, outcome.body(), request.run_id, stage):
            log.info("patch run finished", extra={"patch_run_id": request.run_id, "stage": stage})
        return outcome


def final_outcome(request: PatchRequest, stage: str, text: str, *, at: datetime, error: str | None = None,
                  affected: list[dict[str, Any]] | None = None) -> Outcome:
    """The final stage of a run: `text` and the trailer line `--- Patch run <how> at <RFC 3339 UTC> ---`."""
    stamp = at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    full = (text if not text or text.endswith("\n") else text + "\n") + f"--- Patch run {_TRAILER_WORDS[stage]} at {stamp} ---\n"
    return Outcome(request.run_id, stage, full, request.dry_run, error, affected)


def refuse(request: PatchRequest, post: Post, error: str, *, at: datetime | None = None) -> Outcome:
    """Answer a run that will not be executed with its final `failed` stage (no `started` before it)."""
    outcome = final_outcome(request, protocol.PATCH_STAGE_FAILED, f"{error}\n", at=at or datetime.now(timezone.utc), error=error)
    _post_logged(post, outcome.body(), request.run_id, outcome.stage)
    return outcome


def _post_logged(post: Post, body: dict[str, Any], run_id: str, what: str) -> bool:
    try:
        post(body)
    except Exception as exc:
        log.error("patch run stage not sent", extra={"patch_run_id": run_id, "stage": what, "error": str(exc)})
        return False
    return True
