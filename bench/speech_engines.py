"""Compare the two local speech-to-text engines on the same spoken bank text.

faster-whisper (CTranslate2, int8) and openai-whisper (PyTorch, float32, the same tiny.en weights
converted) each run in a process of their own, so peak memory (ru_maxrss) is per engine; the
processes take turns, never overlap. Each process imports and loads its engine, transcribes one
short clip to warm up, then every clip once: ~5 s sentences, ~30 s follow-up answers and ~90 s
runs of three or four follow-up answers, spoken by espeak-ng. Timings are medians over the runs
(one process per engine per run); word error rate is scored on the first run's transcripts.

Run: .venv/bin/python -m bench.speech_engines [--runs 3] [--clips 4] [--quick] [--json]
Each measurement first waits up to --patience seconds (600) for other processes to go quiet.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.speech_common import (
    CACHE_DIR,
    LENGTHS,
    Clip,
    OtherLoad,
    add_common_arguments,
    build_clips,
    peak_rss_mib,
    read_manifest,
    wait_for_quiet,
    wer,
    write_manifest,
)
from bot.settings import PROJECT_ROOT

ENGINES = ("faster-whisper", "openai-whisper")
THREADS = 2  # all of the reference machine's cores, as speech.workers = 1 configures


def _transcriber(engine: str) -> Any:
    """The engine on the offline tiny.en model, imported only in its own process."""
    if engine == "faster-whisper":
        from bot.speech.faster_whisper_engine import FasterWhisperTranscriber  # noqa: PLC0415

        return FasterWhisperTranscriber("tiny.en", threads=THREADS, compute_type="int8")
    from bot.speech.openai_whisper_engine import OpenAIWhisperTranscriber  # noqa: PLC0415

    return OpenAIWhisperTranscriber("tiny.en", cache_dir=CACHE_DIR, threads=THREADS)


def worker(engine: str, manifest: Path) -> dict[str, Any]:
    """One engine in this process: start-up, memory, then every clip transcribed once."""
    clips = read_manifest(manifest)
    audio = {c.id: c.samples() for c in clips}
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    transcriber = _transcriber(engine)
    imported = time.perf_counter()
    transcriber.load()
    loaded = time.perf_counter()
    transcriber.transcribe(audio[clips[0].id])
    first = time.perf_counter() - loaded
    for length in LENGTHS[1:]:  # torch settles only after a few calls: warm up on each length
        clip = next((c for c in clips if c.length == length), None)
        if clip is not None:
            transcriber.transcribe(audio[clip.id])
    seconds, cpu, texts = {}, {}, {}
    for clip in clips:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        transcript = transcriber.transcribe(audio[clip.id])
        seconds[clip.id] = time.perf_counter() - begin
        cpu[clip.id] = time.process_time() - begin_cpu
        texts[clip.id] = transcript.text
    return {
        "engine": engine,
        "import_s": imported - started,
        "load_s": loaded - imported,
        "first_s": first,
        "rss_before_model_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "texts": texts,
    }


def _spawn(engine: str, manifest: Path) -> dict[str, Any]:
    """Run `worker` in a fresh interpreter; its last output line is the JSON result."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.speech_engines", "--worker", engine, str(manifest)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        sys.exit(f"{engine} worker failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(runs: int, per_length: int, patience: float) -> dict[str, Any]:
    """Render the clips, warm both engines up (weights converted, files cached), then measure."""
    clips = build_clips(per_length)
    results: dict[str, list[dict[str, Any]]] = {e: [] for e in ENGINES}
    with tempfile.TemporaryDirectory() as folder:
        manifest = Path(folder) / "clips.json"
        write_manifest(clips[:1], manifest)
        for engine in ENGINES:  # not measured: converts the weights once, warms the page cache
            _spawn(engine, manifest)
        write_manifest(clips, manifest)
        for index in range(runs):
            order = ENGINES if index % 2 == 0 else ENGINES[::-1]
            for engine in order:
                wait_for_quiet(patience)
                with OtherLoad() as others:
                    result = _spawn(engine, manifest)
                results[engine].append(result | {"other_cores": others.cores})
                print(f"run {index + 1}/{runs}: {engine} done", file=sys.stderr)
    return summarise(clips, results)


def summarise(clips: list[Clip], results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians over runs: start-up, memory, real-time factor and WER per clip length."""
    summary: dict[str, Any] = {"runs": len(results[ENGINES[0]]), "engines": {}, "lengths": {}}
    for engine, runs in results.items():
        summary["engines"][engine] = {
            key: statistics.median(r[key] for r in runs)
            for key in ("import_s", "load_s", "first_s", "rss_before_model_mib", "peak_rss_mib")
        } | {
            "peak_rss_max_mib": max(r["peak_rss_mib"] for r in runs),
            "other_cores": [round(r["other_cores"], 2) for r in runs],
        }
        summary["engines"][engine]["deterministic"] = all(
            r["texts"] == runs[0]["texts"] for r in runs
        )
    for length in LENGTHS:
        group = [c for c in clips if c.length == length]
        row: dict[str, Any] = {
            "clips": len(group),
            "audio_s": statistics.median(c.seconds for c in group),
            "audio_min_s": min(c.seconds for c in group),
            "audio_max_s": max(c.seconds for c in group),
            "words": sum(len(c.text.split()) for c in group),
        }
        for engine, runs in results.items():
            processing = [statistics.median(r["seconds"][c.id] for r in runs) for c in group]
            cpu = [statistics.median(r["cpu_seconds"][c.id] for r in runs) for c in group]
            row[engine] = {
                "processing_s": statistics.median(processing),
                "cpu_s": statistics.median(cpu),
                "rtf": statistics.median(
                    p / c.seconds for p, c in zip(processing, group, strict=True)
                ),
                "wer": wer([(c.text, runs[0]["texts"][c.id]) for c in group]),
            }
        summary["lengths"][length] = row
    summary["wer_all"] = {
        engine: wer([(c.text, runs[0]["texts"][c.id]) for c in clips])
        for engine, runs in results.items()
    }
    summary["transcripts"] = {
        c.id: {"reference": c.text} | {e: results[e][0]["texts"][c.id] for e in ENGINES}
        for c in clips
    }
    return summary


def report(summary: dict[str, Any]) -> str:
    """The summary as Markdown tables."""
    fast, slow = (summary["engines"][e] for e in ENGINES)
    lines = [
        f"Runs: {summary['runs']} (one process per engine per run); medians.",
        "",
        "| engine | import + load | of which load | first 5 s clip | peak RSS | RSS before model |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for engine in ENGINES:
        e = summary["engines"][engine]
        lines.append(
            f"| {engine} | {e['import_s'] + e['load_s']:.2f} s | {e['load_s']:.2f} s "
            f"| {e['first_s']:.2f} s | {e['peak_rss_mib']:.0f} MiB "
            f"| {e['rss_before_model_mib']:.0f} MiB |"
        )
    lines += [
        "",
        f"openai-whisper / faster-whisper: start-up "
        f"{(slow['import_s'] + slow['load_s']) / (fast['import_s'] + fast['load_s']):.1f}x, "
        f"peak RSS {slow['peak_rss_mib'] / fast['peak_rss_mib']:.1f}x. Same text every run: "
        + ", ".join(f"{e} {summary['engines'][e]['deterministic']}" for e in ENGINES)
        + ". Cores kept busy by other processes during each run: "
        + ", ".join(f"{e} {summary['engines'][e]['other_cores']}" for e in ENGINES),
        "",
        "RTF: wall time over audio time, median over the clips of each clip's median over runs "
        "(in brackets: median wall and CPU seconds per clip).",
        "",
        "| clips | audio (median, range) | faster-whisper RTF | openai-whisper RTF | ratio "
        "| faster-whisper WER | openai-whisper WER |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for length, row in summary["lengths"].items():
        a, b = row[ENGINES[0]], row[ENGINES[1]]
        lines.append(
            f"| {row['clips']} x ~{length} | {row['audio_s']:.1f} s "
            f"({row['audio_min_s']:.1f}-{row['audio_max_s']:.1f}) "
            f"| {a['rtf']:.3f} ({a['processing_s']:.2f} s, {a['cpu_s']:.1f} CPU s) "
            f"| {b['rtf']:.3f} ({b['processing_s']:.2f} s, {b['cpu_s']:.1f} CPU s) "
            f"| {b['rtf'] / a['rtf']:.1f}x "
            f"| {a['wer']:.1%} | {b['wer']:.1%} |"
        )
    wer_all = summary["wer_all"]
    lines.append(
        f"| all | | | | | {wer_all[ENGINES[0]]:.1%} | {wer_all[ENGINES[1]]:.1%} |",
    )
    return "\n".join(lines)


def main() -> int:
    """Print the comparison (or, with --worker, measure one engine and print JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clips", type=int, default=4, help="clips of each length")
    add_common_arguments(parser, quick_help="one run, one clip of each length")
    parser.add_argument("--transcripts", action="store_true", help="print what each engine heard")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "MANIFEST"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]))))
        return 0
    summary = run(1, 1, 0) if args.quick else run(args.runs, args.clips, args.patience)
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        return 0
    print(report(summary))
    if args.transcripts:
        for clip_id, texts in summary["transcripts"].items():
            print(f"\n{clip_id}")
            for name, text in texts.items():
                print(f"  {name}: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
