"""The speech machinery voice sessions share: one model, one worker pool, one voice, one VAD."""

from __future__ import annotations

import asyncio
import logging

from bot.settings import Settings
from bot.speech.capture import CaptureOptions
from bot.speech.factory import speaker_from, transcriber_from
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import Transcriber
from bot.speech.tts import Pyttsx3Speaker
from bot.speech.vad import SileroDetector

log = logging.getLogger(__name__)


class VoiceServices:
    """Built on the first voice session (loading Whisper off the event loop), shared after."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ready: asyncio.Task[None] | None = None
        self._transcription: asyncio.Task[TranscriptionPool] | None = None
        self.pool: TranscriptionPool | None = None
        self.speaker: Pyttsx3Speaker | None = None
        self.detector: SileroDetector | None = None

    async def ready(self) -> None:
        """Load the model, VAD and voice once; a missing model raises ModelUnavailable."""
        if self._ready is None or (self._ready.done() and self._ready.exception() is not None):
            self._ready = asyncio.ensure_future(self._load())
        await asyncio.shield(self._ready)

    async def transcription(self) -> TranscriptionPool:
        """Only the model and its workers (voice messages need no VAD and no voice)."""
        task = self._transcription
        if task is None or (task.done() and task.exception() is not None):
            task = self._transcription = asyncio.ensure_future(self._load_transcription())
        return await asyncio.shield(task)

    async def _load_transcription(self) -> TranscriptionPool:
        transcriber = transcriber_from(self.settings)
        await asyncio.to_thread(_load, transcriber)
        self.pool = TranscriptionPool(transcriber, self.settings.speech.workers)
        return self.pool

    async def _load(self) -> None:
        await self.transcription()
        self.detector = await asyncio.to_thread(SileroDetector)
        self.speaker = speaker_from(self.settings)

    def capture_options(self, *, short: bool = False) -> CaptureOptions:
        """When an answer starts and ends, from [voice]; quick-fire answers end sooner."""
        voice = self.settings.voice
        if short:
            return CaptureOptions(
                end_silence=min(voice.end_silence_seconds, 0.8),
                max_seconds=min(voice.max_answer_seconds, 10),
                min_speech=min(voice.min_speech_seconds, 0.2),
                speculative_pause=voice.speculative_pause_seconds,
            )
        return CaptureOptions(
            end_silence=voice.end_silence_seconds,
            max_seconds=voice.max_answer_seconds,
            min_speech=voice.min_speech_seconds,
            speculative_pause=voice.speculative_pause_seconds,
        )

    def close(self) -> None:
        """Stop the workers (blocking: call at shutdown)."""
        if self.pool is not None:
            self.pool.close()
        if self.speaker is not None:
            self.speaker.close()


def _load(transcriber: Transcriber) -> None:
    load = getattr(transcriber, "load", None)
    if callable(load):
        load()
