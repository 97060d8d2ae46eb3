"""Practice reminders: only when they help, at most once a day, off when DMs are closed."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.engine.clock import ManualClock
from bot.engine.daily import DailyTime
from bot.engine.reminders import Reminder, ReminderRunner, reminder_for
from bot.store.daily import SqlReminderStore
from bot.store.repository import SqlRepository

TODAY = date(2026, 1, 15)


def days(*offsets: int) -> set[date]:
    return {TODAY - timedelta(days=o) for o in offsets}


def test_no_reminder_after_practising_today() -> None:
    assert reminder_for(TODAY, days(0, 1, 2), ["deep-learning"]) is None


def test_no_reminder_with_nothing_at_stake() -> None:
    assert reminder_for(TODAY, days(3, 4), []) is None
    assert reminder_for(TODAY, set(), []) is None


def test_a_streak_that_would_end_today() -> None:
    reminder = reminder_for(TODAY, days(1, 2, 3, 5), [])
    assert reminder == Reminder(3, ())
    assert reminder.text() == (
        "Your 3-day practice streak ends today unless you answer a question: /interview or /review."
    )


def test_questions_due_are_counted_with_their_topics() -> None:
    reminder = reminder_for(TODAY, set(), ["deep-learning", "fundamentals", "deep-learning"])
    assert reminder is not None
    assert reminder.text() == "3 questions are due in /review (deep learning, fundamentals)."
    one = reminder_for(TODAY, days(1), ["fundamentals"])
    assert one is not None
    assert one.text() == (
        "Your 1-day practice streak ends today unless you answer a question: "
        "/interview or /review. 1 question is due in /review (fundamentals)."
    )


class Practice:
    """What the store would say of someone's practice (answers and due reviews)."""

    def __init__(self, practised: set[date], due: list[str]) -> None:
        self.practised = practised
        self.due = due

    async def practice_days(self, user_id: str, zone: str) -> set[date]:
        return self.practised

    async def due_topics(self, user_id: str, now: datetime) -> list[str]:
        return self.due


class Inbox:
    """DMs as delivered; `closed` people cannot receive them."""

    def __init__(self, closed: frozenset[str] = frozenset()) -> None:
        self.sent: list[tuple[str, str]] = []
        self.closed = closed

    async def send(self, user_id: str, text: str) -> bool:
        if user_id in self.closed:
            return False
        self.sent.append((user_id, text))
        return True


async def remind_at(
    repository: SqlRepository, clock: ManualClock, user: str = "ada", at: str = "18:00"
) -> SqlReminderStore:
    store = SqlReminderStore(repository.engine)
    await store.set_reminders(user, DailyTime.parse(at, "UTC", since=clock.utcnow()))
    return store


async def test_one_reminder_a_day_across_processes_and_restarts(
    repository: SqlRepository,
) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    store = await remind_at(repository, clock)
    inbox = Inbox()
    practice = Practice(days(1, 2), ["fundamentals"])
    first = ReminderRunner(store, practice, inbox, clock)
    second = ReminderRunner(SqlReminderStore(repository.engine), practice, inbox, clock)
    await first.tick()
    assert inbox.sent == []
    await clock.advance(6 * 3600)  # 18:00
    await asyncio.gather(first.tick(), second.tick(), first.tick())
    assert len(inbox.sent) == 1
    restarted = ReminderRunner(SqlReminderStore(repository.engine), practice, inbox, clock)
    await restarted.tick()
    assert len(inbox.sent) == 1
    await clock.advance(24 * 3600)
    await restarted.tick()
    assert len(inbox.sent) == 2


async def test_no_reminder_when_it_would_not_help(repository: SqlRepository) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 7, 0, tzinfo=UTC))
    store = await remind_at(repository, clock, at="08:00")
    inbox = Inbox()
    practised_today = ReminderRunner(store, Practice(days(0, 1), ["fundamentals"]), inbox, clock)
    await clock.advance(3600)
    await practised_today.tick()
    nothing_at_stake = ReminderRunner(store, Practice(days(3), []), inbox, clock)
    await nothing_at_stake.tick()
    assert inbox.sent == []
    assert await store.last_reminded("ada") == TODAY  # looked at once today, not again


async def test_closed_dms_turn_reminders_off(repository: SqlRepository) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 17, 0, tzinfo=UTC))
    store = await remind_at(repository, clock)
    runner = ReminderRunner(
        store, Practice(set(), ["fundamentals"]), Inbox(frozenset({"ada"})), clock
    )
    await clock.advance(3600)
    await runner.tick()
    assert await store.reminder_settings() == []
    assert await runner.tick() is None


async def test_the_runner_sleeps_until_the_next_reminder(repository: SqlRepository) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 17, 0, tzinfo=UTC))
    store = await remind_at(repository, clock)
    inbox = Inbox()
    runner = ReminderRunner(store, Practice(set(), ["fundamentals"]), inbox, clock)
    task = asyncio.create_task(runner.loop.run())
    for _ in range(2000):
        if clock.pending:
            break
        await asyncio.sleep(0.005)
    await clock.advance(2 * 24 * 3600)
    task.cancel()
    assert [user for user, _ in inbox.sent] == ["ada", "ada"]
