"""The writes of every session step: one transaction at a time on SQLite, grouped.

SQLite lets one connection write at a time. With a pool of connections, concurrent answers each
opened a transaction, all but one got SQLITE_BUSY, and SQLite's busy handler slept 1, 2, 5, 10,
... 100 ms before trying again; and every statement is a round trip to aiosqlite's thread. Under
100 concurrent sessions that was most of a typed answer's reply time. So on SQLite the writer
holds an asyncio lock instead: the caller that gets it commits every step queued so far in one
transaction, the session rows as one executemany upsert and the attempts as one executemany
insert (a group commit: four round trips however many answers), and each caller returns only
once the transaction holding its rows has committed, so an answer is still stored before its
grade is shown. A failed group is retried one step per transaction, so one bad row fails only
its own caller. Other databases take concurrent writers: each step is its own transaction there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.tables import attempts, sessions

Row = dict[str, Any]


@dataclass(frozen=True)
class Step:
    """The rows of one session step: its session's row (inserted or updated), its attempt."""

    session: Row | None = None
    attempt: Row | None = None


@dataclass
class _Queued:
    step: Step
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Writer:
    """Commits steps: grouped and one transaction at a time (`grouped`, SQLite) or each alone."""

    def __init__(self, engine: AsyncEngine, *, grouped: bool) -> None:
        self.engine = engine
        self.grouped = grouped
        self.transactions = 0  # how many were begun, for the benchmarks
        self._lock = asyncio.Lock()
        self._queue: list[_Queued] = []

    async def write(self, step: Step) -> None:
        """Store the step's rows; returns once the transaction holding them has committed."""
        if not self.grouped:
            await self._alone(step)
            return
        mine = _Queued(step)
        self._queue.append(mine)
        try:
            async with self._lock:
                if not mine.done.done():
                    group, self._queue = self._queue, []
                    await self._commit(group, mine)
        except asyncio.CancelledError:
            if mine in self._queue:  # cancelled while waiting: not written
                self._queue.remove(mine)
            raise
        mine.done.result()

    async def _alone(self, step: Step) -> None:
        self.transactions += 1
        async with self.engine.begin() as conn:
            if step.session is not None:
                await _upsert_one(conn, step.session)
            if step.attempt is not None:
                await conn.execute(attempts.insert().values(**step.attempt))

    async def _commit(self, group: list[_Queued], mine: _Queued) -> None:
        try:
            await self._together([q.step for q in group])
        except asyncio.CancelledError:
            self._queue[:0] = [q for q in group if q is not mine]  # the next holder commits them
            raise
        except Exception as exc:
            if len(group) == 1:
                mine.done.set_exception(exc)
                return
            for queued in group:  # each step alone, so each caller gets its own outcome
                await self._settle(queued)
            return
        for queued in group:
            queued.done.set_result(None)

    async def _together(self, steps: list[Step]) -> None:
        """All steps in one SQLite transaction: sessions first (attempts refer to them)."""
        self.transactions += 1
        rows = [s.session for s in steps if s.session is not None]
        new = [s.attempt for s in steps if s.attempt is not None]
        async with self.engine.begin() as conn:
            if rows:
                upsert = sqlite_insert(sessions)
                changed = {c.name: upsert.excluded[c.name] for c in sessions.c if c.name != "id"}
                await conn.execute(
                    upsert.on_conflict_do_update(index_elements=["id"], set_=changed), rows
                )
            if new:
                await conn.execute(attempts.insert(), new)

    async def _settle(self, queued: _Queued) -> None:
        try:
            await self._alone(queued.step)
        except Exception as exc:  # handed to the caller who asked for the write
            queued.done.set_exception(exc)
        else:
            queued.done.set_result(None)


async def _upsert_one(conn: AsyncConnection, row: Row) -> None:
    """Update the session's row, or insert it when there is none (any database)."""
    values = {k: v for k, v in row.items() if k != "id"}
    result = await conn.execute(update(sessions).where(sessions.c.id == row["id"]).values(**values))
    if result.rowcount == 0:
        await conn.execute(sessions.insert().values(**row))
