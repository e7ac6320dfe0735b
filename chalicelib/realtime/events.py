"""Messages the realtime domain puts on the `agent-commands` queue."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.patching.events import PatchRunDue, WindowOccurrence


class EchoRequested(BaseModel):
    """A message to deliver to one WebSocket connection."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["realtime.echo_requested"] = "realtime.echo_requested"
    version: Literal[1] = 1
    connection_id: str = Field(min_length=1, max_length=128)
    message: str = Field(max_length=4096)
    requested_at: str


class AgentCommandRequested(BaseModel):
    """A documented server→agent message to deliver to one host's agent."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["agent.command_requested"] = "agent.command_requested"
    version: Literal[1] = 1
    tenant_id: str = Field(min_length=1)
    host_id: str = Field(min_length=1)
    message_type: str = Field(min_length=1, max_length=64)
    data: dict = Field(default_factory=dict)
    requested_at: str


class AgentSettingsChanged(BaseModel):
    """A tenant's agent settings changed: send `settings_update` to its connected agents, one page of hosts per message.

    `data` is the payload as it was when the change was made (for the logs); the worker sends the
    tenant's current settings, so messages handled twice or out of order still leave agents current.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["agent.settings_changed"] = "agent.settings_changed"
    version: Literal[1] = 1
    tenant_id: str = Field(min_length=1)
    data: dict = Field(default_factory=dict)
    cursor: str | None = Field(default=None, max_length=2048)  # the next page of the tenant's hosts
    requested_at: str


def parse_command(body: str) -> EchoRequested | AgentCommandRequested | AgentSettingsChanged | PatchRunDue | WindowOccurrence:
    """Parse a message of the agent-commands queue by its type; raises ValueError for anything else."""
    from pydantic import TypeAdapter

    return TypeAdapter(EchoRequested | AgentCommandRequested | AgentSettingsChanged | PatchRunDue | WindowOccurrence).validate_json(body)
