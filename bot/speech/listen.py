"""Turn a capture into a transcript: chunks go to the pool as they are cut, then are joined."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.grading.speech_metrics import TimedWord
from bot.speech.capture import AnswerCapture, Chunk, EndReason
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import Transcript

# Words of the previous chunk's text that prompt the next one. The vocabulary prompt is at most
# 80 words and Whisper keeps the last 224 prompt tokens: both fit.
CONTEXT_WORDS = 40


@dataclass(frozen=True)
class HeardAnswer:
    """A finished spoken answer: its transcript, why it ended, and the wait after it ended."""

    transcript: Transcript
    ended_by: EndReason
    seconds_after_end: float


async def listen_for_answer(
    capture: AnswerCapture,
    pool: TranscriptionPool,
    *,
    prompt: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    tick: float = 0.02,  # how soon the end is noticed: one frame
    carry_context: bool = False,
) -> HeardAnswer | None:
    """Wait until the capture ends, transcribing chunks meanwhile; None when no one spoke.

    With `carry_context`, each chunk is prompted with the end of the text before it (after
    `prompt`), as Whisper conditions a long recording on what it has just heard. It is off in
    the bot: on tiny.en it made the work longer and the words worse (docs/benchmarks.md).
    """
    jobs: list[tuple[Chunk, asyncio.Task[Transcript]]] = []
    try:
        while True:
            # poll() before take(): once the capture has ended, its final chunk is ready to take.
            reason = capture.poll(clock())
            for chunk in capture.take():
                if chunk.audio.size:  # the final piece can be empty: the end was all silence
                    before = jobs[-1][1] if jobs and carry_context else None
                    task = asyncio.ensure_future(_transcribe(pool, chunk, prompt, before))
                    jobs.append((chunk, task))
            if reason is not None:
                break
            await asyncio.sleep(tick)
        ended_at = clock()
        if not jobs:
            return None
        parts = [(chunk, await task) for chunk, task in jobs]
    finally:
        for _chunk, task in jobs:
            task.cancel()
    return HeardAnswer(_join(parts), reason, round(clock() - ended_at, 3))


async def _transcribe(
    pool: TranscriptionPool,
    chunk: Chunk,
    prompt: str | None,
    before: asyncio.Task[Transcript] | None,
) -> Transcript:
    """One chunk, prompted with the end of the chunk before it once that is transcribed."""
    if before is not None:
        prompt = with_context(prompt, (await before).text)
    return await pool.transcribe(chunk.audio, prompt=prompt)


def with_context(prompt: str | None, previous: str) -> str | None:
    """`prompt`, then the last words heard before this chunk (the end of a prompt weighs most)."""
    tail = " ".join(previous.split()[-CONTEXT_WORDS:])
    return " ".join(part for part in (prompt, tail) if part) or None


def _join(parts: list[tuple[Chunk, Transcript]]) -> Transcript:
    first = parts[0][1]
    words = tuple(
        TimedWord(w.text, round(w.start + chunk.offset, 2), round(w.end + chunk.offset, 2))
        for chunk, transcript in parts
        for w in transcript.words
    )
    return Transcript(
        text=" ".join(t.text for _c, t in parts if t.text).strip(),
        words=words,
        audio_seconds=round(sum(t.audio_seconds for _c, t in parts), 3),
        processing_seconds=round(sum(t.processing_seconds for _c, t in parts), 3),
        engine=first.engine,
        model=first.model,
    )
