"""Drive N concurrent solo sessions through the real bot and the fake Discord.

The bot runs in its own process (bench/bot_process.py), as in production; this process plays
Discord (the fake) and the users. Measures, for every typed answer, the time from the user's
message (MESSAGE_CREATE sent on the gateway) to the bot's first reply in that thread, the
slowest interaction callback (Discord's limit is 3 s), and the bot's event-loop lag (how late a
10 ms sleep wakes up) over the run. Every body the bot sent and the fake answered is checked
against Discord's spec after the run (the fake keeps them), so the check costs the run nothing.

Pinning (`--pin on`, the default on a machine with two or more cores): the bot process runs on
the last core and this process (the fake and the members) on the others, so the figures are the
bot's own rather than the two processes taking turns on one core. `--pin off` lets the kernel
place both, as before; `--pin both` alternates the two over `--runs` runs of each and prints them
side by side.

Run: .venv/bin/python -m bench.discord_load [--sessions 100] [--answers 3] [--runs 1]
     [--pin on|off|both] [--trace] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import answer_trace
from tests.harness import FakeDiscord, Interaction, Member, components_of

ROOT = Path(__file__).resolve().parents[1]
ANSWER = (
    "It memorises the noise of its training data, so it does well there and fails to "
    "generalise to unseen data; regularisation and early stopping prevent it."
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Cores:
    """Which cores the bot and the load generator run on (None: wherever the kernel puts them)."""

    bot: frozenset[int] | None = None
    load: frozenset[int] | None = None

    @classmethod
    def split(cls) -> Cores:
        """The bot on the last core this process may use, the load generator on the others."""
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls()
        return cls(frozenset(cpus[-1:]), frozenset(cpus[:-1]))

    @property
    def label(self) -> str:
        """How the run was placed, for the output."""
        if self.bot is None or self.load is None:
            return "unpinned"
        return f"pinned (bot on CPU {_cpus(self.bot)}, load generator on CPU {_cpus(self.load)})"


def _cpus(cpus: frozenset[int]) -> str:
    return ",".join(str(c) for c in sorted(cpus))


class Timings:
    """What the members measured: each answer's reply time, each interaction's callback."""

    def __init__(self) -> None:
        self.replies: list[float] = []  # ms, message sent -> the bot's grade in the thread
        self.interactions: list[float] = []  # ms, interaction sent -> the bot's callback
        self.answers: list[dict[str, float]] = []  # for --trace: thread, sent, received
        self.all_started = 0.0  # when the last member saw their first question

    async def interaction(self, started: float, interaction: Interaction) -> None:
        """Wait for the bot's callback to `interaction`, sent at `started`, and note its time."""
        await interaction.response(timeout=60)
        self.interactions.append((time.perf_counter() - started) * 1000)


async def one_user(fake: FakeDiscord, member: Member, answers: int, timings: Timings) -> None:
    started = time.perf_counter()
    command = await fake.run_command(member, fake.general, "interview", {})
    await timings.interaction(started, command)
    note = await command.followup(timeout=60)
    thread_id = int(note["content"].split("<#")[1].split(">")[0])
    thread = fake.channel(thread_id)
    cursor = fake.cursor(thread)
    await cursor.next(timeout=60)  # the first question
    timings.all_started = max(timings.all_started, time.perf_counter())
    for _ in range(answers):
        sent = time.perf_counter()
        await fake.user_types(member, thread, ANSWER)
        await cursor.next(timeout=60)  # the grade: the bot's reply to this message
        received = time.perf_counter()
        timings.replies.append((received - sent) * 1000)
        timings.answers.append({"channel": thread_id, "sent": sent, "received": received})
        step = await cursor.next(timeout=60)  # a follow-up, or the reveal
        title = (step.get("embeds") or [{}])[0].get("title", "")
        if title.startswith("Reveal"):
            # discord.py registers a view only when the send returns; the fake shows the message
            # a moment earlier. A person never clicks within 200 ms, so neither does the bench.
            await asyncio.sleep(0.2)
            next_button = next(c for c in components_of(step) if c.get("label") == "Next question")
            started = time.perf_counter()
            click = await fake.click(member, step, next_button["custom_id"])
            await timings.interaction(started, click)
            await cursor.next(timeout=60)  # the next question


