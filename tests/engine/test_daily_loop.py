"""The daily loop on a ManualClock: a failed round is logged and tried again, never the end."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from bot.engine.clock import ManualClock
from bot.engine.daily_loop import RECHECK_SECONDS, DailyLoop


async def test_a_failing_round_is_retried_after_the_recheck(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock()
    rounds: list[float] = []

    async def tick() -> datetime | None:
        rounds.append(clock.monotonic())
        if len(rounds) == 1:
            raise ConnectionError("the database is away")
        return None

    loop = DailyLoop(clock, tick)
    task = asyncio.create_task(loop.run())
    try:
        for _ in range(200):
            if loop.asleep:
                break
            await asyncio.sleep(0.005)
        assert rounds == [0.0]
        assert "a daily round failed" in caplog.text
        await clock.advance(RECHECK_SECONDS)
        assert rounds == [0.0, RECHECK_SECONDS]
        assert not task.done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
