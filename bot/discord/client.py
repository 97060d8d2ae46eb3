"""The Discord client: intents, no pings, cogs, the error handler, command sync."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.app import App
from bot.discord.cogs.daily import DailyCog
from bot.discord.cogs.group import GroupCog
from bot.discord.cogs.leaderboard import LeaderboardCog
from bot.discord.cogs.practice import PracticeCog
from bot.discord.cogs.privacy import PrivacyCog
from bot.discord.cogs.progress import ProgressCog
from bot.discord.cogs.quickfire import QuickFireCog
from bot.discord.cogs.remind import RemindCog
from bot.discord.cogs.voice import VoiceCog
from bot.discord.daily import DailyFeature
from bot.discord.daily_views import DailyButton, on_daily_dialog
from bot.discord.errors import on_app_command_error
from bot.discord.launcher import Launcher
from bot.discord.report import ReportButton
from bot.discord.resume import resume_sessions, resume_voice
from bot.discord.rooms import COUNTDOWN_TICK_SECONDS, Room, Rooms
from bot.discord.venue import EVERY_CONTEXT, EVERY_INSTALL
from bot.discord.views import SessionButton, on_dialog
from bot.discord.voice_messages import VoiceMessages
from bot.memory import freeze_start_up, trim_forever, tune_allocator
from bot.tasks import spawn

if TYPE_CHECKING:
    from bot.discord.voice.services import VoiceServices

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only what the bot needs: guilds, guild messages, their content (typed answers), DM
    messages (answers in DM sessions; their content needs no privileged intent), and voice
    states (discord.py cannot join voice without them; who is in the channel)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    wanted.voice_states = True
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
            allowed_contexts=EVERY_CONTEXT,  # servers, the bot's DM, other private channels
            allowed_installs=EVERY_INSTALL,  # installed to a server or to a user
            # no message cache: nothing reads it (no edit, delete or reaction events), and its
            # 1,000 messages with their embeds and components are walked by every full
            # garbage collection
            **({"max_messages": None} | options),
        )
        self.app = app
        tune_allocator()  # before the worker threads: their arenas and large blocks
        self.rooms = Rooms(app.manager, countdown_tick)
        self._voice: VoiceServices | None = None
        self._trimmer: asyncio.Task[None] | None = None
        self._voice_rooms: list[Room] = []  # resumed voice sessions, to go on once ready
        self.launcher = Launcher(self.rooms, app.manager, app.bank, lambda: self.voice)
        self.daily = DailyFeature(self, app)  # the question of the day and reminders

    @property
    def voice(self) -> VoiceServices:
        """Whisper, the voice and the VAD, made on the first voice session (needs the extra)."""
        if self._voice is None:
            from bot.discord.voice.services import VoiceServices  # noqa: PLC0415 - optional

            self._voice = VoiceServices(self.app.settings)
        return self._voice

    def voice_messages(self) -> VoiceMessages:
        """Recordings posted as answers, heard with the shared speech services."""
        app = self.app
        return VoiceMessages(lambda: self.voice, app.bank, app.settings, app.repository)

    async def setup_hook(self) -> None:
        """Add the cogs, install the error handler, sync slash commands."""
        self.tree.on_error = on_app_command_error  # type: ignore[method-assign]
        self._trimmer = spawn(trim_forever(), "malloc-trim")  # freed memory back to the OS
        cogs = (
            PracticeCog(self.launcher, self.voice_messages()),
            GroupCog(self.launcher),
            QuickFireCog(self.launcher),
            PrivacyCog(self.app.repository, self.app.manager),
            LeaderboardCog(self.app.repository),
            ProgressCog(self.app.repository, self.app.bank, self.app.manager.services.clock),
            VoiceCog(self.rooms, self.app.settings.voice.leave_when_empty_seconds),
            DailyCog(self.daily, self.voice_messages()),
            RemindCog(self.daily),
        )
        for cog in cogs:
            await self.add_cog(cog)
        self.add_dynamic_items(SessionButton, DailyButton, ReportButton)
        self.add_listener(on_dialog, "on_interaction")
        self.add_listener(on_daily_dialog, "on_interaction")
        frozen = freeze_start_up()  # the bank, the libraries, the cogs: never collected again
        log.debug("%d objects from start-up kept out of garbage collection", frozen)
        # before the gateway: no click can come before its session; voice ones go on at ready
        self._voice_rooms = await resume_sessions(self)
        settings = self.app.settings.discord
        if not settings.sync_commands or 0 not in self.app.shards.owned:
            return  # commands are the bot's, not a shard's: the process running shard 0 syncs
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
        scoreboard, and report cards on their way are posted), then disconnect."""
        await self.daily.stop()
        if self._trimmer is not None:
            self._trimmer.cancel()
        await self.app.manager.shutdown()
        await self.rooms.report_cards.settle()
        for room in self.rooms.all():
            await room.close_stage()
        await super().close()
        if self._voice is not None:
            await asyncio.to_thread(self._voice.close)

    async def on_ready(self) -> None:
        """Log who we are and where; resumed voice sessions rejoin or go on as text."""
        rooms, self._voice_rooms = self._voice_rooms, []
        await resume_voice(self, rooms)
        self.daily.start()  # once the guilds are known: due (and late) posts go out now
        shards = self.app.shards
        log.info(
            "connected as %s in %d servers (shards %s of %d)",
            self.user,
            len(self.guilds),
            list(shards.owned),
            shards.total,
        )


class ShardedInterviewBot(InterviewBot, commands.AutoShardedBot):
    """InterviewBot over several shards: one gateway connection per shard this process runs."""


def make_bot(app: App, **options: Any) -> InterviewBot:
    """The bot for [shards]: one connection when count is 0, else the shards this process runs
    (its ids, or all of 0..count-1) out of count."""
    shards = app.shards
    if shards.count == 0:
        return InterviewBot(app, **options)
    return ShardedInterviewBot(
        app, shard_count=shards.count, shard_ids=list(shards.owned), **options
    )
