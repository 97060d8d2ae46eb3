"""Named timers per session, driven by the injected clock and cancelled with the session."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.engine.clock import Clock
from bot.tasks import spawn

log = logging.getLogger(__name__)


class Timers:
    """At most one timer per name; starting a name again replaces it."""

    def __init__(self, clock: Clock, owner: str) -> None:
        self._clock = clock
        self._owner = owner
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def start(self, name: str, seconds: float, fire: Callable[[], Awaitable[None]]) -> None:
        """Call `fire` after `seconds` unless cancelled first."""
        self.cancel(name)
        self._tasks[name] = spawn(self._run(name, seconds, fire), f"{self._owner}:{name}")

    async def _run(self, name: str, seconds: float, fire: Callable[[], Awaitable[None]]) -> None:
        await self._clock.sleep(seconds)
        if self._tasks.get(name) is asyncio.current_task():
            del self._tasks[name]
        await fire()

    def cancel(self, name: str) -> None:
        """Stop one timer (no error if it is not running)."""
        task = self._tasks.pop(name, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def cancel_all(self) -> None:
        """Stop every timer of this session."""
        for name in list(self._tasks):
            self.cancel(name)

    def running(self) -> list[str]:
        """Names of the timers still waiting."""
        return sorted(self._tasks)