async def run(
    sessions: int, answers: int, trace: bool = False, cores: Cores | None = None
) -> dict[str, Any]:
    """One load run against the bot in its own process; returns the figures (with `trace`,
    also the per-stage breakdown of bench/answer_trace.py as Markdown lines). With `cores`,
    the bot runs on `cores.bot`; the caller has placed this process on `cores.load`."""
    cores = cores or Cores()
    with tempfile.TemporaryDirectory() as data:
        trace_file = Path(data) / "traces.jsonl"
        env = os.environ | ({"BENCH_TRACE": str(trace_file)} if trace else {})
        if cores.bot is not None:
            env["BENCH_CPUS"] = _cpus(cores.bot)
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
        bot.send_signal(signal.SIGUSR2)  # the bot notes its CPU time so far: start-up
        timings = Timings()
        started = time.perf_counter()
        bench_cpu = time.process_time()
        try:
            await asyncio.gather(*(one_user(fake, m, answers, timings) for m in members))
        except AssertionError:
            print(
                f"gateway connections: {fake.gateway.connections}, resumes: "
                f"{len(fake.gateway_ops(6))}, identifies: {len(fake.gateway_ops(2))}"
            )
            raise
        finally:
            elapsed = time.perf_counter() - started
            bench_cpu = time.process_time() - bench_cpu
            bot.send_signal(signal.SIGTERM)
            out, _ = await bot.communicate()
        lag = json.loads(out.decode().strip().splitlines()[-1])
        await fake.close()
        violations = fake.spec_violations  # every body checked against the spec, after the run
        traces = [json.loads(line) for line in trace_file.read_text().splitlines()] if trace else []
    replies = timings.replies
    return {
        "breakdown": answer_trace.breakdown(timings.answers, traces) if trace else [],
        "placement": cores.label,
        "bot_cpus": lag["cpus"],
        "sessions": sessions,
        "answers": len(replies),
        "seconds": elapsed,
        "reply_p50_ms": statistics.median(replies),
        "reply_p99_ms": percentile(replies, 99),
        "reply_max_ms": max(replies),
        # answers sent once every session had started (the start-up burst over)
        "answering_reply_p99_ms": percentile(
            [
                r
                for r, a in zip(replies, timings.answers, strict=True)
                if a["sent"] >= timings.all_started
            ]
            or [0.0],
            99,
        ),
        "interaction_max_ms": max(timings.interactions),
        "lag_p50_ms": lag["lag_p50_ms"],
        "lag_p99_ms": lag["lag_p99_ms"],
        "lag_max_ms": lag["lag_max_ms"],
        # once every session has started: the answers alone, without the start-up burst
        "answering_lag_p99_ms": percentile(
            [v for t, v in lag["lag_samples"] if t >= timings.all_started] or [0.0], 99
        ),
        "stalls": lag.get("stalls", []),
        "gc": lag["gc"],
        "bot_cpu_seconds": lag["cpu_seconds"],
        "bot_load_cpu_seconds": lag["load_cpu_seconds"],
        "bot_cpu_ms_per_answer": lag["load_cpu_seconds"] / max(len(replies), 1) * 1000,
        "bot_waited_seconds": lag["load_waited_seconds"],
        "bench_cpu_seconds": bench_cpu,
        "unknown_routes": len(fake.unknown_routes),
        "spec_violations": len(violations),
        "late_callbacks": len(fake.late_callbacks),
    }


def placed_run(sessions: int, answers: int, trace: bool, pin: bool) -> dict[str, Any]:
    """One run, pinned or not: this process's main thread (and the threads it starts from now
    on) goes to the load generator's cores for the run, and back afterwards."""
    cores = Cores.split() if pin else Cores()
    everywhere = os.sched_getaffinity(0)
    if cores.load is not None:
        os.sched_setaffinity(0, cores.load)
    try:
        return asyncio.run(run(sessions, answers, trace, cores))
    finally:
        os.sched_setaffinity(0, everywhere)


