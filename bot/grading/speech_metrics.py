"""Speaking metrics from a transcript: words per minute, filler words, long pauses, talk time."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

LONG_PAUSE_SECONDS = 2.0

# "like" and "you know" are fillers only when set off from the sentence ("it's, like, a tree"),
# never in "looks like a tree" or "do you know the answer"; "so"/"well" are left alone.
_FILLERS = re.compile(
    r"\b(?!(?-i:HMM|MM)\b)(?:um+|uh+|erm+|er|ah+|hmm+|mm+)\b"  # "HMM" is a model
    r"|(?:^|[,.;!?]\s*)like\s*,"
    r"|,\s*like\s+(?=\w)"
    r"|(?:^|[,.;!?]\s*)you know\b"
    r"|\byou know\s*(?:[,.;!?]|$)"
    r"|\bi mean\s*,"
    r"|\b(?:sort|kind) of\s*,",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimedWord:
    """A word with its start and end in seconds, as a speech-to-text engine reports it."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Pause:
    """A silence between two words."""

    at: float
    seconds: float


@dataclass(frozen=True)
class SpeechMetrics:
    """How an answer was spoken."""

    words: int
    talk_seconds: float | None
    words_per_minute: float | None
    filler_words: int
    fillers_per_minute: float | None
    long_pauses: tuple[Pause, ...] = ()

    @classmethod
    def from_text(cls, text: str) -> SpeechMetrics:
        """Metrics a typed answer allows: word and filler counts, no timing."""
        return cls(len(text.split()), None, None, count_fillers(text), None)

    @classmethod
    def of(cls, text: str, words: Sequence[TimedWord] | None = None) -> SpeechMetrics:
        """Metrics of an answer: from its timed words when spoken, from its text when typed."""
        return cls.from_words(words) if words else cls.from_text(text)

    @classmethod
    def from_words(
        cls, words: Sequence[TimedWord], pause_seconds: float = LONG_PAUSE_SECONDS
    ) -> SpeechMetrics:
        """Metrics from timed words: talk time runs from the first word's start to the last end."""
        if not words:
            return cls(0, 0.0, None, 0, None)
        text = " ".join(w.text.strip() for w in words)
        talk = max(words[-1].end - words[0].start, 0.0)
        pauses = tuple(
            Pause(round(before.end, 2), round(after.start - before.end, 2))
            for before, after in itertools.pairwise(words)
            if after.start - before.end >= pause_seconds
        )
        count = len(text.split())
        fillers = count_fillers(text)
        minutes = talk / 60
        return cls(
            words=count,
            talk_seconds=round(talk, 2),
            words_per_minute=round(count / minutes, 1) if minutes else None,
            filler_words=fillers,
            fillers_per_minute=round(fillers / minutes, 2) if minutes else None,
            long_pauses=pauses,
        )


def count_fillers(text: str) -> int:
    """How many filler words or phrases the text holds."""
    return len(_FILLERS.findall(text))
