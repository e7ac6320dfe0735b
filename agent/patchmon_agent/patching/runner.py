"""Execute one patch run: its commands as real processes, the output streamed, one final stage.

    runner = PatchRunner()                                   # this host
    runner = PatchRunner.in_root("/srv/roots/debian-12")     # every command as `chroot <root> ...`
    outcome = runner.execute(request, post=post_output, stop=threading.Event())

`post(body)` sends one POST /patching/runs/<id>/output body and raises when it fails. The stages are
`started`, then `progress` chunks, then exactly one of `completed`, `failed`, `cancelled` or
`dry_run_completed`, whose `output` is the whole text plus a trailer line.

Our extension (docs/patching.md, "Beyond PatchMon"), in order: the pre-hooks (a failure aborts the run), the
exclusions' holds or locks, the package commands, the holds taken off again (always), the post-hooks (only after
a completed operation), then the reboot decision in the final stage. A dry run runs no hook and changes nothing.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from patchmon_agent.logs import log
from patchmon_agent.patching import exclusions, managers, process
from patchmon_agent.patching import reboot as reboots
from patchmon_agent.patching.request import PatchRequest
from patchmon_agent.patching.stream import OutputStream
from patchmon_agent.protocol import constants as protocol
from patchmon_agent.protocol.dry_run import parse_dry_run

RUN_TIMEOUT_SECONDS = 30 * 60
STOP_GRACE_SECONDS = 30.0
STOPPED_BY_USER = "stopped by user"
_TRAILER_WORDS = {protocol.PATCH_STAGE_COMPLETED: "completed", protocol.PATCH_STAGE_FAILED: "failed",
                  protocol.PATCH_STAGE_CANCELLED: STOPPED_BY_USER, protocol.PATCH_STAGE_DRY_RUN_COMPLETED: "Dry run completed"}
COMMAND_TIMEOUT_SECONDS = 120.0  # the short commands around the operation: listing and setting holds or locks
HOOK_SHELL = "/bin/sh"
HOOK_WHAT = {"pre": "pre-patch", "post": "post-patch", "post-reboot": "post-reboot"}

Post = Callable[[dict[str, Any]], Any]
Ending = tuple[str, "str | None", str]  # (final stage, error message, output of the last command)


@dataclass(frozen=True)
class Outcome:
    """How a run ended, as posted in its final stage."""

    run_id: str
    stage: str
    output: str
    dry_run: bool
    error_message: str | None = None
    packages_affected: list[dict[str, Any]] | None = None
    reboot: dict[str, Any] | None = None  # our extension: the reboot decision (runs that carried a policy)

    @property
    def rebooting(self) -> bool:
        return self.reboot is not None and self.reboot.get("decision") == protocol.PATCH_REBOOT_REBOOTING

    def body(self) -> dict[str, Any]:
        """The final POST /patching/runs/<id>/output body."""
        body: dict[str, Any] = {"stage": self.stage, "output": self.output}
        if self.error_message is not None:
            body["error_message"] = self.error_message
        if self.packages_affected is not None:
            body["packages_affected"] = self.packages_affected
        if self.reboot is not None:
            body["reboot"] = self.reboot
        return body


@dataclass
class _Run:
    """One execution: what was asked, where its output goes, and until when it may run."""

    request: PatchRequest
    manager: str
    stream: OutputStream
    stop: threading.Event
    deadline: float


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
    """Runs patch commands, each behind `prefix` (e.g. `("chroot", root)`), as real processes.

    The reboot side is injectable: `reboot_check` (is a reboot needed? default: system/reboot.py for `root`),
    `rebooter` (default: this machine's reboot command, refused when there is a prefix), `kernel_release`, `boot_time`
    and `boot_id`; `marker_path` is where a pending reboot is recorded (the service puts it beside config.yml).
    """

    prefix: Sequence[str] = ()
    which: Callable[[str], str | None] = shutil.which
    timeout_seconds: float = RUN_TIMEOUT_SECONDS
    grace_seconds: float = STOP_GRACE_SECONDS
    drain_seconds: float = 5.0  # after the command exits, while a child it left behind holds the output open
    flush_bytes: int = 1024
    flush_seconds: float = 0.25
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    hook_timeout_seconds: float = protocol.PATCH_HOOK_TIMEOUT_SECONDS
    root: str = "/"
    marker_path: str | None = None
    reboot_check: Callable[[], Any] | None = None  # -> system.reboot.RebootStatus (needed, reason)
    rebooter: Callable[[], reboots.RebootResult] | None = None
    kernel_release: Callable[[], str] = reboots.kernel_release
    boot_time: Callable[[], str] = reboots.boot_time
    boot_id: Callable[[], str] = reboots.boot_id

    @classmethod
    def in_root(cls, root: str, **options: Any) -> PatchRunner:
        """A runner whose commands run as `chroot <root> <argv>`, detecting the package manager inside root."""
        return cls(prefix=("chroot", root), which=rooted_which(root), root=root, **options)

    @property
    def marker(self) -> str:
        return self.marker_path or reboots.DEFAULT_MARKER_PATH

    def execute(self, request: PatchRequest, *, post: Post, stop: threading.Event) -> Outcome:
        """Run the request to its end and post every stage; return the final one."""
        try:
            manager = managers.detect(self.which)
        except managers.UnsupportedManager as exc:
            return refuse(request, post, str(exc), at=self.now())
        _post_logged(post, {"stage": protocol.PATCH_STAGE_STARTED}, request.run_id, "started")
        stream = OutputStream(lambda chunk: post({"stage": protocol.PATCH_STAGE_PROGRESS, "output": chunk}), flush_bytes=self.flush_bytes,
                              flush_seconds=self.flush_seconds, clock=self.clock, run_id=request.run_id)
        run = _Run(request, manager, stream, stop, self.clock() + self.timeout_seconds)
        try:
            stage, error, last = self._run_all(run)
            affected = self._affected(run, last) if stage == protocol.PATCH_STAGE_DRY_RUN_COMPLETED else None
            reboot = self._reboot_decision(run, stage) if request.reboot is not None else None
        finally:
            stream.close()
        return self._finish(request, post, stage, stream.text, error=error, affected=affected, reboot=reboot)

    def _run_all(self, run: _Run) -> Ending:
        request, stream = run.request, run.stream
        for note in request.notes:
            stream.write(f"({note})\n")
        names = request.package_names
        if request.exclude_packages:
            stream.write(f"(excluded from this run: {', '.join(request.exclude_packages)})\n")
            if request.patch_type == protocol.PATCH_PACKAGE:
                names, removed = exclusions.split_requested(names, request.exclude_packages)
                if removed:
                    stream.write(f"(not patched, excluded: {', '.join(removed)})\n")
                if not names:
                    return protocol.PATCH_STAGE_FAILED, exclusions.NOTHING_LEFT, ""
        if request.dry_run and request.has_hooks:
            stream.write("(hooks skipped in a dry run)\n")
        if not request.dry_run:
            ending = self._run_hooks(run, "pre", request.pre_hooks)
            if ending is not None:
                return ending
        ending, restore_error = self._guarded_steps(run, names)
        if ending[0] != protocol.PATCH_STAGE_COMPLETED:  # post-hooks only after a completed package operation
            return ending
        hook_ending = self._run_hooks(run, "post", request.post_hooks)
        if restore_error is not None:  # holds left on the host fail the run, even when everything else worked
            hook_error = f"; {hook_ending[1]}" if hook_ending is not None else ""
            return protocol.PATCH_STAGE_FAILED, restore_error + hook_error, ending[2]
        return hook_ending or ending

    def _guarded_steps(self, run: _Run, names: tuple[str, ...]) -> tuple[Ending, str | None]:
        """The package commands, inside the holds or locks of the exclusions; (their ending, why those could not be taken off)."""
        request = run.request
        guard = exclusions.guard_for(run.manager, request.patch_type, request.exclude_packages, dry_run=request.dry_run)
        if guard is None:
            return self._run_steps(run, names), None
        console = _Console(self, run.stream)
        try:
            error = guard.apply(console)
            ending = (protocol.PATCH_STAGE_FAILED, error, "") if error else self._run_steps(run, names)
        finally:
            restore_error = guard.restore(console)
        if restore_error is not None:
            log.warning("temporary holds not removed", extra={"patch_run_id": request.run_id, "error": restore_error})
            console.note(restore_error)
        return ending, restore_error

    def _run_steps(self, run: _Run, names: tuple[str, ...]) -> Ending:
        request, output = run.request, ""
        for step in managers.steps(run.manager, patch_type=request.patch_type, package_names=names, dry_run=request.dry_run,
                                   exclude=request.exclude_packages):
            if run.stop.is_set():
                return protocol.PATCH_STAGE_CANCELLED, STOPPED_BY_USER, output
            if self.clock() >= run.deadline:
                return protocol.PATCH_STAGE_FAILED, self._timeout_message(), output
            result = self._run_step(run, step, run.deadline)
            output = result.output
            if result.start_error is not None:
                return protocol.PATCH_STAGE_FAILED, result.start_error, output
            if result.ending == process.STOPPED:
                return protocol.PATCH_STAGE_CANCELLED, STOPPED_BY_USER, output
            if result.ending == process.TIMED_OUT:
                return protocol.PATCH_STAGE_FAILED, self._timeout_message(), output
            assert result.returncode is not None
            if managers.step_succeeded(run.manager, result.returncode, output, dry_run=request.dry_run):
                continue
            if step.kind == managers.REFRESH:  # the upgrade can still use the metadata already on the host
                run.stream.write(f"(refreshing the package lists failed with exit status {result.returncode}; continuing)\n")
                continue
            return protocol.PATCH_STAGE_FAILED, f"{step.argv[0]} exited with status {result.returncode}", output
        done = protocol.PATCH_STAGE_DRY_RUN_COMPLETED if request.dry_run else protocol.PATCH_STAGE_COMPLETED
        return done, None, output

    def _run_hooks(self, run: _Run, kind: str, hooks: Sequence[str]) -> Ending | None:
        """Run hooks one after another with `/bin/sh -c`; the first that does not succeed ends the run (returned)."""
        for command in hooks:
            if run.stop.is_set():
                return protocol.PATCH_STAGE_CANCELLED, STOPPED_BY_USER, ""
            if self.clock() >= run.deadline:
                return protocol.PATCH_STAGE_FAILED, self._timeout_message(), ""
            hook_deadline = min(run.deadline, self.clock() + self.hook_timeout_seconds)
            env = {"PATCHMON_PATCH_RUN_ID": run.request.run_id, "PATCHMON_HOOK": kind}
            step = managers.Step(managers.HOOK, (HOOK_SHELL, "-c", command), env, label=f"<hook: {kind}> {command}")
            result = self._run_step(run, step, hook_deadline)
            failed = f"{HOOK_WHAT[kind]} hook failed: {command}"
            if result.start_error is not None:
                return protocol.PATCH_STAGE_FAILED, f"{failed} ({result.start_error})", result.output
            if result.ending == process.STOPPED:
                return protocol.PATCH_STAGE_CANCELLED, STOPPED_BY_USER, result.output
            if result.ending == process.TIMED_OUT and hook_deadline >= run.deadline:
                return protocol.PATCH_STAGE_FAILED, self._timeout_message(), result.output
            if result.ending == process.TIMED_OUT:
                return protocol.PATCH_STAGE_FAILED, f"{failed} (timed out after {duration_text(self.hook_timeout_seconds)})", result.output
            if result.returncode != 0:
                rc = result.returncode or 0
                return protocol.PATCH_STAGE_FAILED, f"{failed} ({f'killed by signal {-rc}' if rc < 0 else f'exit {rc}'})", result.output
        return None

    def _run_step(self, run: _Run, step: managers.Step, deadline: float) -> process.StepResult:
        run.stream.write(f"$ {step.display}\n")
        return process.run_streamed([*self.prefix, *step.argv], {**os.environ, **step.env}, name=step.argv[0], stream=run.stream,
                                    stop=run.stop, deadline=deadline, clock=self.clock, grace_seconds=self.grace_seconds,
                                    drain_seconds=self.drain_seconds)

    def _affected(self, run: _Run, last: str) -> list[dict[str, Any]]:
        request, affected = run.request, parse_dry_run(last)
        if request.exclude_packages and exclusions.filtered_in_result(run.manager, request.patch_type, request.dry_run):
            affected, dropped = exclusions.filter_affected(affected, request.exclude_packages)
            run.stream.write(f"(a simulation cannot hold or lock packages: the exclusions were applied to its result instead, "
                             f"{len(dropped)} left out{': ' + ', '.join(dropped) if dropped else ''}; the real run holds them, "
                             f"which may also keep back packages that need them)\n")
        return affected

    def _timeout_message(self) -> str:
        return f"timed out after {duration_text(self.timeout_seconds)}"

    def _finish(self, request: PatchRequest, post: Post, stage: str, text: str, *, error: str | None = None,
                affected: list[dict[str, Any]] | None = None, reboot: dict[str, Any] | None = None) -> Outcome:
        outcome = final_outcome(request, stage, text, at=self.now(), error=error, affected=affected, reboot=reboot)
        if _post_logged(post, outcome.body(), request.run_id, stage):
            log.info("patch run finished", extra={"patch_run_id": request.run_id, "stage": stage})
        return outcome

    # --- the reboot ------------------------------------------------------------------------------------------

    def _reboot_required(self) -> tuple[bool, str]:
        try:
            check = self.reboot_check or (lambda: reboots.host_reboot_status(self.root, self.prefix, running=self.kernel_release()))
            status = check()
        except Exception as exc:  # the decision must still be reported
            log.warning("reboot check failed", extra={"error": str(exc)})
            return False, f"could not tell whether a reboot is required: {exc}"
        return bool(status.needed), str(status.reason or "")

    def _reboot_decision(self, run: _Run, stage: str) -> dict[str, Any]:
        """Decide the reboot (request.reboot is the policy); to reboot, record the pending reboot first."""
        request = run.request
        assert request.reboot is not None
        kernel = self.kernel_release()
        required, why = self._reboot_required()
        decision = reboots.decide(request.reboot, stage=stage, dry_run=request.dry_run, required=required, why=why, kernel_before=kernel)
        if decision["decision"] == protocol.PATCH_REBOOT_REBOOTING:
            marker = reboots.new_marker(run_id=request.run_id, kernel_before=kernel, post_reboot_hooks=request.post_reboot_hooks,
                                        at=self.now(), boot=self.boot_id())
            try:
                reboots.write_marker(self.marker, marker)
            except OSError as exc:
                log.warning("pending reboot not recorded: not rebooting", extra={"patch_run_id": request.run_id, "error": str(exc)})
                reason = f"could not record the pending reboot: {exc}"[:reboots.MAX_REASON]
                decision.update(decision=protocol.PATCH_REBOOT_SKIPPED, reason=reason)
        run.stream.write(f"(reboot policy {request.reboot}: {decision['decision']}, {decision['reason']})\n")
        return decision

    def reboot(self) -> reboots.RebootResult:
        """Run the reboot: the injected rebooter, else this machine's, which a runner behind a prefix never uses."""
        rebooter = self.rebooter or (reboots.refusing_rebooter if self.prefix else reboots.system_rebooter)
        try:
            return rebooter()
        except Exception as exc:
            return reboots.RebootResult(False, f"the reboot command could not run: {exc}")

    def after_reboot(self, marker: dict[str, Any], *, stop: threading.Event) -> dict[str, Any]:
        """Run the marker's post-reboot hooks (output collected, not streamed); return the `rebooted` stage body."""
        run_id = str(marker["patch_run_id"])
        stream = OutputStream(lambda _chunk: None, run_id=run_id)
        run = _Run(PatchRequest(run_id), "", stream, stop, self.clock() + self.timeout_seconds)
        try:
            ending = self._run_hooks(run, "post-reboot", marker["post_reboot_hooks"])
        finally:
            stream.close()
        error = None
        if ending is not None:
            error = ending[1] if (ending[1] or "").startswith(HOOK_WHAT["post-reboot"]) else f"post-reboot hooks {ending[1]}"
        return reboots.rebooted_body(marker, output=stream.text, error=error, kernel_after=self.kernel_release(), booted_at=self.boot_time())

    def command(self, argv: Sequence[str]) -> tuple[int, str]:
        """Run a short command behind the prefix: (exit status, stdout and stderr)."""
        return process.run_captured([*self.prefix, *argv], timeout=COMMAND_TIMEOUT_SECONDS)


def final_outcome(request: PatchRequest, stage: str, text: str, *, at: datetime, error: str | None = None,
                  affected: list[dict[str, Any]] | None = None, reboot: dict[str, Any] | None = None) -> Outcome:
    """The final stage of a run: `text` and the trailer line `--- Patch run <how> at <RFC 3339 UTC> ---`."""
    trailer = f"--- Patch run {_TRAILER_WORDS[stage]} at {reboots.stamp(at)} ---\n"
    return Outcome(request.run_id, stage, (text if not text or text.endswith("\n") else text + "\n") + trailer, request.dry_run, error,
                   affected, reboot)


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


class _Console:
    """The runner's short commands and notes, for the holds and locks around the operation (patching.exclusions)."""

    def __init__(self, runner: PatchRunner, stream: OutputStream) -> None:
        self.runner = runner
        self.stream = stream

    def command(self, argv: Sequence[str], *, show_output: bool) -> tuple[int, str]:
        if show_output:
            self.stream.write(f"$ {' '.join(argv)}\n")
        rc, output = self.runner.command(argv)
        if show_output or rc != 0:  # a failing listing shows why
            self.stream.write(output if not output or output.endswith("\n") else output + "\n")
        self.stream.flush()
        return rc, output

    def note(self, text: str) -> None:
        self.stream.write(f"({text})\n")
