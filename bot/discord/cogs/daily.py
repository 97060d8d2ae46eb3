"""/daily set, off, now, status, reveal; answers typed in a question-of-the-day thread."""

from __future__ import annotations

import asyncio
import zoneinfo
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank.models import Difficulty
from bot.discord.cogs.common import DIFFICULTIES, topic_choices
from bot.discord.daily_views import grade_view
from bot.discord.errors import UserFacingError, sentence_for
from bot.discord.rooms import NO_PINGS
from bot.discord.voice_messages import VoiceMessages, recording_of
from bot.engine.daily import DailySchedule, DailyTime
from bot.engine.daily_runner import RECENT_POSTS
from bot.errors import InterviewBotError, NoQuestionsAvailable, UnknownTopic

if TYPE_CHECKING:
    from bot.discord.daily import DailyFeature

POSTING = ("view_channel", "send_messages", "create_public_threads", "send_messages_in_threads")
MANAGERS_ONLY = "Only members with Manage Server can change the question of the day."


def _guild(interaction: discord.Interaction) -> str:
    if interaction.guild_id is None:
        raise UserFacingError("The question of the day belongs to a server; use this in one.")
    return str(interaction.guild_id)


def _require_manager(interaction: discord.Interaction) -> str:
    guild = _guild(interaction)
    if not interaction.permissions.manage_guild:
        raise UserFacingError(MANAGERS_ONLY)
    return guild


def _require_posting(channel: discord.TextChannel) -> None:
    """The bot can post in `channel` and open threads there."""
    allowed = channel.permissions_for(channel.guild.me)
    if not all(getattr(allowed, name) for name in POSTING):
        raise UserFacingError(
            f"I cannot post the question in {channel.mention}: I need View Channel, Send "
            "Messages, Create Public Threads and Send Messages in Threads there."
        )


class ZoneNames:
    """IANA time-zone names for autocomplete, read once off the event loop."""

    def __init__(self) -> None:
        self._names: list[str] | None = None

    async def choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Zones containing what was typed so far (Discord shows up to 25)."""
        if self._names is None:
            self._names = sorted(await asyncio.to_thread(zoneinfo.available_timezones))
        typed = current.lower().strip()
        found = [n for n in self._names if typed in n.lower()]
        return [app_commands.Choice(name=n, value=n) for n in found[:25]]


ZONES = ZoneNames()


def when_text(when: DailyTime, next_at: int) -> str:
    """'09:30 Europe/Berlin (next: <t:…:F>)': Discord shows the timestamp in the reader's zone."""
    return f"{when.at:%H:%M} {when.zone} (next: <t:{next_at}:F>)"


