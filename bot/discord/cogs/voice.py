"""Voice housekeeping: leave a channel everyone has left; notice being moved out of it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord.rooms import NO_PINGS
from bot.tasks import spawn

if TYPE_CHECKING:
    from bot.discord.client import InterviewBot
    from bot.discord.voice.stage import VoiceStage

log = logging.getLogger(__name__)


class VoiceCog(commands.Cog):
    """Watches voice states for the bot's voice sessions."""

    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot
        self._leaving: dict[int, asyncio.Task[None]] = {}

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        """Leave after the last person left; stop when the bot itself was disconnected."""
        for thread_id, stage in list(self.bot.stages.items()):
            channel = stage.client.channel
            if self.bot.user is not None and member.id == self.bot.user.id:
                if after.channel is None and not stage.closed:
                    await stage.leave()
                continue
            if channel is None or channel.id not in _ids(before, after):
                continue
            people = [m for m in getattr(channel, "members", []) if not m.bot]
            waiting = self._leaving.pop(thread_id, None)
            if waiting is not None:
                waiting.cancel()
            if not people:
                self._leaving[thread_id] = spawn(
                    self._leave_later(thread_id, stage), f"voice-empty:{thread_id}"
                )

    async def _leave_later(self, thread_id: int, stage: VoiceStage) -> None:
        await asyncio.sleep(self.bot.app.settings.voice.leave_when_empty_seconds)
        self._leaving.pop(thread_id, None)
        if stage.closed:
            return
        await stage.leave()
        await stage.room.thread.send(
            "🔇 Everyone left the voice channel, so I left too; you can go on by typing here.",
            allowed_mentions=NO_PINGS,
        )


def _ids(before: discord.VoiceState, after: discord.VoiceState) -> set[int]:
    return {c.id for c in (before.channel, after.channel) if c is not None}
