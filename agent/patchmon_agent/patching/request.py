"""The `run_patch` message, checked: package names reach a command line, so only allow-listed ones pass."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from patchmon_agent.logs import log
from patchmon_agent.protocol import constants as protocol

PACKAGE_NAME = re.compile(protocol.PATCH_PACKAGE_NAME_PATTERN)
# The run id becomes part of the output URL's path: ids are UUIDs, anything path-like is refused.
# fullmatch, not match: "$" alone would let a trailing newline through.
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")


@dataclass(frozen=True)
class PatchRequest:
    """One run the server asked for."""

    run_id: str
    patch_type: str = protocol.PATCH_ALL
    package_names: tuple[str, ...] = ()
    dry_run: bool = False


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
    return PatchRequest(run_id, patch_type, names, message.get("dry_run") is True)


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
