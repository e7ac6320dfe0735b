"""Parse and evaluate Amazon EventBridge / EventBridge Scheduler schedule expressions (stdlib only).

Daylight saving time follows the EventBridge Scheduler User Guide ("Schedule types" > "Daylight
savings time") and the AWS Knowledge Center article "eventbridge-scheduler-adjust-dst": when clocks
go forward, a cron invocation that falls on a non-existent local time is *skipped*; when clocks go
back, the schedule runs only once and does not repeat; a rate schedule counts absolute durations (a
day is 24 hours), so its timezone is irrelevant. Assumptions where AWS is silent: an ambiguous time
fires at its first occurrence; an ``at()`` time inside a gap fires at the first instant after the
gap (02:30 on the New York spring-forward day fires at 03:00 EDT), as skipping would lose it.
Searches are bounded by the cron year range (1970-2199): nothing fires after 2199.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_YEAR, MAX_YEAR = 1970, 2199
_MONTHS = {name: i for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_UNITS = {unit: plural for plural in ("minutes", "hours", "days") for unit in (plural, plural[:-1])}
_EXPRESSION = re.compile(r"(rate|cron|at)\((.*)\)", re.DOTALL)
_AT_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", re.ASCII)
_ITEM = re.compile(r"(\*|\w+(?:-\w+)?)(?:/(\d+))?", re.ASCII)


class InvalidScheduleExpression(ValueError):
    """A schedule expression (or its timezone) that EventBridge would reject."""


@dataclass(frozen=True)
class RateExpression:
    value: int
    unit: str  # "minutes" | "hours" | "days"

    @property
    def interval(self) -> timedelta:
        """The fixed duration between invocations."""
        return timedelta(**{self.unit: self.value})


@dataclass(frozen=True)
class CronExpression:
    """The six AWS cron fields; exactly one day rule (day-of-month or day-of-week) is set."""

    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    days_of_month: frozenset[int] | None = None  # plain day numbers
    days_of_week: frozenset[int] | None = None  # 1=SUN ... 7=SAT
    last_day_of_month: bool = False  # L
    last_weekday_of_month: bool = False  # LW
    nearest_weekday: int | None = None  # 15W -> 15
    last_day_of_week: int | None = None  # 5L -> 5 (last Thursday)
    nth_day_of_week: tuple[int, int] | None = None  # 6#3 -> (6, 3) (third Friday)


@dataclass(frozen=True)
class AtExpression:
    local_time: datetime  # naive, interpreted in the schedule's timezone


ScheduleExpression = RateExpression | CronExpression | AtExpression


def parse(expression: str) -> ScheduleExpression:
    """Parse 'rate(5 minutes)', 'cron(0 12 * * ? *)' or 'at(2026-11-27T10:00:00)'."""
    match = _EXPRESSION.fullmatch(expression.strip()) if isinstance(expression, str) else None
    if match is None:
        raise InvalidScheduleExpression(
            f"invalid schedule expression {expression!r}: expected rate(...), cron(...) or at(...)")
    kind, body = match.group(1), match.group(2).strip()
    if kind == "rate":
        return _parse_rate(body)
    if kind == "cron":
        return _parse_cron(body)
    return _parse_at(body)


def _parse_rate(body: str) -> RateExpression:
    parts = body.split()
    if len(parts) != 2:
        raise InvalidScheduleExpression(f"rate({body}): expected 'rate(value unit)'")
    value_text, unit = parts
    if not (value_text.isascii() and value_text.isdigit()) or int(value_text) == 0:
        raise InvalidScheduleExpression(f"rate({body}): value must be a positive integer")
    if unit not in _UNITS:
        raise InvalidScheduleExpression(f"rate({body}): unit must be minute(s), hour(s) or day(s)")
    value, plural = int(value_text), _UNITS[unit]
    if value == 1 and unit == plural:
        raise InvalidScheduleExpression(f"rate({body}): use the singular '{plural[:-1]}' for 1")
    if value > 1 and unit != plural:
        raise InvalidScheduleExpression(f"rate({body}): use the plural '{plural}' for {value}")
    return RateExpression(value, plural)


def _parse_at(body: str) -> AtExpression:
    try:
        if not _AT_FORMAT.fullmatch(body):
            raise ValueError
        return AtExpression(datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        raise InvalidScheduleExpression(
            f"at({body}): expected a valid local date and time as yyyy-mm-ddThh:mm:ss") from None


def _parse_cron(body: str) -> CronExpression:
    fields = body.split()
    if len(fields) != 6:
        raise InvalidScheduleExpression(
            f"cron({body}): expected 6 fields (minutes hours day-of-month month day-of-week year), "
            f"got {len(fields)}")
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        which = "both are" if dom == "?" else "neither is"
        raise InvalidScheduleExpression(
            f"cron({body}): exactly one of day-of-month and day-of-week must be '?', but {which}")
    try:
        return CronExpression(
            minutes=_parse_set(minutes, "minutes", 0, 59),
            hours=_parse_set(hours, "hours", 0, 23),
            months=_parse_set(month, "month", 1, 12, _MONTHS),
            years=_parse_set(year, "year", MIN_YEAR, MAX_YEAR),
            **(_parse_day_of_week(dow) if dom == "?" else _parse_day_of_month(dom)),
        )
    except InvalidScheduleExpression as error:
        raise InvalidScheduleExpression(f"cron({body}): {error}") from None


def _parse_day_of_month(text: str) -> dict[str, Any]:
    upper = text.upper()
    if upper == "L":
        return {"last_day_of_month": True}
    if upper == "LW":
        return {"last_weekday_of_month": True}
    if upper.endswith("W"):
        return {"nearest_weekday": _parse_value(upper[:-1], "day-of-month", 1, 31)}
    return {"days_of_month": _parse_set(text, "day-of-month", 1, 31)}


def _parse_day_of_week(text: str) -> dict[str, Any]:
    upper = text.upper()
    if upper == "L":  # last day of the week
        return {"days_of_week": frozenset({7})}
    if upper.endswith("L"):
        return {"last_day_of_week": _parse_value(upper[:-1], "day-of-week", 1, 7, _WEEKDAYS)}
    if "#" in upper:
        day, _, nth = upper.partition("#")
        weekday = _parse_value(day, "day-of-week", 1, 7, _WEEKDAYS)
        return {"nth_day_of_week": (weekday, _parse_value(nth, "day-of-week '#' instance", 1, 5))}
    return {"days_of_week": _parse_set(text, "day-of-week", 1, 7, _WEEKDAYS)}


def _parse_set(text: str, field: str, low: int, high: int,
               names: dict[str, int] | None = None) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        if item == "?":
            raise InvalidScheduleExpression(f"{field} field: '?' is only allowed in the day fields")
        match = _ITEM.fullmatch(item)
        if match is None:
            raise InvalidScheduleExpression(f"{field} field: cannot parse {item!r}")
        base, step_text = match.groups()
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-")
            start = _parse_value(first, field, low, high, names)
            end = _parse_value(last, field, low, high, names)
            if start > end:
                raise InvalidScheduleExpression(f"{field} field: range {base!r} runs backwards")
        else:
            start = _parse_value(base, field, low, high, names)
            end = high if step_text else start  # 'a/b' means from a to the end, every b
        step = int(step_text or 1)
        if step == 0:
            raise InvalidScheduleExpression(f"{field} field: step in {item!r} must be positive")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _parse_value(token: str, field: str, low: int, high: int,
                 names: dict[str, int] | None = None) -> int:
    if names and token.upper() in names:
        return names[token.upper()]
    if not (token.isascii() and token.isdigit()):
        raise InvalidScheduleExpression(f"{field} field: {token!r} is not a valid value")
    if not low <= int(token) <= high:
        raise InvalidScheduleExpression(f"{field} field: {token} is out of range {low}-{high}")
    return int(token)


def next_fire_time(expression: ScheduleExpression, *, after: datetime, timezone: str = "UTC",
                   anchor: datetime | None = None) -> datetime | None:
    """Return the first fire time strictly after `after` as an aware UTC datetime, or None."""
    for name, moment in (("after", after), ("anchor", anchor or after)):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be a timezone-aware datetime")
    zone = _zone(timezone)
    if after.year > MAX_YEAR:  # bounded search; also keeps clear of datetime overflow
        return None
    if isinstance(expression, RateExpression):
        return _next_rate(expression, after, after if anchor is None else anchor)
    if isinstance(expression, AtExpression):
        in_bounds = MIN_YEAR <= expression.local_time.year <= MAX_YEAR
        fire = _to_utc(expression.local_time, zone, skip_gap=False) if in_bounds else None
        return fire if fire is not None and fire > after else None
    return _next_cron(expression, after, zone)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidScheduleExpression(f"unknown timezone {name!r}: expected an IANA name") from None


def _next_rate(expression: RateExpression, after: datetime, anchor: datetime) -> datetime | None:
    interval = expression.interval
    # Fires at anchor + k * interval for k >= 0; the anchor itself is the first occurrence.
    steps = 0 if anchor > after else (after - anchor) // interval + 1
    try:
        fire = (anchor + steps * interval).astimezone(UTC)
    except OverflowError:
        return None
    return fire if fire.year <= MAX_YEAR else None


def _next_cron(expression: CronExpression, after: datetime, zone: ZoneInfo) -> datetime | None:
    start = after.astimezone(zone).date()
    hours, minutes = sorted(expression.hours), sorted(expression.minutes)
    for year in sorted(y for y in expression.years if y >= start.year):
        for month in sorted(expression.months):
            if (year, month) < (start.year, start.month):
                continue
            for day in _matching_days(expression, year, month):
                if date(year, month, day) < start:
                    continue
                # _to_utc is increasing in wall time, so the first candidate after `after` wins.
                for hour in hours:
                    for minute in minutes:
                        fire = _to_utc(datetime(year, month, day, hour, minute), zone, skip_gap=True)
                        if fire is not None and fire > after:
                            return fire
    return None


def _matching_days(expression: CronExpression, year: int, month: int) -> list[int]:
    first_weekday, last = calendar.monthrange(year, month)  # Python counts Monday=0
    weekday = [0] + [(first_weekday + day) % 7 + 1 for day in range(1, last + 1)]  # 1=SUN ... 7=SAT
    if expression.days_of_month is not None:
        return sorted(day for day in expression.days_of_month if day <= last)
    if expression.days_of_week is not None:
        return [day for day in range(1, last + 1) if weekday[day] in expression.days_of_week]
    if expression.last_day_of_month:
        return [last]
    if expression.last_weekday_of_month:
        return [last - {7: 1, 1: 2}.get(weekday[last], 0)]
    if expression.nearest_weekday is not None:
        target = expression.nearest_weekday
        if target > last:
            return []
        if weekday[target] == 7:  # Saturday: the Friday before, unless that leaves the month
            return [target + 2 if target == 1 else target - 1]
        if weekday[target] == 1:  # Sunday: the Monday after, unless that leaves the month
            return [target - 2 if target == last else target + 1]
        return [target]
    if expression.last_day_of_week is not None:
        return [max(d for d in range(last - 6, last + 1) if weekday[d] == expression.last_day_of_week)]
    assert expression.nth_day_of_week is not None
    wanted, nth = expression.nth_day_of_week
    day = next(day for day in range(1, 8) if weekday[day] == wanted) + 7 * (nth - 1)
    return [day] if day <= last else []


def _to_utc(local: datetime, zone: ZoneInfo, *, skip_gap: bool) -> datetime | None:
    """Map a naive wall time to UTC: first occurrence if ambiguous; in a gap, None or the gap's end."""
    # fold=0 picks the first occurrence of an ambiguous time; in a gap it lands after the transition.
    candidate = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if candidate.astimezone(zone).replace(tzinfo=None) == local:
        return candidate
    if skip_gap:
        return None
    # Bisect (whole seconds) for the transition instant between the fold=1 and fold=0 readings.
    low = int(local.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    high = int(candidate.timestamp())
    offset_before = datetime.fromtimestamp(low, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)
