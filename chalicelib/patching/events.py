"""The message that says a patch run is due (on the `agent-commands` queue)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PatchRunDue(BaseModel):
    """Send run `run_id` to its host's agent, as dispatch attempt `attempt` (a stale attempt is dropped)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["patching.run_due"] = "patching.run_due"
    version: Literal[1] = 1
    tenant_id: str = Field(min_length=1)
    run_id: str = Field(min_length=1, max_length=64)
    attempt: int = Field(ge=0)
    requested_at: str


class WindowOccurrence(BaseModel):
    """A maintenance window's schedule fired: open it (`patching.window_opened`) or warn of it (`patching.window_warning`)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["patching.window_opened", "patching.window_warning"]
    version: Literal[1] = 1
    tenant_id: str = Field(min_length=1)
    policy_id: str = Field(min_length=1, max_length=64)
    scheduled_time: str = Field(max_length=64)
