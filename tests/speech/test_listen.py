"""From a capture to one transcript: chunks transcribed while the person talks, then joined."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np
import pytest

from bot.speech.capture import AnswerCapture, CaptureOptions, EndReason
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.listen import listen_for_answer
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.vad import SileroDetector
from tests.speech.conftest import silence

pytestmark = pytest.mark.model

FRAME = SAMPLE_RATE // 50


class FeedClock:
    """The capture's clock: the time of the audio fed so far (so the test need not wait)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_chunked_answer_is_transcribed_in_order(
    whisper: FasterWhisperTranscriber, speak: Callable[[str], Samples]
) -> None:
    parts = [
        "First, bagging trains trees on bootstrap samples.",
        "Second, boosting fits each tree to the errors of the last.",
        "Third, random forests also sample features at each split.",
    ]
    audio = np.concatenate([np.concatenate([speak(p), silence(0.6)]) for p in parts])
    # Pauses between sentences (espeak's own plus 0.6 s) stay well under the end silence.
    capture = AnswerCapture(SileroDetector(), CaptureOptions(chunk_seconds=3.0, end_silence=1.6))
    pool = TranscriptionPool(whisper, workers=1)
    clock = FeedClock()

    async def talk() -> None:
        for begin in range(0, audio.size + SAMPLE_RATE * 2, FRAME):
            frame = audio[begin : begin + FRAME] if begin < audio.size else silence(0.02)
            clock.now = (begin + FRAME) / SAMPLE_RATE
            capture.push(frame, clock.now)
            if begin % (FRAME * 10) == 0:
                await asyncio.sleep(0)  # let the listener hand out chunks meanwhile

    try:
        listener = asyncio.ensure_future(listen_for_answer(capture, pool, clock=clock, tick=0))
        await talk()
        heard = await listener
    finally:
        pool.close()
    assert heard is not None
    assert heard.ended_by is EndReason.SILENCE
    assert pool.completed >= 2  # really chunked
    text = heard.transcript.text.lower()
    assert text.index("first") < text.index("second") < text.index("third")
    starts = [w.start for w in heard.transcript.words]
    assert starts == sorted(starts)
    assert heard.transcript.words[-1].end <= audio.size / SAMPLE_RATE + 0.5


async def test_a_resumed_answer_is_joined_with_each_word_once(
    whisper: FasterWhisperTranscriber, speak: Callable[[str], Samples]
) -> None:
    parts = [
        "First, bagging trains trees on bootstrap samples.",
        "Second, boosting fits each tree to the errors of the last.",
    ]
    audio = np.concatenate([np.concatenate([speak(p), silence(0.7)]) for p in parts])
    # Speculative cuts at every 0.3 s pause: the first sentence is transcribed at the pause,
    # then the person goes on; its transcription is simply the first chunk.
    options = CaptureOptions(end_silence=1.6, speculative_pause=0.3)
    capture = AnswerCapture(SileroDetector(), options)
    pool = TranscriptionPool(whisper, workers=1)
    clock = FeedClock()
    try:
        listener = asyncio.ensure_future(listen_for_answer(capture, pool, clock=clock, tick=0))
        for begin in range(0, audio.size + SAMPLE_RATE * 2, FRAME):
            frame = audio[begin : begin + FRAME] if begin < audio.size else silence(0.02)
            clock.now = (begin + FRAME) / SAMPLE_RATE
            capture.push(frame, clock.now)
            if begin % (FRAME * 10) == 0:
                await asyncio.sleep(0)
        heard = await listener
    finally:
        pool.close()
    assert heard is not None
    assert pool.completed >= 2  # cut at the pause, then resumed
    words = [w.text.lower().strip(",.") for w in heard.transcript.words]
    # At the join (the end of the first sentence, the start of the second) each word comes once.
    for word in ("samples", "second"):
        assert words.count(word) == 1, (word, " ".join(words))
    assert words.index("first") < words.index("samples") < words.index("second")
    starts = [w.start for w in heard.transcript.words]
    assert starts == sorted(starts)


async def test_no_speech_gives_no_answer(whisper: FasterWhisperTranscriber) -> None:
    capture = AnswerCapture(SileroDetector())
    pool = TranscriptionPool(whisper)
    try:
        capture.push(silence(1.0), 1.0)
        capture.finish()
        assert await listen_for_answer(capture, pool, tick=0) is None
    finally:
        pool.close()
