"""The SQL repository: sessions and attempts through SQLAlchemy's async engine."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, case, cast, delete, event, func, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.engine.ports import AttemptRecord, SessionRecord
from bot.store.migrate import upgrade
from bot.store.tables import attempts, leaderboard_members, sessions

log = logging.getLogger(__name__)


class SqlRepository:
    """Sessions and attempts in SQLite (default) or any SQLAlchemy async database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def open(cls, url: str) -> SqlRepository:
        """Create the data folder if needed, migrate the schema to head, and connect."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(upgrade, url)
        engine = create_async_engine(url)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return cls(engine)

    async def close(self) -> None:
        """Close every connection."""
        await self.engine.dispose()

    async def save_session(self, record: SessionRecord) -> None:
        """Insert the session, or update it when it exists."""
        values = {
            "mode": record.mode,
            "host": record.host,
            "guild_id": record.guild_id,
            "channel_id": record.channel_id,
            "participants": list(record.participants),
            "options": record.options,
            "status": record.status,
            "started_at": record.started_at,
            "ended_at": record.ended_at,
            "shard_id": record.shard_id,
        }
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(sessions).where(sessions.c.id == record.id).values(**values)
            )
            if result.rowcount == 0:
                await conn.execute(sessions.insert().values(id=record.id, **values))

    async def interrupt_running(
        self, shard_ids: Sequence[int], ended_at: datetime, keep: Sequence[str] = ()
    ) -> list[str]:
        """Mark sessions still "running" on these shards "interrupted" (except `keep`).

        Sessions of other shards, and those without a shard (terminal practice, rows from
        before migration 0003), are never touched. Returns the ids marked.
        """
        owned = (
            (sessions.c.status == "running")
            & sessions.c.shard_id.in_(list(shard_ids))
            & sessions.c.id.not_in(list(keep))
        )
        statement = (
            update(sessions)
            .where(owned)
            .values(status="interrupted", ended_at=ended_at)
            .returning(sessions.c.id)
        )
        async with self.engine.begin() as conn:
            return sorted(row.id for row in await conn.execute(statement))

    async def record_attempt(self, attempt: AttemptRecord) -> None:
        """Insert one attempt and commit before returning."""
        async with self.engine.begin() as conn:
            await conn.execute(
                attempts.insert().values(
                    session_id=attempt.session_id,
                    user_id=attempt.user_id,
                    guild_id=attempt.guild_id,
                    mode=attempt.mode,
                    question_id=attempt.question_id,
                    node_id=attempt.node_id,
                    answer_text=attempt.answer_text,
                    outcome=attempt.outcome,
                    score=attempt.score,
                    covered=list(attempt.covered),
                    missed=list(attempt.missed),
                    hints_used=attempt.hints_used,
                    asked_at=attempt.asked_at,
                    answered_at=attempt.answered_at,
                    seconds=attempt.seconds,
                    words_per_minute=attempt.words_per_minute,
                    filler_words=attempt.filler_words,
                )
            )

    async def recent_question_ids(self, user_id: str, limit: int) -> list[str]:
        """The distinct question ids this user answered most recently, newest first."""
        if limit <= 0:
            return []
        latest = func.max(attempts.c.answered_at)
        query = (
            select(attempts.c.question_id, latest.label("latest"))
            .where(attempts.c.user_id == user_id)
            .group_by(attempts.c.question_id)
            .order_by(latest.desc(), attempts.c.question_id)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            return [row.question_id for row in rows]

    async def attempts_for(self, user_id: str) -> list[dict[str, Any]]:
        """Every attempt of one user, oldest first, as plain dicts."""
        query = select(attempts).where(attempts.c.user_id == user_id).order_by(attempts.c.id)
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            return [_aware(dict(row._mapping)) for row in rows]

    async def export_user(self, user_id: str) -> dict[str, Any]:
        """Everything stored about one person: their attempts and the sessions they were in."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(sessions).where(_involves(user_id)).order_by(sessions.c.started_at)
            )
            their_sessions = [_aware(dict(r._mapping)) for r in rows]
        return {
            "user_id": user_id,
            "sessions": their_sessions,
            "attempts": await self.attempts_for(user_id),
        }

    async def delete_user(self, user_id: str) -> int:
        """Remove every row about one person; returns how many attempts went.

        Their attempts are deleted; a session only they took part in is deleted; in a session
        shared with others they are taken off the participants (and off the host, which passes
        to the next participant), so nothing names them any more.
        """
        async with self.engine.begin() as conn:
            gone = await conn.execute(delete(attempts).where(attempts.c.user_id == user_id))
            await conn.execute(
                delete(leaderboard_members).where(leaderboard_members.c.user_id == user_id)
            )
            rows = (await conn.execute(select(sessions).where(_involves(user_id)))).all()
            for row in rows:
                others = [p for p in row.participants if p != user_id]
                if not others:
                    await conn.execute(delete(attempts).where(attempts.c.session_id == row.id))
                    await conn.execute(delete(sessions).where(sessions.c.id == row.id))
                    continue
                host = row.host if row.host != user_id else others[0]
                await conn.execute(
                    update(sessions)
                    .where(sessions.c.id == row.id)
                    .values(participants=others, host=host)
                )
        return int(gone.rowcount or 0)

    async def set_leaderboard(self, guild_id: str, user_id: str, *, member: bool) -> None:
        """Opt a person in to (or out of) one server's leaderboard."""
        async with self.engine.begin() as conn:
            where = (leaderboard_members.c.guild_id == guild_id) & (
                leaderboard_members.c.user_id == user_id
            )
            await conn.execute(delete(leaderboard_members).where(where))
            if member:
                await conn.execute(
                    leaderboard_members.insert().values(
                        guild_id=guild_id, user_id=user_id, joined_at=datetime.now(UTC)
                    )
                )

    async def leaderboard(self, guild_id: str, limit: int = 10) -> list[dict[str, Any]]:
        """Opted-in members of a server, best first: quick-fire items won and group points."""
        won = func.sum(case((attempts.c.outcome == "correct", 1), else_=0))
        group = func.sum(case((attempts.c.mode == "group", attempts.c.score), else_=0.0))
        query = (
            select(
                attempts.c.user_id,
                won.label("quickfire_correct"),
                group.label("group_points"),
                func.count().label("answers"),
            )
            .join(
                leaderboard_members,
                (leaderboard_members.c.user_id == attempts.c.user_id)
                & (leaderboard_members.c.guild_id == attempts.c.guild_id),
            )
            .where(attempts.c.guild_id == guild_id, attempts.c.mode.in_(("quickfire", "group")))
            .group_by(attempts.c.user_id)
        )
        async with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in await conn.execute(query)]
        for row in rows:
            row["total"] = float(row["quickfire_correct"] or 0) + float(row["group_points"] or 0)
        rows.sort(key=lambda r: (-r["total"], r["user_id"]))
        return rows[:limit]

    async def session_row(self, session_id: str) -> dict[str, Any] | None:
        """One session's row as a dict, or None."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(sessions).where(sessions.c.id == session_id))).first()
            return _aware(dict(row._mapping)) if row else None


def _involves(user_id: str) -> Any:
    """Sessions this person hosted or joined (JSON searched as text: portable SQL)."""
    listed = cast(sessions.c.participants, Text).like(f'%"{user_id}"%')
    return or_(sessions.c.host == user_id, listed)


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """SQLite drops time zones: put UTC back on every datetime."""
    return {
        key: value.replace(tzinfo=UTC)
        if isinstance(value, datetime) and value.tzinfo is None
        else value
        for key, value in row.items()
    }


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL with NORMAL keeps every committed answer if the process is killed (the WAL is in the
    # OS's hands); only a power cut can lose the last commits. FULL would fsync every answer.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
