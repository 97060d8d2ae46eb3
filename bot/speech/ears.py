"""Listening to several people at once: consent, one capture per speaker, answers as they end."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from bot.speech.audio import Downsampler
from bot.speech.capture import AnswerCapture, CaptureOptions, EndReason
from bot.speech.listen import HeardAnswer, listen_for_answer
from bot.speech.pool import TranscriptionPool
from bot.speech.vad import SpeechDetector
from bot.tasks import spawn

log = logging.getLogger(__name__)


@dataclass
class _Ear:
    capture: AnswerCapture
    downsample: Downsampler = field(default_factory=Downsampler)


@dataclass(frozen=True)
class _Round:
    speakers: frozenset[str] | None  # None: every consenting person
    prompt: str | None


class Ears:
    """Hears the people who opted in, one answer at a time each, and keeps no audio.

    `push` is called from the voice receive thread with each 20 ms frame; it does nothing for
    people who have not consented, for people not allowed to answer now, and between rounds.
    A round (`listen`) lasts until `stop`; each speaker's answer is transcribed as it ends and
    comes out of `answers()`. Audio lives only in a capture, which is dropped when the answer is
    transcribed or the round stops.
    """

    def __init__(
        self,
        detector: SpeechDetector,
        pool: TranscriptionPool,
        options: CaptureOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._detector = detector
        self._pool = pool
        self._options = options
        self._clock = clock
        self._lock = threading.Lock()
        self._consented: set[str] = set()
        self._round: _Round | None = None
        self._ears: dict[str, _Ear] = {}
        self._answers: asyncio.Queue[tuple[str, HeardAnswer]] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._tasks: set[asyncio.Task[None]] = set()
        self.frames_ignored = 0

    def consent(self, person: str) -> None:
        """This person agreed to be transcribed."""
        with self._lock:
            self._consented.add(person)

    def withdraw(self, person: str) -> None:
        """This person no longer wants to be transcribed: drop what was heard of them."""
        with self._lock:
            self._consented.discard(person)
            ear = self._ears.pop(person, None)
        if ear is not None:
            ear.capture.finish(EndReason.DONE)
            ear.capture.take()  # their audio is discarded, never transcribed

    def has_consented(self, person: str) -> bool:
        """Whether this person opted in."""
        with self._lock:
            return person in self._consented

    @property
    def listening(self) -> bool:
        """Whether a round is open."""
        return self._round is not None

    def listen(self, speakers: frozenset[str] | None = None, prompt: str | None = None) -> None:
        """Open a round for these speakers (None: anyone who consented)."""
        self.stop()
        with self._lock:
            self._round = _Round(speakers, prompt)

    def stop(self) -> None:
        """Close the round; unfinished answers are dropped with their audio."""
        with self._lock:
            self._round = None
            ears, self._ears = self._ears, {}
        for ear in ears.values():
            ear.capture.finish(EndReason.DONE)
            ear.capture.take()
        for task in list(self._tasks):
            task.cancel()
        while not self._answers.empty():
            self._answers.get_nowait()

    def done(self, person: str) -> None:
        """This person says they finished speaking (the Done button)."""
        with self._lock:
            ear = self._ears.get(person)
        if ear is not None:
            ear.capture.finish(EndReason.DONE)

    def push(self, person: str, pcm: bytes, now: float | None = None) -> None:
        """One frame of Discord PCM from `person` (thread-safe; called off the event loop)."""
        with self._lock:
            round_ = self._round
            allowed = (
                round_ is not None
                and person in self._consented
                and (round_.speakers is None or person in round_.speakers)
            )
            if not allowed or round_ is None:
                self.frames_ignored += 1
                return
            ear = self._ears.get(person)
            if ear is None:
                ear = self._ears[person] = _Ear(AnswerCapture(self._detector, self._options))
                self._loop.call_soon_threadsafe(self._follow, person, ear, round_)
        ear.capture.push(ear.downsample(pcm), self._clock() if now is None else now)

    def _follow(self, person: str, ear: _Ear, round_: _Round) -> None:
        task = spawn(self._hear(person, ear, round_), f"hear:{person}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _hear(self, person: str, ear: _Ear, round_: _Round) -> None:
        try:
            heard = await listen_for_answer(
                ear.capture, self._pool, prompt=round_.prompt, clock=self._clock
            )
        finally:
            with self._lock:
                if self._ears.get(person) is ear:
                    del self._ears[person]  # the next words start a new answer
        if heard is not None and self._round is round_:
            await self._answers.put((person, heard))

    async def answers(self) -> AsyncIterator[tuple[str, HeardAnswer]]:
        """Each answer as it is transcribed: (speaker, what was heard). Runs until cancelled."""
        while True:
            yield await self._answers.get()

    async def close(self) -> None:
        """Stop listening and wait for running transcriptions to notice."""
        self.stop()
        tasks = list(self._tasks)
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
