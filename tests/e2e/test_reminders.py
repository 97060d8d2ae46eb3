"""Practice reminders through the real discord.py: /remind on, one DM on a day it helps and no
second one, nothing on a day already practised; closed DMs turn reminders off, no retry loop."""

from __future__ import annotations

import logging

import pytest

from bot.discord.client import InterviewBot
from bot.engine.clock import ManualClock
from tests.e2e.conftest import Cast, eventually, private_answer
from tests.e2e.test_daily import HOUR, daily_threads
from tests.harness import FakeDiscord, Member

DM_MESSAGES = "/channels/{channel_id}/messages"
OPEN_DM = "/users/@me/channels"


async def answer_todays_question(fake: FakeDiscord, cast: Cast, members: list[Member]) -> None:
    """The moderator posts today's question now; each member answers it in the thread."""
    values = {"channel": fake.general, "time": "23:00", "timezone": "UTC"}
    inter = await fake.run_command(cast.mod, fake.general, "daily", values, subcommand="set")
    await private_answer(inter)
    now = await fake.run_command(cast.mod, fake.general, "daily", subcommand="now")
    await private_answer(now)
    [thread] = daily_threads(fake)
    for member in members:
        await fake.user_types(member, thread, "Regularisation and more training data.")
        await fake.wait_for_message(thread, lambda m: m["content"].startswith("Answer graded"))


async def remind_me(fake: FakeDiscord, member: Member, time: str = "18:00") -> str:
    inter = await fake.run_command(
        member, fake.general, "remind", {"time": time, "timezone": "UTC"}, subcommand="on"
    )
    return await private_answer(inter)


def sent_to(fake: FakeDiscord, member: Member) -> list[str]:
    """What the bot said in the member's DM."""
    channel = fake.world.dm_channel(member.user)
    return [m["content"] for m in fake.bot_messages(channel)]


async def reminders_asleep(bot: InterviewBot) -> None:
    await eventually(lambda: bot.daily.reminders.loop.asleep)


async def test_a_reminder_comes_once_on_the_day_the_streak_is_at_stake(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, clock: ManualClock
) -> None:
    fake = fake_discord
    await answer_todays_question(fake, cast, [cast.ada])
    said = await remind_me(fake, cast.ada)
    assert said.startswith("I will DM you at 18:00 UTC on days your practice streak would end")
    await reminders_asleep(bot)

    # Day 1, 18:00: Ada practised today, so there is nothing to remind her of.
    await clock.advance(18 * HOUR)
    assert sent_to(fake, cast.ada) == []

    # Day 2, 18:00: yesterday's streak ends today without practice: one DM, and no second.
    await clock.advance(24 * HOUR)
    await eventually(lambda: len(sent_to(fake, cast.ada)) == 1)
    [dm] = sent_to(fake, cast.ada)
    assert dm.startswith("Your 1-day practice streak ends today unless you answer a question")
    assert len(fake.requests_to("POST", OPEN_DM)) == 1
    await clock.advance(5 * HOUR)
    assert len(sent_to(fake, cast.ada)) == 1

    # Off: day 3 brings nothing, though the streak is long gone and reviews may be due.
    off = await fake.run_command(cast.ada, fake.general, "remind", subcommand="off")
    assert await private_answer(off) == "Reminders are off."
    await reminders_asleep(bot)
    await clock.advance(24 * HOUR)
    assert len(sent_to(fake, cast.ada)) == 1
    assert await bot.daily.reminder_store.reminder_settings() == []


async def test_closed_dms_turn_reminders_off_once(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_discord
    cast.bob.user.dms_closed = True
    await answer_todays_question(fake, cast, [cast.bob])
    await remind_me(fake, cast.bob)
    await reminders_asleep(bot)
    caplog.set_level(logging.INFO, logger="bot.engine.reminders")

    await clock.advance(42 * HOUR)  # day 2, 18:00: the DM is refused with 50007
    dm = fake.world.dm_channel(cast.bob.user)
    refused = [r for r in fake.requests_to("POST", DM_MESSAGES) if str(dm.id) in r["path"]]
    assert [r["status"] for r in refused] == [403]
    assert await bot.daily.reminder_store.reminder_settings() == []
    assert f"reminders turned off for user {cast.bob.id}: their DMs are closed" in caplog.text

    await clock.advance(48 * HOUR)  # no retries on the days after
    assert len([r for r in fake.requests_to("POST", DM_MESSAGES) if str(dm.id) in r["path"]]) == 1
    assert sent_to(fake, cast.bob) == []
