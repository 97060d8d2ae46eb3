"""One person's spoken answer as it arrives: voice activity, end of answer, chunks to transcribe."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.vad import WINDOW, SpeechDetector, VadState

SPEECH_THRESHOLD = 0.5
# Discord clients send five frames of silence (100 ms) when someone stops talking, then nothing:
# quiet audio this long before the stream stopped says the speaker paused.
QUIET_BEFORE_STOPPING = 2 * WINDOW
TAIL = int(0.2 * SAMPLE_RATE)  # silence kept after the last speech in a piece


class EndReason(StrEnum):
    """Why an answer ended."""

    SILENCE = "silence"
    MAX_LENGTH = "max_length"
    DONE = "done"


@dataclass(frozen=True)
class CaptureOptions:
    """When speech counts as an answer and when the answer is over."""

    end_silence: float = 1.5
    max_seconds: float = 120.0
    min_speech: float = 0.4
    # Transcribe while the person talks: once this much audio is pending, cut at the next pause.
    chunk_seconds: float = 8.0
    chunk_pause: float = 0.3
    # Start transcribing at the first pause this long, however little is pending (0: never). If
    # the person goes on, what was cut is simply a chunk; if not, the answer is nearly transcribed
    # when the end silence runs out.
    speculative_pause: float = 0.0


@dataclass(frozen=True)
class Chunk:
    """A piece of the answer to transcribe, starting `offset` seconds into the answer."""

    audio: Samples
    offset: float
    final: bool
    speculative: bool = False  # cut at a pause before chunk_seconds of audio was pending


class AnswerCapture:
    """Thread-safe: `push` from the audio thread, `poll`/`take` from the event loop.

    Audio before the speech is dropped. An answer starts once `min_speech` of speech falls within
    a sliding (min_speech + 0.6 s), so clicks and short bursts never start one. The answer ends
    after `end_silence` without speech (by the audio, or by the wall clock when the client stops
    sending), at `max_seconds`, or on `finish()`. Long answers are cut into chunks at pauses, so
    most of the transcription is done before the person stops talking; with `speculative_pause`
    any pause after speech cuts one, so the answer is transcribed while the end silence runs.
    Chunks split the answer's samples end to end: none is handed out twice or left out.
    """

    def __init__(self, detector: SpeechDetector, options: CaptureOptions | None = None) -> None:
        self.options = options or CaptureOptions()
        self._detector = detector
        self._lock = threading.Lock()
        self._pending = np.zeros(0, dtype=np.float32)  # not yet scored by the VAD
        self._vad = VadState()
        self._lead_in: list[tuple[Samples, bool]] = []
        self._audio: list[Samples] = []  # the answer since the last chunk, in windows
        self._samples = 0
        self._cut = 0  # samples of the answer already handed out as chunks
        self._silence_run = 0
        self._started = False
        self._last_speech_at: float | None = None
        self._voiced = 0
        self._voiced_since_cut = 0
        self._ended: EndReason | None = None
        self._chunks: list[Chunk] = []

    @property
    def started(self) -> bool:
        """Whether speech long enough to be an answer has been heard."""
        return self._started

    @property
    def ended(self) -> EndReason | None:
        """Why the answer ended, or None while it goes on."""
        return self._ended

    @property
    def seconds(self) -> float:
        """Length of the answer so far."""
        return self._samples / SAMPLE_RATE

    @property
    def voiced_seconds(self) -> float:
        """How much of it the VAD called speech."""
        return self._voiced / SAMPLE_RATE

    def push(self, samples: Samples, now: float) -> None:
        """Add 16 kHz mono audio that arrived at `now` (seconds, any monotonic clock)."""
        with self._lock:
            if self._ended is not None:
                return
            self._pending = np.concatenate([self._pending, samples.astype(np.float32)])
            usable = len(self._pending) // WINDOW * WINDOW
            if not usable:
                return
            windows, self._pending = self._pending[:usable], self._pending[usable:]
            probs = self._detector.probabilities(windows, self._vad)
            for index, prob in enumerate(probs):
                self._take_window(windows[index * WINDOW : (index + 1) * WINDOW], prob, now)
                if self._ended is not None:
                    break

    def _take_window(self, window: Samples, prob: float, now: float) -> None:
        speech = prob >= SPEECH_THRESHOLD
        options = self.options
        if not self._started:
            # The last (min_speech + 0.6 s) of audio: speech in it, gaps included, starts an answer.
            self._lead_in.append((window, speech))
            keep = int((options.min_speech + 0.6) * SAMPLE_RATE) // WINDOW + 1
            del self._lead_in[:-keep]
            voiced = sum(WINDOW for _w, is_speech in self._lead_in if is_speech)
            if voiced < max(options.min_speech * SAMPLE_RATE, WINDOW):
                return
            self._started = True
            self._audio = [w for w, _is_speech in self._lead_in]
            self._lead_in = []
            self._samples = sum(len(w) for w in self._audio)
            self._voiced = self._voiced_since_cut = voiced
            self._last_speech_at = now
            return
        self._audio.append(window)
        self._samples += WINDOW
        if speech:
            self._voiced += WINDOW
            self._voiced_since_cut += WINDOW
            self._silence_run = 0
            self._last_speech_at = now
        else:
            self._silence_run += WINDOW
        if self._silence_run >= options.end_silence * SAMPLE_RATE:
            self._end(EndReason.SILENCE)
        elif self._samples >= options.max_seconds * SAMPLE_RATE:
            self._end(EndReason.MAX_LENGTH)
        elif (
            self._samples - self._cut >= options.chunk_seconds * SAMPLE_RATE
            and self._silence_run >= options.chunk_pause * SAMPLE_RATE
        ):
            self._emit(final=False)
        elif (
            options.speculative_pause > 0
            and self._voiced_since_cut
            and self._silence_run >= options.speculative_pause * SAMPLE_RATE
        ):
            self._emit(final=False, speculative=True)

    def poll(self, now: float) -> EndReason | None:
        """End the answer when the client went quiet (sent nothing) for `end_silence`.

        Discord clients stop sending a few frames into a silence, so the speculative cut at a
        pause is made here too, by the clock, when no audio says the pause is over: only once
        the last audio that came was quiet, so a stall in the middle of a word is never cut.
        """
        with self._lock:
            last = self._last_speech_at
            if self._ended is None and last is not None:
                quiet = now - last
                if quiet >= self.options.end_silence:
                    self._end(EndReason.SILENCE)
                elif (
                    0 < self.options.speculative_pause <= quiet
                    and self._voiced_since_cut
                    and self._silence_run >= QUIET_BEFORE_STOPPING
                ):
                    self._emit(final=False, speculative=True)
            return self._ended

    def finish(self, reason: EndReason = EndReason.DONE) -> None:
        """End the answer now (the Done button, the session ending)."""
        with self._lock:
            if self._ended is None:
                self._end(reason)

    def take(self) -> list[Chunk]:
        """The chunks ready to transcribe since the last call."""
        with self._lock:
            chunks, self._chunks = self._chunks, []
            return chunks

    def _end(self, reason: EndReason) -> None:
        self._ended = reason
        if self._started:
            self._emit(final=True)
        self._lead_in.clear()

    def _emit(self, *, final: bool, speculative: bool = False) -> None:
        piece = np.concatenate(self._audio) if self._audio else np.zeros(0, dtype=np.float32)
        rest = piece[:0]
        if final and not self._voiced_since_cut:  # nothing said since the last cut
            piece = piece[:0]
        elif (final or speculative) and self._silence_run > TAIL:
            # Trailing silence holds no words: the piece ends TAIL after the speech, as a final
            # one would, so an answer that does not go on is transcribed from the same audio.
            # A speculative cut keeps the rest of the pause pending: no sample is left out.
            keep = max(len(piece) - self._silence_run + TAIL, 0)
            piece, rest = piece[:keep], (piece[keep:] if speculative else piece[:0])
        self._chunks.append(Chunk(piece, self._cut / SAMPLE_RATE, final, speculative))
        self._cut = self._samples - len(rest)
        self._voiced_since_cut = 0
        self._audio = [rest] if rest.size else []  # the capture keeps only what is not a chunk
