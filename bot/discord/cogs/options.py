"""Options shared by several commands: topic autocomplete, difficulty choices, validation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.bank.models import Difficulty
from bot.discord.errors import UserFacingError

if TYPE_CHECKING:
    from bot.discord.client import InterviewBot

DIFFICULTIES = [app_commands.Choice(name=d.value, value=d.value) for d in Difficulty]


async def topic_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Topics from the bank that contain what was typed so far."""
    bot: InterviewBot = interaction.client  # type: ignore[assignment]
    typed = current.lower().strip()
    topics = [t for t in bot.app.bank.topics() if typed in t]
    return [app_commands.Choice(name=t, value=t) for t in topics[:25]]


def check_topic(bot: InterviewBot, topic: str | None) -> str | None:
    """The topic if the bank has it; otherwise one sentence listing what it has."""
    if topic is None:
        return None
    topics = bot.app.bank.topics()
    if topic not in topics:
        raise UserFacingError(f"There is no topic '{topic[:50]}'. Topics: {', '.join(topics)}.")
    return topic
