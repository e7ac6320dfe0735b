"""Maintenance window schedules: the cron expressions sent to EventBridge Scheduler, and when they fire across DST."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.patching import windows


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekdays_and_a_time_make_an_eventbridge_cron():
    assert windows.cron_of({"days": ["SAT", "SUN"], "time": "02:30"}) == "cron(30 2 ? * SAT,SUN *)"
    assert windows.cron_of({"cron": "cron(0 3 ? * SUN#1 *)"}) == "cron(0 3 ? * SUN#1 *)"


@pytest.mark.parametrize(("window", "expected"), [
    ({"days": ["MON", "THU"], "time": "03:00", "warn_minutes": 30}, "cron(30 2 ? * MON,THU *)"),
    ({"days": ["MON"], "time": "00:15", "warn_minutes": 30}, "cron(45 23 ? * SUN *)"),
    ({"days": ["SUN"], "time": "00:00", "warn_minutes": 1440}, "cron(0 0 ? * SAT *)"),
    ({"days": ["SAT"], "time": "23:00", "warn_minutes": 0}, None),
])
def test_the_warning_fires_before_the_opening_on_the_right_day(window, expected):
    assert windows.warning_cron_of(window) == expected


def test_a_saturday_window_follows_london_across_the_spring_change():
    window = {"days": ["SAT", "SUN"], "time": "03:00"}
    # GMT: 03:00 local is 03:00 UTC; after 29 March 2026 (BST) it is 02:00 UTC
    assert windows.next_opening(window, timezone="Europe/London", after=_utc(2026, 3, 27, 12)) == _utc(2026, 3, 28, 3)
    assert windows.next_opening(window, timezone="Europe/London", after=_utc(2026, 3, 28, 4)) == _utc(2026, 3, 29, 2)


def test_a_window_at_a_time_the_spring_change_skips_does_not_open_that_day():
    # EventBridge Scheduler skips a cron time that does not exist: London has no 01:30 on 29 March 2026
    window = {"days": ["SUN"], "time": "01:30"}
    assert windows.next_opening(window, timezone="Europe/London", after=_utc(2026, 3, 28, 12)) == _utc(2026, 4, 5, 0, 30)


def test_a_window_at_a_time_the_autumn_change_repeats_opens_once():
    # New York repeats 01:00–02:00 on 1 November 2026: the window opens at the first 01:30 (EDT, 05:30 UTC) only
    window = {"days": ["SUN"], "time": "01:30"}
    first = windows.next_opening(window, timezone="America/New_York", after=_utc(2026, 11, 1, 0))
    assert first == _utc(2026, 11, 1, 5, 30)
    assert windows.next_opening(window, timezone="America/New_York", after=first) == _utc(2026, 11, 8, 6, 30)


def test_the_same_window_in_different_timezones_opens_at_different_instants():
    window = {"days": ["WED"], "time": "22:00"}
    after = _utc(2026, 7, 1, 0)  # a Wednesday
    assert windows.next_opening(window, timezone="Asia/Kolkata", after=after) == _utc(2026, 7, 1, 16, 30)
    assert windows.next_opening(window, timezone="America/Los_Angeles", after=after) == _utc(2026, 7, 2, 5, 0)
