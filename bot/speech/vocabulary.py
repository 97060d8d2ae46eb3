"""The words to prime Whisper with: the question being answered and its jargon."""

from __future__ import annotations

import re

from bot.bank.catalog import Bank
from bot.bank.models import KeyPoint, Node, QuickFireItem
from bot.errors import UnknownItem

MAX_WORDS = 80  # Whisper keeps the last 224 prompt tokens; stay well inside that
_JARGON = re.compile(r"[A-Z0-9]|-|\w+\s*\(")


def vocabulary_prompt(node: Node | QuickFireItem) -> str:
    """The question's prompt, then its key-point labels and written-out jargon.

    Phrases the bank lists to catch speech-to-text mistakes ("ex g boost") are left out: only
    labels and phrases spelled as jargon (capitals, digits, hyphens) prime the recogniser.
    """
    terms: list[str] = []
    if isinstance(node, QuickFireItem):
        terms += list(node.answers)  # short answers: all of them are the words to expect
    else:
        for point in node.key_points:
            terms += _terms_of(point)
    unique: dict[str, str] = {}
    for term in terms:
        unique.setdefault(term.lower(), term)
    text = f"{node.prompt.strip()} {', '.join(unique.values())}."
    words = text.split()
    return " ".join(words[:MAX_WORDS])


def vocabulary_for(bank: Bank, node_id: str) -> str:
    """The prompt for whatever this id names: a question, a follow-up or a quick-fire item."""
    try:
        return vocabulary_prompt(bank.node(node_id)[1])
    except UnknownItem:
        return vocabulary_prompt(bank.quickfire_item(node_id))


def _terms_of(point: KeyPoint) -> list[str]:
    return [point.label, *(p for p in point.phrases if _JARGON.search(p))]
