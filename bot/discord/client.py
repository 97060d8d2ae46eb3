"""The Discord client: intents, no pings, cogs, the error handler, command sync."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.app import App
from bot.discord.cogs.group import GroupCog
from bot.discord.cogs.leaderboard import LeaderboardCog
from bot.discord.cogs.practice import PracticeCog
from bot.discord.cogs.privacy import PrivacyCog
from bot.discord.cogs.progress import ProgressCog
from bot.discord.cogs.quickfire import QuickFireCog
from bot.discord.errors import on_app_command_error
from bot.discord.rooms import COUNTDOWN_TICK_SECONDS, Rooms
from bot.discord.views import Views

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only what the bot needs: guilds, guild messages, and their content (typed answers)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


class InterviewBot(commands.Bot):
    """interview-bot on Discord."""

    def __init__(
        self, app: App, *, countdown_tick: float = COUNTDOWN_TICK_SECONDS, **options: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.app = app
        self.rooms = Rooms(app.manager, Views(), countdown_tick)

    async def setup_hook(self) -> None:
        """Add the cogs, install the error handler, sync slash commands."""
        self.tree.on_error = on_app_command_error  # type: ignore[method-assign]
        cogs = (
            PracticeCog(self),
            GroupCog(self),
            QuickFireCog(self),
            PrivacyCog(self),
            LeaderboardCog(self),
            ProgressCog(self),
        )
        for cog in cogs:
            await self.add_cog(cog)
        settings = self.app.settings.discord
        if not settings.sync_commands:
            return
        if settings.guild_ids:
            for guild_id in settings.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def close(self) -> None:
        """End running sessions while Discord is still reachable (their threads get the
        scoreboard), then disconnect."""
        await self.app.manager.shutdown()
        await super().close()

    async def on_ready(self) -> None:
        """Log who we are and where."""
        log.info("connected as %s in %d servers", self.user, len(self.guilds))
