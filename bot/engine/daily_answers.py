"""Answers to the question of the day: graded at once, stored like any attempt, shown privately.

Each member answers a day's question once; the answer is kept as an attempt of its own little
session (`daily-<server>-<yyyymmdd>-<member>`, a completed solo session of one question), so it
counts for /stats, streaks and /review, stays off the quick-fire and group leaderboard totals,
and /privacy delete removes it like any other. The grade goes to its author only (the adapter shows
it ephemerally); the reference answer waits for the reveal, so nobody copies it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from bot.bank.models import Question
from bot.engine.base import Services
from bot.engine.daily import DailyPost
from bot.engine.events import Mode, Outcome, SessionStatus
from bot.engine.inline_grading import grade_answer
from bot.engine.ports import AttemptRecord, SessionRecord
from bot.errors import DailyAnswerRefused, InvalidAnswer


def daily_session_prefix(guild_id: str, day: date) -> str:
    """What every answer session of one server's day starts with."""
    return f"daily-{guild_id}-{day:%Y%m%d}-"


def daily_session_id(guild_id: str, day: date, user_id: str) -> str:
    """The session a member's answer to one day's question is stored under."""
    return daily_session_prefix(guild_id, day) + user_id


@dataclass(frozen=True)
class DailyGrade:
    """A member's grade for one day's question: the score and which key points it covered."""

    score: float
    covered: tuple[str, ...]  # key-point labels
    missed: tuple[str, ...]

    @classmethod
    def of(cls, question: Question, attempt: AttemptRecord) -> DailyGrade:
        """From a stored attempt, with the labels of the question's key points."""
        labels = {p.id: p.label for p in question.key_points}
        return cls(
            attempt.score,
            tuple(labels.get(p, p) for p in attempt.covered),
            tuple(labels.get(p, p) for p in attempt.missed),
        )


class DailyAnswers:
    """Grades and stores question-of-the-day answers, one per member and day."""

    def __init__(self, services: Services, max_answer_chars: int) -> None:
        self._services = services
        self._limit = max_answer_chars
        self._lock = asyncio.Lock()  # one answer at a time: "once per member" holds

    def require_open(self, post: DailyPost) -> None:
        """Raise DailyAnswerRefused once the post's answer has been revealed."""
        if post.revealed_at is not None:
            raise DailyAnswerRefused(
                "This question of the day has been revealed; answer today's in its new thread."
            )

    async def answer(
        self, post: DailyPost, user_id: str, text: str, *, spoken: bool = False
    ) -> DailyGrade:
        """Grade `text` (typed, or the transcript of a recording) as the member's answer to the
        post's question and store it."""
        self.require_open(post)
        body = text.strip()
        session_id = daily_session_id(post.guild_id, post.day, user_id)
        if not body:
            raise InvalidAnswer(session_id, "That answer is empty; write a sentence or two.")
        if len(body) > self._limit:
            limit = f"{self._limit:,}"
            raise InvalidAnswer(
                session_id, f"That answer is {len(body):,} characters; the limit is {limit}."
            )
        services = self._services
        question = services.bank.question(post.question_id)
        async with self._lock:
            if await self.grade_of(post, user_id) is not None:
                raise DailyAnswerRefused(
                    "You have answered this question already; the reference answer and the "
                    "ranking come with the next question."
                )
            grade = await grade_answer(
                services.grader,
                question,
                question,
                body,
                spoken=spoken,
                inline_chars=services.inline_grade_chars,
            )
            now = services.clock.utcnow()
            session = SessionRecord(
                id=session_id,
                mode=Mode.SOLO,
                host=user_id,
                started_at=now,
                participants=(user_id,),
                guild_id=post.guild_id,
                channel_id=post.thread_id,
                shard_id=services.shards.shard_for(post.guild_id),
                ended_at=now,
                status=SessionStatus.COMPLETED,
                options={"daily": post.day.isoformat(), "question_id": question.id},
            )
            attempt = AttemptRecord(
                session_id=session_id,
                user_id=user_id,
                mode=Mode.SOLO,
                question_id=question.id,
                node_id=question.id,
                answer_text=body,
                outcome=Outcome.ANSWERED,
                score=grade.score,
                asked_at=post.posted_at,
                answered_at=now,
                covered=tuple(p.id for p in grade.covered),
                missed=tuple(p.id for p in grade.missed),
                guild_id=post.guild_id,
            )
            await services.repository.record_attempt(attempt, session)
        return DailyGrade.of(question, attempt)

    async def grade_of(self, post: DailyPost, user_id: str) -> DailyGrade | None:
        """The member's stored grade for the post's question, or None if they did not answer."""
        session_id = daily_session_id(post.guild_id, post.day, user_id)
        for attempt in await self._services.repository.attempts_for(user_id):
            if attempt.session_id == session_id:
                return DailyGrade.of(self._services.bank.question(post.question_id), attempt)
        return None
