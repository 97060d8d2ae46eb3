"""How long after someone stops talking their transcript is ready: speculative vs today's path.

A spoken answer (a ~5 s sentence or a ~60 s reference answer, espeak-ng) is converted to
Discord's 48 kHz stereo PCM and fed in real time, one 20 ms frame every 20 ms (paced with
asyncio.sleep against absolute deadlines), through the Downsampler into AnswerCapture, while
listen_for_answer hands chunks to TranscriptionPool(faster-whisper tiny.en, 1 worker) with the
question's vocabulary prompt, as the bot does. After the answer, silence frames keep coming.
end_silence is the bot's 1.5 s (--end-silence); --pin puts the transcription alone on the
last core. Modes, each answer spoken once in each (order alternating):

- today: chunks cut at a 0.3 s pause once 8 s are pending, every chunk prompted the same;
- speculative: as well, a cut at the first pause of `--pause` s (the bot's setting, or 0.3 s
  when it is off; `speculative:0.45` gives the mode a pause of its own); meanwhile the
  question's follow-ups are rendered ahead, at low priority, as the voice stage does;
- speculative+context: the same, each chunk prompted with the end of the text before it too
  (what Whisper's context at the joins costs or buys).

Latency is reported three ways: HeardAnswer.seconds_after_end (from when the listener noticed
the end); from the moment the silence timer fired (the push that ended the capture); and from the
arrival of the frame holding the end of the last word. After each answer the question's first
follow-up is turned into the PCM the stage plays (`speech_pcm`): from the cache when it was
rendered ahead (speculative), rendered then (today, its cache entry removed first).

Run: flock /tmp/bench.lock nice -n 0 .venv/bin/python -m bench.voice_latency [--reps 3] [--pin]
     [--modes today,speculative] [--quick] [--json]
WER is reported pooled over a row's answers (all edits over all words) and as the median of
the answers'; the load average and the other processes' CPU during the run are printed.
Each measurement first waits up to --patience seconds (600) for other processes to go quiet.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.speech_common import (
    RATE,
    VOICE,
    OtherLoad,
    add_common_arguments,
    bank,
    percentile,
    short_sentence,
    speaker,
    speech_end,
    wait_for_quiet,
    word_errors,
)
from bot.bank.models import Question
from bot.bank.tree import FollowUpTree
from bot.settings import VoiceSettings
from bot.speech.audio import DISCORD_FRAME_BYTES, Downsampler, load_audio, to_discord_pcm
from bot.speech.capture import AnswerCapture, CaptureOptions
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.listen import listen_for_answer
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript
from bot.speech.prerender import Prerenderer, speech_pcm
from bot.speech.tts import Pyttsx3Speaker
from bot.speech.vad import SileroDetector
from bot.speech.vocabulary import vocabulary_prompt

FRAME_SECONDS = 0.02
END_SILENCE = VoiceSettings().end_silence_seconds
PAUSE = VoiceSettings().speculative_pause_seconds or 0.3  # the measured pause when it is off
MODES = ("today", "speculative", "speculative+context")
AHEAD = 3  # follow-ups rendered ahead, as voice.prerender_follow_ups
SILENCE_FRAME = bytes(DISCORD_FRAME_BYTES)


class TimedPool(TranscriptionPool):
    """The bot's pool, noting each chunk's length, when it was queued and when it was done."""

    def __init__(self, transcriber: FasterWhisperTranscriber) -> None:
        super().__init__(transcriber, workers=1)
        self.calls: list[dict[str, float]] = []

    async def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Transcribe as the pool does, keeping the timings."""
        call = {"audio_s": len(audio) / SAMPLE_RATE, "queued": time.monotonic()}
        self.calls.append(call)
        transcript = await super().transcribe(audio, prompt=prompt)
        call |= {"done": time.monotonic(), "processing_s": transcript.processing_seconds}
        return transcript


def answers(count: int) -> list[tuple[str, Question, str]]:
    """(length, question, text): ~5 s sentences and ~60 s reference answers of `count` questions."""
    source = bank()
    questions = sorted(source.questions, key=lambda q: abs(len(q.reference_answer.split()) - 140))
    chosen = sorted(questions[:count], key=lambda q: q.id)
    out = [("5s", q, short_sentence(source.trees[q.id])) for q in chosen]
    out += [("60s", q, " ".join(q.reference_answer.split())) for q in chosen]
    return out


