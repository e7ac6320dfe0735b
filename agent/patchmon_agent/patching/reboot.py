"""The reboot after a patch run: the decision, the pending-reboot marker, the reboot itself, and the host coming back.

A run with a `reboot` policy ends with `reboot: {policy, required, decision, reason, kernel_before}` in its final
stage. To reboot, the runner first writes the marker (run id, kernel, post-reboot hooks; 0600), then posts the final
stage; the service sends a full report and only then runs the reboot command. On the next start the marker's
post-reboot hooks run and the `rebooted` stage tells the server the host is back.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from patchmon_agent import files
from patchmon_agent.logs import log
from patchmon_agent.patching.request import valid_run_id
from patchmon_agent.protocol import constants as protocol
from patchmon_agent.system import host
from patchmon_agent.system import reboot as reboot_rules
from patchmon_agent.system.command import default_runner
from patchmon_agent.system.files import Root
from patchmon_agent.system.os_release import read as read_os_release

MARKER_NAME = "pending-reboot.json"
DEFAULT_MARKER_PATH = f"/etc/patchmon/{MARKER_NAME}"
REBOOT_COMMANDS = (("systemctl", "reboot"), ("shutdown", "-r", "now"), ("reboot",))
REBOOT_COMMAND_TIMEOUT = 60.0
MAX_REASON, MAX_KERNEL = 500, 200  # the server's limits for these fields


@dataclass(frozen=True)
class RebootResult:
    """What the reboot command did: `ok` when the system accepted it; `refused` when we chose not to reboot this machine."""

    ok: bool
    detail: str = ""
    refused: bool = False


def stamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def decide(policy: str, *, stage: str, dry_run: bool, required: bool, why: str, kernel_before: str) -> dict[str, Any]:
    """The `reboot` object of a final stage: reboot only after a completed real run, and as the policy says."""
    if dry_run or stage != protocol.PATCH_STAGE_COMPLETED:
        decision = protocol.PATCH_REBOOT_SKIPPED
        reason = "dry run" if dry_run else ("the run was stopped" if stage == protocol.PATCH_STAGE_CANCELLED else "the run failed")
    elif policy == protocol.PATCH_REBOOT_ALWAYS:
        decision, reason = protocol.PATCH_REBOOT_REBOOTING, "the policy reboots after every run" + (f" ({why})" if why else "")
    elif required and policy == protocol.PATCH_REBOOT_IF_REQUIRED:
        decision, reason = protocol.PATCH_REBOOT_REBOOTING, why or "a reboot is required"
    elif required:
        decision, reason = protocol.PATCH_REBOOT_NOT_ALLOWED, f"{why or 'a reboot is required'}; the policy never reboots"
    else:
        decision, reason = protocol.PATCH_REBOOT_NOT_REQUIRED, why or "no reboot required"
    return {"policy": policy, "required": required, "decision": decision, "reason": reason[:MAX_REASON],
            "kernel_before": kernel_before[:MAX_KERNEL]}


def host_reboot_status(root: str = "/", prefix: Sequence[str] = (), *, running: str) -> reboot_rules.RebootStatus:
    """The host's reboot-needed rule (system/reboot.py) for `root`, its commands behind `prefix`."""
    fs = Root(root)
    family = read_os_release(fs).family
    return reboot_rules.check(fs, lambda argv, timeout: default_runner([*prefix, *argv], timeout), family=family,
                              running=running, container=host.in_container(fs))


def kernel_release() -> str:
    """`uname -r`."""
    return os.uname().release


def boot_time() -> str:
    """When this machine booted (UTC RFC 3339), "" when unknown."""
    return host.boot_time(Root("/"), container=False, uptime=None, now=0.0)


def boot_id() -> str:
    """The kernel's id of this boot (new at every boot), "" when unknown."""
    return Root("/").read_first_line("/proc/sys/kernel/random/boot_id").strip().lower()


# --- the marker -------------------------------------------------------------------------------------------------


def write_marker(path: str, marker: dict[str, Any]) -> None:
    """Write the pending-reboot marker (0600, atomically)."""
    files.atomic_write(pathlib.Path(path), json.dumps(marker, indent=1, sort_keys=True).encode("utf-8"))


