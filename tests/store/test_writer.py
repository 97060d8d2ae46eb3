"""The group commit: concurrent steps all stored, each before its caller returns; one bad row
fails only its own caller."""

from __future__ import annotations

import asyncio
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
