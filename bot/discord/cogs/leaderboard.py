"""/leaderboard show, join, leave: a server's quick-fire and group-round standings, opt-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.render import mention
from bot.discord.threads import who
from bot.discord.venue import require_server

if TYPE_CHECKING:
    from bot.store.repository import SqlRepository


class LeaderboardCog(commands.GroupCog, group_name="leaderboard"):
    """Only members who joined the leaderboard appear on it."""

    def __init__(self, repository: SqlRepository) -> None:
        self.repository = repository
        super().__init__()

    def _guild(self, interaction: discord.Interaction) -> str:
        require_server(interaction, "Leaderboards")
        return str(interaction.guild_id)

    @app_commands.command(name="show")
    async def show(self, interaction: discord.Interaction) -> None:
        """This server's leaderboard: quick-fire items won and group-round points."""
        rows = await self.repository.leaderboard(self._guild(interaction))
        lines = [
            f"{rank}. {mention(r.user_id)}: {r.total:.2f} "
            f"({r.quickfire_correct} quick-fire wins, {r.group_points:.2f} group points)"
            for rank, r in enumerate(rows, 1)
        ]
        text = "\n".join(lines) or "Nobody has joined the leaderboard yet: `/leaderboard join`."
        embed = discord.Embed(title="Leaderboard", description=text, colour=discord.Colour.gold())
        await interaction.response.send_message(embed=embed)

    @app_commands.command(name="join")
    async def join(self, interaction: discord.Interaction) -> None:
        """Show your quick-fire and group results on this server's leaderboard."""
        guild = self._guild(interaction)
        await self.repository.set_leaderboard(guild, who(interaction), member=True)
        await interaction.response.send_message(
            "You are on this server's leaderboard.", ephemeral=True
        )

    @app_commands.command(name="leave")
    async def leave(self, interaction: discord.Interaction) -> None:
        """Take yourself off this server's leaderboard (your answers stay yours)."""
        guild = self._guild(interaction)
        await self.repository.set_leaderboard(guild, who(interaction), member=False)
        await interaction.response.send_message(
            "You are off this server's leaderboard.", ephemeral=True
        )
