"""Practice reminders: at most one DM a day, and only when it helps.

A reminder is worth sending when the person's practice streak would end today (they practised
yesterday but not yet today) or when questions are due in their review. Someone who practised
today, or who has neither a streak at stake nor anything due, hears nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.engine.clock import Clock
from bot.engine.daily import DailyTime
from bot.engine.daily_loop import DailyLoop
from bot.engine.ports import Repository
from bot.engine.review import due_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderSetting:
    """Someone asked to be reminded daily at this time."""

    user_id: str
    when: DailyTime


@dataclass(frozen=True)
class Reminder:
    """Why today's reminder is worth sending."""

    streak_days: int  # the streak that ends today without practice; 0 if none
    due_topics: tuple[str, ...]  # the topic of each question due for review

    def text(self) -> str:
        """The DM: one or two plain sentences."""
        lines = []
        if self.streak_days:
            lines.append(
                f"Your {self.streak_days}-day practice streak ends today unless you answer"
                " a question: /interview or /review."
            )
        if self.due_topics:
            count = len(self.due_topics)
            topics = ", ".join(sorted(set(self.due_topics))).replace("-", " ")
            noun = "question is" if count == 1 else "questions are"
            lines.append(f"{count} {noun} due in /review ({topics}).")
        return " ".join(lines)


def reminder_for(
    today: date, practice_days: Collection[date], due_topics: Sequence[str]
) -> Reminder | None:
    """Today's reminder, or None when it would not help."""
    if today in practice_days:
        return None
    streak, day = 0, today - timedelta(days=1)
    while day in practice_days:
        streak += 1
        day -= timedelta(days=1)
    if not streak and not due_topics:
        return None
    return Reminder(streak, tuple(due_topics))


class ReminderStore(Protocol):
    """Who wants reminders, and the one reminder per person and day."""

    async def reminder_settings(self) -> list[ReminderSetting]:
        """Everyone with reminders on."""
        ...

    async def last_reminded(self, user_id: str) -> date | None:
        """The local day of the person's last reminder (sent or found unneeded)."""
        ...

    async def claim_reminder(self, user_id: str, day: date) -> bool:
        """Take the person's reminder for `day`; False if it was taken already."""
        ...

    async def set_reminders(self, user_id: str, when: DailyTime | None) -> None:
        """Turn reminders on at a time, or off (None)."""
        ...


class Progress(Protocol):
    """What a reminder needs to know of someone's practice."""

    async def practice_days(self, user_id: str, zone: str) -> set[date]:
        """Days, local to `zone`, with at least one answer."""
        ...

    async def due_topics(self, user_id: str, now: datetime) -> list[str]:
        """The topic of each question due for review now."""
        ...


class ReminderSender(Protocol):
    """Delivers a reminder (a DM in Discord)."""

    async def send(self, user_id: str, text: str) -> bool:
        """Send; False when it cannot be delivered (DMs closed)."""
        ...


class ReminderRunner:
    """Sends each person's reminder at their time, once a day, when it helps."""

    def __init__(
        self, store: ReminderStore, progress: Progress, sender: ReminderSender, clock: Clock
    ) -> None:
        self._store = store
        self._progress = progress
        self._sender = sender
        self._clock = clock
        self.loop = DailyLoop(clock, self.tick)

    async def tick(self) -> datetime | None:
        """Send every reminder due now; the next reminder time, or None with nobody to remind."""
        now = self._clock.utcnow()
        wake: datetime | None = None
        for setting in await self._store.reminder_settings():
            last = await self._store.last_reminded(setting.user_id)
            day = setting.when.due(now, last)
            if day is not None:
                try:
                    await self._remind(setting, day, now)
                except Exception:
                    log.exception("the reminder for user %s failed", setting.user_id)
                last = day
            upcoming = setting.when.next_check(now, last)
            wake = upcoming if wake is None else min(wake, upcoming)
        return wake

    async def _remind(self, setting: ReminderSetting, day: date, now: datetime) -> None:
        if not await self._store.claim_reminder(setting.user_id, day):
            return
        practised = await self._progress.practice_days(setting.user_id, setting.when.zone)
        due = await self._progress.due_topics(setting.user_id, now)
        reminder = reminder_for(day, practised, due)
        if reminder is None:
            return
        if not await self._sender.send(setting.user_id, reminder.text()):
            log.info("reminders turned off for user %s: their DMs are closed", setting.user_id)
            await self._store.set_reminders(setting.user_id, None)


class StoredProgress:
    """`Progress` from the stored attempts: practice days and what /review has due."""

    def __init__(self, repository: Repository, topic_of: Callable[[str], str | None]) -> None:
        self._repository = repository
        self._topic_of = topic_of

    async def practice_days(self, user_id: str, zone: str) -> set[date]:
        """Days, local to `zone`, with at least one answer."""
        tz = ZoneInfo(zone)
        attempts = await self._repository.attempts_for(user_id)
        return {a.answered_at.astimezone(tz).date() for a in attempts}  # as /stats counts

    async def due_topics(self, user_id: str, now: datetime) -> list[str]:
        """The topic of each question due for review now."""
        due = due_now(await self._repository.question_attempts(user_id), now)
        return [self._topic_of(d.question_id) or "other" for d in due]
