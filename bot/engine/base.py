"""What every session shares: the one contract adapters use, dependencies, events, ending.

Every mode answers the same calls, so an adapter never asks which mode it holds:

    session.waiting             -> Waiting(node_id, answerers) | None   what is open, for whom
    await session.answer(Answer.typed(user, text, node_id))  -> Answered   (or .heard(...))
    await session.skip(user) / hint(user) / repeat(user) / done(user) / next_question(user)
    await session.end(user, moderator=...)

An answer naming a node that is no longer open raises StaleAnswer (never graded against
another node); a step a mode does not have raises NotInThisMode. Both are SessionErrors whose
`str()` is the sentence to show.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from bot.bank.catalog import Bank
from bot.engine.answers import Answer, Answered, Waiting
from bot.engine.clock import Clock
from bot.engine.events import (
    Event,
    Mode,
    ParticipantsChanged,
    ScoreLine,
    SessionEnded,
    SessionStatus,
)
from bot.engine.inline_grading import INLINE_CHARS
from bot.engine.ports import AttemptRecord, EventSink, Grader, Repository, SessionRecord
from bot.engine.selection import T, pick
from bot.engine.shards import ShardPlan
from bot.engine.timers import Timers
from bot.errors import (
    InvalidAnswer,
    NotAllowed,
    NotAParticipant,
    NothingToAnswer,
    NotInThisMode,
    SessionError,
    SessionOver,
    StaleAnswer,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """The dependencies a session is given."""

    bank: Bank
    grader: Grader
    repository: Repository
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    shards: ShardPlan = field(default_factory=ShardPlan)
    inline_grade_chars: int = INLINE_CHARS  # graded on the loop up to this length


@dataclass(frozen=True)
class Place:
    """Where a session runs (all None in the terminal); a voice session also speaks in
    `voice_channel_id`."""

    guild_id: str | None = None
    channel_id: str | None = None
    voice_channel_id: str | None = None


class Session(ABC):
    """A running session of any mode. Every public input method is serialised by one lock."""

    mode: Mode
    options: Any  # the mode's options dataclass
    advances_alone: ClassVar[bool] = False  # True: the next item comes by itself (quick-fire)

    def __init__(
        self,
        services: Services,
        sink: EventSink,
        session_id: str,
        host: str,
        place: Place | None = None,
    ) -> None:
        self.services = services
        self.id = session_id
        self.host = host
        self.place = place or Place()
        self.participants: list[str] = [host]
        self.started_at = services.clock.utcnow()
        self.ended = False
        self._sink = sink
        self._lock = asyncio.Lock()
        self.timers = Timers(services.clock, session_id)

    async def emit(self, event: Event) -> None:
        """Hand an event to the adapter; an adapter failure is logged, never raised here."""
        try:
            await self._sink(event)
        except Exception:
            log.exception("session %s: the adapter failed on %s", self.id, type(event).__name__)

    def require_open(self) -> None:
        """Raise SessionOver once the session has ended."""
        if self.ended:
            raise SessionOver(self.id)

    def require_participant(self, participant: str) -> None:
        """Raise unless `participant` is in this session."""
        self.require_open()
        if participant not in self.participants:
            raise NotAParticipant(self.id, participant)

    def require_control(self, by: str, action: str, *, moderator: bool = False) -> None:
        """Raise unless `by` may do `action` for everyone: the host, a moderator, or solo."""
        self.require_open()
        if moderator or by == self.host:
            return
        self.require_participant(by)
        raise NotAllowed(self.id, by, action)

    def check_answer(self, answer: Answer) -> Waiting:
        """What the answer is for; raises unless it answers the open node and may answer it."""
        self.require_participant(answer.participant)
        waiting = self.waiting
        if answer.node_id is not None and (waiting is None or waiting.node_id != answer.node_id):
            raise StaleAnswer(self.id, answer.node_id, answer.text)
        if waiting is None:
            raise NothingToAnswer(self.id)
        return waiting

    def check_answer_text(self, text: str, limit: int) -> str:
        """The stripped answer, or InvalidAnswer when it is empty or too long."""
        stripped = text.strip()
        if not stripped:
            raise InvalidAnswer(self.id, "The answer is empty; type or say what you think.")
        if len(stripped) > limit:
            message = f"The answer is {len(stripped):,} characters; the limit is {limit:,}."
            raise InvalidAnswer(self.id, message)
        return stripped

    async def choose(
        self,
        candidates: Sequence[T],
        count: int,
        window: int,
        topic: str | None,
        difficulty: str | None,
    ) -> list[T]:
        """Up to `count` items, those no participant saw in their last `window` first."""
        recent: list[str] = []
        for person in self.participants:
            recent += await self.services.repository.recent_question_ids(person, window)
        return pick(
            candidates, count, recent, self.services.rng, topic=topic, difficulty=difficulty
        )

    async def join(self, participant: str) -> None:
        """Add a participant (group and quick-fire rounds)."""
        async with self._lock:
            self.require_open()
            if participant in self.participants:
                return
            self.participants.append(participant)
            await self.save()
            await self.emit(
                ParticipantsChanged(self.id, tuple(self.participants), joined=participant)
            )

    async def leave(self, participant: str) -> None:
        """Remove a participant; the session ends when nobody is left."""
        async with self._lock:
            self.require_participant(participant)
            self.participants.remove(participant)
            if participant == self.host and self.participants:
                self.host = self.participants[0]
            await self.emit(
                ParticipantsChanged(self.id, tuple(self.participants), left=participant)
            )
            if not self.participants:
                await self.finish("everyone left")
                return
            await self.after_leave(participant)
            await self.save()

    async def after_leave(self, participant: str) -> None:  # noqa: B027 - optional hook
        """Hook: a mode reacts to someone leaving (a turn passes on)."""

    async def end(self, by: str, *, moderator: bool = False) -> None:
        """End the session now (the host, a moderator, or the solo participant)."""
        async with self._lock:
            self.require_control(by, "end the session", moderator=moderator)
            await self.finish("ended")

    async def stop(self, reason: str) -> None:
        """End the session for a reason of the system's own (shutdown, a deleted thread)."""
        async with self._lock:
            await self.finish(reason)

    async def finish(self, reason: str) -> None:
        """Stop timers, store the outcome, announce the scoreboard. Call with the lock held."""
        if self.ended:
            return
        self.ended = True
        self.timers.cancel_all()
        status = SessionStatus.COMPLETED if reason == "completed" else SessionStatus.ENDED
        await self.save(status=status)
        await self.emit(SessionEnded(self.id, self.mode, reason, self.scoreboard()))

    async def record(self, user_id: str, **fields: Any) -> None:
        """Store one attempt answered now, with the session's state in the same transaction
        (durable before this returns)."""
        attempt = AttemptRecord(
            session_id=self.id,
            user_id=user_id,
            mode=self.mode,
            guild_id=self.place.guild_id,
            answered_at=self.services.clock.utcnow(),
            **fields,
        )
        await self.services.repository.record_attempt(attempt, self.stored())

    async def save(self, status: SessionStatus | None = None) -> None:
        """Store the session row (insert or update), with where the session is."""
        await self.services.repository.save_session(self.stored(status))

    def stored(self, status: SessionStatus | None = None) -> SessionRecord:
        """The session's row as it stands now."""
        clock = self.services.clock
        return SessionRecord(
            id=self.id,
            mode=self.mode,
            host=self.host,
            started_at=self.started_at,
            participants=tuple(self.participants),
            guild_id=self.place.guild_id,
            channel_id=self.place.channel_id,
            shard_id=self.services.shards.shard_for(self.place.guild_id, self.place.channel_id),
            ended_at=clock.utcnow() if self.ended else None,
            status=status or (SessionStatus.ENDED if self.ended else SessionStatus.RUNNING),
            options=self.describe(),
            state=None if self.ended else self.snapshot(),
            voice_channel_id=self.place.voice_channel_id,
        )

    @abstractmethod
    def snapshot(self) -> dict[str, Any]:
        """Where the session is, as JSON-ready values (stored at every step)."""

    @abstractmethod
    def restore(self, state: dict[str, Any]) -> None:
        """Take up the place a stored `snapshot()` describes (a new process resuming)."""

    @abstractmethod
    async def resume(self) -> None:
        """After `restore`: ask again what was open when the old process stopped."""

    async def catch_up(self, pending: Sequence[Answer]) -> int:
        """After `restore`: grade the answers given to the open node while no process listened
        (oldest first; one per person allowed to answer, until the node closes); the number
        graded. An answer stored before the kill moved the session on, so it is not here."""
        first = self.waiting
        graded = 0
        for answer in pending:
            waiting = self.waiting
            if first is None or waiting is None or waiting.node_id != first.node_id:
                break
            if not waiting.accepts(answer.participant):
                continue
            try:
                await self.answer(dataclasses.replace(answer, node_id=waiting.node_id))
            except SessionError as error:
                log.info("session %s: a pending answer was not taken: %s", self.id, error)
                continue
            graded += 1
        return graded

    @abstractmethod
    async def start(self) -> None:
        """Ask the first question or item."""

    @property
    @abstractmethod
    def started(self) -> bool:
        """True once the first question or item has been asked."""

    @property
    @abstractmethod
    def waiting(self) -> Waiting | None:
        """The open node and who may answer it now; None between questions."""

    @property
    def waiting_for_answer(self) -> bool:
        """True while a question, follow-up or item is open."""
        return self.waiting is not None

    @abstractmethod
    async def answer(self, answer: Answer) -> Answered:
        """Grade an answer to the open node (StaleAnswer if it names another node)."""

    @abstractmethod
    async def skip(self, by: str, *, moderator: bool = False) -> None:
        """Give up on the open node: record it and reveal."""

    async def hint(self, by: str) -> None:
        """Show one key point of the open node (not every mode has hints)."""
        self.require_participant(by)
        raise NotInThisMode(self.id, "hints")

    async def repeat(self, by: str) -> None:
        """Ask the open node again."""
        self.require_participant(by)
        raise NotInThisMode(self.id, "repeat")

    async def done(self, by: str, *, moderator: bool = False) -> None:
        """Stop the follow-ups and reveal now."""
        self.require_participant(by)
        raise NotInThisMode(self.id, "follow-ups to stop")

    async def next_question(self, by: str) -> None:
        """After a reveal, ask the next question (quick-fire moves on by itself)."""
        self.require_participant(by)
        raise NotInThisMode(self.id, "next-question step; it moves on by itself")

    @abstractmethod
    def scoreboard(self) -> tuple[ScoreLine, ...]:
        """Everyone's score so far, best first."""

    def describe(self) -> dict[str, object]:
        """The session's options (a dataclass), as JSON-ready values for its stored row."""
        values = dataclasses.asdict(self.options)
        return {
            key: value.value
            if isinstance(value, Enum)
            else list(value)
            if isinstance(value, tuple)
            else value
            for key, value in values.items()
        }
