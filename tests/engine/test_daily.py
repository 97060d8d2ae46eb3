"""Daily times (question of the day, reminders): local time in a zone, DST, late posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.engine.daily import DailyTime
from bot.errors import InvalidSchedule


def _berlin(at: str = "09:00") -> DailyTime:
    return DailyTime.parse(at, "Europe/Berlin")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_post_time_is_local_time_in_the_zone() -> None:
    schedule = _berlin()
    assert schedule.post_time(date(2026, 1, 15)) == _utc(2026, 1, 15, 8, 0)  # CET, UTC+1
    assert schedule.post_time(date(2026, 7, 15)) == _utc(2026, 7, 15, 7, 0)  # CEST, UTC+2


def test_due_from_the_set_time_until_posted() -> None:
    schedule = _berlin()
    assert schedule.due(_utc(2026, 1, 15, 7, 59), None) is None
    assert schedule.due(_utc(2026, 1, 15, 8, 0), None) == date(2026, 1, 15)
    assert schedule.due(_utc(2026, 1, 15, 8, 0), date(2026, 1, 15)) is None
    assert schedule.due(_utc(2026, 1, 16, 8, 0), date(2026, 1, 15)) == date(2026, 1, 16)


def test_a_bot_down_at_the_set_time_posts_late_once_the_same_day() -> None:
    schedule = _berlin()
    late = _utc(2026, 1, 15, 20, 30)  # 21:30 in Berlin, the bot has just come back
    assert schedule.due(late, date(2026, 1, 14)) == date(2026, 1, 15)
    assert schedule.due(late, date(2026, 1, 15)) is None


def test_a_day_that_ended_without_its_post_is_skipped() -> None:
    schedule = _berlin()
    next_morning_early = _utc(2026, 1, 16, 6, 0)  # 07:00 in Berlin: yesterday's post never went
    assert schedule.due(next_morning_early, date(2026, 1, 14)) is None
    assert schedule.next_check(next_morning_early, date(2026, 1, 14)) == _utc(2026, 1, 16, 8)


def test_the_local_day_not_the_utc_day_counts() -> None:
    schedule = DailyTime.parse("23:30", "America/Los_Angeles")
    # 23:30 in Los Angeles on 15 January is 07:30 UTC on the 16th.
    assert schedule.post_time(date(2026, 1, 15)) == _utc(2026, 1, 16, 7, 30)
    assert schedule.due(_utc(2026, 1, 16, 7, 30), date(2026, 1, 14)) == date(2026, 1, 15)


def test_spring_forward_a_missing_local_time_posts_after_the_jump() -> None:
    schedule = _berlin("02:30")  # 29 March 2026: Berlin goes from 02:00 straight to 03:00
    instant = schedule.post_time(date(2026, 3, 29))
    assert instant == _utc(2026, 3, 29, 1, 30)  # 03:30 CEST, once
    assert schedule.local_day(instant) == date(2026, 3, 29)
    assert schedule.post_time(date(2026, 3, 30)) == _utc(2026, 3, 30, 0, 30)  # 02:30 CEST


def test_fall_back_a_repeated_local_time_posts_at_the_first() -> None:
    schedule = _berlin("02:30")  # 25 October 2026: 02:00-03:00 happens twice in Berlin
    first = schedule.post_time(date(2026, 10, 25))
    assert first == _utc(2026, 10, 25, 0, 30)  # 02:30 CEST, the first of the two
    second_pass = _utc(2026, 10, 25, 1, 30)  # 02:30 CET, an hour later by the clock
    assert schedule.due(second_pass, date(2026, 10, 25)) is None


def test_one_post_a_day_across_the_dst_changes() -> None:
    """Polled every ten minutes over both changes, each local day is due exactly once."""
    schedule = _berlin("02:30")
    for start, days in ((_utc(2026, 3, 27), 5), (_utc(2026, 10, 23), 5)):
        posted: list[date] = []
        last: date | None = None
        for step in range(days * 24 * 6):
            day = schedule.due(start + timedelta(minutes=10 * step), last)
            if day is not None:
                posted.append(day)
                last = day
        assert len(posted) == days
        assert len(set(posted)) == days


def test_waking_at_next_check_finds_the_post_due() -> None:
    schedule = _berlin("02:30")
    now, last = _utc(2026, 3, 27), None
    for _ in range(5):
        now = schedule.next_check(now, last)
        last = schedule.due(now, last)
        assert last is not None


def test_next_check_is_the_next_unposted_time() -> None:
    schedule = _berlin()
    assert schedule.next_check(_utc(2026, 1, 15, 6), None) == _utc(2026, 1, 15, 8)
    assert schedule.next_check(_utc(2026, 1, 15, 9), date(2026, 1, 15)) == _utc(2026, 1, 16, 8)


@pytest.mark.parametrize(
    ("at", "zone", "says"),
    [
        ("9am", "UTC", "'9am' is not a time of day"),
        ("25:00", "UTC", "'25:00' is not a time of day"),
        ("09:00", "Mars/Olympus", "'Mars/Olympus' is not a time zone"),
        ("09:00", "../etc/passwd", "is not a time zone"),
    ],
)
def test_bad_input_is_one_sentence(at: str, zone: str, says: str) -> None:
    with pytest.raises(InvalidSchedule, match=says):
        DailyTime.parse(at, zone)


def test_parse_keeps_what_was_asked() -> None:
    when = DailyTime.parse(" 7:05 ", "UTC")
    assert when.at == time(7, 5)
    assert when.zone == "UTC"


def test_a_schedule_set_after_todays_time_starts_tomorrow() -> None:
    set_at = _utc(2026, 1, 15, 12, 0)  # 13:00 in Berlin, after 09:00
    schedule = DailyTime.parse("09:00", "Europe/Berlin", since=set_at)
    assert schedule.due(_utc(2026, 1, 15, 12, 1), None) is None
    assert schedule.next_check(_utc(2026, 1, 15, 12, 1), None) == _utc(2026, 1, 16, 8)
    assert schedule.due(_utc(2026, 1, 16, 8, 0), None) == date(2026, 1, 16)
