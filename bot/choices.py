"""What a person typed as a filter (`--topic "Deep Learning"`), checked against the bank."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.bank.catalog import Bank
from bot.bank.models import Difficulty
from bot.errors import NoQuestionsAvailable, UnknownTopic


class Kind(StrEnum):
    """What a session asks."""

    QUESTIONS = "questions"
    QUICKFIRE = "quickfire"


def slug(text: str) -> str:
    """A topic as the bank spells it: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def resolve_topic(bank: Bank, typed: str | None) -> str | None:
    """The bank's topic for `typed` (any case, spaces or hyphens); UnknownTopic lists them all."""
    if typed is None:
        return None
    topics = bank.topics()
    wanted = slug(typed)
    for topic in topics:
        if slug(topic) == wanted:
            return topic
    raise UnknownTopic(typed, tuple(topics))


def check_available(
    bank: Bank, kind: Kind, topic: str | None, difficulty: Difficulty | None
) -> None:
    """Raise NoQuestionsAvailable, naming the difficulties there are, when nothing matches."""
    if kind is Kind.QUICKFIRE:
        found = [(i.topic, i.difficulty) for i in bank.select_quickfire(topic)]
    else:
        found = [(q.topic, q.difficulty) for q in bank.select_questions(topic)]
    levels = [d for d in Difficulty if any(level is d for _, level in found)]
    if (difficulty is not None and difficulty not in levels) or not found:
        level = difficulty.value if difficulty else None
        what = f"{topic} quick-fire" if kind is Kind.QUICKFIRE and topic else topic
        if kind is Kind.QUICKFIRE and not topic:
            what = "quick-fire"
        raise NoQuestionsAvailable(what, level, tuple(d.value for d in levels))
