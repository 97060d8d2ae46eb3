"""End of answer from real speech and the real Silero VAD: start, silence, length, chunks."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from bot.speech.capture import AnswerCapture, CaptureOptions, EndReason
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.vad import SileroDetector
from tests.speech.conftest import silence

FRAME = SAMPLE_RATE // 50  # what one 20 ms Discord frame becomes at 16 kHz


@pytest.fixture(scope="module")
def detector() -> SileroDetector:
    """The real VAD, shared."""
    return SileroDetector()


def feed(capture: AnswerCapture, audio: Samples, start: float = 0.0) -> float:
    """Push audio frame by frame as if it arrived in real time; return the clock at the end."""
    now = start
    for begin in range(0, audio.size, FRAME):
        now = start + (begin + FRAME) / SAMPLE_RATE
        capture.push(audio[begin : begin + FRAME], now)
    return now


@pytest.mark.model
def test_speech_then_silence_ends_the_answer(
    detector: SileroDetector, speak: Callable[[str], Samples]
) -> None:
    words = speak("Gradient descent follows the negative gradient of the loss.")
    capture = AnswerCapture(detector, CaptureOptions(end_silence=1.0))
    feed(capture, np.concatenate([silence(2.0), words, silence(3.0)]))
    assert capture.ended is EndReason.SILENCE
    (chunk,) = capture.take()
    assert chunk.final
    # The 2 s of silence before the speech are not part of the answer; the tail is trimmed.
    assert (
        words.size / SAMPLE_RATE - 0.3
        < chunk.audio.size / SAMPLE_RATE
        < words.size / SAMPLE_RATE + 0.8
    )
    assert capture.voiced_seconds > 0.6 * words.size / SAMPLE_RATE


def test_a_short_burst_or_noise_does_not_start_an_answer(detector: SileroDetector) -> None:
    rng = np.random.default_rng(7)
    noise = (0.02 * rng.standard_normal(SAMPLE_RATE * 3)).astype(np.float32)
    click = np.zeros(SAMPLE_RATE, dtype=np.float32)
    click[8000:8200] = 0.9
    capture = AnswerCapture(detector, CaptureOptions(end_silence=0.5))
    now = feed(capture, np.concatenate([noise, click, silence(1.0)]))
    assert not capture.started
    assert capture.poll(now + 10) is None
    assert capture.take() == []


@pytest.mark.model
def test_the_client_going_quiet_ends_the_answer_by_the_clock(
    detector: SileroDetector, speak: Callable[[str], Samples]
) -> None:
    capture = AnswerCapture(detector, CaptureOptions(end_silence=1.5))
    now = feed(capture, speak("Precision is about false positives."))  # then no more packets
    assert capture.poll(now + 1.0) is None
    assert capture.poll(now + 1.6) is EndReason.SILENCE
    assert capture.take()[-1].final


@pytest.mark.model
def test_a_long_answer_is_cut_at_the_maximum_length(
    detector: SileroDetector, speak: Callable[[str], Samples]
) -> None:
    sentence = speak("Bagging trains many trees on bootstrap samples and averages them.")
    capture = AnswerCapture(detector, CaptureOptions(max_seconds=6.0, chunk_seconds=60))
    feed(capture, np.concatenate([sentence] * 4))
    assert capture.ended is EndReason.MAX_LENGTH
    (chunk,) = capture.take()
    assert chunk.audio.size / SAMPLE_RATE == pytest.approx(6.0, abs=0.1)


@pytest.mark.model
def test_long_answers_are_cut_into_chunks_at_pauses(
    detector: SileroDetector, speak: Callable[[str], Samples]
) -> None:
    sentence = speak("Dropout switches off random units during training.")
    talk = np.concatenate([np.concatenate([sentence, silence(0.5)]) for _ in range(6)])
    capture = AnswerCapture(detector, CaptureOptions(chunk_seconds=6.0, end_silence=1.0))
    feed(capture, np.concatenate([talk, silence(2.0)]))
    chunks = capture.take()
    assert len(chunks) >= 2
    assert [c.final for c in chunks] == [False] * (len(chunks) - 1) + [True]
    offsets = [c.offset for c in chunks]
    assert offsets == sorted(offsets)
    # Chunks tile the answer: each starts where the one before ended.
    for before, after in itertools.pairwise(chunks):
        assert after.offset == pytest.approx(before.offset + before.audio.size / SAMPLE_RATE)
    assert all(c.audio.size >= 6.0 * SAMPLE_RATE for c in chunks[:-1])


@pytest.mark.model
def test_done_ends_the_answer_and_later_audio_is_ignored(
    detector: SileroDetector, speak: Callable[[str], Samples]
) -> None:
    capture = AnswerCapture(detector)
    feed(capture, speak("The learning rate sets the step size."))
    capture.finish()
    assert capture.ended is EndReason.DONE
    size = capture.take()[0].audio.size
    feed(capture, speak("More words after the end."))
    assert capture.take() == []
    assert size > 0


def test_done_before_anyone_spoke_gives_nothing_to_transcribe(detector: SileroDetector) -> None:
    capture = AnswerCapture(detector)
    feed(capture, silence(1.0))
    capture.finish()
    assert capture.take() == []
