"""Observing the agent-commands queue and the one-time schedules of patch runs, and delivering their messages."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.patching import dispatch
from chalicelib.patching.events import PatchRunDue


@dataclass
class Commands:
    """What was put on the agent-commands queue (and when it is due), and the schedules created."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    delivered: int = 0  # due messages handed to the worker by deliver_next (in order)

    def due(self) -> list[dict[str, Any]]:
        return [s for s in self.sent if s["message"].get("type") == "patching.run_due"]

    def deliver(self, index: int = -1, *, now: datetime | None = None) -> str:
        """Hand one patching message to the worker, as SQS would (again, if called twice)."""
        return dispatch.handle_due(PatchRunDue.model_validate(self.due()[index]["message"]), now=now)

    def undelivered(self) -> list[dict[str, Any]]:
        return self.due()[self.delivered:]

    def deliver_next(self, *, now: datetime | None = None) -> str:
        """Hand the oldest due message not yet handed over to the worker."""
        message = self.due()[self.delivered]
        self.delivered += 1
        return dispatch.handle_due(PatchRunDue.model_validate(message["message"]), now=now)

    def fire(self, name: str, *, now: datetime | None = None) -> str:
        """The one-time schedule `name` drops its message on the queue and the worker takes it."""
        return dispatch.handle_due(PatchRunDue.model_validate(self.schedules[name]["payload"]), now=now)


def agent_messages(pushed: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [p["message"] for p in pushed["sent"] if p["connection_id"] == "agent-conn-1" and p["message"].get("type") == kind]
