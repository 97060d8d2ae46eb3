"""Progress statistics from attempts, and the chart drawn from exactly those numbers."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.engine.events import Mode, Outcome
from bot.engine.ports import AttemptRecord
from bot.progress.chart import DPI, HEIGHT_INCHES, WIDTH_INCHES, render
from bot.progress.stats import compute

DAY0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
TOPICS = {"q1": "fundamentals", "q2": "fundamentals", "q3": "deep-learning"}


def attempt(
    question: str,
    score: float,
    day: int,
    *,
    node: str | None = None,
    mode: str = "solo",
    wpm: float | None = None,
    fillers: int | None = None,
    outcome: str = "answered",
) -> AttemptRecord:
    at = DAY0 + timedelta(days=day)
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
        words_per_minute=wpm,
        filler_words=fillers,
    )


ATTEMPTS = [
    attempt("q1", 0.2, 0),
    attempt("q1", 0.0, 0, node="q1-follow-up"),
    attempt("q3", 0.5, 1, wpm=120.0, fillers=4),
    attempt("q1", 0.8, 3),
    attempt("qf", 1.0, 4, mode="quickfire", outcome="correct"),
    attempt("q2", 0.6, 5, wpm=150.0, fillers=2),
]


def test_stats() -> None:
    stats = compute(ATTEMPTS, TOPICS.get, today=date(2026, 3, 6))
    assert [p.score for p in stats.scores] == [0.2, 0.5, 0.8, 0.6]
    assert stats.mastery == {"deep-learning": 0.5, "fundamentals": pytest.approx(0.7)}
    assert stats.streak_days == 3  # answers on Mar 4, 5 and 6; none on Mar 3
    assert stats.recent == (0.2, 0.5, 0.8, 0.6)
    assert [w for _, w in stats.words_per_minute] == [120.0, 150.0]
    assert stats.fillers_per_answer == 3.0
    assert stats.answers == 6


def test_streak_ends_today_or_yesterday() -> None:
    assert compute(ATTEMPTS, TOPICS.get, today=date(2026, 3, 8)).streak_days == 0
    assert compute([], TOPICS.get, today=date(2026, 3, 8)).streak_days == 0


def test_chart_is_a_png_of_the_right_size_drawn_from_the_attempts() -> None:
    stats = compute(ATTEMPTS, TOPICS.get, today=date(2026, 3, 6))
    chart = render(stats, "ada's progress")
    assert chart.png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", chart.png[16:24])
    assert (width, height) == (WIDTH_INCHES * DPI, HEIGHT_INCHES * DPI)
    assert chart.score_series == (0.2, 0.5, 0.8, 0.6)
    assert chart.mastery_bars == (("deep-learning", 0.5), ("fundamentals", pytest.approx(0.7)))
    empty = render(compute([], TOPICS.get, today=date(2026, 3, 6)), "nobody")
    assert empty.png[:8] == b"\x89PNG\r\n\x1a\n"
