"""Text to speech: pyttsx3 (espeak-ng on Linux) in a worker process, cached on disk by text."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import multiprocessing
import os
import threading
import time
import wave
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol

from bot.errors import SpeechError

log = logging.getLogger(__name__)

TTS_RATE = 22_050  # what pyttsx3's espeak driver writes: 16-bit mono
_FINISH_TIMEOUT = 60.0
_CACHE_FORMAT = "1"  # bump when the rendering changes, so old files are not reused
_ATTEMPTS = 3  # renders tried before giving up on an empty file
_PARENT_POLL_SECONDS = 0.5
MAX_TEXT_CHARS = 5_000  # about five minutes of speech; 100 KB killed the espeak worker
_BACKGROUND_NICENESS = 10  # pre-rendering yields the cores to Whisper and to speech wanted now


class Speaker(Protocol):
    """Something that turns text into a WAV file."""

    async def render(self, text: str) -> Path:
        """The path of a WAV file speaking `text`."""
        ...


class Pyttsx3Speaker:
    """pyttsx3 in one worker process (espeak is process-global and prints); WAVs cached on disk."""

    def __init__(self, cache_dir: Path, *, voice: str = "", rate: int = 170) -> None:
        self._dir = cache_dir / "tts"
        self._voice = voice
        self._rate = rate
        self._pool: ProcessPoolExecutor | None = None
        self._background: ProcessPoolExecutor | None = None  # pre-rendering, at low priority
        self._pool_lock = threading.Lock()
        self._pending: dict[Path, asyncio.Future[str]] = {}  # syntheses under way

    def cache_path(self, text: str) -> Path:
        """Where the rendering of `text` with this voice and rate is (or will be) kept."""
        key = "\0".join((_CACHE_FORMAT, self._voice, str(self._rate), " ".join(text.split())))
        return self._dir / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.wav"

    async def render(self, text: str) -> Path:
        """The cached WAV for `text`, synthesised once (concurrent requests share the work)."""
        return await self._render(text, background=False)

    async def prerender(self, text: str) -> Path:
        """`render`, in a second worker at low priority: for speech that may be wanted soon.

        A `render` of the same text meanwhile waits for this one rather than starting again.
        """
        return await self._render(text, background=True)

    async def _render(self, text: str, *, background: bool) -> Path:
        _check_length(text)
        path = self.cache_path(text)
        if path.is_file():
            return path
        job = self._pending.get(path)
        if job is None:
            job = self._pending[path] = asyncio.get_running_loop().run_in_executor(
                self._executor(background=background),
                _synthesise,
                text,
                self._voice,
                self._rate,
                str(path),
            )
            job.add_done_callback(lambda done: self._settled(path, done))
        try:
            # Shielded: a caller that stops waiting (a prerender dropped) leaves the synthesis
            # running for the others, who get its result rather than the caller's cancellation.
            return Path(await asyncio.shield(job))
        except BrokenProcessPool:
            raise self._worker_died() from None

    def _settled(self, path: Path, job: asyncio.Future[str]) -> None:
        if self._pending.get(path) is job:
            del self._pending[path]
        if not job.cancelled():
            job.exception()  # retrieved: whoever waited got it, and nobody may have

    def render_sync(self, text: str) -> Path:
        """Blocking `render`, for the command line."""
        _check_length(text)
        path = self.cache_path(text)
        if path.is_file():
            return path
        try:
            job = self._executor().submit(_synthesise, text, self._voice, self._rate, str(path))
            return Path(job.result())
        except BrokenProcessPool:
            raise self._worker_died() from None

    def _worker_died(self) -> SpeechError:
        """Drop the pools (a worker died), so the next text starts a fresh one."""
        with self._pool_lock:
            for pool in (self._pool, self._background):
                if pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._background = None
        log.warning("the text-to-speech worker stopped unexpectedly; it restarts on next use")
        return SpeechError("Text to speech stopped unexpectedly; try again.")

    def worker_pid(self) -> int:
        """The worker process's id (started if need be)."""
        return int(self._executor().submit(os.getpid).result())

    def close(self) -> None:
        """Stop the worker processes."""
        with self._pool_lock:
            for pool in (self._pool, self._background):
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)
            self._pool = self._background = None

    def _executor(self, *, background: bool = False) -> ProcessPoolExecutor:
        with self._pool_lock:
            if background:
                if self._background is None:
                    self._background = _worker_pool(_BACKGROUND_NICENESS)
                return self._background
            if self._pool is None:
                self._pool = _worker_pool(0)
            return self._pool


def _worker_pool(niceness: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_child,
        initargs=(os.getpid(), niceness),
    )


def _check_length(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise SpeechError(
            f"The text is {len(text):,} characters long; text to speech takes at most "
            f"{MAX_TEXT_CHARS:,}."
        )


def _render_once(text: str, voice: str, rate: int, partial: Path) -> bool:
    """One synthesis into `partial`; False when the driver reported an empty file."""
    global _engine  # noqa: PLW0603 (one engine per worker process)
    import pyttsx3  # noqa: PLC0415 (only the worker needs it)

    if _engine is None:
        _engine = pyttsx3.init()
        _engine.connect("finished-utterance", _on_finished)
    _engine.setProperty("rate", rate)
    if voice:
        _engine.setProperty("voice", voice)
    _finished.clear()
    _engine.save_to_file(text, str(partial))
    _engine.runAndWait()
    # pyttsx3 2.99 with espeak returns from runAndWait() before a long text is written: the
    # file is complete only once the driver reports the finished utterance.
    if not _finished.wait(_FINISH_TIMEOUT):
        raise SpeechError("Text to speech did not finish within a minute.")
    # Under load the driver has been seen (once in a few hundred renders) to report an empty
    # file; the caller then synthesises again rather than failing the question.
    with wave.open(str(partial), "rb") as check:
        return bool(check.getnframes())


# --- the worker process -------------------------------------------------------------------------

_engine: Any = None
_finished = threading.Event()


def _start_child(parent: int, niceness: int = 0) -> None:
    """Set up the worker: quiet, at its priority, and gone when the bot is."""
    _quiet_child()
    if niceness:
        os.nice(niceness)
    threading.Thread(target=_exit_with, args=(parent,), name="tts-parent", daemon=True).start()


def _quiet_child() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." on stdout: send it nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)


def _exit_with(parent: int) -> None:
    """Exit once the bot process has gone (a SIGKILL, an OOM kill).

    The executor's queue never reports the bot's end to its worker: the worker holds both ends
    of the queue's pipe, so it would wait for work forever. Its parent changes when the bot dies.
    """
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(0)


def _on_finished(name: object = None, completed: object = True) -> None:
    _finished.set()


def _synthesise(text: str, voice: str, rate: int, out: str) -> str:
    """Render `text` to `out` (atomically); runs in the worker process."""
    if not text.strip():
        raise SpeechError("There is no text to speak.")
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    try:
        for _attempt in range(_ATTEMPTS):
            if _render_once(text, voice, rate, partial):
                partial.replace(target)
                break
        else:
            raise SpeechError("Text to speech produced no audio.")
    except SpeechError:
        raise
    except Exception as exc:
        raise SpeechError(f"Text to speech failed ({type(exc).__name__}: {exc}).") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return str(target)
