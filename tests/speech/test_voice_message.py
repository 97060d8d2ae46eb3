"""Voice messages as answers: real Ogg Opus made from pyttsx3 speech, the real Whisper model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from bot.errors import VoiceMessageRejected
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.voice_message import (
    Attachment,
    VoiceMessageLimits,
    check_attachment,
    transcribe_voice_message,
)
from tests.harness.recordings import ogg_opus

VOICE_NOTE = Attachment(300_000, "audio/ogg", "voice-message.ogg", declared_seconds=6.0)


def test_an_attachment_is_checked_before_download() -> None:
    limits = VoiceMessageLimits(max_seconds=60, max_bytes=1024 * 1024)
    check_attachment(VOICE_NOTE, limits)
    check_attachment(Attachment(10, None, "answer.M4A"), limits)
    for attachment, says in (
        (Attachment(10, "image/png", "diagram.png"), "diagram.png is not audio"),
        (Attachment(2 * 1024 * 1024, "audio/ogg", "long.ogg"), "larger than 1 MB"),
        (Attachment(10, "audio/ogg", "v.ogg", declared_seconds=61), "61 s long"),
    ):
        with pytest.raises(VoiceMessageRejected, match=says):
            check_attachment(attachment, limits)


@pytest.mark.model
async def test_a_spoken_voice_message_is_transcribed(
    speak: Callable[[str], Samples], whisper: FasterWhisperTranscriber
) -> None:
    data = ogg_opus(speak("Overfitting means the model memorises noise in the training data."))
    pool = TranscriptionPool(whisper)
    try:
        transcript = await transcribe_voice_message(data, pool, VoiceMessageLimits())
    finally:
        pool.close()
    assert "overfitting" in transcript.text.lower()
    assert "noise" in transcript.text.lower()
    assert transcript.words  # timed words: the delivery line has pace and pauses


@pytest.mark.model
async def test_unusable_recordings_are_one_sentence_each(
    speak: Callable[[str], Samples], whisper: FasterWhisperTranscriber
) -> None:
    pool = TranscriptionPool(whisper)
    speech = speak("A short answer.")
    cases = (
        (b"OggS" + bytes(range(256)) * 20, VoiceMessageLimits(), "could not decode"),
        (ogg_opus(np.zeros(SAMPLE_RATE * 3, dtype=np.float32)), VoiceMessageLimits(), "hear"),
        (ogg_opus(np.tile(speech, 8)), VoiceMessageLimits(max_seconds=5), "at most 5 s"),
        (ogg_opus(speech), VoiceMessageLimits(max_bytes=64), "larger than"),
    )
    try:
        for data, limits, says in cases:
            with pytest.raises(VoiceMessageRejected, match=says):
                await transcribe_voice_message(data, pool, limits)
    finally:
        pool.close()