async def one_answer(
    audio: Samples,
    pool: TimedPool,
    detector: SileroDetector,
    mode: str,
    prompt: str,
    timing: tuple[float, float],
) -> dict[str, Any]:
    """Speak one answer in real time; return when the transcript is ready, and the lateness."""
    pause, end_silence = timing
    name, _at, own_pause = mode.partition(":")  # "speculative:0.45": a pause of its own
    speculative = 0.0 if name == "today" else float(own_pause or pause)
    options = CaptureOptions(end_silence=end_silence, speculative_pause=speculative)
    capture = AnswerCapture(detector, options)
    downsample = Downsampler()
    pcm = to_discord_pcm(audio, SAMPLE_RATE)
    frames = [pcm[i : i + DISCORD_FRAME_BYTES] for i in range(0, len(pcm), DISCORD_FRAME_BYTES)]
    last_word_frame = math.ceil(speech_end(audio) / FRAME_SECONDS) - 1
    pool.calls = []
    cpu = time.process_time()
    context = name == "speculative+context"
    listener = asyncio.ensure_future(
        listen_for_answer(capture, pool, prompt=prompt, carry_context=context)
    )
    marks: dict[str, float] = {}
    lateness: list[float] = []
    start = time.monotonic()
    index = 0
    while not listener.done():
        deadline = start + (index + 1) * FRAME_SECONDS  # the frame has fully arrived by then
        await asyncio.sleep(max(deadline - time.monotonic(), 0))
        now = time.monotonic()
        lateness.append(now - deadline)
        frame = frames[index] if index < len(frames) else SILENCE_FRAME
        capture.push(downsample(frame), now)
        if index == last_word_frame:
            marks["last_word"] = now
        if capture.ended is not None and "fired" not in marks:
            marks["fired"] = time.monotonic()
        index += 1
    heard = await listener
    done = time.monotonic()
    assert heard is not None
    # Queued as the timer fired: the listener's clock can end the answer a frame before the
    # frame loop notes it, so "after the timer" starts a tenth of the end silence early.
    timer = marks["last_word"] + 0.9 * end_silence
    after_fired = [c for c in pool.calls if c["queued"] >= timer]
    return {
        "chunks": len(pool.calls),
        "after_timer_calls": len(after_fired),
        "after_timer_audio_s": sum(c["audio_s"] for c in after_fired),
        "after_end_s": heard.seconds_after_end,
        "after_fired_s": done - marks.get("fired", done),
        "after_last_word_s": done - marks["last_word"],
        "ended_by": str(heard.ended_by),
        "text": heard.transcript.text,
        "processing_s": heard.transcript.processing_seconds,
        "cpu_s": time.process_time() - cpu,
        "pace_p99_ms": percentile(lateness, 99) * 1000,
        "pace_max_ms": max(lateness) * 1000,
    }


@functools.cache
def trees() -> dict[str, FollowUpTree]:
    """The bank's follow-up trees, loaded once."""
    return dict(bank().trees)


def follow_ups(question: Question) -> list[str]:
    """The prompts of the follow-ups the voice stage renders ahead when `question` is asked."""
    return [node.prompt for _when, node in trees()[question.id].children(question.id)]


def forget(voice: Pyttsx3Speaker, texts: list[str]) -> None:
    """Remove these texts' renderings, so the next request renders them again."""
    for text in texts:
        voice.cache_path(text).unlink(missing_ok=True)


async def answer_and_follow_up(
    clip: tuple[str, Question, str, Samples],
    mode: str,
    shared: tuple[TimedPool, SileroDetector, Pyttsx3Speaker],
    timing: tuple[float, float],
) -> dict[str, Any]:
    """One answer in one mode, then the question's first follow-up made ready to play."""
    length, question, text, audio = clip
    pool, detector, voice = shared
    ahead = Prerenderer(voice, AHEAD)
    texts = follow_ups(question)[:AHEAD]
    forget(voice, texts)
    if mode != "today":
        ahead.ahead(texts)  # as the stage does when the question is asked
    result = await one_answer(audio, pool, detector, mode, vocabulary_prompt(question), timing)
    started = time.monotonic()  # the grade is given about now; the follow-up is asked
    if texts:
        await speech_pcm(voice, texts[0])
        result["follow_up_s"] = time.monotonic() - started
    ahead.stop()
    edits, words = word_errors(text, result["text"])
    result |= {"length": length, "mode": mode, "id": question.id}
    result |= {"edits": edits, "words": words}
    return result | {"audio_s": len(audio) / SAMPLE_RATE, "wer": edits / words}


