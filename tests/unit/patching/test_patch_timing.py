"""When runs fire under a policy: delays, fixed times in a timezone, and DST changes (docs/patching.md, Policies)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.patching import timing


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_no_policy_and_immediate_fire_now():
    now = _utc(2026, 6, 1, 12, 0)
    assert timing.run_at(None, now=now, tenant_timezone="UTC") == now
    assert timing.run_at({"patch_delay_type": "immediate"}, now=now, tenant_timezone="UTC") == now


def test_delayed_fires_after_its_minutes():
    now = _utc(2026, 6, 1, 12, 0)
    assert timing.run_at({"patch_delay_type": "delayed", "delay_minutes": 45}, now=now, tenant_timezone="UTC") == now + timedelta(minutes=45)


@pytest.mark.parametrize(("now", "expected"), [
    (_utc(2026, 6, 1, 1, 0), _utc(2026, 6, 1, 3, 0)),   # later today
    (_utc(2026, 6, 1, 14, 0), _utc(2026, 6, 2, 3, 0)),  # already past: tomorrow (13 h later, as the docs' example)
    (_utc(2026, 6, 1, 3, 0), _utc(2026, 6, 2, 3, 0)),   # exactly now: the next one
])
def test_fixed_time_is_the_next_occurrence(now, expected):
    assert timing.run_at({"patch_delay_type": "fixed_time", "fixed_time": "03:00"}, now=now, tenant_timezone="UTC") == expected


def test_fixed_time_follows_the_tenants_timezone_in_summer_and_winter():
    policy = {"patch_delay_type": "fixed_time", "fixed_time": "03:00"}
    assert timing.run_at(policy, now=_utc(2026, 7, 1, 12), tenant_timezone="Europe/London") == _utc(2026, 7, 2, 2, 0)  # BST
    assert timing.run_at(policy, now=_utc(2026, 12, 1, 12), tenant_timezone="Europe/London") == _utc(2026, 12, 2, 3, 0)  # GMT


def test_a_policys_own_timezone_wins_over_the_tenants():
    policy = {"patch_delay_type": "fixed_time", "fixed_time": "03:00", "timezone": "Asia/Tokyo"}
    assert timing.run_at(policy, now=_utc(2026, 7, 1, 12), tenant_timezone="Europe/London") == _utc(2026, 7, 1, 18, 0)


def test_across_the_spring_forward_the_wall_clock_time_is_kept():
    # Europe/London moves to BST on 2026-03-29 at 01:00 UTC: 03:00 local is 03:00 UTC the day before, 02:00 UTC after.
    policy = {"patch_delay_type": "fixed_time", "fixed_time": "03:00"}
    assert timing.run_at(policy, now=_utc(2026, 3, 28, 12), tenant_timezone="Europe/London") == _utc(2026, 3, 29, 2, 0)
    assert timing.run_at(policy, now=_utc(2026, 3, 27, 12), tenant_timezone="Europe/London") == _utc(2026, 3, 28, 3, 0)


def test_a_time_that_does_not_exist_on_the_spring_forward_day_fires_when_the_gap_ends():
    # New York skips 02:00–03:00 on 2026-03-08: 02:30 fires at 03:00 EDT (07:00 UTC), then at 02:30 EDT the next day.
    policy = {"patch_delay_type": "fixed_time", "fixed_time": "02:30"}
    assert timing.run_at(policy, now=_utc(2026, 3, 8, 5), tenant_timezone="America/New_York") == _utc(2026, 3, 8, 7, 0)
    assert timing.run_at(policy, now=_utc(2026, 3, 8, 7, 1), tenant_timezone="America/New_York") == _utc(2026, 3, 9, 6, 30)


def test_a_time_that_happens_twice_on_the_fall_back_day_fires_once_at_the_first():
    # New York repeats 01:00–02:00 on 2026-11-01: 01:30 EDT is 05:30 UTC, 01:30 EST would be 06:30 UTC.
    policy = {"patch_delay_type": "fixed_time", "fixed_time": "01:30"}
    assert timing.run_at(policy, now=_utc(2026, 11, 1, 4), tenant_timezone="America/New_York") == _utc(2026, 11, 1, 5, 30)
    # after the first one the next is the following day, not the repeat an hour later
    assert timing.run_at(policy, now=_utc(2026, 11, 1, 5, 31), tenant_timezone="America/New_York") == _utc(2026, 11, 2, 6, 30)


def test_a_half_hour_dst_shift_is_followed():
    # Lord Howe Island moves from +10:30 to +11 at 02:00 local on 2026-10-04: 02:15 does not exist, 02:30 does.
    assert timing.next_fixed_time(timing.parse_hhmm("02:15"), timezone="Australia/Lord_Howe",
                                  after=_utc(2026, 10, 3, 12)) == _utc(2026, 10, 3, 15, 30)
    assert timing.next_fixed_time(timing.parse_hhmm("02:30"), timezone="Australia/Lord_Howe",
                                  after=_utc(2026, 10, 3, 12)) == _utc(2026, 10, 3, 15, 30)


@pytest.mark.parametrize("text", ["3:00", "24:00", "12:60", "ab:cd", "12", "12:00:00:00", ""])
def test_malformed_times_are_refused(text):
    with pytest.raises(ValueError):
        timing.parse_hhmm(text)


def test_unknown_timezones_are_refused():
    with pytest.raises(ValueError):
        timing.zone("Mars/Olympus_Mons")
