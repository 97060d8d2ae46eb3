"""Build the configured speech engines from settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from bot.errors import SettingsError, SpeechError
from bot.settings import Settings, SpeechSettings
from bot.speech.ports import Transcriber
from bot.speech.tts import Pyttsx3Speaker


def _threads(speech: SpeechSettings) -> int:
    return speech.threads_per_worker or max((os.cpu_count() or 1) // speech.workers, 1)


def local_transcriber(settings: Settings, engine: str, model: str | None = None) -> Transcriber:
    """A local engine by name: faster-whisper or openai-whisper."""
    speech = settings.speech
    name = model or speech.model
    if engine == "faster-whisper":
        with needs_extra("voice", "the faster-whisper engine"):
            from bot.speech.faster_whisper_engine import FasterWhisperTranscriber  # noqa: PLC0415

        return FasterWhisperTranscriber(name, threads=_threads(speech))
    if engine == "openai-whisper":
        with needs_extra("openai-whisper", "the openai-whisper engine"):
            from bot.speech.openai_whisper_engine import OpenAIWhisperTranscriber  # noqa: PLC0415

        return OpenAIWhisperTranscriber(
            name, cache_dir=settings.resolve(speech.cache_dir), threads=_threads(speech)
        )
    raise SettingsError("speech.engine", f"{engine!r} is not a local engine")


@contextmanager
def needs_extra(extra: str, what: str) -> Iterator[None]:
    """Turn a missing optional package into one sentence naming the extra that installs it."""
    try:
        yield
    except ModuleNotFoundError as exc:
        raise SpeechError(
            f"{what[:1].upper()}{what[1:]} needs the {extra} extra ({exc.name} is not "
            f"installed): run scripts/setup {extra}, or pip install 'interview-bot[{extra}]'."
        ) from None


def transcriber_from(
    settings: Settings, engine: str | None = None, model: str | None = None
) -> Transcriber:
    """The configured speech-to-text engine (remote ones wrapped with their local fallback)."""
    speech = settings.speech
    chosen = engine or speech.engine
    if chosen != "remote":
        return local_transcriber(settings, chosen, model)
    from bot.speech.fallback import FallbackTranscriber  # noqa: PLC0415
    from bot.speech.remote import RemoteTranscriber  # noqa: PLC0415

    remote = RemoteTranscriber.from_settings(settings, model)
    if speech.remote_fallback == "none":
        return remote
    return FallbackTranscriber(remote, local_transcriber(settings, speech.remote_fallback))


def speaker_from(settings: Settings) -> Pyttsx3Speaker:
    """The configured text-to-speech voice, caching under the speech cache folder."""
    speech = settings.speech
    return Pyttsx3Speaker(settings.resolve(speech.cache_dir), voice=speech.voice, rate=speech.rate)