def report(result: dict[str, Any]) -> None:
    """Print one run's figures."""
    r = result
    print(f"{r['sessions']} concurrent sessions, {r['answers']} answers in {r['seconds']:.1f} s")
    print(f"placement: {r['placement']}; the bot process ran on CPU {r['bot_cpus']}")
    print(
        f"message -> bot reply: p50 {r['reply_p50_ms']:.1f} ms, p99 {r['reply_p99_ms']:.1f} ms, "
        f"max {r['reply_max_ms']:.1f} ms (p99 of the answers sent once every session had "
        f"started: {r['answering_reply_p99_ms']:.1f} ms); slowest interaction callback "
        f"{r['interaction_max_ms']:.1f} ms"
    )
    print(
        f"bot event-loop lag: p50 {r['lag_p50_ms']:.1f} ms, "
        f"p99 {r['lag_p99_ms']:.1f} ms, max {r['lag_max_ms']:.1f} ms; p99 once every session "
        f"had started (the answers alone): {r['answering_lag_p99_ms']:.1f} ms"
    )
    print(
        f"bot CPU: {r['bot_load_cpu_seconds']:.2f} s under load, "
        f"{r['bot_cpu_ms_per_answer']:.1f} ms per answer (session starts included; "
        f"{r['bot_cpu_seconds']:.2f} s with start-up); this process (the fake and the members): "
        f"{r['bench_cpu_seconds']:.2f} s under load"
    )
    print(
        f"the bot's event loop waited {r['bot_waited_seconds']:.2f} s for a core while it had "
        "work (other processes on its core)"
    )
    print(
        f"interaction callbacks later than 3 s: {r['late_callbacks']}; "
        f"unknown routes: {r['unknown_routes']}; bodies against Discord's spec: "
        f"{r['spec_violations']} violations"
    )
    gc = r["gc"]
    print(
        "bot garbage collections (generation 0/1/2): "
        + ", ".join(
            f"{n} x, {t:.1f} ms in all, longest {m:.1f} ms"
            for n, t, m in zip(gc["collections"], gc["total_ms"], gc["max_ms"], strict=True)
        )
    )
    if r["stalls"]:
        print(
            "loop stalls over 50 ms (lag ms, CPU ms the bot process used meanwhile): "
            + ", ".join(f"{a}/{b}" for a, b in r["stalls"])
        )
    print(*r["breakdown"], sep="\n")


COLUMNS = (
    ("reply p50", "reply_p50_ms", "ms"),
    ("reply p99", "reply_p99_ms", "ms"),
    ("reply p99, answers alone", "answering_reply_p99_ms", "ms"),
    ("loop lag p99", "lag_p99_ms", "ms"),
    ("lag p99, answers alone", "answering_lag_p99_ms", "ms"),
    ("slowest interaction", "interaction_max_ms", "ms"),
    ("bot CPU per answer", "bot_cpu_ms_per_answer", "ms"),
    ("bot's loop waited for a core", "bot_waited_seconds", "s"),
    ("load generator CPU", "bench_cpu_seconds", "s"),
)


def table(results: list[dict[str, Any]]) -> list[str]:
    """Every run, then the median of each placement's runs, as Markdown lines."""
    header = ["placement", "run", "answers", *(c for c, _, _ in COLUMNS)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    placements = dict.fromkeys(r["placement"].split(" (")[0] for r in results)
    for placement in placements:
        mine = [r for r in results if r["placement"].startswith(placement)]
        for number, r in enumerate(mine, 1):
            cells = [f"{r[k]:.1f} {unit}" for _, k, unit in COLUMNS]
            lines.append(f"| {placement} | {number} | {r['answers']} | " + " | ".join(cells) + " |")
        medians = [f"**{statistics.median(r[k] for r in mine):.1f} {u}**" for _, k, u in COLUMNS]
        lines.append(f"| {placement} | median | | " + " | ".join(medians) + " |")
    return lines


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="runs of each placement")
    parser.add_argument(
        "--pin",
        choices=("on", "off", "both"),
        default="on" if len(os.sched_getaffinity(0)) >= 2 else "off",
        help="bot and load generator on cores of their own (default: on with >= 2 cores)",
    )
    parser.add_argument("--trace", action="store_true", help="print where each answer's time goes")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    order = {"on": [True], "off": [False], "both": [True, False]}[args.pin]
    results = []
    for _ in range(args.runs):
        for pin in order:  # alternated, so both placements see the same machine
            result = placed_run(args.sessions, args.answers, args.trace, pin)
            results.append(result)
            if args.json:
                print(json.dumps({k: v for k, v in result.items() if k != "breakdown"}))
            report(result)
            print()
    if len(results) > 1:
        print(*table(results), sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
