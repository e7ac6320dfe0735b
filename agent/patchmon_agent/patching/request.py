"""The `run_patch` message, checked: package names reach a command line, so only allow-listed ones pass.

Our extension fields (exclude_packages, pre_hooks, post_hooks, post_reboot_hooks, reboot) are optional:
absent means PatchMon's behaviour. An invalid one is dropped with a log line, and `notes` says so in the
run's output, so what the agent did not honour is visible where the run is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from patchmon_agent.logs import log
from patchmon_agent.protocol import constants as protocol

PACKAGE_NAME = re.compile(protocol.PATCH_PACKAGE_NAME_PATTERN)
EXCLUDE_PATTERN = re.compile(protocol.PATCH_EXCLUDE_PATTERN)
# The run id becomes part of the output URL's path: ids are UUIDs, anything path-like is refused.
# fullmatch, not match: "$" alone would let a trailing newline through.
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
HOOK_KINDS = (protocol.RUN_PATCH_PRE_HOOKS, protocol.RUN_PATCH_POST_HOOKS, protocol.RUN_PATCH_POST_REBOOT_HOOKS)


@dataclass(frozen=True)
class PatchRequest:
    """One run the server asked for."""

    run_id: str
    patch_type: str = protocol.PATCH_ALL
    package_names: tuple[str, ...] = ()
    dry_run: bool = False
    exclude_packages: tuple[str, ...] = ()
    pre_hooks: tuple[str, ...] = ()
    post_hooks: tuple[str, ...] = ()
    post_reboot_hooks: tuple[str, ...] = ()
    reboot: str | None = None  # None: the message had no (valid) reboot policy, so no decision is reported
    notes: tuple[str, ...] = ()  # what was dropped while checking the message, for the run's output

    @property
    def has_hooks(self) -> bool:
        return bool(self.pre_hooks or self.post_hooks or self.post_reboot_hooks)


def valid_run_id(value: Any) -> bool:
    return isinstance(value, str) and RUN_ID.fullmatch(value) is not None


def parse_run_patch(message: dict[str, Any]) -> PatchRequest | None:
    """The request a `run_patch` message makes, or None when it must be ignored (logged)."""
    run_id = message.get("patch_run_id")
    if not valid_run_id(run_id):
        log.warning("run_patch without a valid patch_run_id ignored", extra={"patch_run_id": str(run_id)[:140]})
        return None
    patch_type = message.get("patch_type") or protocol.PATCH_ALL
    if patch_type not in protocol.PATCH_TYPES:
        log.warning("run_patch with an unknown patch_type ignored", extra={"patch_run_id": run_id, "patch_type": str(patch_type)[:64]})
        return None
    names: tuple[str, ...] = ()
    if patch_type == protocol.PATCH_PACKAGE:
        names = _package_names(message, run_id)
        if not names:
            log.warning("run_patch with no valid package name ignored", extra={"patch_run_id": run_id})
            return None
    notes: list[str] = []
    excluded = _exclusions(message.get(protocol.RUN_PATCH_EXCLUDE_PACKAGES), run_id, notes)
    hooks = {kind: _hooks(kind, message.get(kind), run_id, notes) for kind in HOOK_KINDS}
    reboot = _reboot(message.get(protocol.RUN_PATCH_REBOOT), run_id, notes)
    return PatchRequest(run_id, patch_type, names, message.get("dry_run") is True, excluded, hooks[protocol.RUN_PATCH_PRE_HOOKS],
                        hooks[protocol.RUN_PATCH_POST_HOOKS], hooks[protocol.RUN_PATCH_POST_REBOOT_HOOKS], reboot, tuple(notes))


def _package_names(message: dict[str, Any], run_id: str) -> tuple[str, ...]:
    given = message.get("package_names")
    if not isinstance(given, list) or not given:
        given = [message.get("package_name")]
    valid = [n for n in given if isinstance(n, str) and len(n) <= protocol.MAX_PACKAGE_NAME_LENGTH and PACKAGE_NAME.fullmatch(n)]
    dropped = len(given) - len(valid)
    if dropped:
        log.warning("invalid package names dropped", extra={"patch_run_id": run_id, "dropped": dropped})
    unique = list(dict.fromkeys(valid))
    limit = protocol.MAX_PATCH_PACKAGE_NAMES
    if len(unique) > limit:
        log.warning("package names beyond the limit dropped", extra={"patch_run_id": run_id, "dropped": len(unique) - limit})
    return tuple(unique[:limit])


def _drop(field: str, why: str, run_id: str, notes: list[str]) -> None:
    log.warning("run_patch field dropped", extra={"patch_run_id": run_id, "field": field, "reason": why})
    notes.append(f"{field} ignored: {why}")


def _exclusions(given: Any, run_id: str, notes: list[str]) -> tuple[str, ...]:
    """Valid patterns of `exclude_packages`; each invalid item is dropped, a list that is not one or too long entirely."""
    field = protocol.RUN_PATCH_EXCLUDE_PACKAGES
    if given is None:
        return ()
    if not isinstance(given, list) or len(given) > protocol.MAX_PATCH_EXCLUDE_PATTERNS:
        _drop(field, f"not a list of at most {protocol.MAX_PATCH_EXCLUDE_PATTERNS} patterns", run_id, notes)
        return ()
    valid = []
    for item in given:
        if isinstance(item, str) and len(item) <= protocol.MAX_PACKAGE_NAME_LENGTH and EXCLUDE_PATTERN.fullmatch(item):
            valid.append(item)
        else:
            _drop(f"{field} item {str(item)[:80]!r}", "not a package name pattern", run_id, notes)
    return tuple(dict.fromkeys(valid))


def _hooks(kind: str, given: Any, run_id: str, notes: list[str]) -> tuple[str, ...]:
    """A hook list as sent, or () when it is not valid as a whole: running part of a sequence would be worse."""
    if given is None:
        return ()
    limit, length = protocol.MAX_PATCH_HOOKS, protocol.MAX_PATCH_HOOK_LENGTH
    if not isinstance(given, list) or len(given) > limit:
        _drop(kind, f"not a list of at most {limit} commands", run_id, notes)
        return ()
    for command in given:
        if not isinstance(command, str) or not command.strip() or len(command) > length or any(c in command for c in "\x00\r\n"):
            _drop(kind, f"every hook must be one non-empty line of at most {length} characters", run_id, notes)
            return ()
    return tuple(given)


def _reboot(given: Any, run_id: str, notes: list[str]) -> str | None:
    if given is None:
        return None
    if given not in protocol.PATCH_REBOOT_POLICIES:
        _drop(protocol.RUN_PATCH_REBOOT, f"{str(given)[:40]!r} is none of {', '.join(protocol.PATCH_REBOOT_POLICIES)}", run_id, notes)
        return None
    return str(given)