def new_marker(*, run_id: str, kernel_before: str, post_reboot_hooks: Sequence[str], at: datetime, boot: str) -> dict[str, Any]:
    return {"patch_run_id": run_id, "kernel_before": kernel_before, "post_reboot_hooks": list(post_reboot_hooks),
            "requested_at": stamp(at), "boot_id": boot}


def same_boot(marker: dict[str, Any], current_boot_id: str) -> bool:
    """Whether the machine has not rebooted since the marker was written (unknown boot ids: assume it has)."""
    return bool(current_boot_id) and marker.get("boot_id") == current_boot_id


def reboot_failed_body(error: str) -> dict[str, Any]:
    """The `reboot_failed` stage: the run decided to reboot, and the host did not."""
    return {"stage": protocol.PATCH_STAGE_REBOOT_FAILED, "output": "", "error_message": error}


def read_marker(path: str) -> dict[str, Any] | None:
    """The pending-reboot marker, or None; one that cannot be used is removed (logged) so it is never retried forever."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("pending-reboot marker unreadable", extra={"path": path, "error": str(exc)})
        return None
    try:
        marker = json.loads(text)
    except ValueError:
        marker = None
    hooks = marker.get("post_reboot_hooks") if isinstance(marker, dict) else None
    if not isinstance(marker, dict) or not valid_run_id(marker.get("patch_run_id")) or not isinstance(hooks, list) \
            or not all(isinstance(h, str) for h in hooks):
        log.warning("pending-reboot marker invalid, removed", extra={"path": path})
        remove_marker(path)
        return None
    return marker


def remove_marker(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("pending-reboot marker not removed", extra={"path": path, "error": str(exc)})


def rebooted_body(marker: dict[str, Any], *, output: str, error: str | None, kernel_after: str, booted_at: str) -> dict[str, Any]:
    """The `rebooted` stage: the post-reboot hooks' output and the kernels before and after."""
    before = str(marker.get("kernel_before") or "")
    reboot: dict[str, Any] = {"kernel_before": before[:MAX_KERNEL], "kernel_after": kernel_after[:MAX_KERNEL],
                              "new_kernel": bool(before and kernel_after and before != kernel_after)}
    if booted_at:
        reboot["booted_at"] = booted_at
    body: dict[str, Any] = {"stage": protocol.PATCH_STAGE_REBOOTED, "output": output, "reboot": reboot}
    if error:
        body["error_message"] = error
    return body


# --- rebooting --------------------------------------------------------------------------------------------------


def _not_the_booted_root() -> bool:
    """True when "/" is not PID 1's root (a chroot) or that cannot be told: never reboot from there."""
    try:
        mine, init = os.stat("/"), os.stat("/proc/1/root/")
    except OSError:
        return True
    return (mine.st_dev, mine.st_ino) != (init.st_dev, init.st_ino)


def system_rebooter(*, run: Callable[..., Any] = subprocess.run, in_chroot: Callable[[], bool] = _not_the_booted_root) -> RebootResult:
    """Reboot this machine: systemctl reboot, else shutdown -r now, else reboot; never from inside a chroot."""
    if in_chroot():
        return refusing_rebooter()
    failures = []
    for argv in REBOOT_COMMANDS:
        try:
            done = run(list(argv), stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                       timeout=REBOOT_COMMAND_TIMEOUT, check=False)
        except FileNotFoundError:
            continue
        except (OSError, subprocess.TimeoutExpired) as exc:
            failures.append(f"{' '.join(argv)}: {exc}")
            continue
        if done.returncode == 0:
            log.info("reboot requested", extra={"command": " ".join(argv)})
            return RebootResult(True, " ".join(argv))
        failures.append(f"{' '.join(argv)}: exit status {done.returncode}: {(done.stderr or done.stdout).strip()[:300]}")
    return RebootResult(False, "; ".join(failures) or "no reboot command found (systemctl, shutdown, reboot)")


def refusing_rebooter() -> RebootResult:
    """The rebooter of a runner that patches another root (a chroot): this machine is not the one patched."""
    log.warning("reboot refused: the patched system is not the machine this agent runs on")
    return RebootResult(True, "refused: the patched root is not this machine", refused=True)
