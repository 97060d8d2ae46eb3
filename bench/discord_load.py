"""Drive N concurrent solo sessions through the real bot and the fake Discord.

Measures, for every typed answer, the time from the user's message (MESSAGE_CREATE sent on the
gateway) to the bot's first reply in that thread, and the event loop's lag (how late a 10 ms
sleep wakes up) during the run. The fake runs in the same process and event loop as the bot, so
both figures include the fake's own work: they are pessimistic for the bot alone.

Run: .venv/bin/python -m bench.discord_load [--sessions 100] [--answers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import discord
import yarl

from bot.app import build_app
from bot.discord.client import InterviewBot
from bot.settings import BankSettings, EngineSettings, Settings, StoreSettings
from tests.harness import FakeDiscord
from tests.harness.fixtures import connect_bot, disconnect_bot

ROOT = Path(__file__).resolve().parents[1]
ANSWER = (
    "It memorises the noise of its training data, so it does well there and fails to "
    "generalise to unseen data; regularisation and early stopping prevent it."
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def lag_monitor(samples: list[float], stop: asyncio.Event) -> None:
    """Record how late each 10 ms sleep wakes up."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.01)
        samples.append((time.perf_counter() - start - 0.01) * 1000)


async def one_user(fake: FakeDiscord, member, answers: int, latencies: list[float]) -> None:  # type: ignore[no-untyped-def]
    command = await fake.run_command(member, fake.general, "interview", {})
    note = await command.followup(timeout=60)
    thread_id = int(note["content"].split("<#")[1].split(">")[0])
    thread = fake.channel(thread_id)
    cursor = fake.cursor(thread)
    await cursor.next(timeout=60)  # the first question
    for _ in range(answers):
        sent = time.perf_counter()
        await fake.user_types(member, thread, ANSWER)
        await cursor.next(timeout=60)  # the grade: the bot's reply to this message
        latencies.append((time.perf_counter() - sent) * 1000)
        await cursor.next(timeout=60)  # the follow-up or the reveal


async def run(sessions: int, answers: int) -> dict[str, float]:
    """One load run; returns the figures."""
    with tempfile.TemporaryDirectory() as data:
        fake = FakeDiscord()
        await fake.start()
        discord.http.Route.BASE = fake.rest_base  # type: ignore[misc]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        members = [fake.add_member(f"user{i}") for i in range(sessions)]
        settings = Settings(
            bank=BankSettings(paths=[ROOT / "question_bank"]),
            store=StoreSettings(data_dir=Path(data)),
            engine=EngineSettings(questions_per_session=answers, max_follow_ups=answers),
        )
        app = await build_app(settings)
        bot = InterviewBot(app)
        await connect_bot(bot, fake)
        latencies: list[float] = []
        lags: list[float] = []
        stop = asyncio.Event()
        monitor = asyncio.create_task(lag_monitor(lags, stop))
        started = time.perf_counter()
        await asyncio.gather(*(one_user(fake, m, answers, latencies) for m in members))
        elapsed = time.perf_counter() - started
        stop.set()
        await monitor
        await disconnect_bot(bot, fake)
        await app.close()
        await fake.close()
    return {
        "sessions": sessions,
        "answers": len(latencies),
        "seconds": elapsed,
        "reply_p50_ms": statistics.median(latencies),
        "reply_p99_ms": percentile(latencies, 99),
        "lag_p50_ms": statistics.median(lags),
        "lag_p99_ms": percentile(lags, 99),
        "lag_max_ms": max(lags),
    }


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--answers", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(run(args.sessions, args.answers))
    print(
        f"{result['sessions']} concurrent sessions, {result['answers']} answers in "
        f"{result['seconds']:.1f} s"
    )
    print(
        f"message -> bot reply: p50 {result['reply_p50_ms']:.1f} ms, "
        f"p99 {result['reply_p99_ms']:.1f} ms"
    )
    print(
        f"event-loop lag: p50 {result['lag_p50_ms']:.1f} ms, p99 {result['lag_p99_ms']:.1f} ms,"
        f" max {result['lag_max_ms']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
