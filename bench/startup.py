"""Start-up to ready: one bot process, from spawn to discord.py's on_ready, against the fake.

The bot runs the production start-up (`tests/e2e/bot_process.py`: settings from the environment,
`bot.discord.runner.prepare`, the shipped question bank, SQLite in a temporary folder). The
first start creates and migrates the database and parses the bank (writing its parse cache);
the restarts after it find the schema at head and the cache filled, as every start of a
deployed bot with an unchanged bank does. Each start is split into Python start-up and imports
(spawn to the first line of `main`), prepare (bank, store, bot) and connect (login, command
sync, gateway, READY and the guilds).

Run: .venv/bin/python -m bench.startup [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from tests.e2e.bot_process import BotProcess
from tests.harness import FakeDiscord

ROOT = Path(__file__).resolve().parents[1]


async def one_start(data: Path) -> dict[str, float]:
    """Spawn the bot once, wait for ready, stop it; the phases in seconds."""
    fake = FakeDiscord()
    await fake.start()
    fake.add_member("someone")
    env = {
        "DISCORD_TOKEN": "startup-token",
        "INTERVIEW_BOT_STORE__DATA_DIR": str(data),
        "INTERVIEW_BOT_SPEECH__CACHE_DIR": str(data / "cache"),  # the bank cache starts empty
        "INTERVIEW_BOT_BANK__PATHS": json.dumps([str(ROOT / "question_bank")]),
        "INTERVIEW_BOT_LOGGING__LEVEL": "WARNING",
    }
    process = await BotProcess.spawn(fake.rest_base, fake.gateway_url, env, data / "stderr.txt")
    try:
        line: dict[str, Any] = await process.ready(timeout=60)
    finally:
        await process.stop()
        await fake.close()
    return {
        "ready": line["seconds"],
        "imports": line["began"] - process.spawned,
        "prepare": line["prepared"] - line["began"],
        "connect": line["ready"] - line["prepared"],
    }


async def run(runs: int) -> dict[str, Any]:
    """A first start (migrations), then `runs` restarts; medians of the restarts."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        first = await one_start(data)
        restarts = [await one_start(data) for _ in range(runs)]
    median = {k: statistics.median(r[k] for r in restarts) for k in first}
    return {"first": first, "restarts": restarts, "median": median}


def main() -> int:
    """Print the phases of the first start and the median restart."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(run(args.runs))
    print("| start | spawn to ready | imports | prepare | connect |")
    print("| --- | --- | --- | --- | --- |")
    rows = [("first (migrates)", result["first"])]
    rows += [(f"restart {i + 1}", r) for i, r in enumerate(result["restarts"])]
    rows.append(("median restart", result["median"]))
    for name, r in rows:
        print(
            f"| {name} | {r['ready']:.2f} s | {r['imports']:.2f} s | {r['prepare']:.2f} s "
            f"| {r['connect']:.2f} s |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
