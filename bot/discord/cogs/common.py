"""What several commands share: difficulty choices and topic autocomplete."""

from __future__ import annotations

from discord import app_commands

from bot.bank.catalog import Bank
from bot.bank.models import Difficulty

DIFFICULTIES = [app_commands.Choice(name=d.value, value=d.value) for d in Difficulty]


def topic_choices(bank: Bank, current: str) -> list[app_commands.Choice[str]]:
    """Topics from the bank that contain what was typed so far (Discord shows up to 25)."""
    typed = current.lower().strip()
    topics = [t for t in bank.topics() if typed in t]
    return [app_commands.Choice(name=t, value=t) for t in topics[:25]]
