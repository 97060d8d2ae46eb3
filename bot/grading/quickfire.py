"""Match a short quick-fire answer against the accepted answers."""

from __future__ import annotations

import re
from collections.abc import Iterable

import jellyfish

from bot.grading.text import ARTICLES, normalise

_LEAD_INS = re.compile(
    r"^(?:(?:i think|i believe|maybe|probably|it is|its|it s|that is|thats|the answer is|"
    r"answer|um|uh|er|erm|so|well|ok|okay)\s+)+"
)
TYPO_MIN_CHARS = 5  # shorter answers must match exactly
TYPO_LONG_CHARS = 10  # from this length two slips are forgiven


def _canonical(text: str) -> str:
    words = [w for w in normalise(text).split() if w not in ARTICLES]
    joined = " ".join(words)
    return _LEAD_INS.sub("", joined).strip()


def allowed_typos(length: int) -> int:
    """How many single-letter slips an answer of this length may have."""
    if length < TYPO_MIN_CHARS:
        return 0
    return 2 if length >= TYPO_LONG_CHARS else 1


def matches(answer: str, accepted: Iterable[str]) -> bool:
    """True when `answer` is one of `accepted`, forgiving case, punctuation, articles and typos.

    Digits must match exactly, and a typo is forgiven only in words of five letters or more, so
    "chair" never matches "air" and "l1" never matches "l2".
    """
    given = _canonical(answer)
    if not given:
        return False
    for option in accepted:
        wanted = _canonical(option)
        if not wanted:
            continue
        if given == wanted or given.replace(" ", "") == wanted.replace(" ", ""):
            return True
        if _digits(given) != _digits(wanted):
            continue
        budget = allowed_typos(min(len(given), len(wanted)))
        if budget and jellyfish.damerau_levenshtein_distance(given, wanted) <= budget:
            return True
    return False


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())
