"""Opening a session's room (a thread, or the member's DM), and finding the room an
interaction belongs to."""

from __future__ import annotations

from typing import Literal

import discord

from bot.discord.errors import FORBIDDEN, UserFacingError
from bot.discord.rooms import Room, Rooms
from bot.discord.venue import RoomChannel, Venue, open_dm, venue_of, where
from bot.engine.manager import SessionManager
from bot.errors import SessionNotFound

THREAD_ARCHIVE_MINUTES: Literal[60] = 60


def who(interaction: discord.Interaction) -> str:
    """The engine's participant id for the user behind an interaction."""
    return str(interaction.user.id)


async def open_thread(interaction: discord.Interaction, name: str) -> discord.Thread:
    """A public thread under the channel the command was used in."""
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        raise UserFacingError("Start a session from a text channel, not from inside a thread.")
    if not isinstance(channel, discord.TextChannel):
        raise UserFacingError("Sessions run in threads of a server text channel; use me there.")
    try:
        return await channel.create_thread(
            name=name[:100],
            type=discord.ChannelType.public_thread,
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
    except discord.Forbidden:
        raise UserFacingError(FORBIDDEN) from None


async def open_room(interaction: discord.Interaction, name: str) -> RoomChannel:
    """Where a new session lives: a thread in a server the bot is in, else the member's DM."""
    if venue_of(interaction) is Venue.SERVER:
        return await open_thread(interaction, name)
    return await open_dm(interaction)


def refuse_second_session(manager: SessionManager, rooms: Rooms, user: str) -> None:
    """A person runs one session at a time: point them to the one they have."""
    running = manager.session_of(user)
    if running is None:
        return
    room = rooms.of_session(running)
    there = f" in {where(room.channel)}" if room else ""
    raise UserFacingError(f"You already have a session running{there}; finish or /end it first.")


def room_here(interaction: discord.Interaction, manager: SessionManager, rooms: Rooms) -> Room:
    """The room of the channel the command was used in, else the user's own session's room."""
    channel_id = interaction.channel_id or 0
    room = rooms.by_channel(channel_id)
    if room is None:
        session = manager.session_of(who(interaction))
        room = rooms.of_session(session) if session else None
    if room is None or room.session is None:
        raise SessionNotFound(str(channel_id))
    return room
