"""What goes into a session and what comes back: an answer, its result, what is awaited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.grading.grader import Grade
from bot.grading.speech_metrics import TimedWord


@dataclass(frozen=True)
class Answer:
    """One person's answer: its text, whether it was spoken, its timed words, and the node
    (question, follow-up or quick-fire item) it answers. `node_id=None` answers whatever is
    open when it arrives (a message typed in the thread)."""

    participant: str
    text: str
    node_id: str | None = None
    spoken: bool = False
    words: tuple[TimedWord, ...] = ()

    @classmethod
    def typed(cls, participant: str, text: str, node_id: str | None = None) -> Answer:
        """An answer typed in a message, a dialog or the terminal."""
        return cls(participant, text, node_id)

    @classmethod
    def heard(
        cls, participant: str, text: str, words: Sequence[TimedWord], node_id: str | None = None
    ) -> Answer:
        """An answer spoken aloud and transcribed, with each word's timing."""
        return cls(participant, text, node_id, spoken=True, words=tuple(words))


@dataclass(frozen=True)
class Answered:
    """What an answer earned: its score (quick-fire: 1 or 0), whether it counts as correct,
    and the full grade of a free answer (None for quick-fire)."""

    node_id: str
    score: float
    correct: bool
    grade: Grade | None = None


@dataclass(frozen=True)
class Waiting:
    """What a session waits for: an answer to `node_id` from any of `answerers`."""

    node_id: str
    answerers: frozenset[str]

    def accepts(self, participant: str) -> bool:
        """Whether this person may answer now."""
        return participant in self.answerers