def load_average() -> float:
    """The machine's 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


async def start_pool(pin: bool, threads: int) -> TimedPool:
    """The model loaded and warmed up; with `pin`, its threads on the last core, ours elsewhere.

    CTranslate2 starts its compute threads when the model loads and the pool starts its worker
    on the first call, each inheriting the affinity of the thread that starts it: so this thread
    sits on the worker's core while they start, then moves to the other cores.
    """
    cores = sorted(os.sched_getaffinity(0))
    if pin:
        os.sched_setaffinity(0, {cores[-1]})
    pool = TimedPool(FasterWhisperTranscriber("tiny.en", threads=threads).load())
    await pool.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32))  # warm up
    if pin:
        os.sched_setaffinity(0, set(cores[:-1]))
    return pool


async def run(
    reps: int,
    patience: float,
    timing: tuple[float, float],
    setup: tuple[tuple[str, ...], bool, int],
) -> dict[str, Any]:
    """Every answer in every mode (order alternating), `reps` questions per length."""
    modes, pin, threads = setup
    voice = speaker()
    try:
        clips = [(length, q, text, voice.render_sync(text)) for length, q, text in answers(reps)]
    finally:
        voice.close()
    pool = await start_pool(pin, threads)
    detector = SileroDetector()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as cache:
        follow_voice = Pyttsx3Speaker(Path(cache), voice=VOICE, rate=RATE)
        try:
            await follow_voice.render("Warming up.")  # both workers started, as in the bot
            await follow_voice.prerender("Warming up in the background.")
            shared = (pool, detector, follow_voice)
            with OtherLoad() as others:
                for n, (length, question, text, wav) in enumerate(clips):
                    clip = (length, question, text, load_audio(wav))
                    for mode in modes[n % len(modes) :] + modes[: n % len(modes)]:
                        await asyncio.to_thread(wait_for_quiet, patience)
                        load = load_average()
                        result = await answer_and_follow_up(clip, mode, shared, timing)
                        result["loadavg"] = (load + load_average()) / 2
                        results.append(result)
                        print(
                            f"{length} {mode} {question.id}: {result['after_fired_s']:.2f} s, "
                            f"follow-up {result.get('follow_up_s', math.nan):.2f} s",
                            file=sys.stderr,
                        )
        finally:
            pool.close()
            follow_voice.close()
    pause, end_silence = timing
    return {
        "results": results,
        "other_cores": others.cores,
        "pause": pause,
        "end": end_silence,
        "pin": pin,
        "modes": modes,
        "threads": threads,
    }


def report(summary: dict[str, Any]) -> str:
    """Medians per length and mode as Markdown."""
    results = summary["results"]
    lines = [
        "| answer | mode | runs | after silence timer fired | seconds_after_end "
        "| after last word | transcriber calls (after the timer) | transcription work "
        "| process CPU | WER (pooled; median) | follow-up ready to play | pacing p99 / max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for length in ("5s", "60s"):
        for mode in summary["modes"]:
            rows = [r for r in results if r["length"] == length and r["mode"] == mode]
            if not rows:
                continue

            def med(key: str, rows: list[dict[str, Any]] = rows) -> float:
                return statistics.median(r.get(key, math.nan) for r in rows)

            spread = ", ".join(f"{r['after_fired_s']:.2f}" for r in rows)
            pooled = sum(r["edits"] for r in rows) / sum(r["words"] for r in rows)
            lines.append(
                f"| ~{length} ({med('audio_s'):.0f} s) | {mode} | {len(rows)} "
                f"| **{med('after_fired_s'):.2f} s** ({spread}) | {med('after_end_s'):.2f} s "
                f"| {med('after_last_word_s'):.2f} s | {med('chunks'):g} "
                f"({med('after_timer_calls'):g}) | {med('processing_s'):.2f} s "
                f"| {med('cpu_s'):.2f} s | {pooled:.1%}; {med('wer'):.1%} "
                f"| {med('follow_up_s') * 1000:.0f} ms "
                f"| {med('pace_p99_ms'):.1f} / {max(r['pace_max_ms'] for r in rows):.1f} ms |"
            )
    loads = [r["loadavg"] for r in results]
    placement = "transcription pinned to a core of its own" if summary["pin"] else "unpinned"
    lines.append(
        f"\nSpeculative pause {summary['pause']} s, end silence {summary['end']} s, "
        f"{placement}, {summary['threads']} transcription thread(s). "
        f"Other processes kept {summary['other_cores']:.2f} cores busy on average; load average "
        f"{statistics.mean(loads):.2f} (max {max(loads):.2f}); "
        f"answers ended by: {sorted({r['ended_by'] for r in results})}."
    )
    return "\n".join(lines)


def main() -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="answers of each length")
    parser.add_argument("--pause", type=float, default=PAUSE, help="speculative pause, seconds")
    parser.add_argument("--end-silence", type=float, default=END_SILENCE, help="seconds")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help=f"comma-separated, of {MODES}; MODE:PAUSE gives a mode its own speculative pause",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="transcription on the last core alone (its threads pinned there), the rest elsewhere",
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="transcription threads (0: 2, 1 pinned)"
    )
    add_common_arguments(parser, quick_help="one answer of each length")
    args = parser.parse_args()
    reps, patience = (1, 0.0) if args.quick else (args.reps, args.patience)
    modes = tuple(args.modes.split(","))
    if any(mode.partition(":")[0] not in MODES for mode in modes):
        parser.error(f"--modes: each one of {MODES}, optionally with :PAUSE")
    threads = args.threads or (1 if args.pin else 2)
    setup = (modes, args.pin, threads)
    summary = asyncio.run(run(reps, patience, (args.pause, args.end_silence), setup))
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
    else:
        print(report(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
