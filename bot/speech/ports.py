"""What a speech-to-text engine is, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.grading.speech_metrics import TimedWord

# Whisper's input: mono float32 samples in [-1, 1] at 16 kHz.
Samples = npt.NDArray[np.float32]
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Transcript:
    """The text of some audio, its timed words, and what it cost to get."""

    text: str
    words: tuple[TimedWord, ...]
    audio_seconds: float
    processing_seconds: float
    engine: str
    model: str

    @property
    def real_time_factor(self) -> float:
        """Processing time over audio time (below 1: faster than real time)."""
        return self.processing_seconds / self.audio_seconds if self.audio_seconds else 0.0


class Transcriber(Protocol):
    """A speech-to-text engine. `transcribe` blocks: call it from a worker, never the loop."""

    @property
    def engine(self) -> str:
        """The engine's name, as in config ("faster-whisper", ...)."""
        ...

    @property
    def model(self) -> str:
        """The model's name or path."""
        ...

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono audio; `prompt` biases recognition towards its words."""
        ...
