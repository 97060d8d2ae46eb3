"""A Transcriber that falls back to a second engine when the first fails (remote -> local)."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable

from bot.errors import SpeechError
from bot.speech.ports import Samples, Transcriber, Transcript

log = logging.getLogger(__name__)

DEFAULT_FAILURE_THRESHOLD = 2
DEFAULT_COOLDOWN_SECONDS = 60.0


class FallbackTranscriber:
    """Try `primary`; on a SpeechError, transcribe with `fallback` instead.

    A transcript from the fallback says so in its `engine` ("faster-whisper (fallback from
    remote)") and its `processing_seconds` include the time the failed primary took, since the
    person waited for both. Errors other than SpeechError are bugs and propagate. A warning is
    logged once per failure streak, not once per answer.

    Circuit breaker: after `failure_threshold` failures in a row the primary is skipped for
    `cooldown_seconds`, so a dead GPU server does not add its timeout to every answer. Then one
    call probes it (others keep skipping meanwhile); a failed probe skips it for another
    cool-down, a success closes the breaker. Defaults (2 failures, 60 s) keep a single blip from
    opening it and cost at most one probe per minute while the server is down, which matters
    with answers one or two minutes apart. `cooldown_seconds=0` turns the breaker off.
    `clock` is seconds on a monotonic scale; tests pass their own.
    """

    def __init__(
        self,
        primary: Transcriber,
        fallback: Transcriber,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        cooldown_seconds: float = DEFAULT_COOLDOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or cooldown_seconds < 0:
            raise ValueError("failure_threshold must be at least 1 and cooldown_seconds >= 0")
        self._primary = primary
        self._fallback = fallback
        self._threshold = failure_threshold
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._streak = 0  # primary failures in a row
        self._skip_until: float | None = None  # breaker open until this clock time
        self._remote_ok = 0
        self._fallbacks = 0
        self._failures = 0
        self._skipped = 0

    @property
    def engine(self) -> str:
        """The primary's engine name (what was configured)."""
        return self._primary.engine

    @property
    def model(self) -> str:
        """The primary's model name."""
        return self._primary.model

    @property
    def remote_ok(self) -> int:
        """Transcripts the primary produced."""
        return self._remote_ok

    @property
    def fallbacks(self) -> int:
        """Transcripts the fallback produced (after a failure or while the breaker was open)."""
        return self._fallbacks

    @property
    def primary_failures(self) -> int:
        """Times the primary was tried and raised a SpeechError."""
        return self._failures

    @property
    def primary_skipped(self) -> int:
        """Times the open breaker sent audio straight to the fallback."""
        return self._skipped

    @property
    def breaker_open(self) -> bool:
        """Whether the primary is being skipped right now."""
        with self._lock:
            return self._skip_until is not None and self._clock() < self._skip_until

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """The primary's transcript, or the fallback's when the primary fails or is skipped."""
        started = time.perf_counter()
        if self._should_try_primary():
            try:
                transcript = self._primary.transcribe(audio, prompt=prompt)
            except SpeechError as exc:
                self._record_failure(exc)
            else:
                self._record_success()
                return transcript
        transcript = self._fallback.transcribe(audio, prompt=prompt)
        with self._lock:
            self._fallbacks += 1
        return dataclasses.replace(
            transcript,
            engine=f"{transcript.engine} (fallback from {self._primary.engine})",
            processing_seconds=round(time.perf_counter() - started, 3),
        )

    def _should_try_primary(self) -> bool:
        with self._lock:
            if self._skip_until is None:
                return True
            now = self._clock()
            if now < self._skip_until:
                self._skipped += 1
                return False
            # Cool-down over: this call probes; others skip until it reports or another cool-down.
            self._skip_until = now + self._cooldown
            return True

    def _record_failure(self, exc: SpeechError) -> None:
        with self._lock:
            self._failures += 1
            self._streak += 1
            streak = self._streak
            opens = self._cooldown > 0 and streak >= self._threshold
            if opens:
                self._skip_until = self._clock() + self._cooldown
        if streak == 1:
            log.warning("%s failed, using %s: %s", self._primary.engine, self._fallback.engine, exc)
        else:
            log.debug("%s failed again (%d in a row): %s", self._primary.engine, streak, exc)
        if opens and streak == self._threshold:
            log.info(
                "%s failed %d times in a row; skipping it for %g s at a time until it answers",
                self._primary.engine,
                streak,
                self._cooldown,
            )

    def _record_success(self) -> None:
        with self._lock:
            self._remote_ok += 1
            streak, self._streak, self._skip_until = self._streak, 0, None
        if streak:
            log.info("%s answers again after %d failures", self._primary.engine, streak)
