"""Unit tests for EventBridge / EventBridge Scheduler schedule expressions."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.core.schedule_expressions import (
    AtExpression,
    CronExpression,
    InvalidScheduleExpression,
    RateExpression,
    next_fire_time,
    parse,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def next_utc(expression: str, after: datetime, zone: str = "UTC") -> datetime | None:
    return next_fire_time(parse(expression), after=after, timezone=zone)


# --- rate ------------------------------------------------------------------------------------


def test_rate_parses_value_and_unit_when_plural_unit_and_value_above_one() -> None:
    # When
    expression = parse("rate(5 minutes)")

    # Then
    assert expression == RateExpression(5, "minutes")
    assert expression.interval == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("text", "unit", "interval"),
    [("rate(1 minute)", "minutes", timedelta(minutes=1)),
     ("rate(1 hour)", "hours", timedelta(hours=1)),
     ("rate(1 day)", "days", timedelta(days=1))],
)
def test_rate_normalises_unit_to_plural_when_singular_unit_and_value_is_one(
        text: str, unit: str, interval: timedelta) -> None:
    expression = parse(text)

    assert isinstance(expression, RateExpression)
    assert (expression.value, expression.unit, expression.interval) == (1, unit, interval)


@pytest.mark.parametrize("text", ["rate(1 minutes)", "rate(1 hours)", "rate(1 days)"])
def test_rate_rejects_expression_when_value_is_one_and_unit_is_plural(text: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match="singular"):
        parse(text)


@pytest.mark.parametrize("text", ["rate(5 minute)", "rate(2 hour)", "rate(7 day)"])
def test_rate_rejects_expression_when_value_above_one_and_unit_is_singular(text: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match="plural"):
        parse(text)


@pytest.mark.parametrize("text", ["rate(0 minutes)", "rate(-5 minutes)", "rate(1.5 hours)",
                                  "rate(five minutes)"])
def test_rate_rejects_expression_when_value_is_not_a_positive_integer(text: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match="positive integer"):
        parse(text)


@pytest.mark.parametrize("text", ["rate(5 seconds)", "rate(2 weeks)", "rate(5 mins)"])
def test_rate_rejects_expression_when_unit_is_unknown(text: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match="unit must be"):
        parse(text)


def test_rate_rejects_expression_when_unit_is_missing() -> None:
    with pytest.raises(InvalidScheduleExpression, match="value unit"):
        parse("rate(5)")


def test_rate_fires_one_interval_after_when_no_anchor_is_given() -> None:
    # Given
    after = utc(2026, 1, 1, 12, 0, 30)

    # When
    fire = next_fire_time(parse("rate(5 minutes)"), after=after)

    # Then
    assert fire == utc(2026, 1, 1, 12, 5, 30)


def test_rate_fires_on_the_anchor_grid_when_anchor_is_in_the_past() -> None:
    # Given a schedule created at 10:07 that runs every 2 hours
    anchor = utc(2026, 1, 1, 10, 7)

    # When
    fire = next_fire_time(parse("rate(2 hours)"), after=utc(2026, 1, 1, 15, 0), anchor=anchor)

    # Then
    assert fire == utc(2026, 1, 1, 16, 7)


def test_rate_fires_at_the_next_grid_point_when_after_is_exactly_on_the_grid() -> None:
    anchor = utc(2026, 1, 1, 10, 0)

    fire = next_fire_time(parse("rate(2 hours)"), after=utc(2026, 1, 1, 12, 0), anchor=anchor)

    assert fire == utc(2026, 1, 1, 14, 0)


def test_rate_fires_at_the_anchor_when_anchor_is_in_the_future() -> None:
    anchor = utc(2026, 6, 1, 9, 0)

    fire = next_fire_time(parse("rate(1 day)"), after=utc(2026, 5, 1), anchor=anchor)

    assert fire == anchor


def test_rate_counts_absolute_hours_when_a_timezone_with_dst_is_given() -> None:
    # Given a daily rate anchored just before the New York spring-forward night
    anchor = utc(2026, 3, 7, 12, 0)

    # When
    fire = next_fire_time(parse("rate(1 day)"), after=anchor, anchor=anchor,
                          timezone="America/New_York")

    # Then a day is 24 hours, not "same local time tomorrow"
    assert fire == utc(2026, 3, 8, 12, 0)


def test_rate_returns_utc_when_anchor_has_another_offset() -> None:
    anchor = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=2)))

    fire = next_fire_time(parse("rate(1 hour)"), after=utc(2026, 1, 1, 7, 30), anchor=anchor)

    assert fire == utc(2026, 1, 1, 8, 0)
    assert fire is not None and fire.tzinfo is UTC


# --- parse: general ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "every(5 minutes)", "cron 0 12 * * ? *",
                                  "rate(5 minutes"])
def test_parse_rejects_expression_when_kind_is_not_rate_cron_or_at(text: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match=r"expected rate\(\.\.\.\), cron"):
        parse(text)


def test_invalid_schedule_expression_is_a_value_error_when_caught_generically() -> None:
    with pytest.raises(ValueError):
        parse("cron(0 12 * * *)")


# --- cron: parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "count"), [("cron(0 12 * * ?)", 5), ("cron(0 0 12 * * ? *)", 7)])
def test_cron_rejects_expression_when_field_count_is_not_six(text: str, count: int) -> None:
    with pytest.raises(InvalidScheduleExpression, match=f"expected 6 fields.*got {count}"):
        parse(text)


def test_cron_rejects_expression_when_both_day_fields_are_question_marks() -> None:
    with pytest.raises(InvalidScheduleExpression, match=r"exactly one .* must be '\?', but both are"):
        parse("cron(0 12 ? * ? *)")


def test_cron_rejects_expression_when_neither_day_field_is_a_question_mark() -> None:
    with pytest.raises(InvalidScheduleExpression, match=r"must be '\?', but neither is"):
        parse("cron(0 12 * * * *)")


@pytest.mark.parametrize(
    ("text", "message"),
    [("cron(60 * * * ? *)", "minutes field: 60 is out of range 0-59"),
     ("cron(0 24 * * ? *)", "hours field: 24 is out of range 0-23"),
     ("cron(0 0 0 * ? *)", "day-of-month field: 0 is out of range 1-31"),
     ("cron(0 0 32 * ? *)", "day-of-month field: 32 is out of range 1-31"),
     ("cron(0 0 * 13 ? *)", "month field: 13 is out of range 1-12"),
     ("cron(0 0 ? * 8 *)", "day-of-week field: 8 is out of range 1-7"),
     ("cron(0 0 ? * 0 *)", "day-of-week field: 0 is out of range 1-7"),
     ("cron(0 0 * * ? 1969)", "year field: 1969 is out of range 1970-2199"),
     ("cron(0 0 * * ? 2200)", "year field: 2200 is out of range 1970-2199"),
     ("cron(0 0 32W * ? *)", "day-of-month field: 32 is out of range 1-31"),
     ("cron(0 0 ? * 8L *)", "day-of-week field: 8 is out of range 1-7"),
     ("cron(0 0 ? * 6#6 *)", "instance field: 6 is out of range 1-5")],
)
def test_cron_rejects_value_when_out_of_range(text: str, message: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match=message):
        parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [("cron(0 0 * JANUARY ? *)", "month field: 'JANUARY' is not a valid value"),
     ("cron(0 0 * MON ? *)", "month field: 'MON' is not a valid value"),
     ("cron(0 0 ? * JAN *)", "day-of-week field: 'JAN' is not a valid value"),
     ("cron(0 0 ? * FOO *)", "day-of-week field: 'FOO' is not a valid value"),
     ("cron(MON 0 * * ? *)", "minutes field: 'MON' is not a valid value")],
)
def test_cron_rejects_name_when_not_valid_for_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match=message):
        parse(text)


def test_cron_rejects_question_mark_when_used_outside_the_day_fields() -> None:
    with pytest.raises(InvalidScheduleExpression, match=r"hours field: '\?' is only allowed"):
        parse("cron(0 ? * * ? *)")


def test_cron_rejects_step_when_zero() -> None:
    with pytest.raises(InvalidScheduleExpression, match="step in '\\*/0' must be positive"):
        parse("cron(*/0 * * * ? *)")


def test_cron_rejects_range_when_it_runs_backwards() -> None:
    with pytest.raises(InvalidScheduleExpression, match="range '5-2' runs backwards"):
        parse("cron(0 5-2 * * ? *)")


@pytest.mark.parametrize("field", ["1,,2", "1-", "*/", "1/2/3"])
def test_cron_rejects_item_when_malformed(field: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match="minutes field: cannot parse"):
        parse(f"cron({field} * * * ? *)")


def test_cron_error_message_names_the_expression_when_a_field_is_invalid() -> None:
    with pytest.raises(InvalidScheduleExpression, match=r"^cron\(60 \* \* \* \? \*\): minutes"):
        parse("cron(60 * * * ? *)")


def test_cron_parses_lists_ranges_and_steps_when_fields_combine_them() -> None:
    # When
    expression = parse("cron(0,30 8-17/3 1/10 JAN-MAR,dec ? 2026-2028)")

    # Then
    assert expression == CronExpression(
        minutes=frozenset({0, 30}),
        hours=frozenset({8, 11, 14, 17}),
        months=frozenset({1, 2, 3, 12}),
        years=frozenset({2026, 2027, 2028}),
        days_of_month=frozenset({1, 11, 21, 31}),
    )


def test_cron_parses_weekday_names_when_written_in_any_case() -> None:
    expression = parse("cron(0 9 ? * mon-Fri *)")

    assert isinstance(expression, CronExpression)
    assert expression.days_of_week == frozenset({2, 3, 4, 5, 6})
    assert expression.days_of_month is None
    assert expression.years == frozenset(range(1970, 2200))


@pytest.mark.parametrize(
    ("text", "attribute", "value"),
    [("cron(0 0 L * ? *)", "last_day_of_month", True),
     ("cron(0 0 LW * ? *)", "last_weekday_of_month", True),
     ("cron(0 0 15W * ? *)", "nearest_weekday", 15),
     ("cron(0 0 ? * 5L *)", "last_day_of_week", 5),
     ("cron(0 0 ? * THUL *)", "last_day_of_week", 5),
     ("cron(0 0 ? * 6#3 *)", "nth_day_of_week", (6, 3)),
     ("cron(0 0 ? * FRI#3 *)", "nth_day_of_week", (6, 3)),
     ("cron(0 0 ? * L *)", "days_of_week", frozenset({7}))],
)
def test_cron_parses_special_marker_when_day_field_uses_l_w_or_hash(
        text: str, attribute: str, value: object) -> None:
    expression = parse(text)

    assert getattr(expression, attribute) == value


# --- cron: evaluation -------------------------------------------------------------------------


def test_cron_fires_every_quarter_hour_when_minutes_is_star_slash_15() -> None:
    # Given
    expression = parse("cron(*/15 * * * ? *)")
    after = utc(2026, 1, 1, 23, 50)

    # When
    first = next_fire_time(expression, after=after)
    second = next_fire_time(expression, after=first) if first else None

    # Then
    assert (first, second) == (utc(2026, 1, 2, 0, 0), utc(2026, 1, 2, 0, 15))


def test_cron_fires_at_the_next_occurrence_when_after_is_exactly_a_fire_time() -> None:
    assert next_utc("cron(0 12 * * ? *)", utc(2026, 1, 1, 12, 0)) == utc(2026, 1, 2, 12, 0)


def test_cron_skips_the_current_minute_when_after_has_seconds() -> None:
    assert next_utc("cron(0 12 * * ? *)", utc(2026, 1, 1, 12, 0, 1)) == utc(2026, 1, 2, 12, 0)


def test_cron_fires_on_sunday_when_day_of_week_is_1() -> None:
    # Given Wednesday 2026-01-07
    after = utc(2026, 1, 7)

    # Then 1 means Sunday (AWS counts 1=SUN ... 7=SAT)
    assert next_utc("cron(0 10 ? * 1 *)", after) == utc(2026, 1, 11, 10, 0)
    assert next_utc("cron(0 10 ? * SUN *)", after) == utc(2026, 1, 11, 10, 0)


def test_cron_fires_on_saturday_when_day_of_week_is_7() -> None:
    assert next_utc("cron(0 10 ? * 7 *)", utc(2026, 1, 7)) == utc(2026, 1, 10, 10, 0)


def test_cron_fires_on_monday_when_weekdays_only_and_after_is_friday_evening() -> None:
    # Given Friday 2026-01-09 18:00
    after = utc(2026, 1, 9, 18, 0)

    assert next_utc("cron(0 9 ? * MON-FRI *)", after) == utc(2026, 1, 12, 9, 0)


@pytest.mark.parametrize(
    ("after", "expected"),
    [(utc(2026, 2, 1), utc(2026, 2, 28, 23, 0)),   # non-leap February
     (utc(2028, 2, 1), utc(2028, 2, 29, 23, 0)),   # leap February
     (utc(2026, 4, 1), utc(2026, 4, 30, 23, 0))],  # 30-day month
)
def test_cron_fires_on_the_last_day_of_the_month_when_day_of_month_is_l(
        after: datetime, expected: datetime) -> None:
    assert next_utc("cron(0 23 L * ? *)", after) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [(utc(2026, 1, 1), utc(2026, 1, 30, 8, 0)),   # 31st is a Saturday -> Friday 30th
     (utc(2026, 5, 1), utc(2026, 5, 29, 8, 0)),   # 31st is a Sunday -> Friday 29th
     (utc(2026, 3, 1), utc(2026, 3, 31, 8, 0))],  # 31st is a Tuesday
)
def test_cron_fires_on_the_last_weekday_when_day_of_month_is_lw(
        after: datetime, expected: datetime) -> None:
    assert next_utc("cron(0 8 LW * ? *)", after) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [(utc(2026, 8, 1), utc(2026, 8, 14, 8, 0)),   # 15th is a Saturday -> Friday 14th
     (utc(2026, 3, 1), utc(2026, 3, 16, 8, 0)),   # 15th is a Sunday -> Monday 16th
     (utc(2026, 1, 1), utc(2026, 1, 15, 8, 0))],  # 15th is a Thursday
)
def test_cron_fires_on_the_nearest_weekday_when_day_of_month_is_15w(
        after: datetime, expected: datetime) -> None:
    assert next_utc("cron(0 8 15W * ? *)", after) == expected


def test_cron_fires_on_monday_the_3rd_when_1w_and_the_1st_is_a_saturday() -> None:
    # Given August 2026 starts on a Saturday; Friday the 31st of July would leave the month
    assert next_utc("cron(0 8 1W * ? *)", utc(2026, 7, 15)) == utc(2026, 8, 3, 8, 0)


def test_cron_fires_on_friday_the_29th_when_31w_and_the_31st_is_a_sunday() -> None:
    # Given May 2026 ends on a Sunday; Monday 1 June would leave the month
    assert next_utc("cron(0 8 31W * ? *)", utc(2026, 5, 1)) == utc(2026, 5, 29, 8, 0)


def test_cron_skips_months_without_the_day_when_day_of_month_is_31w() -> None:
    # Given April and June have no 31st
    assert next_utc("cron(0 8 31W * ? *)", utc(2026, 4, 1)) == utc(2026, 5, 29, 8, 0)


def test_cron_fires_on_the_third_friday_when_day_of_week_is_6_hash_3() -> None:
    # Given November 2026 starts on a Sunday: Fridays are 6, 13, 20, 27
    assert next_utc("cron(0 10 ? * 6#3 *)", utc(2026, 11, 1)) == utc(2026, 11, 20, 10, 0)


def test_cron_skips_months_without_a_fifth_friday_when_day_of_week_is_6_hash_5() -> None:
    # Given February 2026 has four Fridays; the next fifth Friday is 29 May 2026
    assert next_utc("cron(0 10 ? * 6#5 *)", utc(2026, 2, 1)) == utc(2026, 5, 29, 10, 0)


def test_cron_fires_on_the_last_thursday_when_day_of_week_is_5l() -> None:
    # Given Thursdays in November 2026 are 5, 12, 19, 26
    assert next_utc("cron(0 10 ? * 5L *)", utc(2026, 11, 1)) == utc(2026, 11, 26, 10, 0)


def test_cron_fires_only_in_listed_years_when_year_field_is_set() -> None:
    assert next_utc("cron(0 0 1 JAN ? 2030,2035)", utc(2030, 6, 1)) == utc(2035, 1, 1, 0, 0)


def test_cron_returns_none_when_the_last_listed_year_has_passed() -> None:
    assert next_utc("cron(0 0 1 JAN ? 2027)", utc(2027, 1, 1, 0, 0)) is None


def test_cron_fires_on_the_next_leap_day_when_schedule_is_february_29() -> None:
    assert next_utc("cron(0 0 29 2 ? *)", utc(2026, 3, 1)) == utc(2028, 2, 29, 0, 0)


def test_cron_returns_none_when_no_date_can_ever_match() -> None:
    assert next_utc("cron(0 0 30 FEB ? *)", utc(2026, 1, 1)) is None


def test_cron_fires_an_hour_earlier_in_utc_when_london_is_on_summer_time() -> None:
    assert next_utc("cron(0 9 * * ? *)", utc(2026, 7, 1), "Europe/London") == utc(2026, 7, 1, 8, 0)


def test_cron_fires_at_the_same_hour_in_utc_when_london_is_on_winter_time() -> None:
    assert next_utc("cron(0 9 * * ? *)", utc(2026, 1, 6), "Europe/London") == utc(2026, 1, 6, 9, 0)


def test_cron_uses_the_local_date_when_utc_and_local_dates_differ() -> None:
    # Given 2026-01-09 23:30 UTC is already Saturday 2026-01-10 in Tokyo
    after = utc(2026, 1, 9, 23, 30)

    # Then the Saturday 09:00 run is that same morning, 00:00 UTC
    assert next_utc("cron(0 9 ? * SAT *)", after, "Asia/Tokyo") == utc(2026, 1, 10, 0, 0)


def test_cron_rejects_timezone_when_it_is_not_an_iana_name() -> None:
    with pytest.raises(InvalidScheduleExpression, match="unknown timezone 'Mars/Olympus'"):
        next_utc("cron(0 9 * * ? *)", utc(2026, 1, 1), "Mars/Olympus")


def test_next_fire_time_rejects_after_when_it_is_naive() -> None:
    with pytest.raises(ValueError, match="after must be a timezone-aware datetime"):
        next_fire_time(parse("cron(0 9 * * ? *)"), after=datetime(2026, 1, 1))


def test_next_fire_time_rejects_anchor_when_it_is_naive() -> None:
    with pytest.raises(ValueError, match="anchor must be a timezone-aware datetime"):
        next_fire_time(parse("rate(1 hour)"), after=utc(2026, 1, 1), anchor=datetime(2026, 1, 1))


# --- cron: daylight saving time -------------------------------------------------------------


def test_cron_skips_the_run_when_local_time_falls_in_the_new_york_spring_forward_gap() -> None:
    # Given 02:30 does not exist in New York on 2026-03-08 (02:00 EST -> 03:00 EDT)
    after = utc(2026, 3, 8, 5, 0)  # 00:00 EST

    # When
    fire = next_utc("cron(30 2 * * ? *)", after, "America/New_York")

    # Then AWS documents that the invocation is skipped: next run is 02:30 EDT on the 9th
    assert fire == utc(2026, 3, 9, 6, 30)


def test_cron_skips_the_run_when_local_time_falls_in_the_berlin_spring_forward_gap() -> None:
    # Given 02:30 does not exist in Berlin on 2026-03-29 (02:00 CET -> 03:00 CEST)
    after = utc(2026, 3, 28, 23, 0)  # 00:00 CET

    fire = next_utc("cron(30 2 * * ? *)", after, "Europe/Berlin")

    assert fire == utc(2026, 3, 30, 0, 30)


def test_cron_resumes_after_the_gap_when_schedule_runs_every_15_minutes() -> None:
    # Given 01:45 EST, the last quarter hour before the New York gap
    after = utc(2026, 3, 8, 6, 45)

    # Then 02:00-02:45 are skipped and the next run is 03:00 EDT
    assert next_utc("cron(*/15 * * * ? *)", after, "America/New_York") == utc(2026, 3, 8, 7, 0)


def test_cron_fires_at_the_first_occurrence_when_local_time_is_ambiguous_in_new_york() -> None:
    # Given 01:30 happens twice in New York on 2026-11-01 (EDT, then EST)
    after = utc(2026, 11, 1, 4, 0)  # 00:00 EDT

    assert next_utc("cron(30 1 * * ? *)", after, "America/New_York") == utc(2026, 11, 1, 5, 30)


def test_cron_does_not_repeat_the_run_when_the_ambiguous_hour_comes_round_again_in_new_york() -> None:
    # Given the 01:30 EDT run has just happened
    after = utc(2026, 11, 1, 5, 30)

    # Then 01:30 EST (06:30 UTC the same day) is not a second run; the next is on the 2nd
    assert next_utc("cron(30 1 * * ? *)", after, "America/New_York") == utc(2026, 11, 2, 6, 30)


def test_cron_fires_once_at_the_first_occurrence_when_local_time_is_ambiguous_in_berlin() -> None:
    # Given 02:30 happens twice in Berlin on 2026-10-25 (00:30 UTC in CEST, 01:30 UTC in CET)
    expression = parse("cron(30 2 * * ? *)")

    # When
    first = next_fire_time(expression, after=utc(2026, 10, 24, 22, 0), timezone="Europe/Berlin")
    second = next_fire_time(expression, after=utc(2026, 10, 25, 0, 30), timezone="Europe/Berlin")

    # Then
    assert first == utc(2026, 10, 25, 0, 30)
    assert second == utc(2026, 10, 26, 1, 30)


def test_cron_skips_the_repeated_hour_when_schedule_runs_every_15_minutes_at_fall_back() -> None:
    # Given 01:45 EDT, the last quarter hour of the first pass through 01:xx in New York
    after = utc(2026, 11, 1, 5, 45)

    # Then the second pass (01:00-01:45 EST) does not fire; next is 02:00 EST
    assert next_utc("cron(*/15 * * * ? *)", after, "America/New_York") == utc(2026, 11, 1, 7, 0)


# --- at -----------------------------------------------------------------------------------------


def test_at_parses_local_time_when_format_is_iso_without_offset() -> None:
    assert parse("at(2026-11-27T10:00:00)") == AtExpression(datetime(2026, 11, 27, 10, 0))


@pytest.mark.parametrize("text", ["at(2026-13-01T10:00:00)", "at(2026-02-30T10:00:00)",
                                  "at(2026-11-27T10:00)", "at(2026-11-27T10:00:00Z)",
                                  "at(2026-11-27T10:00:00+01:00)", "at(2026-11-27 10:00:00)",
                                  "at(tomorrow)"])
def test_at_rejects_expression_when_not_a_valid_local_date_time(text: str) -> None:
    with pytest.raises(InvalidScheduleExpression, match="yyyy-mm-ddThh:mm:ss"):
        parse(text)


def test_at_fires_at_its_time_when_time_is_in_the_future() -> None:
    assert next_utc("at(2026-11-27T10:00:00)", utc(2026, 11, 1)) == utc(2026, 11, 27, 10, 0)


def test_at_returns_none_when_time_is_in_the_past() -> None:
    assert next_utc("at(2026-11-27T10:00:00)", utc(2026, 12, 1)) is None


def test_at_returns_none_when_time_equals_after() -> None:
    assert next_utc("at(2026-11-27T10:00:00)", utc(2026, 11, 27, 10, 0)) is None


def test_at_fires_at_the_utc_equivalent_when_timezone_is_given() -> None:
    # Given 10:00 in Tokyo (UTC+9)
    assert next_utc("at(2026-11-27T10:00:00)", utc(2026, 11, 1), "Asia/Tokyo") == utc(2026, 11, 27, 1, 0)


def test_at_fires_at_the_end_of_the_gap_when_local_time_does_not_exist_in_new_york() -> None:
    # Given 02:30 does not exist on 2026-03-08 in New York
    fire = next_utc("at(2026-03-08T02:30:00)", utc(2026, 3, 1), "America/New_York")

    # Then it fires at the first instant after the gap: 03:00 EDT
    assert fire == utc(2026, 3, 8, 7, 0)


def test_at_fires_at_the_end_of_the_gap_when_local_time_does_not_exist_in_berlin() -> None:
    fire = next_utc("at(2026-03-29T02:30:00)", utc(2026, 3, 1), "Europe/Berlin")

    assert fire == utc(2026, 3, 29, 1, 0)  # 03:00 CEST


def test_at_fires_at_the_first_occurrence_when_local_time_is_ambiguous() -> None:
    fire = next_utc("at(2026-11-01T01:30:00)", utc(2026, 10, 1), "America/New_York")

    assert fire == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST


def test_at_returns_none_when_only_the_second_ambiguous_occurrence_is_still_ahead() -> None:
    # Given it is 01:15 EST, after the first 01:30 (EDT) already went by
    assert next_utc("at(2026-11-01T01:30:00)", utc(2026, 11, 1, 6, 15), "America/New_York") is None


# --- search bound -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "after"),
    [("rate(1 day)", utc(2199, 12, 31, 12, 0)),
     ("rate(99999999 days)", utc(2026, 1, 1)),
     ("at(2200-01-01T00:00:00)", utc(2026, 1, 1)),
     ("cron(0 0 * * ? *)", datetime.max.replace(tzinfo=UTC))],
)
def test_next_fire_time_returns_none_when_the_next_run_would_be_after_2199(
        text: str, after: datetime) -> None:
    assert next_utc(text, after, "Asia/Tokyo") is None


# --- performance ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [("cron(0 0 29 2 ? *)", "UTC", utc(2028, 2, 29, 0, 0)),
     ("cron(15 10 1 JAN ? 2150)", "Europe/Berlin", utc(2150, 1, 1, 9, 15)),
     ("cron(0 0 ? FEB 6#5 *)", "UTC", utc(2036, 2, 29, 0, 0)),
     ("cron(59 23 31 DEC ? 2199)", "America/New_York", utc(2200, 1, 1, 4, 59)),
     ("cron(0 0 30 2 ? *)", "America/New_York", None),
     ("cron(* * * * ? 2199)", "UTC", utc(2199, 1, 1, 0, 0)),
     ("cron(30 2 ? MAR 1#2 *)", "America/New_York", None)],  # always in the spring gap
)
def test_next_fire_time_returns_within_a_second_when_expression_is_far_future_or_never(
        text: str, zone: str, expected: datetime | None) -> None:
    # Given
    expression = parse(text)

    # When
    started = time.perf_counter()
    fire = next_fire_time(expression, after=utc(2026, 3, 1), timezone=zone)
    elapsed = time.perf_counter() - started

    # Then
    assert fire == expected
    assert elapsed < 1.0
