"""Solo practice: /interview, /skip, /hint, /end, /tips, /topics, and answers typed in rooms."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.cogs.common import DIFFICULTIES, topic_choices
from bot.discord.errors import sentence_for
from bot.discord.rooms import NO_PINGS
from bot.discord.threads import room_here, who
from bot.discord.venue import where
from bot.discord.views import is_moderator
from bot.discord.voice_messages import VoiceMessages, recording_of
from bot.engine.answers import Answer
from bot.errors import InterviewBotError, NothingToAnswer

if TYPE_CHECKING:
    from bot.discord.launcher import Launcher

log = logging.getLogger(__name__)


class PracticeCog(commands.Cog):
    """Solo interviews and the commands that act on any running session."""

    def __init__(self, launcher: Launcher, voice_messages: VoiceMessages) -> None:
        self.launcher = launcher
        self.voice_messages = voice_messages

    @app_commands.command(name="interview")
    @app_commands.describe(
        topic="Only questions on this topic",
        difficulty="Only this level",
        questions="How many questions (default from the config)",
        voice="Ask aloud in your voice channel and listen for spoken answers",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    async def interview(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        difficulty: str | None = None,
        questions: app_commands.Range[int, 1, 20] | None = None,
        voice: bool = False,
    ) -> None:
        """Start a solo mock interview in a new thread or our DMs (or aloud, in voice)."""
        user, manager = who(interaction), self.launcher.manager
        extra: dict[str, Any] = {"questions": questions} if questions else {}
        room = await self.launcher.launch(
            interaction,
            "Interview",
            topic,
            lambda sink, place: manager.start_solo(
                user, sink, place=place, topic=topic, difficulty=difficulty, **extra
            ),
            voice=voice,
        )
        await interaction.followup.send(
            f"Your interview is ready in {where(room)}.", ephemeral=True
        )

    @interview.autocomplete("topic")
    async def _topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.launcher.bank, current)

    @app_commands.command(name="review")
    async def review(self, interaction: discord.Interaction) -> None:
        """Practise the questions that are due for you (spaced repetition of your weak spots)."""
        user, manager = who(interaction), self.launcher.manager
        room = await self.launcher.launch(
            interaction,
            "Review",
            None,
            lambda sink, place: manager.start_review(user, sink, place=place),
        )
        await interaction.followup.send(f"Your review is ready in {where(room)}.", ephemeral=True)

    @app_commands.command(name="skip")
    async def skip(self, interaction: discord.Interaction) -> None:
        """Skip the open question: see its answer and move on."""
        room = room_here(interaction, self.launcher.manager, self.launcher.rooms)
        assert room.session is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await room.session.skip(who(interaction), moderator=is_moderator(interaction))
        await interaction.followup.send("⏭️ Skipped.", ephemeral=True)

    @app_commands.command(name="hint")
    async def hint(self, interaction: discord.Interaction) -> None:
        """Get a hint for the open question (costs a little score)."""
        room = room_here(interaction, self.launcher.manager, self.launcher.rooms)
        assert room.session is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await room.session.hint(who(interaction))
        await interaction.followup.send("💡 Hint posted in the session.", ephemeral=True)

    @app_commands.command(name="end")
    async def end(self, interaction: discord.Interaction) -> None:
        """End your session (or, as host or moderator, the session here)."""
        room = room_here(interaction, self.launcher.manager, self.launcher.rooms)
        assert room.session is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await room.session.end(who(interaction), moderator=is_moderator(interaction))
        await interaction.followup.send(
            "🛑 Session ended; the scoreboard is in the session.", ephemeral=True
        )

    @app_commands.command(name="tips")
    @app_commands.describe(section="One section of the interview-strategy advice")
    async def tips(self, interaction: discord.Interaction, section: str | None = None) -> None:
        """Interview-strategy advice: communication, problem solving, preparation, red flags."""
        sections = [s for s in self.launcher.bank.strategy if section in (None, s.id)]
        if not sections:
            names = ", ".join(s.id for s in self.launcher.bank.strategy)
            raise InterviewBotError(f"There is no section '{section}'. Sections: {names}.")
        embed = discord.Embed(title="Interview strategy", colour=discord.Colour.blurple())
        for s in sections[:25]:
            embed.add_field(
                name=s.title, value="\n".join(f"• {t}" for t in s.tips)[:1024], inline=False
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @tips.autocomplete("section")
    async def _section_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=s.title, value=s.id)
            for s in self.launcher.bank.strategy
            if current.lower() in s.title.lower()
        ][:25]

    @app_commands.command(name="topics")
    async def topics(self, interaction: discord.Interaction) -> None:
        """The topics you can practise, with how many questions each has."""
        bank = self.launcher.bank
        lines = [
            f"**{t}**: {len(bank.select_questions(t))} questions, "
            f"{len(bank.select_quickfire(t))} quick-fire"
            for t in bank.topics()
        ]
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A participant's message in a session's thread or DM is their answer (typed or
        recorded); all else is ignored."""
        if message.author.bot:
            return
        room = self.launcher.rooms.by_channel(message.channel.id)
        session = room.session if room else None
        user = str(message.author.id)
        if session is None or session.ended or user not in session.participants:
            return
        if not session.waiting_for_answer:
            return
        recording = recording_of(message)
        if recording is not None:
            await self.voice_messages.answer(message, recording, session)
            return
        try:
            await session.answer(Answer.typed(user, message.content))
        except NothingToAnswer:
            return
        except InterviewBotError as error:
            await message.reply(str(error), mention_author=False, allowed_mentions=NO_PINGS)
        except Exception as error:
            await message.reply(
                sentence_for(error), mention_author=False, allowed_mentions=NO_PINGS
            )

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A deleted thread ends its session; every answer is already stored."""
        room = self.launcher.rooms.forget(payload.thread_id)
        if room is not None:
            await room.close_stage()
        if room is not None and room.session is not None and not room.session.ended:
            room.closed = True
            await room.session.stop("thread deleted")
