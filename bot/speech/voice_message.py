"""Voice messages as answers: audio recorded on a phone, transcribed on this machine, then dropped.

The checks come in the order that wastes least: what the attachment says of itself (its size
and its declared duration, before a byte is downloaded), then what the decoded audio really holds
(its duration, and whether anything in it is louder than silence). The audio lives only in the
local variables here and in the transcription worker; nothing of it is kept or logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.errors import SpeechError, VoiceMessageRejected
from bot.speech.audio import load_audio
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript

log = logging.getLogger(__name__)

SILENCE_RMS = 0.003  # about -50 dBFS: quieter than this throughout is no answer at all
MIN_SECONDS = 0.5
DOWNLOAD_FAILED = "I could not download that recording; try sending it again."
NO_WORDS = "I could not make out any words in that recording."


@dataclass(frozen=True)
class VoiceMessageLimits:
    """How long and how big a voice message may be (the `voice.message_*` settings)."""

    max_seconds: float = 300.0
    max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    """What a message attachment says of itself before it is downloaded."""

    size: int
    content_type: str | None
    filename: str
    declared_seconds: float | None = None  # Discord's `duration_secs` on voice messages

    @property
    def is_audio(self) -> bool:
        """Audio by its content type, or by its name when the type is missing."""
        if self.content_type:
            return self.content_type.split(";")[0].strip().lower().startswith("audio/")
        return self.filename.lower().endswith((".ogg", ".oga", ".opus", ".mp3", ".m4a", ".wav"))


class AsyncTranscriber(Protocol):
    """Transcription off the event loop (the bot's TranscriptionPool)."""

    async def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono audio in a worker."""
        ...


Download = Callable[[], Awaitable[bytes]]
"""Fetch the attachment's bytes; raises VoiceMessageRejected(DOWNLOAD_FAILED) when it cannot."""
TranscriberReady = Callable[[], Awaitable[AsyncTranscriber]]
"""The configured engine, loaded on first use; raises SpeechError when it cannot be."""


async def hear_voice_message(
    attachment: Attachment,
    download: Download,
    transcriber: TranscriberReady,
    limits: VoiceMessageLimits,
    *,
    prompt: str | None = None,
) -> Transcript:
    """A voice message's transcript: checked, engine ready, downloaded, decoded, transcribed.

    Each step that can refuse does so with one sentence (VoiceMessageRejected); the bytes and
    the samples are dropped when this returns.
    """
    check_attachment(attachment, limits)
    try:
        engine = await transcriber()
    except SpeechError as error:
        log.warning("voice message refused, no speech engine: %s", error)
        raise VoiceMessageRejected.no_speech_engine() from None
    transcript = await transcribe_voice_message(await download(), engine, limits, prompt=prompt)
    if not transcript.text.strip():
        raise VoiceMessageRejected(NO_WORDS)
    return transcript


def check_attachment(attachment: Attachment, limits: VoiceMessageLimits) -> None:
    """Refuse, before downloading, what cannot be an answer."""
    if not attachment.is_audio:
        raise VoiceMessageRejected(f"{attachment.filename} is not audio, so I cannot hear it.")
    if attachment.size > limits.max_bytes:
        megabytes = limits.max_bytes / (1024 * 1024)
        raise VoiceMessageRejected(
            f"That recording is larger than {megabytes:g} MB; keep answers shorter."
        )
    if attachment.declared_seconds is not None and attachment.declared_seconds > limits.max_seconds:
        raise VoiceMessageRejected(_too_long(attachment.declared_seconds, limits))


async def transcribe_voice_message(
    data: bytes,
    transcriber: AsyncTranscriber,
    limits: VoiceMessageLimits,
    *,
    prompt: str | None = None,
) -> Transcript:
    """Decode (in a worker), check and transcribe downloaded audio; one sentence if unusable."""
    if len(data) > limits.max_bytes:
        raise VoiceMessageRejected("That recording is larger than it said; keep answers shorter.")
    try:
        samples = await asyncio.to_thread(load_audio, data)
    except SpeechError:
        raise VoiceMessageRejected(
            "I could not decode that recording; try recording it again."
        ) from None
    seconds = samples.size / SAMPLE_RATE
    if seconds > limits.max_seconds:
        raise VoiceMessageRejected(_too_long(seconds, limits))
    if seconds < MIN_SECONDS or _rms(samples) < SILENCE_RMS:
        raise VoiceMessageRejected("I could not hear anything in that recording.")
    return await transcriber.transcribe(samples, prompt=prompt)


def _too_long(seconds: float, limits: VoiceMessageLimits) -> str:
    return (
        f"That recording is {seconds:.0f} s long; answers can be at most "
        f"{limits.max_seconds:.0f} s."
    )


def _rms(samples: Samples) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
