"""Request and response shapes of the realtime routes."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EchoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    connection_id: str = Field(min_length=1, max_length=128)
    message: str = Field(max_length=4096)
    delay_seconds: int = Field(default=0, ge=0, le=7 * 24 * 3600)


class EchoQueued(BaseModel):
    queued: bool
    reference: str
    deliver_at: str


class TicketRead(BaseModel):
    ticket: str
    expires_at: str
