"""The small Protocols the engine depends on, and the records it hands to storage."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.bank.models import Node, Question
from bot.engine.events import Event
from bot.grading.grader import Grade


@dataclass(frozen=True)
class AttemptRecord:
    """One answer (or skip, or time-out) to one node or quick-fire item."""

    session_id: str
    user_id: str
    mode: str
    question_id: str
    node_id: str
    answer_text: str
    outcome: str
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


@dataclass(frozen=True)
class SessionRecord:
    """A session's row: who, where, when, and how it ended."""

    id: str
    mode: str
    host: str
    started_at: datetime
    participants: tuple[str, ...] = ()
    guild_id: str | None = None
    channel_id: str | None = None
    shard_id: int | None = None  # the shard of its guild, which owns it; None without a guild
    ended_at: datetime | None = None
    status: str = "running"
    options: dict[str, object] = field(default_factory=dict)


class Repository(Protocol):
    """Where sessions and attempts are kept."""

    async def save_session(self, record: SessionRecord) -> None:
        """Insert or update a session."""
        ...

    async def record_attempt(self, attempt: AttemptRecord) -> None:
        """Keep one attempt, durably, before returning."""
        ...

    async def recent_question_ids(self, user_id: str, limit: int) -> list[str]:
        """The question ids this user saw most recently, newest first."""
        ...

    async def attempts_for(self, user_id: str) -> list[dict[str, Any]]:
        """Every attempt of one user, oldest first."""
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
        """Grade an answer to a question or follow-up (`spoken`: it came from speech-to-text)."""
        ...

    def quickfire_correct(self, answer: str, accepted: Sequence[str]) -> bool:
        """Whether a quick-fire answer is one of the accepted ones."""
        ...


EventSink = Callable[[Event], Awaitable[None]]
