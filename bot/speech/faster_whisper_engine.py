"""The default speech-to-text engine: faster-whisper (CTranslate2, int8 on the CPU)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.errors import ModelUnavailable
from bot.grading.speech_metrics import TimedWord
from bot.speech.cleanup import collapse_repeats
from bot.speech.models import ctranslate2_model
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

TEMPERATURES = (0.0, 0.2, 0.4, 0.6)


class FasterWhisperTranscriber:
    """Whisper through CTranslate2; the model loads once, on first use or `load()`."""

    engine = "faster-whisper"

    def __init__(
        self, model: str = "tiny.en", *, threads: int = 0, compute_type: str = "int8"
    ) -> None:
        self._name = model
        self._threads = threads or max(os.cpu_count() or 1, 1)
        self._compute_type = compute_type
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        """The configured model name or path."""
        return self._name

    def load(self) -> FasterWhisperTranscriber:
        """Load the weights now (blocking); a missing model raises ModelUnavailable."""
        with self._lock:
            if self._model is None:
                self._model = self._open()
        return self

    def _open(self) -> WhisperModel:
        from faster_whisper import WhisperModel  # noqa: PLC0415 (heavy, optional)

        source = ctranslate2_model(self._name)
        started = time.perf_counter()
        try:
            model = WhisperModel(
                source, device="cpu", compute_type=self._compute_type, cpu_threads=self._threads
            )
        except Exception as exc:  # hub errors, missing files, bad weights: one sentence
            raise ModelUnavailable(self._name, _reason(exc)) from exc
        log.info("faster-whisper %s loaded in %.2f s", self._name, time.perf_counter() - started)
        return model

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono audio; the segment generator is consumed here, in the worker."""
        model = self.load()._model
        assert model is not None
        started = time.perf_counter()
        segments, _info = model.transcribe(
            audio,
            language="en",
            beam_size=1,
            # Greedy first; a looping or unlikely decode (compression ratio, log probability)
            # is retried warmer, as Whisper does by default.
            temperature=TEMPERATURES,
            initial_prompt=prompt or None,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        words: list[TimedWord] = []
        for segment in segments:  # lazy: decoding happens while iterating
            words.extend(
                join_pieces((w.word, float(w.start), float(w.end)) for w in segment.words or ())
            )
        words = collapse_repeats(words)
        return Transcript(
            text=" ".join(w.text for w in words),
            words=tuple(words),
            audio_seconds=round(len(audio) / SAMPLE_RATE, 3),
            processing_seconds=round(time.perf_counter() - started, 3),
            engine=self.engine,
            model=self._name,
        )


def join_pieces(pieces: Iterable[tuple[str, float, float]]) -> list[TimedWord]:
    """Whisper's word pieces as whole words: a piece without a leading space continues a word."""
    words: list[TimedWord] = []
    for raw, start, end in pieces:
        text = raw.strip()
        if not text:
            continue
        if words and not raw[:1].isspace():
            last = words[-1]
            words[-1] = TimedWord(last.text + text, last.start, round(end, 2))
        else:
            words.append(TimedWord(text, round(start, 2), round(end, 2)))
    return words


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "LocalEntryNotFound" in type(exc).__name__ or "offline" in text.lower():
        return "it is not on this machine and cannot be downloaded (no internet?)"
    return text[:200]
