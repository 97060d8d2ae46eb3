"""Clocks: the engine reads time and waits only through one of these."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Where the engine gets the time and its waits."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going backwards."""
        ...

    def utcnow(self) -> datetime:
        """The wall-clock time, for records."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait this long."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def utcnow(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """`asyncio.sleep`."""
        await asyncio.sleep(seconds)


class ManualClock:
    """A clock that moves only when told: timers fire in order, instantly, deterministically."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = 0.0
        self._start = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        """Seconds advanced so far."""
        return self._now

    def utcnow(self) -> datetime:
        """The start time plus the seconds advanced."""
        return self._start + timedelta(seconds=self._now)

    async def sleep(self, seconds: float) -> None:
        """Wait until `advance` moves time past now + seconds."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + max(seconds, 0.0), next(self._order), future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper in deadline order and letting it run."""
        target = self._now + seconds
        await _settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            if not future.done():
                future.set_result(None)
            await _settle()
        self._now = target
        await _settle()

    @property
    def pending(self) -> int:
        """How many sleepers are waiting."""
        return sum(not f.done() for _, _, f in self._sleepers)


async def _settle(rounds: int = 20) -> None:
    """Let woken tasks run until they block again (a few event-loop turns)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
