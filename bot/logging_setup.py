"""One logging setup, called once at the entry point."""

from __future__ import annotations

import logging


def setup_logging(level: str) -> None:
    """Log to stderr at `level`; quieten discord.py's chatty loggers."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("discord", "discord.http", "discord.gateway", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
