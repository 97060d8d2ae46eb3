"""The session's shard in the store: migration 0003, and the crash clean-up scoped by shard."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bot.engine.events import Mode, SessionStatus
from bot.engine.ports import SessionRecord
from bot.store.migrate import alembic_config, downgrade, upgrade
from bot.store.repository import SqlRepository
from tests.conftest import POSTGRES_URL, ROOT

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def record(
    session_id: str, shard_id: int | None, status: SessionStatus = SessionStatus.RUNNING
) -> SessionRecord:
    return SessionRecord(
        id=session_id,
        mode=Mode.SOLO,
        host="ada",
        started_at=T0,
        guild_id=None if shard_id is None else "1",
        shard_id=shard_id,
        status=status,
    )


async def columns(repository: SqlRepository) -> set[str]:
    async with repository.engine.connect() as conn:
        found = await conn.run_sync(lambda c: sa.inspect(c).get_columns("sessions"))
    return {column["name"] for column in found}


async def head(repository: SqlRepository) -> str:
    async with repository.engine.connect() as conn:
        return str(
            (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()
        )


async def test_migration_0003_adds_the_shard_and_takes_it_away(
    repository: SqlRepository, db_url: str
) -> None:
    """Down to 0002 and up again, keeping the rows; sessions from before 0003 have no shard."""
    assert await head(repository) == HEAD
    assert "shard_id" in await columns(repository)
    await repository.save_session(record("new", 1))
    await asyncio.to_thread(downgrade, db_url, "0002")
    await repository.engine.dispose()  # the table was rebuilt (SQLite): fresh connections
    assert "shard_id" not in await columns(repository)
    async with repository.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE sessions SET id = 'old'"))
    await asyncio.to_thread(upgrade, db_url)
    await repository.engine.dispose()
    assert await head(repository) == HEAD
    row = await repository.session_row("old")
    assert row is not None
    assert (row.shard_id, row.status) == (None, "running")
    assert await repository.interrupt_running([0, 1], T0) == []  # unowned: never touched


async def test_interrupt_running_touches_only_the_given_shards(
    repository: SqlRepository,
) -> None:
    for session in [
        record("a0", 0),
        record("b0", 0),
        record("kept", 0),
        record("done", 0, status=SessionStatus.COMPLETED),
        record("a1", 1),
        record("terminal", None),
    ]:
        await repository.save_session(session)
    later = T0 + timedelta(hours=1)
    assert await repository.interrupt_running([0], later, keep=["kept"]) == ["a0", "b0"]
    rows = {}
    for session_id in ("a0", "b0", "kept", "done", "a1", "terminal"):
        row = await repository.session_row(session_id)
        assert row is not None
        rows[session_id] = (row.status, row.ended_at)
    assert rows == {
        "a0": ("interrupted", later),
        "b0": ("interrupted", later),
        "kept": ("running", None),
        "done": ("completed", None),
        "a1": ("running", None),
        "terminal": ("running", None),
    }
    assert await repository.interrupt_running([], later) == []


@pytest.mark.postgres  # one SQLite file per host: the race only exists on a shared server
async def test_processes_starting_together_migrate_once(repository: SqlRepository) -> None:
    """Shard processes started at once against one PostgreSQL all reach head (an advisory lock
    lets one migrate while the others wait), instead of racing to create the same tables."""
    assert POSTGRES_URL
    await repository.close()
    await asyncio.to_thread(downgrade, POSTGRES_URL, "base")
    code = "import sys; from bot.store.migrate import upgrade; upgrade(sys.argv[1])"
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, POSTGRES_URL, cwd=ROOT, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    results = [await process.communicate() for process in processes]
    failures = [
        err.decode()[-500:] for (_, err), p in zip(results, processes, strict=True) if p.returncode
    ]
    assert failures == []
    assert await head(repository) == HEAD
