"""The report card at the end of a session: built from the stored attempts, nothing else.

Everything in it comes from what the store already holds (each attempt's score, missed point
ids, words per minute and fillers) and the bank (labels and topics), so the same card can be
built again later, by another process, for an Export button pressed after a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.bank.catalog import Bank
from bot.bank.models import Missed
from bot.engine.events import Mode, Outcome, PointRef, SessionEnded
from bot.engine.interview import ROOT_WEIGHT
from bot.engine.ports import AttemptRecord, Grader
from bot.engine.review import schedule
from bot.errors import UnknownItem

PACE_STEADY_FRACTION = 0.1  # a change in words per minute under 10% is "steady"
FILLERS_STEADY = 1.0  # a change of under one filler word per answer is "steady"
NOT_SHOWN = frozenset({"shutdown", "thread deleted"})  # nobody is there to read a card


class ReportOffer(StrEnum):
    """What a session's end offers: a card for its one person, a card each on request (a
    group round, beside its scoreboard), or none (quick-fire, a shutdown)."""

    CARD = "card"
    ON_REQUEST = "on_request"
    NONE = "none"


def offered(event: SessionEnded) -> ReportOffer:
    """Whether this ended session shows a report card, offers one per member, or neither."""
    if event.reason in NOT_SHOWN:
        return ReportOffer.NONE
    return {Mode.SOLO: ReportOffer.CARD, Mode.GROUP: ReportOffer.ON_REQUEST}.get(
        event.mode, ReportOffer.NONE
    )


class Trend(StrEnum):
    """How a figure moved from the first half of a session's spoken answers to the second."""

    UP = "up"
    DOWN = "down"
    STEADY = "steady"


@dataclass(frozen=True)
class QuestionScore:
    """One question of the session: its score (question x2, follow-ups x1) and how it went."""

    question_id: str
    prompt: str
    topic: str
    score: float
    outcome: Outcome
    follow_ups: int


@dataclass(frozen=True)
class TopicMisses:
    """The key points missed on one topic's questions (ids inside, labels for display)."""

    topic: str
    points: tuple[PointRef, ...]


@dataclass(frozen=True)
class Comeback:
    """A question of the session and when /review brings it back (FSRS)."""

    question_id: str
    prompt: str
    due: datetime
    reviews: int


@dataclass(frozen=True)
class SpokenAnswer:
    """One spoken answer's delivery."""

    node_id: str
    words_per_minute: float
    filler_words: int


@dataclass(frozen=True)
class Delivery:
    """Pace and fillers over a session's spoken answers, oldest first, and their trends."""

    answers: tuple[SpokenAnswer, ...]

    @property
    def mean_pace(self) -> float:
        """Words per minute over all spoken answers."""
        return sum(a.words_per_minute for a in self.answers) / len(self.answers)

    @property
    def mean_fillers(self) -> float:
        """Filler words per spoken answer."""
        return sum(a.filler_words for a in self.answers) / len(self.answers)

    @property
    def pace_trend(self) -> Trend:
        """Did the pace go up or down from the first half of the answers to the second?"""
        first, second = self._halves([a.words_per_minute for a in self.answers])
        return _trend(second - first, PACE_STEADY_FRACTION * max(first, 1.0))

    @property
    def filler_trend(self) -> Trend:
        """Did the fillers per answer go up or down from the first half to the second?"""
        first, second = self._halves([float(a.filler_words) for a in self.answers])
        return _trend(second - first, FILLERS_STEADY)

    @staticmethod
    def _halves(values: list[float]) -> tuple[float, float]:
        if len(values) < 2:  # one answer has no trend
            return values[0], values[0]
        half = len(values) // 2
        first, second = values[:half], values[len(values) - half :]
        return sum(first) / len(first), sum(second) / len(second)


@dataclass(frozen=True)
class ReportCard:
    """One person's report on one session, as of `made_at`."""

    session_id: str
    user_id: str
    mode: Mode
    made_at: datetime
    questions: tuple[QuestionScore, ...]
    missed: tuple[TopicMisses, ...]
    comebacks: tuple[Comeback, ...]
    delivery: Delivery | None

    @property
    def mean_score(self) -> float | None:
        """The mean question score (None: no question was answered or skipped)."""
        if not self.questions:
            return None
        return sum(q.score for q in self.questions) / len(self.questions)

    @property
    def empty(self) -> bool:
        """Nothing was answered, skipped or timed out in the session."""
        return not self.questions


class AttemptSource(Protocol):
    """Where a person's attempts are kept (the repository)."""

    async def attempts_for(self, user_id: str) -> list[AttemptRecord]:
        """Every attempt of one user, oldest first."""
        ...


@dataclass(frozen=True)
class ReportMaker:
    """What a report card is made from: the store, the bank, the grader (for points a
    follow-up earned back, as the reveal showed them)."""

    store: AttemptSource
    bank: Bank
    grader: Grader

    async def card(self, session_id: str, user_id: str, now: datetime) -> ReportCard:
        """`user_id`'s report card on `session_id`, from the store (built in a worker thread:
        it grades again the follow-up answers that earned back a missed point)."""
        attempts = await self.store.attempts_for(user_id)
        return await asyncio.to_thread(
            build_report, attempts, self.bank, self.grader, session_id, user_id, now
        )


