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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.engine.events import Mode, Outcome, SessionStatus
from bot.engine.ports import AttemptRecord, LeaderboardLine, SessionRecord
from bot.store.migrate import at_head, upgrade
from bot.store.tables import attempts, leaderboard_members, notices, sessions
from bot.store.writer import Step, Writer

log = logging.getLogger(__name__)

SQLITE_CACHE_KIB = 256


class SqlRepository:
    """Sessions and attempts in SQLite (default) or any SQLAlchemy async database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # the writes of every step go through it: grouped on SQLite (see bot/store/writer.py)
        self.writer = Writer.for_engine(engine, _sqlite_pragmas)

    @classmethod
    async def open(cls, url: str) -> SqlRepository:
        """Create the data folder if needed, migrate the schema to head, and connect."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        try:
            async with engine.connect() as conn:
                current = await at_head(conn)
            if not current:
                await asyncio.to_thread(upgrade, url)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    async def close(self) -> None:
        """Close every connection (the writer's too)."""
        await self.writer.close()
        await self.engine.dispose()

    async def save_session(self, record: SessionRecord) -> None:
        """Insert the session, or update it when it exists (committed when this returns)."""
        await self.writer.write(Step(session=_session_row(record)))

    async def running_sessions(self, shard_ids: Sequence[int]) -> list[SessionRecord]:
        """Sessions still "running" on these shards, oldest first."""
        query = (
            select(sessions)
            .where(
                sessions.c.status == SessionStatus.RUNNING.value,
                sessions.c.shard_id.in_(list(shard_ids)),
            )
            .order_by(sessions.c.started_at, sessions.c.id)
        )
        async with self.engine.connect() as conn:
            return [_session(_aware(dict(row._mapping))) for row in await conn.execute(query)]

    async def interrupt_running(
        self, shard_ids: Sequence[int], ended_at: datetime, keep: Sequence[str] = ()
    ) -> list[str]:
        """Mark sessions still "running" on these shards "interrupted" (except `keep`).

        Sessions of other shards, and those without a shard (terminal practice, rows from
        before migration 0003), are never touched. Returns the ids marked.
        """
        owned = (
            (sessions.c.status == SessionStatus.RUNNING.value)
            & sessions.c.shard_id.in_(list(shard_ids))
            & sessions.c.id.not_in(list(keep))
        )
        statement = (
            update(sessions)
            .where(owned)
            .values(status=SessionStatus.INTERRUPTED.value, ended_at=ended_at)
            .returning(sessions.c.id)
        )
        async with self.engine.begin() as conn:
            return sorted(row.id for row in await conn.execute(statement))

    async def interrupt_local(self, host: str, ended_at: datetime) -> list[str]:
        """Mark this person's sessions outside Discord (no guild, no thread) still "running"
        "interrupted": a terminal process that was killed left them; returns their ids."""
        local = (
            (sessions.c.status == SessionStatus.RUNNING.value)
            & (sessions.c.host == host)
            & sessions.c.guild_id.is_(None)
            & sessions.c.channel_id.is_(None)
        )
        statement = (
            update(sessions)
            .where(local)
            .values(status=SessionStatus.INTERRUPTED.value, ended_at=ended_at)
            .returning(sessions.c.id)
        )
        async with self.engine.begin() as conn:
            return sorted(row.id for row in await conn.execute(statement))

    async def record_attempt(
        self, attempt: AttemptRecord, session: SessionRecord | None = None
    ) -> None:
        """Insert one attempt (and, with `session`, its session's row) and commit before
        returning: both in one transaction."""
        row = _session_row(session) if session is not None else None
        await self.writer.write(Step(session=row, attempt=_attempt_row(attempt)))

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

    async def attempts_for(self, user_id: str) -> list[AttemptRecord]:
        """Every attempt of one user, oldest first."""
        return [_attempt(row) for row in await self._attempt_rows(user_id)]

    async def question_attempts(self, user_id: str) -> list[AttemptRecord]:
        """One user's attempts at questions themselves (no follow-ups, no quick-fire)."""
        level = (attempts.c.node_id == attempts.c.question_id) & (
            attempts.c.mode != Mode.QUICKFIRE.value
        )
        return [_attempt(row) for row in await self._attempt_rows(user_id, level)]

    async def _attempt_rows(self, user_id: str, *where: Any) -> list[dict[str, Any]]:
        query = (
            select(attempts).where(attempts.c.user_id == user_id, *where).order_by(attempts.c.id)
        )
        async with self.engine.connect() as conn:
            return [_aware(dict(row._mapping)) for row in await conn.execute(query)]

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
            "attempts": await self._attempt_rows(user_id),
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
            await conn.execute(delete(notices).where(notices.c.user_id == user_id))
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

    async def first_notice(self, user_id: str, notice: str) -> bool:
        """Record that a person was given `notice`; True only the first time (a unique key)."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    notices.insert().values(
                        user_id=user_id, notice=notice, told_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:
            return False
        return True

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

    async def leaderboard(self, guild_id: str, limit: int = 10) -> list[LeaderboardLine]:
        """Opted-in members of a server, best first: quick-fire items won and group points."""
        won = func.sum(case((attempts.c.outcome == Outcome.CORRECT.value, 1), else_=0))
        group = func.sum(case((attempts.c.mode == Mode.GROUP.value, attempts.c.score), else_=0.0))
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
            .where(
                attempts.c.guild_id == guild_id,
                attempts.c.mode.in_((Mode.QUICKFIRE.value, Mode.GROUP.value)),
            )
            .group_by(attempts.c.user_id)
        )
        async with self.engine.connect() as conn:
            lines = [
                LeaderboardLine(
                    r.user_id, int(r.quickfire_correct or 0), float(r.group_points or 0), r.answers
                )
                for r in await conn.execute(query)
            ]
        lines.sort(key=lambda line: (-line.total, line.user_id))
        return lines[:limit]

    async def session_row(self, session_id: str) -> SessionRecord | None:
        """One session's stored record, or None."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(sessions).where(sessions.c.id == session_id))).first()
        return _session(_aware(dict(row._mapping))) if row is not None else None


