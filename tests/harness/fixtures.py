"""pytest glue: the `fake_discord` fixture and `connect_bot` for a real discord.py client.

Import the fixture into a test module (`from tests.harness.fixtures import fake_discord`) or list
this module in a conftest's `pytest_plugins`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest
import yarl

from .server import FakeDiscord

READY_TIMEOUT = 0.05  # guild_ready_timeout: how long on_ready waits after the last GUILD_CREATE


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with discord.py pointed at it (REST base and gateway URL).

    At teardown every bot started with connect_bot is closed, then the server; the test fails if
    the bot called a route the fake does not know or sent/received anything the spec rejects.
    """
    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.rest_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    try:
        yield fake
    finally:
        try:
            await close_bots(fake)
        finally:
            await fake.close()
    assert fake.unknown_routes == [], f"routes the fake does not serve: {fake.unknown_routes}"
    assert fake.spec_violations == [], "spec violations:\n" + "\n".join(fake.spec_violations)


async def connect_bot(
    bot: discord.Client, fake: FakeDiscord, *, token: str = "fake-token", timeout: float = 5
) -> asyncio.Task[None]:
    """Start `bot.start(token)` as a task and wait until the bot is ready.

    The bot is closed by the `fake_discord` fixture at teardown (or by `disconnect_bot`).
    guild_ready_timeout is lowered to 0.05 s so on_ready comes right after GUILD_CREATE.
    """
    state = bot._connection
    state.guild_ready_timeout = min(state.guild_ready_timeout, READY_TIMEOUT)
    task = asyncio.create_task(bot.start(token), name=f"fake-discord-bot-{id(bot)}")
    fake.bots.append((bot, task))
    try:
        async with asyncio.timeout(timeout):
            while not bot.is_ready():
                if task.done():
                    task.result()  # raises what made the bot stop
                    raise RuntimeError("the bot stopped before it was ready")
                await asyncio.sleep(0.005)
    except TimeoutError:
        raise AssertionError(f"the bot was not ready after {timeout}s") from None
    return task


async def disconnect_bot(bot: discord.Client, fake: FakeDiscord) -> None:
    """Close one bot started with connect_bot and wait for its task to end."""
    for pair in list(fake.bots):
        if pair[0] is bot:
            fake.bots.remove(pair)
            await _close(*pair)


async def close_bots(fake: FakeDiscord) -> None:
    errors = []
    while fake.bots:
        bot, task = fake.bots.pop()
        try:
            await _close(bot, task)
        except Exception as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


async def _close(bot: discord.Client, task: asyncio.Task[None]) -> None:
    if not bot.is_closed():
        await bot.close()
    try:
        async with asyncio.timeout(5):
            await task
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise
