"""The real interview-bot, started as in production, connected to the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.discord.client import InterviewBot
from bot.engine.clock import ManualClock
from bot.settings import BankSettings, QuickFireSettings, Settings, StoreSettings
from tests.conftest import DATA
from tests.harness import FakeDiscord, Member
from tests.harness.fixtures import connect_bot, disconnect_bot, fake_discord

__all__ = ["fake_discord"]


class Cast:
    """The people in the fake guild."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.ada: Member = fake.add_member("ada")
        self.bob: Member = fake.add_member("bob")
        self.cy: Member = fake.add_member("cy")
        self.mod: Member = fake.add_member("mod", manage_guild=True)


@pytest.fixture
def cast(fake_discord: FakeDiscord) -> Cast:
    return Cast(fake_discord)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The e2e settings: the mini bank, a store of the test's own, no quick-fire gap."""
    return Settings(
        bank=BankSettings(paths=[DATA / "mini_bank.yaml"]),
        store=StoreSettings(data_dir=tmp_path),
        quickfire=QuickFireSettings(gap_seconds=0),
    )


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[App]:
    built = await build_app(settings, clock=clock)
    yield built
    await built.close()


@pytest.fixture
async def bot(fake_discord: FakeDiscord, cast: Cast, app: App) -> AsyncIterator[InterviewBot]:
    """InterviewBot as production builds it, on the fake (members exist before it connects),
    trusting the fake voice server's certificate through its connector."""
    client = InterviewBot(app, connector=fake_discord.voice_connector())
    await connect_bot(client, fake_discord)
    yield client
    await disconnect_bot(client, fake_discord)


def button(message: dict[str, Any], label: str) -> str:
    """The custom id of the button with this label."""
    from tests.harness import components_of  # noqa: PLC0415

    for component in components_of(message):
        if component.get("label") == label:
            return str(component["custom_id"])
    labels = [c.get("label") for c in components_of(message)]
    raise LookupError(f"no button {label!r}; buttons: {labels}")


def title(message: dict[str, Any]) -> str:
    """The first embed's title, or ''."""
    embeds = message.get("embeds") or []
    return str(embeds[0].get("title", "")) if embeds else ""


def text_of(message: dict[str, Any]) -> str:
    """Content plus every embed's title, description and fields, for searching."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [
            embed.get("title", ""),
            embed.get("description", ""),
            embed.get("footer", {}).get("text", ""),
        ]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def private_answer(interaction: Any) -> str:
    """The ephemeral sentence the bot answered an interaction with (a reply or a follow-up)."""
    from tests.harness import is_ephemeral  # noqa: PLC0415

    callback = await interaction.response()
    message = await (interaction.reply() if callback["type"] == 4 else interaction.followup())
    assert is_ephemeral(message), message
    return str(message["content"])


async def eventually(check: Any, timeout: float = 5) -> None:
    """Poll `check()` until it is true (for state the fake is not told about)."""
    import asyncio  # noqa: PLC0415

    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)
