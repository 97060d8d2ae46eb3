"""Spaced repetition: which questions are due for a person, scheduled by FSRS from attempts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from bot.engine.events import Outcome
from bot.engine.ports import AttemptRecord

# A question's grade becomes an FSRS rating: missed key points bring it back sooner.
EASY_SCORE = 0.85
GOOD_SCORE = 0.6
HARD_SCORE = 0.3


def rating_for(score: float, outcome: Outcome) -> Rating:
    """The FSRS rating of one attempt at a question."""
    if outcome is not Outcome.ANSWERED or score < HARD_SCORE:
        return Rating.Again
    if score < GOOD_SCORE:
        return Rating.Hard
    return Rating.Good if score < EASY_SCORE else Rating.Easy


@dataclass(frozen=True)
class Due:
    """A question and when it is due."""

    question_id: str
    due: datetime
    reviews: int


def schedule(attempts: Iterable[AttemptRecord]) -> list[Due]:
    """Every question a person attempted, with its FSRS due date, soonest first.

    Only attempts at a question itself count (not its follow-ups, not quick-fire), replayed in
    the order they were answered.
    """
    scheduler = Scheduler(enable_fuzzing=False)
    cards: dict[str, Card] = {}
    counts: dict[str, int] = {}
    rows = sorted((a for a in attempts if a.question_level), key=lambda a: a.answered_at)
    for attempt in rows:
        question = attempt.question_id
        card = cards.get(question) or Card()
        rating = rating_for(attempt.score, attempt.outcome)
        cards[question], _ = scheduler.review_card(card, rating, attempt.answered_at)
        counts[question] = counts.get(question, 0) + 1
    due = [Due(q, card.due, counts[q]) for q, card in cards.items()]
    return sorted(due, key=lambda d: (d.due, d.question_id))


def due_now(attempts: Iterable[AttemptRecord], now: datetime) -> list[Due]:
    """The questions due at `now`, most overdue first."""
    return [d for d in schedule(attempts) if d.due <= now]
