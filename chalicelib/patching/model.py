"""Patch run statuses, the transitions between them, and the limits of a run (docs/patching.md)."""
from __future__ import annotations

from typing import Final

from chalicelib.agent_protocol import constants as protocol

PATCH_ALL: Final = "patch_all"
PATCH_PACKAGE: Final = "patch_package"
PATCH_TYPES: Final = (PATCH_ALL, PATCH_PACKAGE)

PENDING_VALIDATION: Final = "pending_validation"
PENDING_APPROVAL: Final = "pending_approval"
VALIDATED: Final = "validated"
APPROVED: Final = "approved"
SCHEDULED: Final = "scheduled"
QUEUED: Final = "queued"
RUNNING: Final = "running"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"
DRY_RUN_COMPLETED: Final = "dry_run_completed"
TIMED_OUT: Final = "timed_out"
AGENT_DISCONNECTED: Final = "agent_disconnected"
WAITING: Final = "waiting"  # ours: held back by its rollout until a slot frees (docs/patching.md, "Rollouts")

STATUSES: Final = (PENDING_VALIDATION, PENDING_APPROVAL, VALIDATED, APPROVED, SCHEDULED, QUEUED, RUNNING, COMPLETED, FAILED,
                   CANCELLED, DRY_RUN_COMPLETED, TIMED_OUT, AGENT_DISCONNECTED, WAITING)
# `active` in the runs filter, as the reference's deep link: waiting to be sent or running.
ACTIVE: Final = (QUEUED, RUNNING)
AWAITING_APPROVAL: Final = (PENDING_APPROVAL, VALIDATED)  # the dashboard's "Awaiting approval"
TERMINAL: Final = frozenset({COMPLETED, FAILED, CANCELLED, DRY_RUN_COMPLETED, TIMED_OUT, AGENT_DISCONNECTED, VALIDATED, APPROVED})

# What each action may start from. A status change is a write conditioned on the status read, so of two
# racing requests only one changes the run; the other is answered 409.
DELETABLE: Final = (QUEUED, PENDING_VALIDATION, PENDING_APPROVAL, VALIDATED, APPROVED, SCHEDULED, WAITING)
APPROVABLE: Final = (VALIDATED, PENDING_VALIDATION, PENDING_APPROVAL)
DISPATCHABLE: Final = (QUEUED, PENDING_VALIDATION)  # due, waiting for the agent
STOPPABLE: Final = (RUNNING,)
# A late agent result is still recorded when the server had given up on the run.
RESULT_ACCEPTED_FROM: Final = (RUNNING, TIMED_OUT, AGENT_DISCONNECTED)

# Stages the agent posts to /patching/runs/{id}/output.
STAGE_STARTED: Final = "started"
STAGE_PROGRESS: Final = "progress"
FINAL_STAGES: Final = (COMPLETED, FAILED, CANCELLED, DRY_RUN_COMPLETED, VALIDATED)
STAGE_REBOOTED: Final = "rebooted"  # ours: the host is back after the reboot a run decided
STAGE_REBOOT_FAILED: Final = "reboot_failed"  # ours: the reboot command failed, or the host never went down

# The agent protocol's limits (what both sides of run_patch accept).
MAX_PACKAGE_NAMES: Final = protocol.MAX_PATCH_PACKAGE_NAMES
MAX_PACKAGE_NAME_LENGTH: Final = protocol.MAX_PACKAGE_NAME_LENGTH
PACKAGE_NAME_PATTERN: Final = protocol.PATCH_PACKAGE_NAME_PATTERN
# A hold: a package name with the shell's wildcards * and ?.
HOLD_PATTERN: Final = r"^[a-zA-Z0-9*?][a-zA-Z0-9._+\-*?]*$"
MAX_HOSTS_PER_TRIGGER: Final = 100

OFFLINE_RETRY_SECONDS: Final = 300
OFFLINE_RETRY_LIMIT: Final = 288  # 24 hours of 5-minute retries
STALL_MINUTES: Final = 30

# Stored output: chunks beyond this are not kept (the final output, which replaces them, is kept up to the same size).
MAX_OUTPUT_BYTES: Final = 1024 * 1024
OUTPUT_PIECE_BYTES: Final = 96 * 1024  # one DynamoDB item holds at most 400 KB
MAX_CHUNK_BYTES: Final = 64 * 1024


def final_status(stage: str, *, dry_run: bool) -> str | None:
    """The status a final stage ends a run in; None when the stage makes no sense for the run."""
    if dry_run:
        if stage in (COMPLETED, DRY_RUN_COMPLETED, VALIDATED):
            return VALIDATED  # as the reference: a finished dry run awaits approval
        return stage if stage in (FAILED, CANCELLED) else None
    return stage if stage in (COMPLETED, FAILED, CANCELLED) else None
