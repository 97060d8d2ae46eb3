"""Starting a session in Discord: its room (a thread, or the member's DM), optionally a voice
stage, then the session.

The session cogs and restart resume get a `Launcher` instead of the whole bot: the rooms, the
session manager, the bank, and a callable that makes the voice services on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

import discord

from bot.bank.catalog import Bank
from bot.discord.errors import UserFacingError
from bot.discord.rooms import Room, Rooms
from bot.discord.threads import open_room, refuse_second_session, who
from bot.discord.venue import RoomChannel, guild_id_of, require_server
from bot.engine.base import Place, Session
from bot.engine.manager import SessionManager
from bot.engine.ports import EventSink

if TYPE_CHECKING:
    from bot.discord.voice.services import VoiceServices

log = logging.getLogger(__name__)

VoiceChannel = discord.VoiceChannel | discord.StageChannel
Start = Callable[[EventSink, Place], Awaitable[Session]]


@dataclass(frozen=True)
class Launcher:
    """Opens session rooms and voice stages for the cogs that start sessions."""

    rooms: Rooms
    manager: SessionManager
    bank: Bank
    voice: Callable[[], VoiceServices]  # Whisper, the voice and the VAD, made on first use

    def check_topic(self, topic: str | None) -> str | None:
        """The topic if the bank has it; otherwise one sentence listing what it has."""
        if topic is None:
            return None
        topics = self.bank.topics()
        if topic not in topics:
            raise UserFacingError(f"There is no topic '{topic[:50]}'. Topics: {', '.join(topics)}.")
        return topic

    async def launch(
        self,
        interaction: discord.Interaction,
        title: str,
        topic: str | None,
        start: Start,
        *,
        voice: bool = False,
        short_answers: bool = False,
    ) -> RoomChannel:
        """Open a room and start a session in it: one per person, known topics only.

        The room is a thread in a server the bot is in, else the member's DM (bot/discord/
        venue.py). `start` gets the room's event sink and place; if it fails the room is
        forgotten. With `voice` (servers only), the caller's voice channel is checked first and
        joined before the session starts. A second start by the same person while the first is
        being set up waits for it, then is refused with a link to the session that exists.
        """
        user = who(interaction)
        starting = self.rooms.starting
        if user in starting:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await starting[user].wait()
        refuse_second_session(self.manager, self.rooms, user)
        self.check_topic(topic)
        if voice:
            require_server(interaction, "Voice sessions")
        channel = voice_joining().voice_channel_of(interaction) if voice else None
        starting[user] = done = asyncio.Event()
        try:
            return await self._open_and_start(interaction, title, start, channel, short_answers)
        finally:
            starting.pop(user, None)
            done.set()

    async def open_stage(self, channel: VoiceChannel, room: Room, *, short: bool) -> None:
        """Join `channel` as the room's voice stage (speech loads on the first one)."""
        await voice_joining().open_stage(self.voice(), self.bank, channel, room, short=short)

    async def _open_and_start(
        self,
        interaction: discord.Interaction,
        title: str,
        start: Start,
        channel: VoiceChannel | None,
        short_answers: bool,
    ) -> RoomChannel:
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        home = await open_room(interaction, f"{title} · {interaction.user.display_name}")
        room, sink = self.rooms.open(home)
        try:
            if channel is not None:
                await self.open_stage(channel, room, short=short_answers)
            voice_id = str(channel.id) if channel is not None else None
            room.session = await start(sink, Place(guild_id_of(home), str(home.id), voice_id))
        except Exception:
            await room.close_stage()
            self.rooms.forget(home.id)
            if isinstance(home, discord.Thread):
                with contextlib.suppress(discord.HTTPException):
                    await home.delete()  # no empty thread left behind
            raise
        return home


def voice_joining() -> ModuleType:
    """The voice module, or one sentence when this installation has no voice support."""
    try:
        return importlib.import_module("bot.discord.voice.joining")
    except ImportError as error:
        log.warning("voice support is not installed: %s", error)
        raise UserFacingError(
            "Voice is not installed on this bot; whoever runs it can add it with "
            "`scripts/setup voice`."
        ) from None
