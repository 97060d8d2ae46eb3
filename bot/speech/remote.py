"""The `remote` engine: transcription offloaded to an OpenAI-compatible server, e.g. on a GPU.

It speaks the `POST /v1/audio/transcriptions` dialect that OpenAI and the self-hosted Whisper
servers share (speaches/faster-whisper-server, LocalAI, vLLM, ...): a multipart form with the
audio as a 16 kHz mono WAV, asking for `verbose_json` with word timestamps.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from bot.errors import RemoteTranscriptionFailed, SettingsError
from bot.grading.speech_metrics import TimedWord
from bot.speech.audio import write_wav
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

API_KEY_ENV = "INTERVIEW_BOT_SPEECH_API_KEY"
ENDPOINT = "/v1/audio/transcriptions"
# A black-holed host (GPU box powered off) should cost this, not the whole request timeout.
DEFAULT_CONNECT_SECONDS = 3.0
# Far above any transcript of a two-minute answer; a bigger answer is not a transcript.
MAX_RESPONSE_BYTES = 4 << 20
_REASON_CHARS = 120


@dataclass(frozen=True)
class _Parsed:
    text: str
    words: tuple[TimedWord, ...]


class RemoteTranscriber:
    """A Transcriber that posts the audio to an OpenAI-compatible transcription server.

    `base_url` is the server root (`http://gpu:8000`); a trailing `/v1` is accepted too, as the
    OpenAI SDKs spell it. `timeout_seconds` bounds each wait on the server (httpx timeouts are
    per operation) and, checked as the answer streams in, the whole request; `connect_seconds`
    bounds connecting, so a powered-off host costs that, not the whole timeout. The API key, if any,
    goes in a bearer header; `api_key=None` reads INTERVIEW_BOT_SPEECH_API_KEY, `""` sends none.
    Every failure raises RemoteTranscriptionFailed with a short reason and never the key or audio.
    """

    def __init__(
        self,
        base_url: str,
        model: str = "whisper-1",
        *,
        timeout_seconds: float = 10.0,
        connect_seconds: float = DEFAULT_CONNECT_SECONDS,
        api_key: str | None = None,
        language: str | None = "en",
    ) -> None:
        if timeout_seconds <= 0 or connect_seconds <= 0:
            raise SettingsError("speech.remote_timeout_seconds", "must be above zero")
        self._endpoint = _endpoint(base_url)
        self._shown_url = _shown(self._endpoint)
        self._model = model
        self._timeout = timeout_seconds
        self._language = language
        self._api_key = (api_key or "").strip()
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds, connect=min(connect_seconds, timeout_seconds)),
        )

    @classmethod
    def from_settings(cls, settings: Settings, model: str | None = None) -> Self:
        """The engine the `speech.remote_*` settings describe, with the key from Settings
        (`INTERVIEW_BOT_SPEECH_API_KEY` in the environment)."""
        speech = settings.speech
        if not speech.remote_url:
            raise SettingsError("speech.remote_url", "must be set when speech.engine is remote")
        key = settings.speech_api_key
        return cls(
            speech.remote_url,
            model or speech.remote_model,
            timeout_seconds=speech.remote_timeout_seconds,
            api_key=key.get_secret_value() if key is not None else None,
        )

    @property
    def engine(self) -> str:
        """Always "remote"."""
        return "remote"

    @property
    def model(self) -> str:
        """The model name sent to the server."""
        return self._model

    @property
    def url(self) -> str:
        """The transcription endpoint, without any credentials in it."""
        return self._shown_url

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"RemoteTranscriber(url={self._shown_url!r}, model={self._model!r}, key={key})"

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Post the audio to the server and return its transcript (blocks; call from a worker)."""
        started = time.perf_counter()
        seconds = audio.size / SAMPLE_RATE
        if audio.size == 0:
            return Transcript("", (), 0.0, 0.0, self.engine, self._model)
        body = self._request(
            write_wav(audio, SAMPLE_RATE), prompt, deadline=started + self._timeout
        )
        parsed = self._parse(body)
        elapsed = round(time.perf_counter() - started, 3)
        log.debug("Remote transcription of %.1f s of audio took %.2f s", seconds, elapsed)
        return Transcript(
            parsed.text, parsed.words, round(seconds, 3), elapsed, self.engine, self._model
        )

    def _request(self, wav: bytes, prompt: str | None, *, deadline: float) -> bytes:
        form: dict[str, str | list[str]] = {
            "model": self._model,
            "response_format": "verbose_json",
            "timestamp_granularities[]": ["word"],
        }
        if self._language:
            form["language"] = self._language
        if prompt:
            form["prompt"] = prompt
        files = {"file": ("answer.wav", wav, "audio/wav")}
        try:
            with self._client.stream("POST", self._endpoint, data=form, files=files) as response:
                if not response.is_success:
                    response.read()
                    raise self._failed(self._status_reason(response))
                return self._read_body(response, deadline)
        except httpx.ConnectTimeout:
            raise self._failed("could not connect in time") from None
        except httpx.TimeoutException:
            raise self._failed(f"no answer within {self._timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise self._failed(f"could not connect ({_short(str(exc) or 'refused')})") from None
        except httpx.HTTPError as exc:
            raise self._failed(f"{type(exc).__name__} ({_short(str(exc))})") from None

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        # httpx's timeouts are per operation; this makes the request's deadline a total one.
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise self._failed(f"answered more than {MAX_RESPONSE_BYTES >> 20} MiB")
            if time.perf_counter() > deadline:
                raise self._failed(f"no answer within {self._timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def _status_reason(self, response: httpx.Response) -> str:
        reason = f"answered HTTP {response.status_code}"
        detail = _error_detail(response.content)
        if detail and self._api_key:
            detail = detail.replace(self._api_key, "***")
        return f"{reason} ({_short(detail)})" if detail else reason

    def _parse(self, body: bytes) -> _Parsed:
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise self._failed("answered something that is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise self._failed("answered JSON without a text field")
        try:
            words = _words_of(data)
        except (TypeError, ValueError, KeyError):
            raise self._failed("answered words or segments without usable times") from None
        return _Parsed(data["text"].strip(), words)

    def _failed(self, reason: str) -> RemoteTranscriptionFailed:
        return RemoteTranscriptionFailed(self._shown_url, reason)


def _endpoint(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    try:
        url = httpx.URL(base)
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.scheme not in {"http", "https"} or not url.host:
        raise SettingsError("speech.remote_url", "must be an http(s) URL such as http://gpu:8000")
    if base.endswith("/v1"):
        base = base.removesuffix("/v1")
    return base + ENDPOINT


def _shown(url: str) -> str:
    """A URL fit for logs and messages: scheme, host, port and path; no user, password or query."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{parsed.path}".rstrip("/")


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _REASON_CHARS else flat[: _REASON_CHARS - 1] + "…"


def _error_detail(body: bytes) -> str:
    """The message of an OpenAI-style error body ({"error": {"message": ...}}), or ""."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    if isinstance(data, dict):
        error = data.get("error", data.get("detail"))
        if isinstance(error, dict):
            error = error.get("message")
        if isinstance(error, str):
            return error
    return ""


def _words_of(data: Mapping[str, Any]) -> tuple[TimedWord, ...]:
    """Timed words: top-level `words`, else the segments' own words, else spread over segments.

    A server that times only segments gets each segment's words spaced evenly across it: counts,
    talk time and the pauses between segments stay right; pauses inside a segment are lost.
    """
    if data.get("words"):
        return tuple(_timed(data["words"]))
    segments = data.get("segments") or []
    if not isinstance(segments, list):
        raise TypeError("segments is not a list")
    if any(isinstance(s, dict) and s.get("words") for s in segments):
        return tuple(w for s in segments for w in _timed(s.get("words") or []))
    return tuple(w for s in segments for w in _spread(s))


def _timed(items: Iterable[Any]) -> Iterable[TimedWord]:
    for item in items:
        text = str(item["word"]).strip()
        if text:
            yield TimedWord(text, _seconds(item["start"]), _seconds(item["end"]))


def _spread(segment: Mapping[str, Any]) -> Iterable[TimedWord]:
    words = str(segment["text"]).split()
    start, end = _seconds(segment["start"]), _seconds(segment["end"])
    step = max(end - start, 0.0) / len(words) if words else 0.0
    for i, word in enumerate(words):
        yield TimedWord(word, round(start + i * step, 3), round(start + (i + 1) * step, 3))


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a time in seconds")
    return float(value)