def build_report(
    attempts: Sequence[AttemptRecord],
    bank: Bank,
    grader: Grader,
    session_id: str,
    user_id: str,
    now: datetime,
) -> ReportCard:
    """The report card from one person's attempts (every session: the review schedule needs
    them all), oldest first; only `session_id`'s attempts are scored."""
    mine = [a for a in attempts if a.user_id == user_id and a.answered_at <= now]
    here = [a for a in mine if a.session_id == session_id and a.mode is not Mode.QUICKFIRE]
    by_question: dict[str, list[AttemptRecord]] = {}
    for attempt in here:
        by_question.setdefault(attempt.question_id, []).append(attempt)
    questions = tuple(_question_score(bank, q, rows) for q, rows in by_question.items())
    due = {d.question_id: d for d in schedule(mine)}
    back = [
        Comeback(q.question_id, q.prompt, due[q.question_id].due, due[q.question_id].reviews)
        for q in questions
        if q.question_id in due
    ]
    comebacks = tuple(sorted(back, key=lambda c: (c.due, c.question_id)))
    spoken = tuple(
        SpokenAnswer(a.node_id, a.words_per_minute, a.filler_words or 0)
        for a in here
        if a.words_per_minute
    )
    return ReportCard(
        session_id=session_id,
        user_id=user_id,
        mode=here[0].mode if here else Mode.SOLO,
        made_at=now,
        questions=questions,
        missed=_missed_by_topic(bank, grader, by_question),
        comebacks=comebacks,
        delivery=Delivery(spoken) if spoken else None,
    )


def _question_score(bank: Bank, question_id: str, rows: list[AttemptRecord]) -> QuestionScore:
    """The question's score as the reveal gave it: the question twice, each follow-up once."""
    weights = [ROOT_WEIGHT if a.node_id == question_id else 1.0 for a in rows]
    score = sum(w * a.score for w, a in zip(weights, rows, strict=True)) / sum(weights)
    root = next((a for a in rows if a.node_id == question_id), rows[0])
    try:
        question = bank.question(question_id)
        prompt, topic = question.prompt, question.topic
    except UnknownItem:  # the bank no longer has it: the id is all there is
        prompt, topic = question_id, "unknown"
    follow_ups = sum(a.node_id != question_id for a in rows)
    return QuestionScore(question_id, prompt, topic, round(score, 3), root.outcome, follow_ups)


def _missed_by_topic(
    bank: Bank, grader: Grader, by_question: dict[str, list[AttemptRecord]]
) -> tuple[TopicMisses, ...]:
    """Each key point missed (and not earned back by a follow-up), by topic."""
    topics: dict[str, dict[str, PointRef]] = {}
    for question_id, rows in by_question.items():
        earned = _earned_back(bank, grader, question_id, rows)
        points = topics.setdefault(bank.topic_of(question_id) or "unknown", {})
        for attempt in rows:
            labels = _labels(bank, attempt.node_id)
            for point in attempt.missed:
                if (attempt.node_id, point) not in earned:
                    points.setdefault(point, PointRef(point, labels.get(point, point)))
    return tuple(TopicMisses(t, tuple(p.values())) for t, p in sorted(topics.items()) if p)


def _earned_back(
    bank: Bank, grader: Grader, question_id: str, rows: list[AttemptRecord]
) -> set[tuple[str, str]]:
    """(node, point) pairs a node missed and a later follow-up asked for those points (a
    probe) covered, as the engine credits them in the reveal."""
    tree = bank.trees.get(question_id)
    if tree is None:
        return set()
    earned: set[tuple[str, str]] = set()
    for index, attempt in enumerate(rows):
        if attempt.outcome is not Outcome.ANSWERED or not attempt.answer_text:
            continue
        for parent in reversed(rows[:index]):
            if parent.node_id not in tree.nodes:
                continue
            wanted = {
                p
                for when, child in tree.children(parent.node_id)
                if child.id == attempt.node_id and isinstance(when, Missed)
                for p in when.missed
            }
            if wanted:
                spoken = attempt.words_per_minute is not None
                node = tree.nodes[parent.node_id]
                grade = grader.grade(tree.question, node, attempt.answer_text, spoken=spoken)
                earned |= {(parent.node_id, p.id) for p in grade.covered if p.id in wanted}
                break
    return earned


def _labels(bank: Bank, node_id: str) -> dict[str, str]:
    try:
        _, node = bank.node(node_id)
    except UnknownItem:
        return {}
    return {p.id: p.label for p in node.key_points}


def _trend(change: float, steady: float) -> Trend:
    if abs(change) < steady:
        return Trend.STEADY
    return Trend.UP if change > 0 else Trend.DOWN
