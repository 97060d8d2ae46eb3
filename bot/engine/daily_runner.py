"""Posting the question of the day: wake at the next set time, claim the day, reveal, post.

The runner knows nothing of Discord: a `DailyPublisher` turns "post this question" and "reveal
that one" into messages. A post is claimed in the store before it is published, so two shard
processes or a restart mid-post never post twice; a claimed post whose publishing failed is
logged and not retried that day (a missing post is better than a double one).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

from bot.bank.catalog import Bank
from bot.bank.models import Question
from bot.engine.clock import Clock
from bot.engine.daily import DailyPost, DailySchedule
from bot.engine.daily_loop import DailyLoop
from bot.engine.selection import pick

log = logging.getLogger(__name__)

RECENT_POSTS = (
    60  # a server does not get a question it had in its last N posts, while others remain
)


class DailyStore(Protocol):
    """Where schedules and posts live (the SQL store in production)."""

    async def schedules(self, guild_ids: frozenset[str] | None = None) -> list[DailySchedule]:
        """Every schedule, or those of the given servers."""
        ...

    async def claim(self, post: DailyPost) -> bool:
        """Record the post for its server and day; False if that day was claimed already."""
        ...

    async def set_thread(self, guild_id: str, day: date, thread_id: str) -> None:
        """Where the day's question was posted."""
        ...

    async def mark_revealed(self, guild_id: str, day: date, now: datetime) -> bool:
        """Note a reveal; False if it was revealed already."""
        ...

    async def posts(self, guild_id: str, limit: int = 30) -> list[DailyPost]:
        """The server's latest posts, newest first."""
        ...


class DailyPublisher(Protocol):
    """What the adapter does with a post: open its thread; later, reveal it."""

    async def publish(self, schedule: DailySchedule, question: Question, day: date) -> str:
        """Post the question; return the id of the thread it lives in."""
        ...

    async def reveal(self, post: DailyPost, question: Question) -> None:
        """Post the reference answer (and the ranking) in an earlier post's thread."""
        ...


class DailyRunner:
    """Posts each due question of the day for the servers this process owns."""

    def __init__(
        self,
        bank: Bank,
        store: DailyStore,
        publisher: DailyPublisher,
        clock: Clock,
        rng: random.Random,
        guild_ids: frozenset[str] | None = None,
        owns: Callable[[str], bool] | None = None,
    ) -> None:
        self._bank = bank
        self._store = store
        self._publisher = publisher
        self._clock = clock
        self._rng = rng
        self._guild_ids = guild_ids
        self._owns = owns or (lambda _guild_id: True)  # a shard process posts for its guilds
        self.loop = DailyLoop(clock, self.tick)

    def changed(self) -> None:
        """A schedule was set or removed: plan again now."""
        self.loop.changed()

    async def run(self) -> None:
        """Post what is due, then sleep until the next set time (or a change), forever."""
        await self.loop.run()

    async def tick(self) -> datetime | None:
        """Post every question due now; the earliest next set time, or None without schedules."""
        now = self._clock.utcnow()
        wake: datetime | None = None
        for schedule in await self._store.schedules(self._guild_ids):
            if not self._owns(schedule.guild_id):
                continue
            posts = await self._store.posts(schedule.guild_id, RECENT_POSTS)
            last = posts[0].day if posts else None
            day = schedule.when.due(now, last)
            if day is not None:
                try:
                    await self.post(schedule, day, posts)
                except Exception:
                    log.exception("the daily question for server %s failed", schedule.guild_id)
                last = day
            upcoming = schedule.when.next_check(now, last)
            wake = upcoming if wake is None else min(wake, upcoming)
        return wake

    async def post(
        self, schedule: DailySchedule, day: date, posts: Sequence[DailyPost] = ()
    ) -> DailyPost | None:
        """Reveal the previous post, then claim and post `day`'s; None if the day was taken."""
        question = self.choose(schedule, [p.question_id for p in posts])
        post = DailyPost(
            schedule.guild_id, day, question.id, schedule.channel_id, self._clock.utcnow()
        )
        if not await self._store.claim(post):
            return None
        for earlier in posts:
            if earlier.revealed_at is None and earlier.day < day:
                await self.reveal(earlier)
        thread_id = await self._publisher.publish(schedule, question, day)
        await self._store.set_thread(schedule.guild_id, day, thread_id)
        return DailyPost(
            post.guild_id, day, question.id, post.channel_id, post.posted_at, thread_id
        )

    async def reveal(self, post: DailyPost) -> bool:
        """Reveal one post once; False if it was revealed already."""
        if not await self._store.mark_revealed(post.guild_id, post.day, self._clock.utcnow()):
            return False
        question, _ = self._bank.node(post.question_id)
        await self._publisher.reveal(post, question)
        return True

    def choose(self, schedule: DailySchedule, recent: Sequence[str]) -> Question:
        """A question matching the schedule's filters that the server has not seen lately."""
        candidates = self._bank.select_questions(schedule.topic, schedule.difficulty)
        return pick(
            candidates,
            1,
            recent,
            self._rng,
            topic=schedule.topic,
            difficulty=schedule.difficulty,
        )[0]
