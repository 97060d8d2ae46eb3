"""Voice activity: is a 32 ms window speech? Silero VAD, as bundled with faster-whisper."""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np

from bot.speech.ports import Samples

WINDOW = 512  # samples at 16 kHz: 32 ms, the window Silero VAD is trained on
CONTEXT = 64


class VadState:
    """One stream's running state: the 64 samples before the next window, and the model's memory.

    Silero VAD is recurrent: each window's score depends on the windows before it in the same
    stream, so every speaker keeps a state of their own.
    """

    def __init__(self) -> None:
        self.context = np.zeros(CONTEXT, dtype=np.float32)
        self.memory = np.zeros((2, 1, 128), dtype=np.float32)


class SpeechDetector(Protocol):
    """Scores windows of 16 kHz audio for speech."""

    def probabilities(self, windows: Samples, state: VadState) -> Samples:
        """Speech probability of each WINDOW-sample window of one stream; updates `state`."""
        ...


class SileroDetector:
    """faster-whisper's bundled Silero VAD (ONNX, one thread); safe to share between threads."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # noqa: PLC0415 (optional, heavy)

        self._model: Any = get_vad_model()
        self._lock = threading.Lock()

    def probabilities(self, windows: Samples, state: VadState) -> Samples:
        """Speech probability per window, each scored with the 64 samples before it."""
        batch = windows.reshape(-1, WINDOW)
        before = np.concatenate([state.context[None, :], batch[:-1, -CONTEXT:]], axis=0)
        inputs = np.ascontiguousarray(np.concatenate([before, batch], axis=1), dtype=np.float32)
        with self._lock:
            output, h, c = self._model.session.run(
                None, {"input": inputs, "h": state.memory[:1], "c": state.memory[1:]}
            )
        state.context = batch[-1, -CONTEXT:].copy()
        state.memory = np.concatenate([h, c]).astype(np.float32)
        return np.asarray(output, dtype=np.float32).reshape(-1)
