"""Speech to text with openai-whisper (PyTorch on the CPU), never downloading anything.

Where the weights come from, by the configured model name:
- "tiny.en": the offline CTranslate2 package, converted once into `cache_dir/openai-whisper/`;
- a path to a `.pt` checkpoint, or to a CTranslate2 folder (converted and cached the same way);
- a hub name ("base.en", ...): only if openai-whisper's own cache already holds it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
import whisper
import whisper.timing
import whisper.tokenizer

from bot.errors import ModelUnavailable
from bot.grading.speech_metrics import TimedWord
from bot.speech.convert import CONVERTER_VERSION, convert
from bot.speech.models import OFFLINE_MODEL, OFFLINE_MODEL_SHA256, offline_model_dir, sha256_of
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript

log = logging.getLogger(__name__)

ENGINE = "openai-whisper"
# whisper.transcribe installs forward hooks on the model and flips a class-wide SDPA switch
# while it aligns words, so two transcriptions at once (even on two models) would corrupt each
# other: they take turns.
_TRANSCRIBE_LOCK = threading.Lock()


def whisper_cache_dir() -> Path:
    """Where openai-whisper keeps downloaded checkpoints (its own default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "whisper"


def _brief(exc: Exception) -> str:
    """The first line of an exception's message, at most 200 characters (torch's run long)."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def _read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint file's contents, or ModelUnavailable naming the file."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises RuntimeError, UnpicklingError, EOFError, zip errors
        raise ModelUnavailable(
            str(path), f"it is not a readable openai-whisper checkpoint ({_brief(exc)})"
        ) from None
    if not isinstance(checkpoint, dict) or not {"dims", "model_state_dict"} <= checkpoint.keys():
        raise ModelUnavailable(str(path), "it lacks the 'dims' and 'model_state_dict' entries")
    return checkpoint


def _converted(ct2_dir: Path, out: Path) -> dict[str, Any]:
    """The cached conversion of a CTranslate2 folder, converting it first if missing or stale."""
    if out.is_file():
        try:
            checkpoint = _read_checkpoint(out)
        except ModelUnavailable as exc:
            log.warning("Converting again: %s", exc)
        else:
            if checkpoint.get("converted_from", {}).get("converter") == CONVERTER_VERSION:
                return checkpoint
    started = time.perf_counter()
    convert(ct2_dir, out)
    log.info("Converted %s for openai-whisper in %.1f s", ct2_dir, time.perf_counter() - started)
    return _read_checkpoint(out)


def _hub_checkpoint(name: str) -> tuple[dict[str, Any], bytes]:
    """A hub model from openai-whisper's own cache, checked against its published SHA-256."""
    url: str = whisper._MODELS[name]  # the same table whisper.load_model downloads from
    path = whisper_cache_dir() / url.rsplit("/", 1)[-1]
    if not path.is_file():
        raise ModelUnavailable(
            name,
            f"openai-whisper would download it to {path}, and this bot never downloads; "
            f"copy the file there, or use {OFFLINE_MODEL!r} or the path to a .pt file",
        )
    if sha256_of(path) != url.split("/")[-2]:
        raise ModelUnavailable(name, f"{path} does not match its published SHA-256")
    heads: bytes = whisper._ALIGNMENT_HEADS[name]
    return _read_checkpoint(path), heads


def resolve_checkpoint(name: str, cache_dir: Path) -> tuple[dict[str, Any], bytes | None]:
    """The checkpoint for a configured model name, and its alignment heads if known."""
    converted = cache_dir / "openai-whisper"
    if name == OFFLINE_MODEL:
        out = converted / f"{name}-{OFFLINE_MODEL_SHA256[:12]}.pt"
        checkpoint = _converted(offline_model_dir(), out)
        return checkpoint, checkpoint.get("alignment_heads")
    path = Path(name).expanduser()
    if path.is_dir() and (path / "model.bin").is_file():
        sha12 = sha256_of(path / "model.bin")[:12]
        checkpoint = _converted(path, converted / f"{path.name}-{sha12}.pt")
        return checkpoint, checkpoint.get("alignment_heads")
    if path.is_file():
        checkpoint = _read_checkpoint(path)
        heads = checkpoint.get("alignment_heads") or whisper._ALIGNMENT_HEADS.get(path.stem)
        return checkpoint, heads
    if name in whisper._MODELS:
        return _hub_checkpoint(name)
    raise ModelUnavailable(
        name,
        f"it is not {OFFLINE_MODEL!r}, a name openai-whisper knows, a .pt file or a CTranslate2 "
        "folder",
    )


def build_model(checkpoint: dict[str, Any], heads: bytes | None, source: str) -> Any:
    """A Whisper module in eval mode from a checkpoint; strict about every weight."""
    try:
        dims = whisper.model.ModelDimensions(**checkpoint["dims"])
        model = whisper.model.Whisper(dims)
        model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    except (TypeError, RuntimeError) as exc:
        raise ModelUnavailable(
            source, f"its weights do not fit openai-whisper ({_brief(exc)})"
        ) from None
    if heads is not None:
        try:
            model.set_alignment_heads(heads)
        except (ValueError, RuntimeError) as exc:
            log.warning("Default alignment heads for %s: %s", source, _brief(exc))
    return model.eval()


def _warm_up(multilingual: bool, num_languages: int) -> None:
    """Compile numba's DTW and read the tokenizer now, not during someone's first answer."""
    whisper.timing.dtw(torch.zeros(2, 2))
    # whisper's get_encoding leaves its vocabulary file for the garbage collector to close.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        whisper.tokenizer.get_tokenizer(multilingual, num_languages=num_languages, language="en")


class OpenAIWhisperTranscriber:
    """openai-whisper on the CPU in float32; the model loads once, on first use or `load()`."""

    def __init__(
        self, model: str, *, cache_dir: Path, threads: int = 0, beam_size: int = 1
    ) -> None:
        self._name = model
        self._cache_dir = cache_dir
        self._threads = threads
        self._beam_size = beam_size
        self._lock = threading.Lock()
        self._whisper: Any = None

    @property
    def engine(self) -> str:
        """The engine's name, as in config."""
        return ENGINE

    @property
    def model(self) -> str:
        """The configured model name or path."""
        return self._name

    def load(self) -> OpenAIWhisperTranscriber:
        """Load (converting if needed) the weights now; safe from any thread, done once."""
        self._loaded()
        return self

    def _loaded(self) -> Any:
        """The Whisper module, loaded under the lock by whichever thread gets here first."""
        with self._lock:
            if self._whisper is None:
                if self._threads > 0:
                    torch.set_num_threads(self._threads)
                started = time.perf_counter()
                checkpoint, heads = resolve_checkpoint(self._name, self._cache_dir)
                model = build_model(checkpoint, heads, self._name)
                _warm_up(model.is_multilingual, model.num_languages)
                log.info(
                    "Loaded %s for openai-whisper in %.1f s",
                    self._name,
                    time.perf_counter() - started,
                )
                self._whisper = model
            return self._whisper

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono audio with word timestamps; blocking, so call from a worker."""
        model = self._loaded()
        samples = np.ascontiguousarray(audio, dtype=np.float32)
        started = time.perf_counter()
        result: dict[str, Any] = {"text": "", "segments": []}
        if samples.size:
            with _TRANSCRIBE_LOCK:
                result = whisper.transcribe(
                    model,
                    samples,
                    verbose=None,
                    language="en",  # interviews are in English; .en models know nothing else
                    temperature=0.0,  # one deterministic pass, no sampling fallback
                    beam_size=self._beam_size if self._beam_size > 1 else None,  # None: greedy
                    condition_on_previous_text=False,  # as faster-whisper here: no loops
                    fp16=False,
                    word_timestamps=True,
                    initial_prompt=prompt or None,
                )
        words = tuple(
            TimedWord(text=word["word"].strip(), start=float(word["start"]), end=float(word["end"]))
            for segment in result["segments"]
            for word in segment.get("words", ())
            if word["word"].strip()
        )
        return Transcript(
            text=str(result["text"]).strip(),
            words=words,
            audio_seconds=samples.size / SAMPLE_RATE,
            processing_seconds=time.perf_counter() - started,
            engine=ENGINE,
            model=self._name,
        )