def _session_row(record: SessionRecord) -> dict[str, Any]:
    """A session record as its row's values."""
    return {
        "id": record.id,
        "mode": record.mode.value,
        "host": record.host,
        "guild_id": record.guild_id,
        "channel_id": record.channel_id,
        "participants": list(record.participants),
        "options": record.options,
        "status": record.status.value,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "shard_id": record.shard_id,
        "state": record.state,
        "voice_channel_id": record.voice_channel_id,
    }


def _attempt_row(attempt: AttemptRecord) -> dict[str, Any]:
    """An attempt record as its row's values."""
    return {
        "session_id": attempt.session_id,
        "user_id": attempt.user_id,
        "guild_id": attempt.guild_id,
        "mode": attempt.mode.value,
        "question_id": attempt.question_id,
        "node_id": attempt.node_id,
        "answer_text": attempt.answer_text,
        "outcome": attempt.outcome.value,
        "score": attempt.score,
        "covered": list(attempt.covered),
        "missed": list(attempt.missed),
        "hints_used": attempt.hints_used,
        "asked_at": attempt.asked_at,
        "answered_at": attempt.answered_at,
        "seconds": attempt.seconds,
        "words_per_minute": attempt.words_per_minute,
        "filler_words": attempt.filler_words,
    }


def _session(values: dict[str, Any]) -> SessionRecord:
    """A stored session row as its record."""
    return SessionRecord(
        id=values["id"],
        mode=Mode(values["mode"]),
        host=values["host"],
        started_at=values["started_at"],
        participants=tuple(values["participants"]),
        guild_id=values["guild_id"],
        channel_id=values["channel_id"],
        shard_id=values["shard_id"],
        ended_at=values["ended_at"],
        status=SessionStatus(values["status"]),
        options=dict(values["options"] or {}),
        state=values.get("state"),
        voice_channel_id=values.get("voice_channel_id"),
    )


def _attempt(row: dict[str, Any]) -> AttemptRecord:
    """A stored attempt row as the record the engine wrote."""
    return AttemptRecord(
        session_id=row["session_id"],
        user_id=row["user_id"],
        mode=Mode(row["mode"]),
        question_id=row["question_id"],
        node_id=row["node_id"],
        answer_text=row["answer_text"],
        outcome=Outcome(row["outcome"]),
        score=float(row["score"]),
        asked_at=row["asked_at"],
        answered_at=row["answered_at"],
        covered=tuple(row["covered"] or ()),
        missed=tuple(row["missed"] or ()),
        hints_used=int(row["hints_used"] or 0),
        guild_id=row["guild_id"],
        words_per_minute=row["words_per_minute"],
        filler_words=row["filler_words"],
    )


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
    # 256 KiB of page cache per pooled connection (SQLite's default is 2 MB): the working set of
    # a session is a few pages and the OS caches the file anyway, while five connections filling
    # their caches as the database grows were most of the bot's memory growth over its first
    # thousands of sessions (docs/benchmarks.md, "Memory over 1,000 ended sessions").
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()
