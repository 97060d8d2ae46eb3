"""Clocks: the engine reads time and waits only through one of these."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

_POLL_SECONDS = 0.001
_MAX_POLLS = 10_000


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
        self._sleepers: list[tuple[float, int, asyncio.Future[None], asyncio.Task[Any] | None]] = []
        self._order = itertools.count()
        self._sleeps: dict[asyncio.Task[Any] | None, int] = {}

    def monotonic(self) -> float:
        """Seconds advanced so far."""
        return self._now

    def utcnow(self) -> datetime:
        """The start time plus the seconds advanced."""
        return self._start + timedelta(seconds=self._now)

    async def sleep(self, seconds: float) -> None:
        """Wait until `advance` moves time past now + seconds."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.current_task()
        self._sleeps[task] = self._sleeps.get(task, 0) + 1
        deadline = self._now + max(seconds, 0.0)
        heapq.heappush(self._sleepers, (deadline, next(self._order), future, task))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper in deadline order.

        After waking a sleeper it waits (in real time, briefly) until that task has finished or
        sleeps on this clock again, so work it does in threads (database writes) is complete
        before time moves on.
        """
        target = self._now + seconds
        await _settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future, task = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            if future.done():
                continue
            before = self._sleeps.get(task, 0)
            future.set_result(None)
            await self._until_blocked(task, before)
        self._now = target
        await _settle()

    async def _until_blocked(self, task: asyncio.Task[Any] | None, before: int) -> None:
        for _ in range(_MAX_POLLS):
            await _settle()
            if task is None or task.done() or self._sleeps.get(task, 0) > before:
                return
            await asyncio.sleep(_POLL_SECONDS)
        msg = "a woken task neither finished nor slept again within 10 s"
        raise RuntimeError(msg)

    @property
    def pending(self) -> int:
        """How many sleepers are waiting."""
        return sum(not f.done() for _, _, f, _ in self._sleepers)


async def _settle(rounds: int = 20) -> None:
    """Let woken tasks run until they block again (a few event-loop turns)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
