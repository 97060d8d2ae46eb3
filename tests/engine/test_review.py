"""Spaced repetition with FSRS: ratings from grades, due dates, the review session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from bot.engine.base import Services
from bot.engine.clock import ManualClock
from bot.engine.events import Asked, Mode, Outcome
from bot.engine.manager import SessionManager
from bot.engine.ports import AttemptRecord
from bot.engine.review import due_now, rating_for, schedule
from bot.errors import NothingDue
from tests.conftest import EventLog

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def attempt(
    question: str,
    score: float,
    days: float,
    outcome: str = "answered",
    node: str | None = None,
    mode: str = "solo",
) -> AttemptRecord:
    at = T0 + timedelta(days=days)
    return AttemptRecord(
        session_id="s",
        user_id="ada",
        mode=Mode(mode),
        question_id=question,
        node_id=node or question,
        answer_text="",
        outcome=Outcome(outcome),
        score=score,
        asked_at=at,
        answered_at=at,
    )


@pytest.mark.parametrize(
    ("score", "outcome", "rating"),
    [
        (0.9, "answered", Rating.Easy),
        (0.7, "answered", Rating.Good),
        (0.4, "answered", Rating.Hard),
        (0.1, "answered", Rating.Again),
        (1.0, "skipped", Rating.Again),
        (0.0, "timeout", Rating.Again),
    ],
)
def test_ratings(score: float, outcome: str, rating: Rating) -> None:
    assert rating_for(score, Outcome(outcome)) is rating


def test_weak_answers_come_back_sooner() -> None:
    plan = schedule(
        [
            attempt("strong", 0.95, 0),
            attempt("weak", 0.2, 0),
            attempt("weak", 0.0, 0, node="weak-follow-up"),
            attempt("qf", 0.0, 0, mode="quickfire"),
        ]
    )
    assert [d.question_id for d in plan] == ["weak", "strong"]
    assert plan[0].due < T0 + timedelta(hours=1)
    assert plan[1].due >= T0 + timedelta(days=1)
    assert due_now([attempt("strong", 0.95, 0)], T0 + timedelta(hours=1)) == []


def test_repeated_good_answers_push_the_due_date_out() -> None:
    once = schedule([attempt("q", 0.9, 0)])[0].due
    thrice = schedule([attempt("q", 0.9, 0), attempt("q", 0.9, 10), attempt("q", 0.9, 40)])
    assert thrice[0].reviews == 3
    assert thrice[0].due - (T0 + timedelta(days=40)) > once - T0


async def test_review_session_asks_what_is_due(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    manager = SessionManager(services)
    with pytest.raises(NothingDue, match="no answered questions"):
        await manager.start_review("ada", log)
    first = await manager.start_solo("ada", log, topic="deep-learning")
    await first.skip("ada")  # a skip is rated Again: due again in minutes
    with pytest.raises(NothingDue, match="next question comes due"):
        await manager.start_review("ada", log)
    await clock.advance(600)
    review = await manager.start_review("ada", log)
    assert log.last(Asked).question_id == "t-backprop"
    assert review.options.question_ids == ("t-backprop",)
