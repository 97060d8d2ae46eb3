"""Shared fixtures: the small test bank, a migrated SQLite store, a manual clock, an event log."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa

from bot.bank.catalog import Bank
from bot.bank.loader import load_bank
from bot.engine.base import Services
from bot.engine.clock import ManualClock
from bot.engine.events import Event
from bot.grading.grader import AnswerGrader
from bot.store.migrate import downgrade, upgrade
from bot.store.repository import SqlRepository

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
E = TypeVar("E")


@pytest.fixture(scope="session")
def mini_bank() -> Bank:
    """The small test bank in tests/data/mini_bank.yaml."""
    return load_bank([DATA / "mini_bank.yaml"])


# The store (and everything using it) runs on SQLite unless this names a PostgreSQL database,
# as CI does for a second run: postgresql+asyncpg://user:password@127.0.0.1:5432/name
POSTGRES_URL = os.environ.get("INTERVIEW_BOT_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests belong to the PostgreSQL run: leave them out of the SQLite one
    (deselected and counted, not skipped; scripts/test runs them in its second pass)."""
    if POSTGRES_URL:
        return
    postgres = [item for item in items if item.get_closest_marker("postgres")]
    if postgres:
        config.hook.pytest_deselected(items=postgres)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PostgreSQL migrated down to nothing and up to head; or a migrated SQLite template."""
    if POSTGRES_URL:
        downgrade(POSTGRES_URL, "base")
        upgrade(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return str(path)


@pytest.fixture
def db_url(migrated_db: str, tmp_path: Path) -> str:
    """This test's database: PostgreSQL, or a fresh copy of the SQLite template."""
    if POSTGRES_URL:
        return POSTGRES_URL
    path = tmp_path / "store.db"
    shutil.copy(migrated_db, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def repository(db_url: str) -> AsyncIterator[SqlRepository]:
    """The real SQL repository on this test's database, empty."""
    repo = await SqlRepository.open(db_url)
    if POSTGRES_URL:
        async with repo.engine.begin() as conn:
            tables = (
                "attempts, sessions, leaderboard_members, daily_schedules, daily_posts, reminders"
            )
            await conn.execute(sa.text(f"TRUNCATE {tables}"))
    yield repo
    await repo.close()


@pytest.fixture
def clock() -> ManualClock:
    """Time that moves only when the test says so."""
    return ManualClock()


@pytest.fixture
def services(mini_bank: Bank, repository: SqlRepository, clock: ManualClock) -> Services:
    """Real bank, grader and store; a manual clock; a seeded random generator."""
    return Services(mini_bank, AnswerGrader(), repository, clock, random.Random(7))


class EventLog:
    """An event sink that keeps everything it is given."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        """Every event of one type, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    def last(self, kind: type[E]) -> E:
        """The latest event of one type."""
        found = self.of(kind)
        assert found, f"no {kind.__name__} event in {self.events}"
        return found[-1]

    def kinds(self) -> list[str]:
        """Event type names in order."""
        return [type(e).__name__ for e in self.events]


@pytest.fixture
def log() -> EventLog:
    """A fresh event log."""
    return EventLog()
