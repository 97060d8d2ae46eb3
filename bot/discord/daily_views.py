"""The question of the day on Discord: its messages, Answer and See-my-grade buttons, dialog.

Buttons are `DynamicItem`s naming the server and day (and, for a grade, its author) in their
custom_id, so a button under a post made before a restart still works and nothing is kept per
message. A grade is only ever sent ephemerally, and only to its author: anyone else pressing
"See my grade" under someone's answer is told so in one sentence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.bank.models import Question
from bot.discord.errors import reply_privately, sentence_for
from bot.discord.render import COLOUR, FIELD_LIMIT, mention
from bot.discord.views import ANSWER_FIELD, DISCORD_TEXT_INPUT_LIMIT, _field_value
from bot.engine.daily_answers import DailyGrade
from bot.errors import DailyAnswerRefused

if TYPE_CHECKING:
    from bot.discord.daily import DailyFeature

log = logging.getLogger(__name__)

_KEY = r"(?P<guild>\d{1,20}):(?P<day>\d{8})"
BUTTON_PATTERN = rf"daily:(?P<action>answer|grade):{_KEY}(?::(?P<user>\d{{1,20}}))?"
DIALOG_PATTERN = re.compile(rf"daily:dialog:{_KEY}")
NOT_YOURS = "That grade belongs to whoever wrote the answer above; answer yourself to get yours."


def _day(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()  # a calendar day


def feature_of(interaction: discord.Interaction) -> DailyFeature:
    """The question-of-the-day feature of the bot that received this interaction."""
    return interaction.client.daily  # type: ignore[attr-defined, no-any-return]


def question_embed(question: Question, day: date) -> discord.Embed:
    """The day's question, as posted in its thread (no reference answer, no key points)."""
    embed = discord.Embed(
        title=f"Question of the day · {day:%A %d %B %Y}",
        description=question.prompt,
        colour=COLOUR,
    )
    embed.add_field(name="Topic", value=question.topic.replace("-", " "))
    embed.add_field(name="Level", value=question.difficulty.value)
    embed.set_footer(
        text="Answer here: type it, or press Answer for a private dialog. Your grade is shown "
        "to you only; the reference answer and the ranking come with the next question."
    )
    return embed


def reveal_embed(
    question: Question, day: date, ranking: Sequence[tuple[str, float]]
) -> discord.Embed:
    """The reveal: the reference answer, its key points, and who did best (leaderboard only)."""
    embed = discord.Embed(
        title=f"The answer · question of {day:%A %d %B %Y}",
        description=question.reference_answer[:4096],
        colour=discord.Colour.gold(),
    )
    points = "\n".join(f"• {p.label}" for p in question.key_points)
    embed.add_field(name="Key points", value=points[:FIELD_LIMIT], inline=False)
    lines = [f"{n}. {mention(user)}: {score:.0%}" for n, (user, score) in enumerate(ranking, 1)]
    text = "\n".join(lines[:20]) or "No leaderboard member answered (`/leaderboard join`)."
    embed.add_field(name="Ranking (leaderboard members)", value=text[:FIELD_LIMIT], inline=False)
    return embed


def grade_embed(grade: DailyGrade) -> discord.Embed:
    """A member's own grade, sent to them only."""
    embed = discord.Embed(title=f"Your grade: {grade.score:.0%}", colour=COLOUR)
    covered = "\n".join(f"✅ {label}" for label in grade.covered) or "none yet"
    embed.add_field(name="Key points you covered", value=covered[:FIELD_LIMIT], inline=False)
    embed.add_field(
        name="Key points still missing",
        value=f"{len(grade.missed)}: the reveal with the next question lists them all",
        inline=False,
    )
    return embed


class DailyButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=BUTTON_PATTERN
):
    """Answer (opens the dialog) under a post, or See my grade under a typed answer."""

    def __init__(self, action: str, guild_id: str, day: date, user_id: str = "") -> None:
        label, style = (
            ("Answer", discord.ButtonStyle.primary)
            if action == "answer"
            else ("See my grade", discord.ButtonStyle.secondary)
        )
        suffix = f":{user_id}" if user_id else ""
        custom_id = f"daily:{action}:{guild_id}:{day:%Y%m%d}{suffix}"
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        self.action, self.guild_id, self.day, self.user_id = action, guild_id, day, user_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DailyButton:
        """Rebuild the button from its custom_id (any message, before or after a restart)."""
        return cls(match["action"], match["guild"], _day(match["day"]), match["user"] or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Answer: the dialog. See my grade: the author's grade, to the author only."""
        try:
            feature = feature_of(interaction)
            post = await feature.post_of(self.guild_id, self.day)
            user = str(interaction.user.id)
            if self.action == "answer":
                feature.answers.require_open(post)
                if await feature.answers.grade_of(post, user) is not None:
                    raise DailyAnswerRefused(
                        "You have answered this question already; press See my grade under "
                        "your answer, or wait for the reveal with the next question."
                    )
                await interaction.response.send_modal(DailyAnswerModal(self.guild_id, self.day))
                return
            if user != self.user_id:
                await interaction.response.send_message(NOT_YOURS, ephemeral=True)
                return
            grade = await feature.answers.grade_of(post, user)
            if grade is None:
                raise DailyAnswerRefused("I have no grade of yours for this question.")
            await interaction.response.send_message(embed=grade_embed(grade), ephemeral=True)
        except Exception as error:
            await reply_privately(interaction, sentence_for(error))


class DailyAnswerModal(discord.ui.Modal, title="Your answer to the question of the day"):
    """A private answer; read back by its custom_id when submitted (`on_daily_dialog`)."""

    def __init__(self, guild_id: str, day: date) -> None:
        super().__init__(timeout=None, custom_id=f"daily:dialog:{guild_id}:{day:%Y%m%d}")
        self.add_item(
            discord.ui.TextInput(
                label="Answer",
                style=discord.TextStyle.paragraph,
                max_length=DISCORD_TEXT_INPUT_LIMIT,
                custom_id=ANSWER_FIELD,
            )
        )
        self.stop()


async def on_daily_dialog(interaction: discord.Interaction) -> None:
    """A submitted question-of-the-day dialog: grade it and show the grade to its author only."""
    data: Mapping[str, Any] = interaction.data or {}
    match = DIALOG_PATTERN.fullmatch(str(data.get("custom_id", "")))
    if interaction.type is not discord.InteractionType.modal_submit or match is None:
        return
    text = _field_value(data.get("components") or [], ANSWER_FIELD) or ""
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
        feature = feature_of(interaction)
        post = await feature.post_of(match["guild"], _day(match["day"]))
        grade = await feature.answers.answer(post, str(interaction.user.id), text)
        await interaction.followup.send(embed=grade_embed(grade), ephemeral=True)
    except Exception as error:
        await _hand_back(interaction, sentence_for(error), text)


async def _hand_back(interaction: discord.Interaction, sentence: str, text: str) -> None:
    """One private sentence, with the member's own text echoed so nothing typed is lost."""
    if not text.strip():
        await reply_privately(interaction, sentence)
        return
    try:
        await interaction.followup.send(
            f"{sentence} Here is what you wrote.",
            embed=discord.Embed(description=text[:4096]),
            ephemeral=True,
        )
    except discord.HTTPException:
        log.warning("could not hand a daily answer back (interaction %s)", interaction.id)


def answer_view(guild_id: str, day: date) -> discord.ui.View:
    """The Answer button under a day's question."""
    return _stopped(DailyButton("answer", guild_id, day))


def grade_view(guild_id: str, day: date, user_id: str) -> discord.ui.View:
    """See my grade, under one member's typed answer."""
    return _stopped(DailyButton("grade", guild_id, day, user_id))


def _stopped(item: DailyButton) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(item)
    view.stop()
    return view
