"""Daily things in the database: question-of-the-day schedules and posts, practice reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bank.models import Difficulty
from bot.engine.daily import DailyPost, DailySchedule, DailyTime, parse_time
from bot.engine.daily_answers import daily_session_prefix
from bot.engine.reminders import ReminderSetting
from bot.store.tables import attempts, daily_posts, daily_schedules, leaderboard_members, reminders


class SqlDailyStore:
    """Schedules and posts, on the same engine as the sessions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def save_schedule(self, schedule: DailySchedule, now: datetime) -> None:
        """Set (or replace) a server's schedule."""
        values = {
            "channel_id": schedule.channel_id,
            "at": schedule.when.at.strftime("%H:%M"),
            "zone": schedule.when.zone,
            "topic": schedule.topic,
            "difficulty": schedule.difficulty,
            "updated_at": now,
        }
        async with self.engine.begin() as conn:
            where = daily_schedules.c.guild_id == schedule.guild_id
            result = await conn.execute(update(daily_schedules).where(where).values(**values))
            if result.rowcount == 0:
                await conn.execute(
                    daily_schedules.insert().values(guild_id=schedule.guild_id, **values)
                )

    async def delete_schedule(self, guild_id: str) -> bool:
        """Turn a server's question of the day off; False when it had none."""
        async with self.engine.begin() as conn:
            where = daily_schedules.c.guild_id == guild_id
            result = await conn.execute(delete(daily_schedules).where(where))
        return bool(result.rowcount)

    async def schedules(self, guild_ids: frozenset[str] | None = None) -> list[DailySchedule]:
        """Every schedule, or those of the given servers (a shard's own)."""
        query = select(daily_schedules).order_by(daily_schedules.c.guild_id)
        if guild_ids is not None:
            query = query.where(daily_schedules.c.guild_id.in_(sorted(guild_ids)))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            DailySchedule(
                str(row["guild_id"]),
                str(row["channel_id"]),
                DailyTime(parse_time(str(row["at"])), str(row["zone"]), _aware(row["updated_at"])),
                row["topic"],
                None if row["difficulty"] is None else Difficulty(row["difficulty"]),
            )
            for row in rows
        ]

    async def claim(self, post: DailyPost) -> bool:
        """Record the server's post for its day; False if that day was claimed already.

        The primary key (server, day) decides between restarts and shard processes racing for
        the same post: only the process whose insert succeeds posts.
        """
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    daily_posts.insert().values(
                        guild_id=post.guild_id,
                        day=post.day,
                        question_id=post.question_id,
                        channel_id=post.channel_id,
                        thread_id=post.thread_id,
                        posted_at=post.posted_at,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def set_thread(self, guild_id: str, day: date, thread_id: str) -> None:
        """Where the day's question was posted."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(daily_posts)
                .where(daily_posts.c.guild_id == guild_id, daily_posts.c.day == day)
                .values(thread_id=thread_id)
            )

    async def mark_revealed(self, guild_id: str, day: date, now: datetime) -> bool:
        """Note the day's reveal; False if it was revealed already (reveal once)."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(daily_posts)
                .where(
                    daily_posts.c.guild_id == guild_id,
                    daily_posts.c.day == day,
                    daily_posts.c.revealed_at.is_(None),
                )
                .values(revealed_at=now)
            )
        return bool(result.rowcount)

    async def posts(self, guild_id: str, limit: int = 30) -> list[DailyPost]:
        """The server's latest posts, newest first."""
        query = (
            select(daily_posts)
            .where(daily_posts.c.guild_id == guild_id)
            .order_by(daily_posts.c.day.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_post(row) for row in rows]

    async def post_in_thread(self, thread_id: str) -> DailyPost | None:
        """The post whose thread this is, or None (not a question-of-the-day thread)."""
        query = select(daily_posts).where(daily_posts.c.thread_id == thread_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _post(row)

    async def ranking(self, guild_id: str, day: date) -> list[tuple[str, float]]:
        """Who answered the day's question among the server's leaderboard members, best first:
        (user id, score); members who did not join the leaderboard are never listed."""
        query = (
            select(attempts.c.user_id, attempts.c.score)
            .join(
                leaderboard_members,
                (leaderboard_members.c.user_id == attempts.c.user_id)
                & (leaderboard_members.c.guild_id == guild_id),
            )
            .where(attempts.c.session_id.startswith(daily_session_prefix(guild_id, day)))
            .order_by(attempts.c.score.desc(), attempts.c.answered_at, attempts.c.user_id)
        )
        async with self.engine.connect() as conn:
            return [(str(row.user_id), float(row.score)) for row in await conn.execute(query)]


def _post(row: Any) -> DailyPost:
    return DailyPost(
        str(row["guild_id"]),
        row["day"],
        str(row["question_id"]),
        str(row["channel_id"]),
        _aware(row["posted_at"]),
        row["thread_id"],
        None if row["revealed_at"] is None else _aware(row["revealed_at"]),
    )


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class SqlReminderStore:
    """Reminder settings, and the one reminder a person gets a day."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def set_reminders(self, user_id: str, when: DailyTime | None) -> None:
        """Turn reminders on at a time (replacing an earlier time), or off (None)."""
        where = reminders.c.user_id == user_id
        async with self.engine.begin() as conn:
            if when is None:
                await conn.execute(delete(reminders).where(where))
                return
            values = {
                "at": when.at.strftime("%H:%M"),
                "zone": when.zone,
                "updated_at": when.since or datetime.now(UTC),
            }
            result = await conn.execute(update(reminders).where(where).values(**values))
            if result.rowcount == 0:
                await conn.execute(reminders.insert().values(user_id=user_id, **values))

    async def reminder_settings(self) -> list[ReminderSetting]:
        """Everyone with reminders on."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(reminders).order_by(reminders.c.user_id))).all()
        return [
            ReminderSetting(
                str(row.user_id),
                DailyTime(parse_time(str(row.at)), str(row.zone), _aware(row.updated_at)),
            )
            for row in rows
        ]

    async def last_reminded(self, user_id: str) -> date | None:
        """The local day of the person's last reminder."""
        query = select(reminders.c.last_day).where(reminders.c.user_id == user_id)
        async with self.engine.connect() as conn:
            value = (await conn.execute(query)).scalar()
        return value if isinstance(value, date) else None

    async def claim_reminder(self, user_id: str, day: date) -> bool:
        """Take the reminder for `day` in one conditional update; False if already taken."""
        query = (
            update(reminders)
            .where(
                reminders.c.user_id == user_id,
                or_(reminders.c.last_day.is_(None), reminders.c.last_day < day),
            )
            .values(last_day=day)
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(query)
        return bool(result.rowcount)
