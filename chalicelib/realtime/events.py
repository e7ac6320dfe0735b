"""Messages the realtime domain puts on the `agent-commands` queue."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class EchoRequested(BaseModel):
    """A message to deliver to one WebSocket connection."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["realtime.echo_requested"] = "realtime.echo_requested"
    version: Literal[1] = 1
    connection_id: str = Field(min_length=1, max_length=128)
    message: str = Field(max_length=4096)
    requested_at: str
