"""Quick-fire: timed short items, first correct answer wins, streaks, a final leaderboard."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bot.bank.models import Difficulty, QuickFireItem
from bot.engine.answers import Answer, Answered, Waiting
from bot.engine.base import Place, Services, Session
from bot.engine.events import (
    Mode,
    Outcome,
    QuickFireAnswered,
    QuickFireAsked,
    QuickFireRevealed,
    ScoreLine,
    TimedOut,
)
from bot.engine.ports import EventSink
from bot.errors import NothingToAnswer


@dataclass(frozen=True)
class QuickFireOptions:
    """How a quick-fire round runs; built from the [quickfire] config section."""

    items: int = 10
    seconds_per_item: float = 20
    gap_seconds: float = 2
    topic: str | None = None
    difficulty: str | None = None
    max_answer_chars: int = 200
    recent_window: int = 20


@dataclass
class _Player:
    correct: int = 0
    answered: int = 0
    streak: int = 0
    best_streak: int = 0
    seconds: list[float] = field(default_factory=list)


@dataclass
class _Open:
    item: QuickFireItem
    number: int
    asked_at: datetime
    asked_mono: float
    tried: set[str] = field(default_factory=set)


class QuickFireSession(Session):
    """A timed round of quick-fire items for one or more people."""

    mode = Mode.QUICKFIRE
    advances_alone = True

    def __init__(
        self,
        services: Services,
        sink: EventSink,
        session_id: str,
        host: str,
        options: QuickFireOptions,
        place: Place | None = None,
    ) -> None:
        super().__init__(services, sink, session_id, host, place)
        self.options = options
        self._items: list[QuickFireItem] = []
        self._open: _Open | None = None
        self._asked = 0
        self._players: dict[str, _Player] = {}

    @property
    def waiting(self) -> Waiting | None:
        """The open item and who has not tried it yet."""
        current = self._open
        if current is None:
            return None
        return Waiting(current.item.id, frozenset(self.participants) - current.tried)

    @property
    def started(self) -> bool:
        """True once the first item has been asked."""
        return self._asked > 0

    async def start(self) -> None:
        """Choose the items and ask the first."""
        async with self._lock:
            self.require_open()
            o = self.options
            level = Difficulty(o.difficulty) if o.difficulty else None
            candidates = self.services.bank.select_quickfire(o.topic, level)
            self._items = await self.choose(
                candidates, o.items, o.recent_window, o.topic, o.difficulty
            )
            await self.save()
            await self._ask_next()

    async def answer(self, answer: Answer) -> Answered:
        """Check an answer to the open item; one try per person per item."""
        async with self._lock:
            self.check_answer(answer)
            participant = answer.participant
            text = self.check_answer_text(answer.text, self.options.max_answer_chars)
            current = self._open
            if current is None or participant in current.tried:
                raise NothingToAnswer(self.id)
            current.tried.add(participant)
            correct = self.services.grader.quickfire_correct(text, current.item.answers)
            seconds = self.services.clock.monotonic() - current.asked_mono
            player = self._players.setdefault(participant, _Player())
            player.answered += 1
            player.streak = player.streak + 1 if correct else 0
            if correct:
                player.correct += 1
                player.best_streak = max(player.best_streak, player.streak)
                player.seconds.append(seconds)
            await self._record(current, participant, text, correct)
            await self.emit(
                QuickFireAnswered(
                    self.id, participant, current.item.id, correct, player.streak, round(seconds, 2)
                )
            )
            if correct:
                await self._reveal(current, winner=participant, timed_out=False)
            elif current.tried >= set(self.participants):
                await self._reveal(current, winner=None, timed_out=False)
            return Answered(current.item.id, 1.0 if correct else 0.0, correct)

    async def skip(self, by: str, *, moderator: bool = False) -> None:
        """Reveal the open item and move on."""
        async with self._lock:
            if len(self.participants) > 1:
                self.require_control(by, "skip", moderator=moderator)
            else:
                self.require_participant(by)
            if self._open is None:
                raise NothingToAnswer(self.id)
            await self._reveal(self._open, winner=None, timed_out=False)

    async def _ask_next(self) -> None:
        if self._asked >= len(self._items):
            await self.finish("completed")
            return
        item = self._items[self._asked]
        self._asked += 1
        clock = self.services.clock
        self._open = _Open(item, self._asked, clock.utcnow(), clock.monotonic())
        await self.save()
        await self._put(self._open)

    async def _put(self, current: _Open) -> None:
        """Show the open item and start its clock."""
        item = current.item
        seconds = item.time_limit_seconds or self.options.seconds_per_item
        await self.emit(
            QuickFireAsked(self.id, item.id, item.prompt, current.number, len(self._items), seconds)
        )
        self.timers.start("limit", seconds, lambda: self._time_up(current))

    async def _time_up(self, current: _Open) -> None:
        async with self._lock:
            if self.ended or self._open is not current:
                return
            for person in self.participants:
                if person not in current.tried:
                    self._players.setdefault(person, _Player()).streak = 0
                    await self._record(current, person, "", correct=None)
            await self.emit(TimedOut(self.id, current.item.id))
            await self._reveal(current, winner=None, timed_out=True)

    async def _reveal(self, current: _Open, *, winner: str | None, timed_out: bool) -> None:
        self.timers.cancel("limit")
        self._open = None
        item = current.item
        if self._asked < len(self._items):
            await self.save()
        await self.emit(
            QuickFireRevealed(
                self.id, item.id, item.answers[0], item.explanation, winner, timed_out
            )
        )
        if self._asked >= len(self._items):
            await self.finish("completed")
        else:
            self.timers.start("gap", self.options.gap_seconds, self._next_after_gap)

    async def _next_after_gap(self) -> None:
        async with self._lock:
            if not self.ended and self._open is None:
                await self._ask_next()

    async def _record(self, current: _Open, person: str, text: str, correct: bool | None) -> None:
        outcome = (
            Outcome.TIMEOUT if correct is None else Outcome.CORRECT if correct else Outcome.WRONG
        )
        await self.record(
            person,
            question_id=current.item.id,
            node_id=current.item.id,
            answer_text=text,
            outcome=outcome,
            score=1.0 if correct else 0.0,
            asked_at=current.asked_at,
        )

    def snapshot(self) -> dict[str, Any]:
        """The items, everyone's tally, and the open item with who has tried it."""
        current = self._open
        return {
            "items": [item.id for item in self._items],
            "asked": self._asked,
            "players": {name: asdict(player) for name, player in self._players.items()},
            "open": None
            if current is None
            else {
                "number": current.number,
                "asked_at": current.asked_at.isoformat(),
                "tried": sorted(current.tried),
            },
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Take up the place `snapshot()` stored (before `resume()`)."""
        bank = self.services.bank
        self._items = [bank.quickfire_item(i) for i in state["items"]]
        self._asked = int(state["asked"])
        self._players = {name: _Player(**values) for name, values in state["players"].items()}
        current = state["open"]
        if current is not None:
            number = int(current["number"])
            self._open = _Open(
                self._items[number - 1],
                number,
                datetime.fromisoformat(current["asked_at"]),
                self.services.clock.monotonic(),
                set(current["tried"]),
            )

    async def resume(self) -> None:
        """After a restart the open item starts again (with its full time); in a gap, the next
        item comes now."""
        async with self._lock:
            self.require_open()
            if self._open is not None:
                await self._put(self._open)
            else:
                await self._ask_next()

    def scoreboard(self) -> tuple[ScoreLine, ...]:
        """Correct answers first, then the best streak, then the faster mean time."""
        lines = []
        for person in dict.fromkeys(self.participants) | dict.fromkeys(self._players):
            p = self._players.get(person, _Player())
            mean = round(sum(p.seconds) / len(p.seconds), 2) if p.seconds else None
            lines.append(
                ScoreLine(person, float(p.correct), p.answered, p.correct, p.best_streak, mean)
            )
        return tuple(
            sorted(
                lines,
                key=lambda s: (-s.correct, -s.best_streak, s.mean_seconds or 1e9, s.participant),
            )
        )
