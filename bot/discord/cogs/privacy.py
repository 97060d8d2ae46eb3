"""/privacy export and /privacy delete: what is stored about you, and wiping it."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.errors import UserFacingError, reply_privately, sentence_for
from bot.discord.threads import who

if TYPE_CHECKING:
    from bot.engine.manager import SessionManager
    from bot.store.repository import SqlRepository


class ConfirmDelete(discord.ui.View):
    """Delete everything / Cancel, for the person who asked only."""

    def __init__(self, repository: SqlRepository, manager: SessionManager, user: str) -> None:
        super().__init__(timeout=120)
        self.repository = repository
        self.manager = manager
        self.user = user

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the member who asked can confirm."""
        if who(interaction) != self.user:
            await reply_privately(interaction, "This confirmation is not yours.")
            return False
        return True

    @discord.ui.button(label="Delete everything", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, _: discord.ui.Button[ConfirmDelete]
    ) -> None:
        """Delete every row about the member."""
        if self.manager.session_of(self.user) is not None:
            raise UserFacingError("End your running session first, then delete.")
        count = await self.repository.delete_user(self.user)
        await interaction.response.edit_message(
            content=f"Done: {count} answers and your place in every session are deleted.",
            view=None,
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, _: discord.ui.Button[ConfirmDelete]
    ) -> None:
        """Keep everything."""
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)

    async def on_error(
        self,
        interaction: discord.Interaction,
        error: Exception,
        item: discord.ui.Item[ConfirmDelete],
    ) -> None:
        """One sentence, never a traceback."""
        await reply_privately(interaction, sentence_for(error))


class PrivacyCog(commands.GroupCog, group_name="privacy"):
    """Your data: export it or delete it."""

    def __init__(self, repository: SqlRepository, manager: SessionManager) -> None:
        self.repository = repository
        self.manager = manager
        super().__init__()

    @app_commands.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Get everything stored about you as a JSON file (only you see it)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.repository.export_user(who(interaction))
        payload = json.dumps(data, indent=2, default=str, ensure_ascii=False).encode()
        file = discord.File(io.BytesIO(payload), filename="interview-bot-data.json")
        await interaction.followup.send(
            f"{len(data['attempts'])} answers in {len(data['sessions'])} sessions.",
            file=file,
            ephemeral=True,
        )

    @app_commands.command(name="delete")
    async def delete(self, interaction: discord.Interaction) -> None:
        """Delete everything stored about you (asks to confirm)."""
        await interaction.response.send_message(
            "Delete every answer you gave and your place in every session? This cannot be undone.",
            view=ConfirmDelete(self.repository, self.manager, who(interaction)),
            ephemeral=True,
        )
