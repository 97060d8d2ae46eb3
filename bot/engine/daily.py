"""The question of the day: when a server's post is due, in its own time zone.

A schedule names a local time of day and an IANA time zone. The post for a local day is due
from that day's set time until the day ends; a bot that was down at the set time posts late,
once, on the same day, and a day that ended without its post is skipped (two posts in one
morning would read as spam). A schedule set after the day's time starts the next day
(`/daily now` posts at once). Daylight-saving changes follow `zoneinfo`: a set time that does
not exist on the day the clocks go forward (02:30 in Europe) posts when the clocks have jumped,
an hour later by the wall clock; a set time that happens twice when they go back posts at the
first of the two. Exactly one post per server and day is the store's job (a unique key on the
server and the local day, claimed before posting); this module only says what is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.bank.models import Difficulty
from bot.errors import InvalidSchedule

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DailyTime:
    """A local time of day in an IANA zone, counted from `since`: when something daily is due."""

    at: time
    zone: str
    since: datetime | None = None  # when it was set: a day whose time had passed starts nothing

    @classmethod
    def parse(cls, at: str, zone: str, since: datetime | None = None) -> DailyTime:
        """From what a member typed: `at` as HH:MM (24-hour), `zone` as an IANA name."""
        return cls(parse_time(at), parse_zone(zone), since)

    @property
    def tz(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.zone)

    def local_day(self, now: datetime) -> date:
        """The calendar day it is in the schedule's zone at the instant `now`."""
        return now.astimezone(self.tz).date()

    def post_time(self, day: date) -> datetime:
        """The instant (UTC) the thing for local `day` is due."""
        wall = datetime.combine(day, self.at, tzinfo=self.tz)  # fold=0: the first of two
        return wall.astimezone(UTC)  # a time in a gap maps past the jump, as PEP 495 says

    def due(self, now: datetime, last_posted: date | None) -> date | None:
        """The local day due at `now`, or None (done already, or not yet time)."""
        today = self.local_day(now)
        if last_posted is not None and last_posted >= today:
            return None
        due_at = self.post_time(today)
        if self.since is not None and self.since > due_at:
            return None  # set after today's time: the first post is tomorrow's
        return today if now >= due_at else None

    def next_check(self, now: datetime, last_posted: date | None) -> datetime:
        """The next instant worth waking for: the next post time not yet posted."""
        day = self.local_day(now)
        if (last_posted is not None and last_posted >= day) or now >= self.post_time(day):
            day += _DAY
        return max(self.post_time(day), now)


@dataclass(frozen=True)
class DailySchedule:
    """One server's question of the day: where, when, and what to choose from."""

    guild_id: str
    channel_id: str
    when: DailyTime
    topic: str | None = None
    difficulty: Difficulty | None = None


@dataclass(frozen=True)
class DailyPost:
    """The question a server got on one local day, and where it went."""

    guild_id: str
    day: date
    question_id: str
    channel_id: str
    posted_at: datetime
    thread_id: str | None = None
    revealed_at: datetime | None = None


def parse_time(text: str) -> time:
    """`HH:MM` on a 24-hour clock."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        message = f"'{text}' is not a time of day; write it as HH:MM, e.g. 09:30."
        raise InvalidSchedule(message) from None


def parse_zone(text: str) -> str:
    """An IANA time-zone name such as Europe/Berlin (UTC is one too)."""
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"'{text}' is not a time zone I know; use a name like Europe/Berlin or UTC."
        raise InvalidSchedule(message) from None
    return name
