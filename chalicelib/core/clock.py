"""Time, in one place, so tests can reason about it."""
from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 UTC with a Z suffix."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp written by `iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def epoch_seconds(moment: datetime) -> int:
    """Return whole seconds since the epoch (the unit DynamoDB TTL expects)."""
    return int(moment.timestamp())
