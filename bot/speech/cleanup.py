"""Tidying a transcript: Whisper sometimes loops on short or unclear audio ("L1. L1. L1. ...")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.grading.speech_metrics import TimedWord

MIN_RUN = 3  # a phrase said three times in a row, back to back, is a decoding loop
MAX_PHRASE = 4
_PUNCTUATION = re.compile(r"[^\w']+")


def _key(word: TimedWord) -> str:
    return _PUNCTUATION.sub("", word.text.lower())


def collapse_repeats(words: Sequence[TimedWord]) -> list[TimedWord]:
    """Keep one copy of any phrase of up to 4 words repeated 3 or more times back to back."""
    keys = [_key(w) for w in words]
    kept: list[TimedWord] = []
    index = 0
    while index < len(words):
        loop = _loop_at(keys, index)
        if loop is None:
            kept.append(words[index])
            index += 1
        else:
            size, runs = loop
            kept.extend(words[index : index + size])
            index += size * runs
    return kept


def _loop_at(keys: list[str], index: int) -> tuple[int, int] | None:
    """(phrase length, repetitions) of a loop starting at `index`, if there is one."""
    for size in range(1, MAX_PHRASE + 1):
        phrase = keys[index : index + size]
        if len(phrase) < size:
            return None
        runs = 1
        while keys[index + runs * size : index + (runs + 1) * size] == phrase:
            runs += 1
        if runs >= MIN_RUN:
            return size, runs
    return None
