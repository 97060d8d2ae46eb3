"""Peak memory of the bot with the speech model loaded, in its own process, against the fake.

The child is the bot as `bench/bot_process.py` builds it (shipped bank, SQLite) connected to
the fake Discord. It reports its resident size when ready (text only), after the first voice
session's services are loaded (`bot.voice.ready()`: faster-whisper tiny.en int8, the Silero
VAD, the text-to-speech voice), and after transcribing a 5 s and a 30 s answer through the
bot's own worker pool; peak RSS is the kernel's high-water mark (VmHWM) at the end. Which
heavy modules were imported at each stage is listed too.

Run: .venv/bin/python -m bench.bot_memory [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "faster_whisper", "ctranslate2", "av", "onnxruntime", "pyttsx3", "matplotlib")
STAGES = ("ready", "voice_loaded", "transcribed")


def _status(field: str) -> float:
    """A field of /proc/self/status in MiB (VmRSS: now, VmHWM: peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _stage(name: str) -> dict[str, Any]:
    loaded = sorted(m for m in HEAVY if m in sys.modules)
    return {
        "stage": name,
        "rss_mib": _status("VmRSS"),
        "peak_mib": _status("VmHWM"),
        "heavy": loaded,
    }


def _speech(seconds: float) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A voiced-like 16 kHz signal (harmonics with a syllable rhythm), for the model to chew."""
    import numpy as np  # noqa: PLC0415 - after the "ready" figure, as the bot itself does

    t = np.arange(int(seconds * 16000)) / 16000
    voice = sum(np.sin(2 * np.pi * f * t) / (i + 1) for i, f in enumerate((140, 280, 420, 700)))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    return (0.1 * voice * envelope).astype(np.float32)


async def child(rest_base: str, gateway: str, data: str) -> None:
    """The bot: ready, then the voice services, then two transcriptions; one JSON line each."""
    import discord  # noqa: PLC0415 - the child's imports are what is measured
    import yarl  # noqa: PLC0415

    from bot.app import build_app  # noqa: PLC0415
    from bot.discord.client import InterviewBot  # noqa: PLC0415
    from bot.logging_setup import setup_logging  # noqa: PLC0415
    from bot.memory import tune_allocator  # noqa: PLC0415
    from bot.settings import BankSettings, Settings, StoreSettings  # noqa: PLC0415

    if os.environ.get("BENCH_ARENAS") != "glibc":  # as `interview-bot run` does
        tune_allocator()
    setup_logging("WARNING")
    discord.http.Route.BASE = rest_base  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    settings = Settings(
        bank=BankSettings(paths=[ROOT / "question_bank"]), store=StoreSettings(data_dir=Path(data))
    )
    app = await build_app(settings)
    bot = InterviewBot(app, guild_ready_timeout=0.05)
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    bot.add_listener(on_ready, "on_ready")
    runner = asyncio.create_task(bot.start("memory-token"))
    await ready.wait()
    print(json.dumps(_stage("ready")), flush=True)
    await bot.voice.ready()
    print(json.dumps(_stage("voice_loaded")), flush=True)
    assert bot.voice.pool is not None
    for seconds in (5.0, 30.0):
        await bot.voice.pool.transcribe(_speech(seconds))
    print(json.dumps(_stage("transcribed")), flush=True)
    await bot.close()
    await runner
    await asyncio.to_thread(bot.voice.close)
    await app.close()


async def one_run(glibc_arenas: bool) -> dict[str, dict[str, Any]]:
    """One child process against a fresh fake (`glibc_arenas`: malloc's default arenas, the
    code path before the cap); its stages by name."""
    from tests.harness import FakeDiscord  # noqa: PLC0415 - the parent only

    fake = FakeDiscord()
    await fake.start()
    fake.add_member("someone")
    with tempfile.TemporaryDirectory() as data:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.bot_memory",
            "--child",
            fake.rest_base,
            fake.gateway_url,
            data,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=os.environ | ({"BENCH_ARENAS": "glibc"} if glibc_arenas else {}),
        )
        out, _ = await proc.communicate()
    await fake.close()
    if proc.returncode:
        sys.exit("the bot process failed")
    lines = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    return {line["stage"]: line for line in lines}


def main() -> int:
    """Print RSS and peak per stage: each run, then the median."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("REST", "GATEWAY", "DATA"))
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(*args.child))
        return 0
    print("| arenas | stage | RSS (median) | peak RSS (median) | heavy modules loaded |")
    print("| --- | --- | --- | --- | --- |")
    peaks = {}
    for glibc in (True, False):
        name = "glibc default" if glibc else "capped at 2"
        runs = [asyncio.run(one_run(glibc)) for _ in range(args.runs)]
        for stage in STAGES:
            rss = statistics.median(r[stage]["rss_mib"] for r in runs)
            peak = statistics.median(r[stage]["peak_mib"] for r in runs)
            heavy = ", ".join(runs[-1][stage]["heavy"]) or "none"
            print(f"| {name} | {stage} | {rss:.0f} MiB | {peak:.0f} MiB | {heavy} |")
        peaks[name] = [r["transcribed"]["peak_mib"] for r in runs]
    for name, values in peaks.items():
        print(f"peak RSS per run, {name}: " + ", ".join(f"{p:.0f} MiB" for p in values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
