"""Schema migrations with alembic, run programmatically (no alembic.ini needed).

alembic (with mako and pygments) costs about 0.25 s to import, so it loads only when a
migration has to run: a database already at `HEAD` is recognised by one query at start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0007"  # the newest revision in migrations/versions (a test holds it to alembic's head)


def alembic_config(url: str) -> Config:
    """An alembic Config pointing at our migrations and `url`."""
    from alembic.config import Config  # noqa: PLC0415 - alembic loads only to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` (blocking: call it in a thread from async code)."""
    from alembic import command  # noqa: PLC0415 - alembic loads only to migrate

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at `url` back to `revision` ("base": no tables)."""
    from alembic import command  # noqa: PLC0415 - alembic loads only to migrate

    command.downgrade(alembic_config(url), revision)


async def at_head(conn: AsyncConnection) -> bool:
    """True if the database's schema is already at HEAD (nothing to migrate)."""
    if not await conn.run_sync(lambda c: inspect(c).has_table("alembic_version")):
        return False
    versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
    return list(versions) == [HEAD]
