"""The loop behind everything daily: do what is due, sleep until the next time, wake on change."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.engine.clock import Clock

log = logging.getLogger(__name__)

RECHECK_SECONDS = 300.0  # settings are re-read at least this often (changed by another process)


class DailyLoop:
    """Calls `tick` (which does what is due and says when to come back), forever."""

    def __init__(self, clock: Clock, tick: Callable[[], Awaitable[datetime | None]]) -> None:
        self._clock = clock
        self._tick = tick
        self._sleeping: asyncio.Task[object] | None = None
        self._woken = False

    @property
    def asleep(self) -> bool:
        """Waiting for the next time (not working, and not just woken to plan again)."""
        return self._sleeping is not None and not self._woken

    def changed(self) -> None:
        """Something was set or removed: plan again now rather than at the next re-check.

        Only a sleeping loop is interrupted, so work in progress is never cut short.
        """
        if self._sleeping is not None:
            self._woken = True
            self._sleeping.cancel()

    async def run(self) -> None:
        """Tick, then sleep until the time it names (at most RECHECK_SECONDS), forever."""
        while True:
            try:
                wake = await self._tick()
            except Exception:  # the database was away, say: try again later, never stop
                log.exception("a daily round failed; trying again in %.0f s", RECHECK_SECONDS)
                wake = None
            now = self._clock.utcnow()
            seconds = RECHECK_SECONDS if wake is None else (wake - now).total_seconds()
            await self._sleep(min(max(seconds, 0.0), RECHECK_SECONDS))

    async def _sleep(self, seconds: float) -> None:
        task = asyncio.current_task()
        self._sleeping = task
        try:
            await self._clock.sleep(seconds)
        except asyncio.CancelledError:
            if not self._woken or task is None:
                raise
            task.uncancel()  # woken by changed(), not stopped: plan again
        finally:
            self._sleeping = None
            self._woken = False
