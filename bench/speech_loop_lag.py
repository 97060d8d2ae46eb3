"""Event-loop lag while speech work runs: does transcription or TTS stall the bot's loop?

A ticker sleeps 10 ms at a time on the event loop and records how late each sleep wakes. Meanwhile
two ~30 s answers (follow-up reference answers spoken by espeak-ng) are transcribed at once
through TranscriptionPool(workers=2), built as the bot builds it: one faster-whisper tiny.en
transcriber with threads = cores / workers = 1, shared by both workers. Several rounds back to
back make one run. The same again with Pyttsx3Speaker.render synthesising new text (a fresh cache,
so every render is real work) for as long as the transcriptions last; and each load alone.

Run: .venv/bin/python -m bench.speech_loop_lag [--runs 3] [--rounds 5] [--quick] [--json]
Each measurement first waits up to --patience seconds (600) for other processes to go quiet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.speech_common import (
    OtherLoad,
    add_common_arguments,
    bank,
    build_clips,
    percentile,
    wait_for_quiet,
)
from bot.errors import SpeechError
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import Samples
from bot.speech.tts import Pyttsx3Speaker

TICK = 0.01
WORKERS = 2


async def measure(work: Callable[[], Awaitable[object]]) -> dict[str, float]:
    """Run `work` with the ticker going; the lag percentiles in ms and the wall time."""
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append((time.perf_counter() - start - TICK) * 1000)

    task = asyncio.ensure_future(ticker())
    started = time.perf_counter()
    with OtherLoad() as others:
        await work()
        wall = time.perf_counter() - started
        stop.set()
        await task
    return {
        "p50_ms": statistics.median(lags),
        "p99_ms": percentile(lags, 99),
        "max_ms": max(lags),
        "samples": len(lags),
        "wall_s": wall,
        "other_cores": others.cores,
    }


class Scenarios:
    """The loads, sharing one pool, one speaker and the clips."""

    def __init__(self, pool: TranscriptionPool, clips: list[Samples], rounds: int) -> None:
        self.pool = pool
        self.clips = clips
        self.rounds = rounds
        source = bank()  # what the bot speaks: question and follow-up prompts
        self.texts = [n.prompt for t in source.trees.values() for n in t.nodes.values()]
        self.speaker: Pyttsx3Speaker | None = None
        self.rendered = 0
        self.failed: list[str] = []
        self.transcribe_s = 0.0

    async def idle(self) -> None:
        """Nothing but the ticker, for as long as one round of transcription takes."""
        await asyncio.sleep(3.0)

    async def transcribe(self) -> None:
        """`rounds` times: both clips at once through the pool."""
        started = time.perf_counter()
        for _ in range(self.rounds):
            await asyncio.gather(*(self.pool.transcribe(clip) for clip in self.clips))
        self.transcribe_s = time.perf_counter() - started

    async def speak(self, until: Callable[[], bool]) -> None:
        """Render new texts back to back until `until()` holds (each one numbered, so uncached)."""
        assert self.speaker is not None
        while not until():
            prompt = self.texts[self.rendered % len(self.texts)]
            self.rendered += 1
            try:
                await self.speaker.render(f"Question {self.rendered}. {prompt}")
            except SpeechError as exc:  # counted and reported: see the report's last line
                self.failed.append(f"{self.rendered}: {exc}")

    async def transcribe_and_speak(self) -> None:
        """Transcription rounds with TTS rendering throughout."""
        transcription = asyncio.ensure_future(self.transcribe())
        await asyncio.gather(transcription, self.speak(until=transcription.done))

    async def speak_alone(self) -> None:
        """TTS rendering back to back for 3 s, nothing else."""
        deadline = time.perf_counter() + 3.0
        await self.speak(until=lambda: time.perf_counter() >= deadline)


async def run(runs: int, rounds: int, patience: float) -> dict[str, Any]:
    """Each scenario once per run, in the same order."""
    clips = [c.samples() for c in build_clips(2) if c.length == "30s"]
    transcriber = FasterWhisperTranscriber("tiny.en", threads=2 // WORKERS).load()
    pool = TranscriptionPool(transcriber, workers=WORKERS)
    scenarios = Scenarios(pool, clips, rounds)
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as cache:
        scenarios.speaker = Pyttsx3Speaker(Path(cache), voice="gmw/en-us", rate=160)
        try:
            await scenarios.speaker.render("Ready.")  # the worker is up, as in a running bot
            await scenarios.transcribe()  # warm up
            for index in range(runs):
                for name, work in (
                    ("idle", scenarios.idle),
                    ("TTS alone", scenarios.speak_alone),
                    ("2 transcriptions", scenarios.transcribe),
                    ("2 transcriptions + TTS", scenarios.transcribe_and_speak),
                ):
                    await asyncio.to_thread(wait_for_quiet, patience)
                    scenarios.transcribe_s = 0.0
                    result = await measure(work)
                    result["pair_s"] = scenarios.transcribe_s / rounds
                    results.setdefault(name, []).append(result)
                print(f"run {index + 1}/{runs} done", file=sys.stderr)
        finally:
            scenarios.speaker.close()
            pool.close()
    await asyncio.to_thread(wait_for_quiet, patience)
    sequential = await _sequential(clips)
    return {
        "runs": results,
        "rounds": rounds,
        "clip_seconds": [round(len(c) / 16_000, 1) for c in clips],
        "rendered": scenarios.rendered,
        "render_failures": scenarios.failed,
        "sequential_pair_s": sequential,
    }


async def _sequential(clips: list[Samples]) -> float:
    """For comparison: one pair of clips through workers=1 with both cores, median of 3."""
    pool = TranscriptionPool(FasterWhisperTranscriber("tiny.en", threads=2).load(), workers=1)
    timings = []
    try:
        await pool.transcribe(clips[0])
        for _ in range(3):
            started = time.perf_counter()
            await asyncio.gather(*(pool.transcribe(clip) for clip in clips))
            timings.append(time.perf_counter() - started)
    finally:
        pool.close()
    return statistics.median(timings)


def report(summary: dict[str, Any]) -> str:
    """Per run and median of runs, as Markdown."""
    lines = [
        f"Clips: {summary['clip_seconds']} s, {summary['rounds']} rounds per run; "
        f"{summary['rendered']} texts rendered in all, "
        f"{len(summary['render_failures'])} of them failed (SpeechError).",
        "",
        "| load | run | lag p50 | lag p99 | lag max | samples | one pair transcribed in "
        "| other processes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, runs in summary["runs"].items():
        for index, r in enumerate(runs, 1):
            pair = f"{r['pair_s']:.2f} s" if r["pair_s"] else "-"
            lines.append(
                f"| {name} | {index} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms "
                f"| {r['max_ms']:.1f} ms | {r['samples']} | {pair} "
                f"| {r['other_cores']:.2f} cores |"
            )
    lines += ["", "Median of the runs:", ""]
    for name, runs in summary["runs"].items():
        lines.append(
            f"- {name}: p50 {statistics.median(r['p50_ms'] for r in runs):.2f} ms, "
            f"p99 {statistics.median(r['p99_ms'] for r in runs):.2f} ms, "
            f"max {statistics.median(r['max_ms'] for r in runs):.1f} ms"
        )
    pair = statistics.median(r["pair_s"] for r in summary["runs"]["2 transcriptions"])
    lines.append(
        f"\nOne pair of clips: {pair:.2f} s through workers=2 x 1 thread; "
        f"{summary['sequential_pair_s']:.2f} s through workers=1 x 2 threads."
    )
    return "\n".join(lines)


def main() -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="pairs of clips per run")
    add_common_arguments(parser, quick_help="one run of one round")
    args = parser.parse_args()
    summary = asyncio.run(
        run(1, 1, 0) if args.quick else run(args.runs, args.rounds, args.patience)
    )
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
    else:
        print(report(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
