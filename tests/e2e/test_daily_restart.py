"""The question of the day across restarts and shard processes: one post per server and day,
a bot that was down at the set time posts late once, and only a guild's own shard posts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.discord.client import InterviewBot, make_bot
from bot.engine.clock import ManualClock
from bot.engine.daily import DailySchedule, DailyTime
from bot.settings import BankSettings, Settings, ShardSettings, StoreSettings
from bot.store.daily import SqlDailyStore
from bot.store.repository import SqlRepository
from tests.conftest import DATA
from tests.e2e.conftest import Cast, button, eventually, private_answer, title
from tests.e2e.test_daily import HOUR, THREAD_FROM_MESSAGE, daily_threads, runner_asleep
from tests.e2e.test_sharding import SHARDS, Place, Spawn, place_on_shard, spawn_shard
from tests.harness import FakeDiscord
from tests.harness.fixtures import connect_bot, disconnect_bot, fake_discord

__all__ = ["fake_discord", "spawn_shard"]  # fixtures, imported so pytest finds them

Start = Callable[..., Coroutine[Any, Any, InterviewBot]]


@pytest.fixture
async def start_bot(
    fake_discord: FakeDiscord, settings: Settings, clock: ManualClock
) -> AsyncIterator[Start]:
    """Start another bot process's worth (its own App on the test's database and clock)."""
    apps: list[App] = []

    async def start(config: Settings = settings, token: str = "fake-token") -> InterviewBot:
        app = await build_app(config, clock=clock)
        apps.append(app)
        bot = make_bot(app, connector=fake_discord.voice_connector())
        await connect_bot(bot, fake_discord, token=token)
        await runner_asleep(bot)
        return bot

    yield start
    for app in apps:
        await app.close()


async def test_a_restart_never_posts_twice_and_a_bot_down_at_the_time_posts_late_once(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, clock: ManualClock, start_bot: Start
) -> None:
    fake = fake_discord
    values = {"channel": fake.general, "time": "09:00", "timezone": "UTC"}
    inter = await fake.run_command(cast.mod, fake.general, "daily", values, subcommand="set")
    assert (await private_answer(inter)).startswith("The question of the day goes to")

    # The bot is down from before 09:00 until 10:30: the new process posts at once, late.
    await disconnect_bot(bot, fake)
    await clock.advance(10.5 * HOUR)
    assert daily_threads(fake) == []
    second = await start_bot()
    await eventually(lambda: len(daily_threads(fake)) == 1)
    [thread] = daily_threads(fake)
    [post] = await second.daily.store.posts(str(fake.guild.id))
    assert (post.posted_at.hour, post.posted_at.minute, post.thread_id) == (10, 30, str(thread.id))
    await fake.user_types(cast.ada, thread, "Regularisation and more data.")
    receipt = await fake.wait_for_message(thread, lambda m: m["content"].startswith("Answer"))

    # Restarted again the same day: the day is claimed in the store, so no second post.
    await disconnect_bot(second, fake)
    third = await start_bot()
    await clock.advance(13 * HOUR)  # 23:30
    assert len(daily_threads(fake)) == 1
    assert len(fake.requests_to("POST", THREAD_FROM_MESSAGE)) == 1

    # A button sent by the process before keeps working in this one.
    mine = await fake.click(cast.ada, receipt, button(receipt, "See my grade"))
    assert title(await mine.reply()).startswith("Your grade: ")

    # The next day at 09:00: one new post, and the reveal in yesterday's thread.
    await clock.advance(9.5 * HOUR)
    assert len(daily_threads(fake)) == 2
    await fake.wait_for_message(thread, lambda m: title(m).startswith("The answer"))
    assert len(await third.daily.store.posts(str(fake.guild.id))) == 2


async def test_two_shard_processes_each_post_for_their_own_guilds_once(
    fake_discord: FakeDiscord, clock: ManualClock, tmp_path: Path, start_bot: Start
) -> None:
    fake = fake_discord
    places = [place_on_shard(fake, shard) for shard in range(SHARDS)]
    base = Settings(
        bank=BankSettings(paths=[DATA / "mini_bank.yaml"]), store=StoreSettings(data_dir=tmp_path)
    )
    first = await build_app(base, clock=clock)  # the schedules, set before either process starts
    store = SqlDailyStore(first.repository.engine)
    for place in places:
        when = DailyTime.parse("09:00", "UTC", since=clock.utcnow())
        schedule = DailySchedule(str(place.guild.id), str(place.general.id), when)
        await store.save_schedule(schedule, clock.utcnow())
    await first.close()

    for shard in range(SHARDS):
        shards = ShardSettings(count=SHARDS, ids=[shard])
        await start_bot(base.model_copy(update={"shards": shards}), token=f"shard-{shard}-token")
    await clock.advance(9 * HOUR)
    await eventually(lambda: len(daily_threads(fake)) == SHARDS)
    opened = fake.requests_to("POST", THREAD_FROM_MESSAGE)
    assert len(opened) == SHARDS  # one post per guild, not one per process
    for place in places:
        [made] = [r for r in opened if f"/channels/{place.general.id}/" in r["path"]]
        assert made["auth"] == f"Bot shard-{place.shard}-token"
    await clock.advance(HOUR)
    assert len(fake.requests_to("POST", THREAD_FROM_MESSAGE)) == SHARDS


async def test_two_shard_processes_and_a_crash_post_once_per_guild_and_day(
    fake_discord: FakeDiscord, spawn_shard: Spawn, repository: SqlRepository
) -> None:
    """Real bot processes on the system clock: the day's post (due since 00:00 UTC) goes out
    once per guild, from the guild's own shard; a crashed process's successor posts no more."""
    fake = fake_discord
    store = SqlDailyStore(repository.engine)
    yesterday = datetime.now(UTC) - timedelta(days=1)

    async def schedule(place: Place) -> None:
        when = DailyTime.parse("00:00", "UTC", since=yesterday)
        daily = DailySchedule(str(place.guild.id), str(place.general.id), when)
        await store.save_schedule(daily, yesterday)

    places = [place_on_shard(fake, shard) for shard in range(SHARDS)]
    for place in places:
        await schedule(place)
    processes = [await spawn_shard(shard) for shard in range(SHARDS)]
    for process in processes:
        await process.ready()
    await eventually(lambda: len(daily_threads(fake)) == SHARDS, timeout=20)
    opened = fake.requests_to("POST", THREAD_FROM_MESSAGE)
    for place in places:
        [made] = [r for r in opened if f"/channels/{place.general.id}/" in r["path"]]
        assert made["auth"] == f"Bot shard-{place.shard}-token"

    # Shard 0's process crashes; a new guild of shard 0 gets a schedule meanwhile. Its first
    # post shows the successor's round has passed the older guild (rounds go in guild order),
    # which it did not post again.
    await processes[0].kill()
    newcomer = place_on_shard(fake, 0)
    assert int(newcomer.guild.id) > int(places[0].guild.id)
    await schedule(newcomer)
    successor = await spawn_shard(0)
    await successor.ready()
    await eventually(lambda: len(daily_threads(fake)) == SHARDS + 1, timeout=20)
    paths = [r["path"] for r in fake.requests_to("POST", THREAD_FROM_MESSAGE)]
    assert len(paths) == SHARDS + 1
    for place in (*places, newcomer):
        assert len([p for p in paths if f"/channels/{place.general.id}/" in p]) == 1
