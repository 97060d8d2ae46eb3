"""Turn a capture into a transcript: chunks go to the pool as they are cut, then are joined."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from bot.grading.speech_metrics import TimedWord
from bot.speech.capture import AnswerCapture, Chunk, EndReason
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import Transcript

log = logging.getLogger(__name__)

# Words of the previous chunk's text that prompt the next one. The vocabulary prompt is at most
# 80 words and Whisper keeps the last 224 prompt tokens: both fit.
CONTEXT_WORDS = 40
# A context-prompted transcript that copies this many words of its context in a row, or says a
# three-word phrase this often, has looped on the prompt: it is transcribed again without it.
ECHO_WORDS = 8
REPEATS = 3


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

    An answer's chunks are transcribed one call at a time, in order; chunks cut while a call
    runs wait and are transcribed together, as one piece (fewer cuts, fewer padded windows).
    With `carry_context`, each piece is prompted with the end of the text before it (after
    `prompt`), as Whisper conditions a long recording on what it has just heard; a piece that
    loops on that context is transcribed again with `prompt` alone.
    """
    pieces = _Pieces(pool, prompt, carry_context=carry_context)
    try:
        while True:
            # poll() before take(): once the capture has ended, its final chunk is ready to take.
            reason = capture.poll(clock())
            pieces.add(capture.take())
            if reason is not None:
                break
            await asyncio.sleep(tick)
        ended_at = clock()
        parts = await pieces.finish()
    finally:
        pieces.cancel()
    if not parts:
        return None
    return HeardAnswer(_join(parts), reason, round(clock() - ended_at, 3))


class _Pieces:
    """One answer's chunks, transcribed one call at a time; those cut meanwhile go together."""

    def __init__(self, pool: TranscriptionPool, prompt: str | None, *, carry_context: bool):
        self._pool = pool
        self._prompt = prompt
        self._carry_context = carry_context
        self._waiting: list[Chunk] = []
        self._running: asyncio.Task[tuple[Chunk, Transcript]] | None = None
        self._done: list[tuple[Chunk, Transcript]] = []

    def add(self, chunks: list[Chunk]) -> None:
        """Queue newly cut chunks (the final piece can be empty: the end was all silence)."""
        self._waiting += [chunk for chunk in chunks if chunk.audio.size]
        self._step()

    def _step(self) -> None:
        if self._running is not None and self._running.done():
            self._done.append(self._running.result())
            self._running = None
        if self._running is None and self._waiting:
            piece, self._waiting = merge(self._waiting), []
            before = self._done[-1][1].text if self._done and self._carry_context else None
            self._running = asyncio.ensure_future(self._transcribe(piece, before))

    async def _transcribe(self, piece: Chunk, before: str | None) -> tuple[Chunk, Transcript]:
        prompted = with_context(self._prompt, before) if before is not None else self._prompt
        transcript = await self._pool.transcribe(piece.audio, prompt=prompted)
        if before is not None and looped(transcript.text, before):
            log.info("a piece looped on its context; transcribed again without it")
            spent = transcript.processing_seconds
            transcript = await self._pool.transcribe(piece.audio, prompt=self._prompt)
            total = round(spent + transcript.processing_seconds, 3)
            transcript = replace(transcript, processing_seconds=total)  # the work both cost
        return piece, transcript

    async def finish(self) -> list[tuple[Chunk, Transcript]]:
        """Every chunk transcribed, in order."""
        while self._running is not None or self._waiting:
            if self._running is not None:
                await asyncio.wait([self._running])
            self._step()
        return self._done

    def cancel(self) -> None:
        """Stop waiting for a call still running (the answer was abandoned)."""
        if self._running is not None:
            self._running.cancel()


def merge(chunks: list[Chunk]) -> Chunk:
    """Consecutive chunks as one: their audio end to end, from the first one's offset."""
    if len(chunks) == 1:
        return chunks[0]
    audio = np.concatenate([chunk.audio for chunk in chunks])
    last = chunks[-1]
    return Chunk(audio, chunks[0].offset, last.final, last.speculative)


def with_context(prompt: str | None, previous: str) -> str | None:
    """`prompt`, then the last words heard before this chunk (the end of a prompt weighs most)."""
    tail = " ".join(previous.split()[-CONTEXT_WORDS:])
    return " ".join(part for part in (prompt, tail) if part) or None


def looped(text: str, previous: str) -> bool:
    """Whether a context-prompted transcript echoes its context or repeats itself."""
    words = _words(text)
    context = _words(" ".join(previous.split()[-CONTEXT_WORDS:]))
    echoes = {tuple(context[i : i + ECHO_WORDS]) for i in range(len(context) - ECHO_WORDS + 1)}
    if any(tuple(words[i : i + ECHO_WORDS]) in echoes for i in range(len(words))):
        return True
    phrases = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return any(phrases.count(phrase) >= REPEATS for phrase in set(phrases))


def _words(text: str) -> list[str]:
    return [word.strip(".,;:!?\"'").lower() for word in text.split()]


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
