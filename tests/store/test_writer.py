"""The group commit: concurrent steps all stored, each before its caller returns; one bad row
fails only its own caller."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot.engine.events import Mode, SessionStatus
from bot.engine.ports import SessionRecord
from bot.store.repository import SqlRepository
from bot.store.tables import attempts
from tests.store.test_repository import T0, attempt


def session(n: int) -> SessionRecord:
    return SessionRecord(
        id=f"s{n}", mode=Mode.SOLO, host="ada", started_at=T0, participants=("ada",)
    )


async def stored_attempts(repository: SqlRepository) -> list[tuple[str, str]]:
    async with repository.engine.connect() as conn:
        rows = await conn.execute(sa.select(attempts.c.session_id, attempts.c.question_id))
        return sorted((r.session_id, r.question_id) for r in rows)


async def test_concurrent_answers_are_all_stored_when_their_callers_return(
    repository: SqlRepository,
) -> None:
    async def answer(n: int) -> None:
        for k in range(2):
            record = replace(attempt(f"q{k}", k), session_id=f"s{n}")
            await repository.record_attempt(record, session(n))
            # stored once the call returns: a fresh connection sees it
            assert (f"s{n}", f"q{k}") in await stored_attempts(repository)

    begun = repository.writer.transactions
    await asyncio.gather(*(answer(n) for n in range(30)))
    assert await stored_attempts(repository) == sorted(
        (f"s{n}", f"q{k}") for n in range(30) for k in range(2)
    )
    for n in range(30):
        row = await repository.session_row(f"s{n}")
        assert row is not None
        assert row.status is SessionStatus.RUNNING
    if repository.writer.grouped:  # SQLite: the steps that queued up shared transactions
        assert repository.writer.transactions - begun < 60


async def test_the_latest_state_of_a_session_wins_within_a_group(
    repository: SqlRepository,
) -> None:
    first = session(1)
    later = replace(first, status=SessionStatus.ENDED, ended_at=T0, state=None)
    await asyncio.gather(repository.save_session(first), repository.save_session(later))
    row = await repository.session_row("s1")
    assert row is not None
    assert row.status is SessionStatus.ENDED


async def test_one_bad_row_fails_only_its_own_caller(repository: SqlRepository) -> None:
    await repository.save_session(session(1))
    good = [repository.record_attempt(attempt(f"q{k}", k)) for k in range(5)]
    orphan = replace(attempt("lost", 9), session_id="no-such-session")  # breaks the foreign key
    results = await asyncio.gather(
        *good[:2], repository.record_attempt(orphan), *good[2:], return_exceptions=True
    )
    assert [isinstance(r, sa.exc.IntegrityError) for r in results] == [False] * 2 + [True] + [
        False
    ] * 3
    assert await stored_attempts(repository) == [("s1", f"q{k}") for k in range(5)]


async def test_a_failed_write_alone_raises(repository: SqlRepository) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        await repository.record_attempt(replace(attempt("lost", 1), session_id="nowhere"))
    assert await stored_attempts(repository) == []


async def test_a_caller_cancelled_mid_commit_leaves_every_row_stored_once(
    repository: SqlRepository,
) -> None:
    await repository.save_session(session(1))
    first = asyncio.ensure_future(repository.record_attempt(attempt("q1", 1)))
    second = asyncio.ensure_future(repository.record_attempt(attempt("q2", 2)))
    await asyncio.sleep(0)  # the first holds the writer, mid-commit; the second waits for it
    first.cancel()
    await asyncio.gather(first, second, return_exceptions=True)
    async with asyncio.timeout(5):  # the cancelled caller's transaction still completes
        while len(await stored_attempts(repository)) < 2:
            await asyncio.sleep(0.01)
    assert await stored_attempts(repository) == [("s1", "q1"), ("s1", "q2")]


async def test_on_sqlite_a_group_commits_in_the_writer_thread_with_the_pragmas(
    repository: SqlRepository,
) -> None:
    if repository.engine.dialect.name != "sqlite":  # PostgreSQL: each step alone, on the pool
        assert repository.writer.thread is None
        return
    assert repository.writer.thread is not None
    committed_in: list[str] = []
    sync_engine = repository.writer.thread.engine
    sa.event.listen(
        sync_engine, "commit", lambda _conn: committed_in.append(threading.current_thread().name)
    )
    await asyncio.gather(*(repository.save_session(session(n)) for n in range(10)))
    assert committed_in  # the writer's own connection committed them ...
    assert all(name.startswith("sqlite-writer") for name in committed_in)  # ... off the loop
    assert len(committed_in) < 10  # queued steps shared transactions
    with sync_engine.connect() as conn:  # the writer's connection has the bot's pragmas
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
