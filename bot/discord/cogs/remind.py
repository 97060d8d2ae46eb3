"""/remind on, /remind off: a practice reminder by DM, at most once a day, off by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.cogs.daily import ZONES
from bot.discord.threads import who
from bot.engine.daily import DailyTime

if TYPE_CHECKING:
    from bot.discord.daily import DailyFeature


class RemindCog(commands.GroupCog, group_name="remind"):
    """At most one DM a day, when your streak is at stake or reviews are due; off by default."""

    def __init__(self, feature: DailyFeature) -> None:
        self.feature = feature
        super().__init__()

    @app_commands.command(name="on")
    @app_commands.describe(
        time="Time of day, HH:MM on a 24-hour clock (default from the config)",
        timezone="IANA time zone, e.g. Europe/Berlin (default from the config)",
    )
    async def on(
        self, interaction: discord.Interaction, time: str | None = None, timezone: str | None = None
    ) -> None:
        """Get a DM reminder at this time on days your streak would end or reviews are due."""
        settings = self.feature.settings
        when = DailyTime.parse(
            time or settings.reminder_time,
            timezone or settings.reminder_zone,
            since=self.feature.clock.utcnow(),
        )
        await self.feature.reminder_store.set_reminders(who(interaction), when)
        self.feature.reminders.loop.changed()
        await interaction.response.send_message(
            f"I will DM you at {when.at:%H:%M} {when.zone} on days your practice streak would "
            "end or questions are due in /review, at most once a day; /remind off stops it.",
            ephemeral=True,
        )

    @on.autocomplete("timezone")
    async def _zones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await ZONES.choices(current)

    @app_commands.command(name="off")
    async def off(self, interaction: discord.Interaction) -> None:
        """Stop practice reminders."""
        await self.feature.reminder_store.set_reminders(who(interaction), None)
        self.feature.reminders.loop.changed()
        await interaction.response.send_message("Reminders are off.", ephemeral=True)
