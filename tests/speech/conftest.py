"""Shared speech fixtures: real text to speech and the real offline Whisper model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.speech.audio import load_audio, write_wav
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.tts import Pyttsx3Speaker


@pytest.fixture(scope="session")
def speaker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pyttsx3Speaker]:
    """pyttsx3 with a cache of its own for the test session."""
    speaker = Pyttsx3Speaker(tmp_path_factory.mktemp("speech-cache"), voice="gmw/en-us", rate=160)
    yield speaker
    speaker.close()


@pytest.fixture(scope="session")
def speak(speaker: Pyttsx3Speaker) -> Callable[[str], Samples]:
    """Text to 16 kHz mono samples, spoken by pyttsx3."""

    def speak(text: str) -> Samples:
        return load_audio(speaker.render_sync(text))

    return speak


@pytest.fixture(scope="session")
def whisper() -> FasterWhisperTranscriber:
    """The offline tiny.en model, loaded once."""
    return FasterWhisperTranscriber("tiny.en", threads=2).load()


def silence(seconds: float) -> Samples:
    """Digital silence at 16 kHz."""
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def path_of(samples: Samples, folder: Path) -> Path:
    """Write samples to a WAV in `folder` (for the command-line tests)."""
    path = folder / "speech.wav"
    path.write_bytes(write_wav(samples, SAMPLE_RATE))
    return path