class DailyCog(commands.GroupCog, group_name="daily"):
    """A question a day in a channel of the server; grades are private, the reveal is shared."""

    def __init__(self, feature: DailyFeature, voice_messages: VoiceMessages) -> None:
        self.feature = feature
        self.voice_messages = voice_messages
        super().__init__()

    @app_commands.command(name="set")
    @app_commands.describe(
        channel="The text channel the question goes to (each day in a new thread)",
        time="Time of day, HH:MM on a 24-hour clock",
        timezone="IANA time zone, e.g. Europe/Berlin or UTC",
        topic="Only questions on this topic",
        difficulty="Only this level",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    async def set_schedule(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: str,
        timezone: str,
        topic: str | None = None,
        difficulty: str | None = None,
    ) -> None:
        """Post a question of the day in a channel at a set time (Manage Server)."""
        guild = _require_manager(interaction)
        now = self.feature.clock.utcnow()
        when = DailyTime.parse(time, timezone, since=now)
        level = Difficulty(difficulty) if difficulty else None
        bank = self.feature.bank
        if topic is not None and topic not in bank.topics():
            raise UnknownTopic(topic, tuple(bank.topics()))
        if not bank.select_questions(topic, level):
            raise NoQuestionsAvailable(topic, difficulty)
        _require_posting(channel)
        schedule = DailySchedule(guild, str(channel.id), when, topic, level)
        await self.feature.store.save_schedule(schedule, now)
        self.feature.runner.changed()
        next_at = int(when.next_check(now, None).timestamp())
        await interaction.response.send_message(
            f"The question of the day goes to {channel.mention} every day at "
            f"{when_text(when, next_at)}, each in a new thread.",
            ephemeral=True,
        )

    @set_schedule.autocomplete("timezone")
    async def _zones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await ZONES.choices(current)

    @set_schedule.autocomplete("topic")
    async def _topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.feature.bank, current)

    @app_commands.command(name="off")
    async def off(self, interaction: discord.Interaction) -> None:
        """Stop the question of the day (Manage Server); past threads stay."""
        guild = _require_manager(interaction)
        removed = await self.feature.store.delete_schedule(guild)
        self.feature.runner.changed()
        text = (
            "The question of the day is off; past threads stay."
            if removed
            else "This server has no question of the day to turn off."
        )
        await interaction.response.send_message(text, ephemeral=True)

    async def _schedule(self, guild: str) -> DailySchedule:
        found = await self.feature.store.schedules(frozenset({guild}))
        if not found:
            raise UserFacingError(
                "This server has no question of the day; set one with /daily set."
            )
        return found[0]

    @app_commands.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Post today's question now instead of at the set time (Manage Server)."""
        guild = _require_manager(interaction)
        schedule = await self._schedule(guild)
        await interaction.response.defer(ephemeral=True, thinking=True)
        feature = self.feature
        day = schedule.when.local_day(feature.clock.utcnow())
        posts = await feature.store.posts(guild, RECENT_POSTS)
        post = await feature.runner.post(schedule, day, posts)
        feature.runner.changed()
        if post is None:
            today = next(p for p in await feature.store.posts(guild, 1) if p.day == day)
            text = f"Today's question is already posted in <#{today.thread_id}>."
        else:
            text = f"Today's question is posted in <#{post.thread_id}>."
        await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Where and when the question of the day is posted, and the latest one."""
        guild = _guild(interaction)
        schedule = await self._schedule(guild)
        posts = await self.feature.store.posts(guild, 1)
        now = self.feature.clock.utcnow()
        last = posts[0].day if posts else None
        next_at = int(schedule.when.next_check(now, last).timestamp())
        lines = [
            f"Channel: <#{schedule.channel_id}>, every day at {when_text(schedule.when, next_at)}.",
            f"Questions: {schedule.topic or 'any topic'}, "
            f"{schedule.difficulty.value if schedule.difficulty else 'any level'}.",
        ]
        if posts:
            state = "revealed" if posts[0].revealed_at else "open for answers"
            lines.append(f"Latest: {posts[0].day:%Y-%m-%d} in <#{posts[0].thread_id}>, {state}.")
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @app_commands.command(name="reveal")
    async def reveal(self, interaction: discord.Interaction) -> None:
        """Reveal the latest question now: reference answer and ranking (Manage Server)."""
        guild = _require_manager(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        open_posts = [p for p in await self.feature.store.posts(guild, 1) if not p.revealed_at]
        if not open_posts or not await self.feature.runner.reveal(open_posts[0]):
            raise UserFacingError("There is no question of the day waiting for its reveal.")
        post = open_posts[0]
        await interaction.followup.send(
            f"The answer to the question of {post.day:%Y-%m-%d} is in <#{post.thread_id}>.",
            ephemeral=True,
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A member's message in a question-of-the-day thread is their answer: typed, or a
        voice message (transcribed, then graded as spoken)."""
        recording = recording_of(message)
        if message.author.bot or message.guild is None:
            return
        if not (message.content.strip() or recording):
            return
        if not isinstance(message.channel, discord.Thread):
            return
        post = await self.feature.post_in_thread(message.channel.id)
        if post is None:
            return
        user = str(message.author.id)
        try:
            if recording is None:
                await self.feature.answers.answer(post, user, message.content)
            else:
                self.feature.answers.require_open(post)  # nothing downloaded after the reveal
                heard = await self.voice_messages.transcribe(message, recording, post.question_id)
                await self.feature.answers.answer(post, user, heard.text, spoken=True)
        except InterviewBotError as error:
            await message.reply(str(error), mention_author=False, allowed_mentions=NO_PINGS)
            return
        except Exception as error:
            text = sentence_for(error)
            await message.reply(text, mention_author=False, allowed_mentions=NO_PINGS)
            return
        await message.reply(
            "Answer graded; only its author can see the grade.",
            view=grade_view(post.guild_id, post.day, user),
            mention_author=False,
            allowed_mentions=NO_PINGS,
        )
