"""When a run fires under a policy: now, after a delay, or at the next occurrence of a wall-clock time.

Fixed times follow the policy's timezone (or the tenant's) across DST changes. A time that does not
exist that day (clocks go forward) fires at the first instant after the gap; a time that happens twice
(clocks go back) fires at the first of the two, as EventBridge Scheduler does for `at()` schedules.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

IMMEDIATE = "immediate"
DELAYED = "delayed"
FIXED_TIME = "fixed_time"
MAINTENANCE_WINDOW = "maintenance_window"


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone of a name; ValueError for an unknown one."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}: expected an IANA name such as Europe/London") from None


def parse_hhmm(text: str) -> time:
    """Parse "HH:MM" (or "HH:MM:SS", as the reference accepts); ValueError otherwise."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError("must be HH:MM")
    hour, minute, second = (int(p) for p in (*parts, "00")[:3])
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("must be HH:MM")
    return time(hour, minute, second)


def _local_to_utc(day: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz`: the first of two, or the end of a gap."""
    local = datetime(day.year, day.month, day.day, at.hour, at.minute, at.second, tzinfo=tz)  # fold=0: the first
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # In a gap the two folds map to instants either side of the transition: find it (to the second).
    low, high = sorted((instant, local.replace(fold=1).astimezone(UTC)))
    offset_before = low.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def next_fixed_time(at: time, *, timezone: str | None, after: datetime) -> datetime:
    """The first instant strictly after `after` whose wall-clock time in `timezone` is `at` (gap and overlap rules above)."""
    tz = zone(timezone)
    today = after.astimezone(tz)
    for days in range(0, 3):
        candidate = _local_to_utc(today + timedelta(days=days), at, tz)
        if candidate > after:
            return candidate
    raise AssertionError("a daily time always occurs within three days")


def run_at(policy: dict[str, Any] | None, *, now: datetime, tenant_timezone: str | None) -> datetime:
    """When a run timed by `policy` (None: the implicit Default, immediate) fires."""
    kind = (policy or {}).get("patch_delay_type", IMMEDIATE)
    if kind == DELAYED:
        return now + timedelta(minutes=int(policy["delay_minutes"]))
    if kind == FIXED_TIME:
        return next_fixed_time(parse_hhmm(policy["fixed_time"]), timezone=policy.get("timezone") or tenant_timezone, after=now)
    if kind == MAINTENANCE_WINDOW:  # a run triggered by hand waits for the window's next opening
        from chalicelib.patching.windows import next_opening

        return next_opening(policy["window"], timezone=policy.get("timezone") or tenant_timezone, after=now) or now
    return now
