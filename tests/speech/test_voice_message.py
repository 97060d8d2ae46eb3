"""Voice messages as answers: real Ogg Opus made from pyttsx3 speech, the real Whisper model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.bank.catalog import Bank
from bot.errors import UnknownItem, VoiceMessageRejected
from bot.settings import Settings, SpeechSettings
from bot.speech.factory import transcriber_from
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.vocabulary import vocabulary_for, vocabulary_prompt
from bot.speech.voice_message import (
    Attachment,
    VoiceMessageLimits,
    check_attachment,
    hear_voice_message,
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


class Calls:
    """What `hear_voice_message` asked for: the engine, the download (real async callables)."""

    def __init__(self, data: bytes, engine: TranscriptionPool | None = None) -> None:
        self.data = data
        self.engine = engine
        self.loads = 0
        self.downloads = 0

    async def transcriber(self) -> TranscriptionPool:
        self.loads += 1
        assert self.engine is not None
        return self.engine

    async def download(self) -> bytes:
        self.downloads += 1
        return self.data


async def test_refused_attachments_load_no_engine_and_download_nothing() -> None:
    limits = VoiceMessageLimits(max_seconds=60, max_bytes=1024 * 1024)
    for attachment in (
        Attachment(10, "image/png", "diagram.png"),
        Attachment(2 * 1024 * 1024, "audio/ogg", "long.ogg"),
        Attachment(10, "audio/ogg", "voice-message.ogg", declared_seconds=90),
    ):
        calls = Calls(b"OggS")
        with pytest.raises(VoiceMessageRejected):
            await hear_voice_message(attachment, calls.download, calls.transcriber, limits)
        assert (calls.loads, calls.downloads) == (0, 0)


async def test_a_missing_speech_model_is_one_sentence_before_any_download(tmp_path: Path) -> None:
    settings = Settings(speech=SpeechSettings(model=str(tmp_path)))  # a folder with no model.bin
    downloads = Calls(b"OggS")

    async def configured_engine() -> TranscriptionPool:
        transcriber = transcriber_from(settings)
        await asyncio.to_thread(getattr(transcriber, "load"))  # noqa: B009 - not on the Protocol
        return TranscriptionPool(transcriber)

    with pytest.raises(VoiceMessageRejected, match="not installed on this bot"):
        await hear_voice_message(
            VOICE_NOTE, downloads.download, configured_engine, VoiceMessageLimits()
        )
    assert downloads.downloads == 0


@pytest.mark.model
async def test_a_voice_message_is_heard_with_the_questions_vocabulary(
    speak: Callable[[str], Samples], whisper: FasterWhisperTranscriber, mini_bank: Bank
) -> None:
    speech = speak("It memorizes the noise, so it fails on unseen data.")
    pool = TranscriptionPool(whisper)
    calls = Calls(ogg_opus(speech), pool)
    declared = Attachment(len(calls.data), "audio/ogg", "voice-message.ogg", speech.size / 16_000)
    prompt = vocabulary_for(mini_bank, "t-overfitting")
    assert prompt.startswith("What is overfitting")
    try:
        transcript = await hear_voice_message(
            declared, calls.download, calls.transcriber, VoiceMessageLimits(), prompt=prompt
        )
    finally:
        pool.close()
    assert (calls.loads, calls.downloads) == (1, 1)
    assert "noise" in transcript.text.lower()
    assert "unseen data" in transcript.text.lower()
    assert transcript.words[0].start < transcript.words[-1].end  # timed: pace and pauses
    assert abs(transcript.audio_seconds - speech.size / 16_000) < 0.2


def test_the_vocabulary_of_a_quickfire_item_is_found_by_its_id(mini_bank: Bank) -> None:
    assert vocabulary_for(mini_bank, "t-qf-l1") == vocabulary_prompt(
        mini_bank.quickfire_item("t-qf-l1")
    )
    with pytest.raises(UnknownItem):
        vocabulary_for(mini_bank, "no-such-node")
