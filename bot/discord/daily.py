"""The question of the day and reminders on Discord: the publisher, the DM sender, their loops.

`DailyFeature` holds what the /daily and /remind commands and the daily buttons share, and runs
the two loops: the `DailyRunner` posts in the servers of this process's shards (the store's
unique key on server and day keeps it to one post a day whatever restarts or other processes
do); the `ReminderRunner` runs only in the process that has shard 0 (reminders are per person,
not per server), and a claimed day keeps it to one DM a day there too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import discord

from bot.bank.models import Question
from bot.discord.daily_views import answer_view, question_embed, reveal_embed
from bot.engine.daily import DailyPost, DailySchedule
from bot.engine.daily_answers import DailyAnswers
from bot.engine.daily_runner import DailyRunner
from bot.engine.reminders import ReminderRunner, StoredProgress
from bot.errors import DailyAnswerRefused
from bot.store.daily import SqlDailyStore, SqlReminderStore
from bot.tasks import spawn

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

DMS_CLOSED = 50007  # Discord's "Cannot send messages to this user"
KNOWN_THREADS = 10_000  # threads remembered as daily or not, before the memory starts over
THREAD_ARCHIVE_MINUTES = 1440  # a day: the thread stays open until the next question


async def _messageable(client: discord.Client, channel_id: str) -> Any:
    channel = client.get_channel(int(channel_id))
    return channel if channel is not None else await client.fetch_channel(int(channel_id))


class DiscordPublisher:
    """Posts a day's question in a new thread of the schedule's channel; reveals it later."""

    def __init__(self, client: discord.Client, store: SqlDailyStore) -> None:
        self._client = client
        self._store = store
        self.threads: dict[int, bool] = {}  # thread id -> is a question-of-the-day thread

    async def publish(self, schedule: DailySchedule, question: Question, day: date) -> str:
        """The question in the channel, a public thread on it, and the Answer button inside."""
        channel = await _messageable(self._client, schedule.channel_id)
        starter = await channel.send(embed=question_embed(question, day))
        thread = await starter.create_thread(
            name=f"Question of the day {day:%Y-%m-%d}",
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
        self.threads[thread.id] = True
        await thread.send(
            "Type your answer here, or press Answer to write it privately; either way only you "
            "see your grade.",
            view=answer_view(schedule.guild_id, day),
        )
        return str(thread.id)

    async def reveal(self, post: DailyPost, question: Question) -> None:
        """The reference answer, key points and ranking in the post's thread."""
        if post.thread_id is None:
            log.warning("the daily post of %s on %s has no thread", post.guild_id, post.day)
            return
        thread = await _messageable(self._client, post.thread_id)
        ranking = await self._store.ranking(post.guild_id, post.day)
        await thread.send(embed=reveal_embed(question, post.day, ranking))


class DmSender:
    """A reminder as a DM; False when the person's DMs are closed to the bot (50007)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def send(self, user_id: str, text: str) -> bool:
        """Open the DM channel (POST /users/@me/channels) and send; False if DMs are closed."""
        user = self._client.get_user(int(user_id)) or await self._client.fetch_user(int(user_id))
        try:
            channel = await user.create_dm()
            await channel.send(text)
        except discord.Forbidden as error:
            if error.code == DMS_CLOSED:
                return False
            raise
        return True


class DailyFeature:
    """The question of the day and reminders for one bot: stores, runners, shared look-ups."""

    def __init__(self, client: discord.Client, app: App) -> None:
        services = app.manager.services
        engine = app.repository.engine
        shards = app.shards
        self.clock = services.clock
        self.bank = app.bank
        self.settings = app.settings.daily
        self.store = SqlDailyStore(engine)
        self.reminder_store = SqlReminderStore(engine)
        self.answers = DailyAnswers(services, app.settings.engine.max_answer_chars)
        self.publisher = DiscordPublisher(client, self.store)
        self.runner = DailyRunner(
            app.bank,
            self.store,
            self.publisher,
            services.clock,
            services.rng,
            owns=lambda guild_id: shards.shard_for(guild_id) in shards.owned,
        )
        progress = StoredProgress(app.repository, app.bank.topic_of)
        self.reminders = ReminderRunner(self.reminder_store, progress, DmSender(client), self.clock)
        self._sends_reminders = 0 in shards.owned
        self._tasks: list[asyncio.Task[Any]] = []

    def start(self) -> None:
        """Start the loops once (on_ready may come again after a reconnect)."""
        if self._tasks:
            return
        self._tasks.append(spawn(self.runner.run(), "daily-question"))
        if self._sends_reminders:
            self._tasks.append(spawn(self.reminders.loop.run(), "reminders"))

    async def stop(self) -> None:
        """Stop the loops (the bot is closing)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def post_of(self, guild_id: str, day: date) -> DailyPost:
        """The server's post of that day."""
        for post in await self.store.posts(guild_id):
            if post.day == day:
                return post
        raise DailyAnswerRefused("That question of the day is no longer open.")

    async def post_in_thread(self, thread_id: int) -> DailyPost | None:
        """The post whose thread this is; None for any other channel (remembered)."""
        known = self.publisher.threads
        if known.get(thread_id) is False:
            return None
        post = await self.store.post_in_thread(str(thread_id))
        if len(known) > KNOWN_THREADS:
            known.clear()  # a bound, not a cache policy: it refills from the store
        known[thread_id] = post is not None
        return post
