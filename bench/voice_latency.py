"""How long after someone stops talking their transcript is ready: chunked vs unchunked.

A spoken answer (a ~5 s sentence or a ~60 s reference answer, espeak-ng) is converted to
Discord's 48 kHz stereo PCM and fed in real time, one 20 ms frame every 20 ms (paced with
asyncio.sleep against absolute deadlines), through the Downsampler into AnswerCapture, while
listen_for_answer hands chunks to TranscriptionPool(faster-whisper tiny.en, 1 worker) with the
question's vocabulary prompt, as the bot does. After the answer, silence frames keep coming.
end_silence is 1.0 s. Chunked transcribes while the person talks (chunk_seconds 8); unchunked
transcribes everything once the answer has ended.

Latency is reported three ways: HeardAnswer.seconds_after_end (from when the listener noticed
the end); from the moment the silence timer fired (the push that ended the capture); and from the
arrival of the frame holding the end of the last word.

Run: .venv/bin/python -m bench.voice_latency [--reps 3] [--quick] [--json]
Each measurement first waits up to --patience seconds (600) for other processes to go quiet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import time
from typing import Any

import numpy as np

from bench.speech_common import (
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
from bot.speech.audio import DISCORD_FRAME_BYTES, Downsampler, load_audio, to_discord_pcm
from bot.speech.capture import AnswerCapture, CaptureOptions
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.listen import listen_for_answer
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript
from bot.speech.vad import SileroDetector
from bot.speech.vocabulary import vocabulary_prompt

FRAME_SECONDS = 0.02
END_SILENCE = 1.0
MODES = {"chunked": 8.0, "unchunked": 1e9}
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
    audio: Samples, pool: TimedPool, detector: SileroDetector, chunk: float, prompt: str
) -> dict[str, Any]:
    """Speak one answer in real time; return when the transcript is ready, and the lateness."""
    capture = AnswerCapture(detector, CaptureOptions(end_silence=END_SILENCE, chunk_seconds=chunk))
    downsample = Downsampler()
    pcm = to_discord_pcm(audio, SAMPLE_RATE)
    frames = [pcm[i : i + DISCORD_FRAME_BYTES] for i in range(0, len(pcm), DISCORD_FRAME_BYTES)]
    last_word_frame = math.ceil(speech_end(audio) / FRAME_SECONDS) - 1
    pool.calls = []
    listener = asyncio.ensure_future(listen_for_answer(capture, pool, prompt=prompt))
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
    final = pool.calls[-1]
    return {
        "chunks": len(pool.calls),
        "final_chunk_s": final["audio_s"],
        "final_wait_s": final["done"] - final["queued"] - final["processing_s"],
        "final_processing_s": final["processing_s"],
        "after_end_s": heard.seconds_after_end,
        "after_fired_s": done - marks.get("fired", done),
        "after_last_word_s": done - marks["last_word"],
        "ended_by": str(heard.ended_by),
        "text": heard.transcript.text,
        "processing_s": heard.transcript.processing_seconds,
        "pace_p99_ms": percentile(lateness, 99) * 1000,
        "pace_max_ms": max(lateness) * 1000,
    }


async def run(reps: int, patience: float) -> dict[str, Any]:
    """Every answer in both modes (alternating), `reps` questions per length."""
    voice = speaker()
    try:
        clips = [(length, q, text, voice.render_sync(text)) for length, q, text in answers(reps)]
    finally:
        voice.close()
    pool = TimedPool(FasterWhisperTranscriber("tiny.en", threads=2).load())
    detector = SileroDetector()
    results: list[dict[str, Any]] = []
    try:
        await pool.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32))  # warm up
        with OtherLoad() as others:
            for n, (length, question, text, wav) in enumerate(clips):
                audio = load_audio(wav)
                modes = list(MODES) if n % 2 == 0 else list(MODES)[::-1]
                for mode in modes:
                    await asyncio.to_thread(wait_for_quiet, patience)
                    prompt = vocabulary_prompt(question)
                    result = await one_answer(audio, pool, detector, MODES[mode], prompt)
                    edits, words = word_errors(text, result["text"])
                    result |= {"length": length, "mode": mode, "id": question.id}
                    result |= {"audio_s": len(audio) / SAMPLE_RATE, "wer": edits / words}
                    results.append(result)
                    print(
                        f"{length} {mode} {question.id}: {result['after_fired_s']:.2f} s",
                        file=sys.stderr,
                    )
    finally:
        pool.close()
    return {"results": results, "other_cores": others.cores}


def report(summary: dict[str, Any]) -> str:
    """Medians per length and mode as Markdown."""
    results = summary["results"]
    lines = [
        "| answer | mode | runs | after silence timer fired | seconds_after_end "
        "| after last word | chunks | last chunk: audio, queued, work | all work | WER "
        "| pacing p99 / max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for length in ("5s", "60s"):
        for mode in MODES:
            rows = [r for r in results if r["length"] == length and r["mode"] == mode]
            if not rows:
                continue

            def med(key: str, rows: list[dict[str, Any]] = rows) -> float:
                return statistics.median(r[key] for r in rows)

            spread = ", ".join(f"{r['after_fired_s']:.2f}" for r in rows)
            lines.append(
                f"| ~{length} ({med('audio_s'):.0f} s) | {mode} | {len(rows)} "
                f"| **{med('after_fired_s'):.2f} s** ({spread}) | {med('after_end_s'):.2f} s "
                f"| {med('after_last_word_s'):.2f} s | {med('chunks'):g} "
                f"| {med('final_chunk_s'):.1f} s, {med('final_wait_s'):.2f} s, "
                f"{med('final_processing_s'):.2f} s | {med('processing_s'):.2f} s "
                f"| {med('wer'):.1%} | {med('pace_p99_ms'):.1f} / "
                f"{max(r['pace_max_ms'] for r in rows):.1f} ms |"
            )
    lines.append(
        f"\nOther processes kept {summary['other_cores']:.2f} cores busy on average; "
        f"answers ended by: {sorted({r['ended_by'] for r in results})}."
    )
    return "\n".join(lines)


def main() -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="answers of each length")
    add_common_arguments(parser, quick_help="one answer of each length")
    args = parser.parse_args()
    summary = asyncio.run(run(1, 0) if args.quick else run(args.reps, args.patience))
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
    else:
        print(report(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
