"""The small Protocols the engine depends on, and the records it hands to storage."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.bank.models import Node, Question
from bot.engine.events import Event, Mode, Outcome, SessionStatus
from bot.grading.grader import Grade


@dataclass(frozen=True)
class AttemptRecord:
    """One answer (or skip, or time-out) to one node or quick-fire item."""

    session_id: str
    user_id: str
    mode: Mode
    question_id: str
    node_id: str
    answer_text: str
    outcome: Outcome
    score: float
    asked_at: datetime
    answered_at: datetime
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    hints_used: int = 0
    guild_id: str | None = None
    words_per_minute: float | None = None
    filler_words: int | None = None

    @property
    def seconds(self) -> float:
        """Time from the question to the answer."""
        return (self.answered_at - self.asked_at).total_seconds()

    @property
    def question_level(self) -> bool:
        """An attempt at a question itself: not a follow-up, not a quick-fire item."""
        return self.node_id == self.question_id and self.mode is not Mode.QUICKFIRE

    @property
    def counts_as_answer(self) -> bool:
        """A real answer (not a skip or a time-out)."""
        return self.outcome in (Outcome.ANSWERED, Outcome.CORRECT, Outcome.WRONG)


@dataclass(frozen=True)
class SessionRecord:
    """A session's row: who, where, when, and how it ended."""

    id: str
    mode: Mode
    host: str
    started_at: datetime
    participants: tuple[str, ...] = ()
    guild_id: str | None = None
    channel_id: str | None = None
    shard_id: int | None = None  # its guild's shard (0 for a DM), which owns it; None in a terminal
    ended_at: datetime | None = None
    status: SessionStatus = SessionStatus.RUNNING
    options: dict[str, object] = field(default_factory=dict)
    state: dict[str, Any] | None = None  # where it is (turn, open node, scores): to resume it
    voice_channel_id: str | None = None  # the voice channel it speaks in (None: text only)


@dataclass(frozen=True)
class LeaderboardLine:
    """One opted-in member's line on a server's leaderboard."""

    user_id: str
    quickfire_correct: int
    group_points: float
    answers: int

    @property
    def total(self) -> float:
        """Quick-fire items won plus group-round points."""
        return self.quickfire_correct + self.group_points


class Repository(Protocol):
    """Where sessions and attempts are kept."""

    async def save_session(self, record: SessionRecord) -> None:
        """Insert or update a session."""
        ...

    async def record_attempt(
        self, attempt: AttemptRecord, session: SessionRecord | None = None
    ) -> None:
        """Keep one attempt, durably, before returning; with `session`, store its row in the
        same transaction (the answer and the state it led to are kept together or not at all)."""
        ...

    async def interrupt_local(self, host: str, ended_at: datetime) -> list[str]:
        """Mark this person's running sessions outside Discord "interrupted"; their ids."""
        ...

    async def running_sessions(self, shard_ids: Sequence[int]) -> list[SessionRecord]:
        """Sessions still "running" on these shards (a previous process left them)."""
        ...

    async def recent_question_ids(self, user_id: str, limit: int) -> list[str]:
        """The question ids this user saw most recently, newest first."""
        ...

    async def attempts_for(self, user_id: str) -> list[AttemptRecord]:
        """Every attempt of one user, oldest first."""
        ...

    async def question_attempts(self, user_id: str) -> list[AttemptRecord]:
        """One user's question-level attempts (AttemptRecord.question_level), oldest first."""
        ...

    async def interrupt_running(
        self, shard_ids: Sequence[int], ended_at: datetime, keep: Sequence[str] = ()
    ) -> list[str]:
        """Mark sessions still "running" on these shards "interrupted" (but not `keep`);
        returns their ids."""
        ...


class Grader(Protocol):
    """Grades free answers and checks quick-fire answers."""

    def grade(self, question: Question, node: Node, answer: str, *, spoken: bool = False) -> Grade:
        """Grade an answer to a question or follow-up."""
        ...

    def quickfire_correct(self, answer: str, accepted: Sequence[str]) -> bool:
        """Whether a quick-fire answer is one of the accepted ones."""
        ...


EventSink = Callable[[Event], Awaitable[None]]
