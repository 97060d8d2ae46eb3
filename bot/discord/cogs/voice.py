"""Voice housekeeping: leave a channel everyone has left; notice being moved out of it."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.discord.rooms import NO_PINGS, Room, Rooms
from bot.tasks import spawn

log = logging.getLogger(__name__)


class VoiceCog(commands.Cog):
    """Watches voice states for the rooms that have a voice stage."""

    def __init__(self, rooms: Rooms, leave_when_empty_seconds: float) -> None:
        self.rooms = rooms
        self.leave_when_empty_seconds = leave_when_empty_seconds
        self._leaving: dict[int, asyncio.Task[None]] = {}

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        """Leave after the last person left; stop when the bot itself was disconnected."""
        me = member.guild.me
        for room in self.rooms.all():
            stage = room.stage
            if stage is None:
                continue
            if me is not None and member.id == me.id:
                if after.channel is None and not stage.closed:
                    await room.close_stage()
                continue
            channel_id = stage.channel_id
            if channel_id is None or channel_id not in _ids(before, after):
                continue
            channel = member.guild.get_channel(channel_id)
            people = [m for m in getattr(channel, "members", []) if not m.bot]
            thread_id = room.channel.id
            waiting = self._leaving.pop(thread_id, None)
            if waiting is not None:
                waiting.cancel()
            if not people:
                self._leaving[thread_id] = spawn(
                    self._leave_later(room), f"voice-empty:{thread_id}"
                )

    async def _leave_later(self, room: Room) -> None:
        await asyncio.sleep(self.leave_when_empty_seconds)
        self._leaving.pop(room.channel.id, None)
        if room.stage is None or room.stage.closed:
            return
        await room.close_stage()
        await room.channel.send(
            "🔇 Everyone left the voice channel, so I left too; you can go on by typing here.",
            allowed_mentions=NO_PINGS,
        )


def _ids(before: discord.VoiceState, after: discord.VoiceState) -> set[int]:
    return {c.id for c in (before.channel, after.channel) if c is not None}
