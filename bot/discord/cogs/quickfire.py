"""Quick-fire rounds: /quickfire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.cogs.common import DIFFICULTIES, topic_choices
from bot.discord.threads import who
from bot.discord.venue import where

if TYPE_CHECKING:
    from bot.discord.launcher import Launcher


class QuickFireCog(commands.Cog):
    """Timed short questions; others can `/group join` the thread to compete."""

    def __init__(self, launcher: Launcher) -> None:
        self.launcher = launcher

    @app_commands.command(name="quickfire")
    @app_commands.describe(
        count="How many items",
        seconds="Seconds per item",
        topic="Only this topic",
        difficulty="Only this level",
        voice="Ask aloud in your voice channel and listen for spoken answers",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    async def quickfire(
        self,
        interaction: discord.Interaction,
        count: app_commands.Range[int, 1, 30] | None = None,
        seconds: app_commands.Range[int, 5, 120] | None = None,
        topic: str | None = None,
        difficulty: str | None = None,
        voice: bool = False,
    ) -> None:
        """Start a timed quick-fire round in a new thread or our DMs (or aloud, in voice)."""
        user, manager = who(interaction), self.launcher.manager
        extra: dict[str, Any] = {}
        if count:
            extra["items"] = count
        if seconds:
            extra["seconds_per_item"] = seconds
        room = await self.launcher.launch(
            interaction,
            "Quick-fire",
            topic,
            lambda sink, place: manager.start_quickfire(
                user, sink, place=place, topic=topic, difficulty=difficulty, **extra
            ),
            voice=voice,
            short_answers=True,
        )
        await interaction.followup.send(
            f"Quick-fire is on in {where(room)}; answer there.", ephemeral=True
        )

    @quickfire.autocomplete("topic")
    async def _topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.launcher.bank, current)
