"""The bot under load, in its own process: `python -m bench.bot_process REST_BASE GATEWAY DATA`.

Runs the real InterviewBot against the given (fake) Discord URLs until SIGTERM, sampling its
event-loop lag every 10 ms; on exit prints the lag samples' summary as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import statistics
import sys
import time
from pathlib import Path

import discord
import yarl

from bot.app import build_app
from bot.discord.client import InterviewBot
from bot.logging_setup import setup_logging
from bot.settings import BankSettings, EngineSettings, Settings, StoreSettings

ROOT = Path(__file__).resolve().parents[1]


async def main(rest_base: str, gateway: str, data: str, questions: int) -> None:
    """Serve until SIGTERM; then print the lag summary."""
    setup_logging("WARNING")
    discord.http.Route.BASE = rest_base  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    settings = Settings(
        bank=BankSettings(paths=[ROOT / "question_bank"]),
        store=StoreSettings(data_dir=Path(data)),
        engine=EngineSettings(questions_per_session=questions),
    )
    app = await build_app(settings)
    bot = InterviewBot(app, guild_ready_timeout=0.05)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    lags: list[float] = []

    async def monitor() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - start - 0.01) * 1000)

    runner = asyncio.create_task(bot.start("fake-token"))
    watcher = asyncio.create_task(monitor())
    await stop.wait()
    await watcher
    await bot.close()
    await runner
    await app.close()
    ordered = sorted(lags)
    print(
        json.dumps(
            {
                "lag_p50_ms": statistics.median(ordered),
                "lag_p99_ms": ordered[round(0.99 * (len(ordered) - 1))],
                "lag_max_ms": ordered[-1],
                "samples": len(ordered),
                # CPU the whole bot process used (start-up included): user + system seconds
                "cpu_seconds": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
