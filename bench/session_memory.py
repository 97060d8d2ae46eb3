"""Memory of the bot over many ended sessions, in the bot's own process.

The bot runs as in production (bench/bot_process.py) against the fake Discord. Each session is
what a user does: /interview (one question), a typed answer, Skip on the follow-up if one comes,
the reveal, the scoreboard and the report card. When a session has ended its thread is
archived, as Discord does after the thread's idle time (discord.py keeps threads in its cache
until then, so without it the figure would measure discord.py's thread cache, not us).

discord.py also keeps a rate-limit bucket per route and thread until it has been idle for 300 s,
so a thread's buckets outlive its session by five minutes. Each measurement therefore waits
`--settle` seconds with nothing to do, runs a few sessions (which makes discord.py drop the idle
buckets), and then asks the bot for its memory after a full collection. The warm-up is 2,000
sessions: the bot's bounded caches (SQLite's page cache, malloc's arenas, the allocator's
thresholds) are still filling over the first 1,000 (docs/benchmarks.md, session 6: +1.74 MB per
1,000 after a 1,000-session warm-up, +0.64 MB after 2,000).

Run: .venv/bin/python -m bench.session_memory [--warmup 2000] [--sessions 1000] [--settle 310]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.harness import FakeDiscord, Member, components_of

ROOT = Path(__file__).resolve().parents[1]
TAIL = 10  # sessions after the idle wait, so discord.py drops its idle rate-limit buckets
ANSWER = "It memorises the noise of its training data, so it does well there and fails."


def title(message: dict[str, Any]) -> str:
    """The first embed's title, or ''."""
    return str((message.get("embeds") or [{}])[0].get("title", ""))


@dataclass
class Stalls:
    """Sessions that stalled (an interaction the loaded machine let expire, so a reply never
    came) and were ended with /end, as a user would; and those that could not be ended."""

    ended: int = 0
    abandoned: int = 0


async def one_session(fake: FakeDiscord, member: Member, stalls: Stalls) -> None:
    """One user's whole session; a stalled one is ended with /end and counted."""
    threads: list[Any] = []
    try:
        await _session(fake, member, threads)
    except AssertionError:  # a wait timed out
        if not threads:
            stalls.abandoned += 1
            return
        try:
            command = await fake.run_command(member, threads[0], "end", {})
            await command.followup(timeout=60)
            await asyncio.sleep(1)
        except AssertionError:
            stalls.abandoned += 1
            return
        stalls.ended += 1
        threads[0].archived = True
        fake.dispatch("THREAD_UPDATE", threads[0].payload())


async def _session(fake: FakeDiscord, member: Member, threads: list[Any]) -> None:
    """From /interview to the scoreboard and report card; then the thread archives."""
    command = await fake.run_command(member, fake.general, "interview", {})
    note = await command.followup(timeout=60)
    thread = fake.channel(int(note["content"].split("<#")[1].split(">")[0]))
    threads.append(thread)
    cursor = fake.cursor(thread)
    await cursor.next(timeout=60)  # the question
    await fake.user_types(member, thread, ANSWER)
    await cursor.next(timeout=60)  # the grade
    step = await cursor.next(timeout=60)
    if title(step) == "Follow-up":
        skip = next(c for c in components_of(step) if c.get("label") == "Skip")
        await fake.click(member, step, skip["custom_id"])
        step = await cursor.next(timeout=60)
    while "Scoreboard" not in title(step):
        step = await cursor.next(timeout=60)
    await cursor.next(timeout=60)  # the report card: posting it would unarchive the thread
    thread.archived = True
    fake.dispatch("THREAD_UPDATE", thread.payload())


async def sessions(
    fake: FakeDiscord, members: list[Member], count: int, width: int, stalls: Stalls
) -> None:
    """`count` sessions, `width` at a time, each member one at a time."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)

    async def worker(member: Member) -> None:
        while not queue.empty():
            queue.get_nowait()
            await one_session(fake, member, stalls)

    await asyncio.gather(*(worker(m) for m in members[:width]))


async def report(bot: asyncio.subprocess.Process) -> dict[str, float]:
    """Ask the bot for its memory line."""
    assert bot.stdout is not None
    bot.send_signal(signal.SIGUSR1)
    line = await asyncio.wait_for(bot.stdout.readline(), 60)
    return dict(json.loads(line))


async def settled(
    bot: asyncio.subprocess.Process, fake: FakeDiscord, members: list[Member], settle: float
) -> dict[str, float]:
    """Wait out discord.py's idle-bucket time, run a few sessions, then measure."""
    await asyncio.sleep(settle)
    await sessions(fake, members, TAIL, len(members), Stalls())
    return await report(bot)


async def run(warmup: int, count: int, width: int, settle: float) -> dict[str, Any]:
    """Warm up, measure, run `count` sessions, measure again."""
    with tempfile.TemporaryDirectory() as data:
        fake = FakeDiscord()
        await fake.start()
        members = [fake.add_member(f"user{i}") for i in range(width)]
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.bot_process",
            fake.rest_base,
            fake.gateway_url,
            data,
            "1",
            "no-lag",
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        try:
            async with asyncio.timeout(60):
                while not (fake.world.global_commands and fake.gateway_ops(2)):
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
            await sessions(fake, members, warmup, width, Stalls())
            before = await settled(bot, fake, members, settle)
            started = time.perf_counter()
            stalls = Stalls()
            await sessions(fake, members, count, width, stalls)
            elapsed = time.perf_counter() - started
            after = await settled(bot, fake, members, settle)
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.communicate()
            await fake.close()
    growth = after["rss_mb"] - before["rss_mb"]
    return {
        "warmup": warmup,
        "sessions": count,
        "seconds": elapsed,
        "before": before,
        "after": after,
        "growth_mb": growth,
        "growth_mb_per_1000": growth / count * 1000,
        "stalled_and_ended": stalls.ended,
        "stalled_and_abandoned": stalls.abandoned,
    }


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--settle", type=float, default=310)
    args = parser.parse_args()
    result = asyncio.run(run(args.warmup, args.sessions, args.concurrency, args.settle))
    before, after = result["before"], result["after"]
    print(
        f"{result['sessions']} sessions after a warm-up of {result['warmup']} "
        f"(in {result['seconds']:.0f} s), measured {TAIL} sessions after a {args.settle:.0f} s wait"
    )
    print(
        f"resident memory: {before['rss_mb']:.1f} MB -> {after['rss_mb']:.1f} MB "
        f"({result['growth_mb_per_1000']:+.2f} MB per 1,000 ended sessions)"
    )
    blocks = (after["blocks"] - before["blocks"]) / result["sessions"] * 1000
    print(f"Python allocated blocks: {blocks:+.0f} per 1,000 ended sessions")
    print(
        f"stalled sessions (an interaction expired under load): {result['stalled_and_ended']} "
        f"ended with /end, {result['stalled_and_abandoned']} abandoned"
    )
    keys = ("sessions_alive", "running", "views", "threads_cached", "messages_cached")
    for key in (*keys, "ratelimit_buckets", "threads"):
        print(f"{key}: {before[key]:.0f} -> {after[key]:.0f}")
    native = ("sqlite_mb", "malloc_in_use_mb", "malloc_free_mb", "malloc_arena_mb")
    for key in (*native, *(("rss_after_trim_mb",) if "rss_after_trim_mb" in after else ())):
        print(f"{key}: {before[key]:.2f} -> {after[key]:.2f} ({after[key] - before[key]:+.2f})")
    print(f"connection pool: {before['pool']} -> {after['pool']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
