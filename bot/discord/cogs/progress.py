"""/stats: a member's progress as numbers and a chart."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.progress.stats import compute

if TYPE_CHECKING:
    from bot.bank.catalog import Bank
    from bot.engine.clock import Clock
    from bot.store.repository import SqlRepository


class ProgressCog(commands.Cog):
    """Progress that helps people improve."""

    def __init__(self, repository: SqlRepository, bank: Bank, clock: Clock) -> None:
        self.repository = repository
        self.bank = bank
        self.clock = clock

    @app_commands.command(name="stats")
    @app_commands.describe(member="Whose progress (default: yours)")
    async def stats(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        """Mastery per topic, recent scores, practice streak and delivery, with a chart."""
        from bot.progress import chart  # noqa: PLC0415 - matplotlib loads on the first chart

        person = member or interaction.user
        await interaction.response.defer(thinking=True)
        attempts = await self.repository.attempts_for(str(person.id))
        today = self.clock.utcnow().date()
        stats = compute(attempts, self.bank.topic_of, today)
        drawn = await asyncio.to_thread(chart.render, stats, f"{person.display_name}'s progress")
        embed = discord.Embed(
            title=f"Progress · {person.display_name}", colour=discord.Colour.blurple()
        )
        mastery = "\n".join(f"{t}: {v:.0%}" for t, v in stats.mastery.items()) or "no answers yet"
        embed.add_field(name="Mastery per topic", value=mastery[:1024], inline=True)
        recent = " ".join(f"{s:.0%}" for s in stats.recent) or "none"
        embed.add_field(name="Recent scores", value=recent[:1024], inline=True)
        embed.add_field(name="Practice streak", value=f"{stats.streak_days} days", inline=True)
        if stats.words_per_minute:
            pace = stats.words_per_minute[-1][1]
            fillers = stats.fillers_per_answer or 0
            embed.add_field(
                name="Delivery (spoken answers)",
                value=f"{pace:.0f} words per minute; {fillers:.1f} fillers per answer",
            )
        embed.set_image(url="attachment://progress.png")
        file = discord.File(io.BytesIO(drawn.png), filename="progress.png")
        await interaction.followup.send(embed=embed, file=file)
