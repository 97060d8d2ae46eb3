"""Drive N concurrent solo sessions through the real bot and the fake Discord.

The bot runs in its own process (bench/bot_process.py), as in production; this process plays
Discord (the fake) and the users. Measures, for every typed answer, the time from the user's
message (MESSAGE_CREATE sent on the gateway) to the bot's first reply in that thread, and the
bot's event-loop lag (how late a 10 ms sleep wakes up) over the run. Both processes share the
machine's 2 cores.

Run: .venv/bin/python -m bench.discord_load [--sessions 100] [--answers 3] [--trace] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import answer_trace
from tests.harness import FakeDiscord, components_of

ROOT = Path(__file__).resolve().parents[1]
ANSWER = (
    "It memorises the noise of its training data, so it does well there and fails to "
    "generalise to unseen data; regularisation and early stopping prevent it."
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def one_user(
    fake: FakeDiscord, member, answers: int, latencies: list[float], times: list[dict[str, float]]
) -> None:  # type: ignore[no-untyped-def]
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
        received = time.perf_counter()
        latencies.append((received - sent) * 1000)
        times.append({"channel": thread_id, "sent": sent, "received": received})
        step = await cursor.next(timeout=60)  # a follow-up, or the reveal
        title = (step.get("embeds") or [{}])[0].get("title", "")
        if title.startswith("Reveal"):
            # discord.py registers a view only when the send returns; the fake shows the message
            # a moment earlier. A person never clicks within 200 ms, so neither does the bench.
            await asyncio.sleep(0.2)
            next_button = next(c for c in components_of(step) if c.get("label") == "Next question")
            await fake.click(member, step, next_button["custom_id"])
            await cursor.next(timeout=60)  # the next question


async def run(sessions: int, answers: int, trace: bool = False) -> dict[str, Any]:
    """One load run against the bot in its own process; returns the figures (with `trace`,
    also the per-stage breakdown of bench/answer_trace.py as Markdown lines)."""
    with tempfile.TemporaryDirectory() as data:
        trace_file = Path(data) / "traces.jsonl"
        env = os.environ | ({"BENCH_TRACE": str(trace_file)} if trace else {})
        fake = FakeDiscord()
        await fake.start()
        members = [fake.add_member(f"user{i}") for i in range(sessions)]
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.bot_process",
            fake.rest_base,
            fake.gateway_url,
            data,
            str(answers + 1),
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        async with asyncio.timeout(60):  # the bot synced its commands, then identified
            while not (fake.world.global_commands and fake.gateway_ops(2)):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # READY and GUILD_CREATE processed (guild_ready_timeout 0.05)
        latencies: list[float] = []
        times: list[dict[str, float]] = []
        started = time.perf_counter()
        try:
            await asyncio.gather(*(one_user(fake, m, answers, latencies, times) for m in members))
        except AssertionError:
            print(
                f"gateway connections: {fake.gateway.connections}, resumes: "
                f"{len(fake.gateway_ops(6))}, identifies: {len(fake.gateway_ops(2))}"
            )
            raise
        finally:
            elapsed = time.perf_counter() - started
            bot.send_signal(signal.SIGTERM)
            out, _ = await bot.communicate()
        lag = json.loads(out.decode().strip().splitlines()[-1])
        await fake.close()
        traces = [json.loads(line) for line in trace_file.read_text().splitlines()] if trace else []
    return {
        "breakdown": answer_trace.breakdown(times, traces) if trace else [],
        "sessions": sessions,
        "answers": len(latencies),
        "seconds": elapsed,
        "reply_p50_ms": statistics.median(latencies),
        "reply_p99_ms": percentile(latencies, 99),
        "lag_p50_ms": lag["lag_p50_ms"],
        "lag_p99_ms": lag["lag_p99_ms"],
        "lag_max_ms": lag["lag_max_ms"],
        "stalls": lag.get("stalls", []),
        "bot_cpu_seconds": lag["cpu_seconds"],
        "bench_cpu_seconds": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
        "unknown_routes": len(fake.unknown_routes),
        "late_callbacks": len(fake.late_callbacks),
    }


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--trace", action="store_true", help="print where each answer's time goes")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    result = asyncio.run(run(args.sessions, args.answers, args.trace))
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "breakdown"}))
    print(
        f"{result['sessions']} concurrent sessions, {result['answers']} answers in "
        f"{result['seconds']:.1f} s"
    )
    print(
        f"message -> bot reply: p50 {result['reply_p50_ms']:.1f} ms, "
        f"p99 {result['reply_p99_ms']:.1f} ms"
    )
    print(
        f"bot event-loop lag: p50 {result['lag_p50_ms']:.1f} ms, "
        f"p99 {result['lag_p99_ms']:.1f} ms, max {result['lag_max_ms']:.1f} ms"
    )
    print(
        f"bot CPU: {result['bot_cpu_seconds']:.2f} s in all, "
        f"{result['bot_cpu_seconds'] / max(result['answers'], 1) * 1000:.1f} ms per answer "
        "(start-up included); this process (the fake and the members): "
        f"{result['bench_cpu_seconds']:.2f} s"
    )
    print(
        f"interaction callbacks later than 3 s: {result['late_callbacks']}; "
        f"unknown routes: {result['unknown_routes']}"
    )
    if result["stalls"]:
        print(
            "loop stalls over 50 ms (lag ms, CPU ms the bot process used meanwhile): "
            + ", ".join(f"{a}/{b}" for a, b in result["stalls"])
        )
    print(*result["breakdown"], sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
