"""The writes of every session step: one transaction at a time on SQLite, grouped.

SQLite lets one connection write at a time. With a pool of connections, concurrent answers each
opened a transaction, all but one got SQLITE_BUSY, and SQLite's busy handler slept 1, 2, 5, 10,
... 100 ms before trying again; and every statement is a round trip to aiosqlite's thread. Under
100 concurrent sessions that was most of a typed answer's reply time. So on SQLite the writer
holds an asyncio lock instead: the caller that gets it commits every step queued so far in one
transaction, the session rows as one executemany upsert and the attempts as one executemany
insert (a group commit, however many answers), and each caller returns only
once the transaction holding its rows has committed, so an answer is still stored before its
grade is shown. A failed group is retried one step per transaction, so one bad row fails only
its own caller. Other databases take concurrent writers: each step is its own transaction there.

A group's transaction runs whole in one worker thread of its own, on its own SQLite connection
(`SqliteThread`): one hand-off from the loop and one back per group. Through aiosqlite it was
eight (cursor, execute, close for each statement, commit, the pool's rollback), and under load
each one waited its turn behind everything else ready on the loop. Once begun, a transaction
runs to its end even if its caller is cancelled (shielded), so none is written twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Executable, Table, create_engine, event, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
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


class SqliteThread:
    """One worker thread with one SQLite connection of its own: each group's whole transaction
    is one call into it (the file's pragmas applied by `on_connect`, as on the bot's pool)."""

    def __init__(self, engine: AsyncEngine, on_connect: Callable[[Any, Any], None]) -> None:
        self.engine = create_engine(engine.url.set(drivername="sqlite"), pool_size=1)
        event.listen(self.engine, "connect", on_connect)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")

    async def run(self, steps: list[Step]) -> None:
        """All the steps in one transaction, committed when this returns."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._together, steps)

    def _together(self, steps: list[Step]) -> None:
        with self.engine.begin() as conn:
            _insert_together(conn, steps)

    async def close(self) -> None:
        """Close the connection, then end the thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self.engine.dispose)
        self._thread.shutdown()


class Writer:
    """Commits steps: grouped and one transaction at a time (`thread`, SQLite) or each alone."""

    def __init__(self, engine: AsyncEngine, *, thread: SqliteThread | None = None) -> None:
        self.engine = engine
        self.thread = thread
        self.transactions = 0  # how many were begun, for the benchmarks
        self._lock = asyncio.Lock()
        self._queue: list[_Queued] = []

    @classmethod
    def for_engine(cls, engine: AsyncEngine, on_connect: Callable[[Any, Any], None]) -> Writer:
        """Grouped in a thread of its own for an SQLite file; each step alone elsewhere."""
        url = engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return cls(engine)
        return cls(engine, thread=SqliteThread(engine, on_connect))

    @property
    def grouped(self) -> bool:
        """Whether concurrent steps share transactions."""
        return self.thread is not None

    async def write(self, step: Step) -> None:
        """Store the step's rows; returns once the transaction holding them has committed."""
        if self.thread is None:
            await asyncio.shield(self._alone(step))  # committed even if the caller is cancelled
            return
        mine = _Queued(step)
        self._queue.append(mine)
        try:
            async with self._lock:
                if not mine.done.done():
                    group, self._queue = self._queue, []
                    # shielded: once begun, the group's outcome is known (none written twice)
                    await asyncio.shield(self._commit(self.thread, group, mine))
        except asyncio.CancelledError:
            if mine in self._queue:  # cancelled while waiting: not written
                self._queue.remove(mine)
            raise
        mine.done.result()

    async def close(self) -> None:
        """End the writer's thread, if it has one."""
        if self.thread is not None:
            await self.thread.close()

    async def _alone(self, step: Step) -> None:
        self.transactions += 1
        async with self.engine.begin() as conn:
            if step.session is not None:
                await _upsert_one(conn, step.session)
            if step.attempt is not None:
                await conn.execute(attempts.insert().values(**step.attempt))

    async def _commit(self, thread: SqliteThread, group: list[_Queued], mine: _Queued) -> None:
        try:
            self.transactions += 1
            await thread.run([q.step for q in group])
        except Exception as exc:
            if len(group) == 1:
                mine.done.set_exception(exc)
                return
            for queued in group:  # each step alone, so each caller gets its own outcome
                await self._settle(thread, queued)
            return
        for queued in group:
            queued.done.set_result(None)

    async def _settle(self, thread: SqliteThread, queued: _Queued) -> None:
        try:
            self.transactions += 1
            await thread.run([queued.step])
        except Exception as exc:  # handed to the caller who asked for the write
            queued.done.set_exception(exc)
        else:
            queued.done.set_result(None)


def _session_upsert(insert: Callable[[Table], Any]) -> Executable:
    """INSERT a session's row, or UPDATE every column but the id when it exists, in one
    statement (ON CONFLICT, which SQLite and PostgreSQL share)."""
    upsert = insert(sessions)
    changed = {c.name: upsert.excluded[c.name] for c in sessions.c if c.name != "id"}
    return upsert.on_conflict_do_update(index_elements=["id"], set_=changed)  # type: ignore[no-any-return]


# built once: SQLAlchemy then computes its cache key once, not on every group (6% of the bot's
# loop time under the load benchmark when it was rebuilt each time)
_UPSERTS = {
    "sqlite": _session_upsert(sqlite_insert),
    "postgresql": _session_upsert(postgresql_insert),
}
_SESSION_UPSERT = _UPSERTS["sqlite"]
_ATTEMPT_INSERT = attempts.insert()


def _insert_together(conn: Connection, steps: list[Step]) -> None:
    """All steps in one SQLite transaction: sessions first (attempts refer to them)."""
    rows = [s.session for s in steps if s.session is not None]
    new = [s.attempt for s in steps if s.attempt is not None]
    if rows:
        conn.execute(_SESSION_UPSERT, rows)
    if new:
        conn.execute(_ATTEMPT_INSERT, new)


async def _upsert_one(conn: AsyncConnection, row: Row) -> None:
    """Insert the session's row or update it, atomically where the database has ON CONFLICT
    (two saves of one new session at once must not both insert); elsewhere update, then insert."""
    upsert = _UPSERTS.get(conn.dialect.name)
    if upsert is not None:
        await conn.execute(upsert, [row])
        return
    values = {k: v for k, v in row.items() if k != "id"}
    result = await conn.execute(update(sessions).where(sessions.c.id == row["id"]).values(**values))
    if result.rowcount == 0:
        await conn.execute(sessions.insert().values(**row))
