"""Start-up migrations: a database at head opens without alembic; an older one is migrated."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from alembic.script import ScriptDirectory

from bot.store import migrate
from bot.store.repository import SqlRepository
from tests.conftest import ROOT
from tests.store.test_session_shards import head


def test_head_is_the_newest_migration() -> None:
    """A new migration must move migrate.HEAD too, or every start would run alembic."""
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert scripts.get_current_head() == migrate.HEAD


def test_a_database_at_head_opens_without_importing_alembic(db_url: str) -> None:
    code = (
        "import asyncio, sys\n"
        "from bot.store.repository import SqlRepository\n"
        "async def main():\n"
        "    repo = await SqlRepository.open(sys.argv[1])\n"
        "    await repo.close()\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, db_url], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


async def test_an_older_database_is_migrated_at_open(db_url: str) -> None:
    await asyncio.to_thread(migrate.downgrade, db_url, "0005")
    repository = await SqlRepository.open(db_url)
    try:
        assert await head(repository) == migrate.HEAD
    finally:
        await repository.close()
