"""Answers stored concurrently: one transaction each on a pool (before) vs the group commit.

100 sessions each store three answers (the attempt and the session's row, as `record_attempt`
does for every typed answer) with 10 ms between them, all at once, against a SQLite file with
the bot's pragmas. "one transaction per answer" is the writer with `grouped=False`, the code
path every answer took before the group commit: each answer its own transaction on one of the
pool's connections, so concurrent writers meet SQLITE_BUSY and SQLite's busy handler sleeps.

Run: .venv/bin/python -m bench.store_commits [--sessions 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime

from bot.engine.events import Mode, Outcome
from bot.engine.ports import AttemptRecord, SessionRecord
from bot.store.repository import SqlRepository

NOW = datetime(2026, 3, 1, tzinfo=UTC)


async def one_run(sessions: int, grouped: bool) -> dict[str, float]:
    """Every session's three answers; latency of each `record_attempt` call, in ms."""
    with tempfile.TemporaryDirectory() as folder:
        repository = await SqlRepository.open(f"sqlite+aiosqlite:///{folder}/bench.db")
        repository.writer.grouped = grouped
        rows = [
            SessionRecord(id=f"s{n}", mode=Mode.SOLO, host="u", started_at=NOW, participants=("u",))
            for n in range(sessions)
        ]
        for row in rows:
            await repository.save_session(row)
        attempt = AttemptRecord(
            session_id="s0",
            user_id="u",
            mode=Mode.SOLO,
            question_id="q",
            node_id="q",
            answer_text="x" * 150,
            outcome=Outcome.ANSWERED,
            score=0.5,
            asked_at=NOW,
            answered_at=NOW,
        )
        latencies: list[float] = []

        async def answers(row: SessionRecord) -> None:
            for _ in range(3):
                started = time.perf_counter()
                await repository.record_attempt(replace(attempt, session_id=row.id), row)
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.01)

        begun, started = repository.writer.transactions, time.perf_counter()
        await asyncio.gather(*(answers(row) for row in rows))
        wall = time.perf_counter() - started
        transactions = repository.writer.transactions - begun
        await repository.close()
    ordered = sorted(latencies)
    return {
        "wall_s": wall,
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[round(0.99 * (len(ordered) - 1))],
        "transactions": transactions,
    }


def main() -> int:
    """Print both paths side by side: medians over the runs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| path | answers | wall | store p50 | store p99 | transactions |")
    print("| --- | --- | --- | --- | --- | --- |")
    for grouped, name in ((False, "one transaction per answer"), (True, "group commit")):
        runs = [asyncio.run(one_run(args.sessions, grouped)) for _ in range(args.runs)]
        m = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"| {name} | {3 * args.sessions} | {m['wall_s']:.2f} s | {m['p50_ms']:.1f} ms "
            f"| {m['p99_ms']:.1f} ms | {m['transactions']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
