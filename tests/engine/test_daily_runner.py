"""The question-of-the-day runner on the real store: one post per server and day, whatever
restarts, several shard processes and daylight saving do; late posts; reveals once."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime

from bot.bank.catalog import Bank
from bot.bank.models import Question
from bot.engine.clock import ManualClock
from bot.engine.daily import DailyPost, DailySchedule, DailyTime
from bot.engine.daily_runner import DailyRunner
from bot.store.daily import SqlDailyStore
from bot.store.repository import SqlRepository

HOUR = 3600.0
DAY = 24 * HOUR


class Channel:
    """What a publisher posted: a stand-in for the Discord channel, recording each message."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, date, str]] = []
        self.revealed: list[tuple[str, date, str]] = []

    async def publish(self, schedule: DailySchedule, question: Question, day: date) -> str:
        self.posted.append((schedule.guild_id, day, question.id))
        return f"thread-{len(self.posted)}"

    async def reveal(self, post: DailyPost, question: Question) -> None:
        self.revealed.append((post.guild_id, post.day, question.id))


async def asleep(clock: ManualClock) -> None:
    """Wait (briefly, in real time) until the runner has finished its database work and sleeps."""
    for _ in range(2000):
        if clock.pending:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the runner never went to sleep")


def start(daily: DailyRunner) -> asyncio.Task[None]:
    return asyncio.create_task(daily.run())


def runner(
    bank: Bank, repository: SqlRepository, clock: ManualClock, channel: Channel, seed: int = 1
) -> DailyRunner:
    store = SqlDailyStore(repository.engine)
    return DailyRunner(bank, store, channel, clock, random.Random(seed))


async def schedule(repository: SqlRepository, clock: ManualClock, at: str = "09:00") -> None:
    await SqlDailyStore(repository.engine).save_schedule(
        DailySchedule("g1", "c1", DailyTime.parse(at, "Europe/Berlin")), clock.utcnow()
    )


async def test_posts_at_the_set_time_once(mini_bank: Bank, repository: SqlRepository) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 6, 0, tzinfo=UTC))  # 07:00 in Berlin
    await schedule(repository, clock)
    channel = Channel()
    task = start(runner(mini_bank, repository, clock, channel))
    await asleep(clock)
    await clock.advance(HOUR + 59 * 60)  # 08:59 Berlin
    assert channel.posted == []
    await clock.advance(60)
    assert [(g, d) for g, d, _ in channel.posted] == [("g1", date(2026, 1, 15))]
    await clock.advance(12 * HOUR)
    assert len(channel.posted) == 1
    task.cancel()


async def test_two_shard_processes_and_a_restart_post_once(
    mini_bank: Bank, repository: SqlRepository
) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 7, 59, tzinfo=UTC))
    await schedule(repository, clock)
    channel = Channel()
    first = runner(mini_bank, repository, clock, channel, seed=1)
    second = runner(mini_bank, repository, clock, channel, seed=2)
    await clock.advance(60)
    await asyncio.gather(first.tick(), second.tick(), first.tick())
    assert len(channel.posted) == 1
    restarted = runner(mini_bank, repository, clock, channel, seed=3)
    await restarted.tick()
    assert len(channel.posted) == 1
    stored = await SqlDailyStore(repository.engine).posts("g1")
    assert [(p.day, p.thread_id) for p in stored] == [(date(2026, 1, 15), "thread-1")]


async def test_a_bot_down_at_the_set_time_posts_late_once(
    mini_bank: Bank, repository: SqlRepository
) -> None:
    clock = ManualClock(datetime(2026, 1, 14, 12, 0, tzinfo=UTC))
    await schedule(repository, clock)
    await clock.advance(DAY + 7 * HOUR)  # the bot was down; back at 20:00 Berlin on the 15th
    channel = Channel()
    await runner(mini_bank, repository, clock, channel).tick()
    await runner(mini_bank, repository, clock, channel).tick()
    assert [d for _, d, _ in channel.posted] == [date(2026, 1, 15)]


async def test_the_next_post_reveals_the_previous_one_once(
    mini_bank: Bank, repository: SqlRepository
) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 7, 30, tzinfo=UTC))
    await schedule(repository, clock)
    channel = Channel()
    task = start(runner(mini_bank, repository, clock, channel))
    await asleep(clock)
    await clock.advance(3 * DAY)
    task.cancel()
    days = [d for _, d, _ in channel.posted]
    assert days == [date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 17)]
    assert [d for _, d, _ in channel.revealed] == days[:2]
    asked = [q for _, _, q in channel.posted]
    assert [q for _, _, q in channel.revealed] == asked[:2]


async def test_questions_are_not_repeated_while_fresh_ones_remain(
    mini_bank: Bank, repository: SqlRepository
) -> None:
    clock = ManualClock(datetime(2026, 1, 1, 7, 30, tzinfo=UTC))
    await schedule(repository, clock)
    channel = Channel()
    task = start(runner(mini_bank, repository, clock, channel))
    await asleep(clock)
    count = len(mini_bank.questions)
    await clock.advance(count * DAY)
    task.cancel()
    asked = [q for _, _, q in channel.posted]
    assert len(asked) == count
    assert sorted(asked) == sorted(q.id for q in mini_bank.questions)


async def test_daylight_saving_days_each_get_one_post(
    mini_bank: Bank, repository: SqlRepository
) -> None:
    clock = ManualClock(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))  # set after 27 March's time
    await schedule(repository, clock, "02:30")  # a time Berlin skips on 29 March
    channel = Channel()
    task = start(runner(mini_bank, repository, clock, channel))
    await asleep(clock)
    await clock.advance(4 * DAY)
    task.cancel()
    days = [d for _, d, _ in channel.posted]
    assert days == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30), date(2026, 3, 31)]


async def test_a_new_schedule_is_picked_up_without_waiting(
    mini_bank: Bank, repository: SqlRepository
) -> None:
    clock = ManualClock(datetime(2026, 1, 15, 8, 30, tzinfo=UTC))
    channel = Channel()
    daily = runner(mini_bank, repository, clock, channel)
    task = start(daily)
    await asleep(clock)
    await schedule(repository, clock, "09:31")  # a minute from now; the runner slept 5 minutes
    daily.changed()
    await asyncio.sleep(0)
    await asleep(clock)
    await clock.advance(61)
    assert len(channel.posted) == 1
    task.cancel()
