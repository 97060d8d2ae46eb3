"""What several commands share: topic autocomplete, difficulty choices, starting a session."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.bank.models import Difficulty
from bot.discord.errors import UserFacingError
from bot.discord.threads import open_thread, refuse_second_session, who
from bot.engine.base import Place, Session
from bot.engine.ports import EventSink

if TYPE_CHECKING:
    from bot.discord.client import InterviewBot

log = logging.getLogger(__name__)

DIFFICULTIES = [app_commands.Choice(name=d.value, value=d.value) for d in Difficulty]


async def topic_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Topics from the bank that contain what was typed so far."""
    bot: InterviewBot = interaction.client  # type: ignore[assignment]
    typed = current.lower().strip()
    topics = [t for t in bot.app.bank.topics() if typed in t]
    return [app_commands.Choice(name=t, value=t) for t in topics[:25]]


def check_topic(bot: InterviewBot, topic: str | None) -> str | None:
    """The topic if the bank has it; otherwise one sentence listing what it has."""
    if topic is None:
        return None
    topics = bot.app.bank.topics()
    if topic not in topics:
        raise UserFacingError(f"There is no topic '{topic[:50]}'. Topics: {', '.join(topics)}.")
    return topic


def _voice_joining() -> ModuleType:
    """The voice module, or one sentence when this installation has no voice support."""
    try:
        return importlib.import_module("bot.discord.voice.joining")
    except ImportError as error:
        log.warning("voice support is not installed: %s", error)
        raise UserFacingError(
            "Voice is not installed on this bot; whoever runs it can add it with "
            "`scripts/setup voice`."
        ) from None


async def launch(
    bot: InterviewBot,
    interaction: discord.Interaction,
    title: str,
    topic: str | None,
    start: Callable[[EventSink, Place], Awaitable[Session]],
    *,
    voice: bool = False,
    short_answers: bool = False,
) -> discord.Thread:
    """Open a thread and start a session in it: one per person, known topics only.

    `start` gets the thread's event sink and place; if it fails the room is forgotten. With
    `voice`, the caller's voice channel is checked first and joined before the session starts.
    A second start by the same person while the first is being set up waits for it, then is
    refused with a link to the session that exists (no second thread is opened).
    """
    user = who(interaction)
    starting = bot.rooms.starting
    if user in starting:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await starting[user].wait()
    refuse_second_session(bot.app.manager, bot.rooms, user)
    check_topic(bot, topic)
    joining = _voice_joining() if voice else None
    channel = joining.voice_channel_of(interaction) if joining is not None else None
    starting[user] = done = asyncio.Event()
    try:
        return await _open_and_start(
            bot, interaction, title, start, joining, channel, short_answers
        )
    finally:
        starting.pop(user, None)
        done.set()


async def _open_and_start(
    bot: InterviewBot,
    interaction: discord.Interaction,
    title: str,
    start: Callable[[EventSink, Place], Awaitable[Session]],
    joining: ModuleType | None,
    channel: discord.VoiceChannel | discord.StageChannel | None,
    short_answers: bool,
) -> discord.Thread:
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    thread = await open_thread(interaction, f"{title} · {interaction.user.display_name}")
    room, sink = bot.rooms.open(thread)
    try:
        if joining is not None and channel is not None:
            sink = await joining.open_stage(bot, channel, room, sink, short=short_answers)
        room.session = await start(sink, Place(str(interaction.guild_id), str(thread.id)))
    except Exception:
        stage = bot.stages.get(thread.id)
        if stage is not None:
            await stage.leave()
        bot.rooms.forget(thread.id)
        with contextlib.suppress(discord.HTTPException):
            await thread.delete()  # no empty thread left behind
        raise
    return thread
