"""Run the bot with DISCORD_TOKEN until stopped."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import discord

from bot.app import App, build_app
from bot.discord.client import InterviewBot, make_bot
from bot.memory import tune_allocator
from bot.settings import Settings

log = logging.getLogger(__name__)

SETUP_HELP = (
    "DISCORD_TOKEN is not set: create an application at "
    "https://discord.com/developers/applications, copy its bot token (Bot -> Reset "
    "Token) and export DISCORD_TOKEN=... (see the README)."
)


def run_bot(settings: Settings) -> int:
    """Connect and serve until Ctrl-C; returns the exit code."""
    if settings.discord_token is None:
        print(SETUP_HELP, file=sys.stderr)
        return 2
    token = settings.discord_token.get_secret_value()
    tune_allocator()  # before any thread starts
    try:
        asyncio.run(_serve(settings, token))
    except discord.LoginFailure:
        print(
            "Discord refused DISCORD_TOKEN: it is wrong or was reset; copy a new one.",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "Turn on the Message Content intent for the bot (Developer Portal -> Bot -> "
            "Privileged Gateway Intents), then start again.",
            file=sys.stderr,
        )
        return 2
    return 0


async def prepare(settings: Settings, **options: Any) -> tuple[App, InterviewBot]:
    """The app and its bot. Sessions a crash left running on our shards are resumed (or marked
    interrupted) by the bot's setup hook, once it can reach their threads and before the
    gateway connects, so before any new session can start."""
    app = await build_app(settings)
    try:
        return app, make_bot(app, **options)
    except BaseException:
        await app.close()
        raise


async def _serve(settings: Settings, token: str) -> None:
    app, bot = await prepare(settings)
    try:
        async with bot:
            await bot.start(token)
    finally:
        await app.close()
