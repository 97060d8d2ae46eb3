"""What a person's attempts say: mastery per topic, recent scores, practice streak, delivery."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.engine.ports import AttemptRecord

RECENT = 10


@dataclass(frozen=True)
class Point:
    """One question-level score at one time."""

    at: datetime
    score: float
    question_id: str


@dataclass(frozen=True)
class Stats:
    """A person's progress."""

    answers: int
    scores: tuple[Point, ...]
    mastery: Mapping[str, float]
    streak_days: int
    words_per_minute: tuple[tuple[datetime, float], ...]
    fillers_per_answer: float | None

    @property
    def recent(self) -> tuple[float, ...]:
        """The last few question-level scores, oldest first."""
        return tuple(p.score for p in self.scores[-RECENT:])


def compute(
    attempts: Sequence[AttemptRecord], topic_of: Callable[[str], str | None], today: date
) -> Stats:
    """Stats from attempts (oldest first); `topic_of` maps a question id to its topic.

    Mastery of a topic is the mean of the latest score on each of its questions; the streak
    counts consecutive days with at least one answer, ending today or yesterday.
    """
    asked = [a for a in attempts if a.question_level]
    scores = tuple(Point(a.answered_at, a.score, a.question_id) for a in asked)
    latest: dict[str, float] = {p.question_id: p.score for p in scores}
    by_topic: dict[str, list[float]] = defaultdict(list)
    for question, score in latest.items():
        topic = topic_of(question)
        if topic is not None:
            by_topic[topic].append(score)
    spoken = [(a.answered_at, a.words_per_minute) for a in attempts if a.words_per_minute]
    fillers = [a.filler_words for a in attempts if a.filler_words is not None]
    return Stats(
        answers=sum(a.counts_as_answer for a in attempts),
        scores=scores,
        mastery={t: sum(v) / len(v) for t, v in sorted(by_topic.items())},
        streak_days=_streak({a.answered_at.date() for a in attempts}, today),
        words_per_minute=tuple(spoken),
        fillers_per_answer=sum(fillers) / len(fillers) if fillers else None,
    )


def _streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
