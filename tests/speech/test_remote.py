"""The remote engine against a local OpenAI-compatible server, and the fallback around it."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import subprocess
import time
import wave
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import numpy as np
import pytest
from aiohttp import web

from bot.errors import RemoteTranscriptionFailed, SettingsError
from bot.grading.speech_metrics import TimedWord
from bot.settings import Settings, SpeechSettings
from bot.speech.audio import load_audio
from bot.speech.fallback import FallbackTranscriber
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript
from bot.speech.remote import API_KEY_ENV, RemoteTranscriber

WORDS = [
    {"word": " Overfitting", "start": 0.0, "end": 0.6},
    {"word": " means", "start": 0.6, "end": 0.9},
    {"word": " memorising", "start": 0.9, "end": 1.5},
]
VERBOSE = {
    "task": "transcribe",
    "language": "english",
    "duration": 2.5,
    "text": " Overfitting means memorising.",
    "words": WORDS,
    "segments": [{"id": 0, "start": 0.0, "end": 1.5, "text": " Overfitting means memorising."}],
}


@dataclass(frozen=True)
class Received:
    """One request as the fake server parsed it."""

    fields: dict[str, list[str]]
    filename: str
    content_type: str
    rate: int
    channels: int
    sample_width: int
    frames: int
    authorization: str | None


@dataclass
class FakeWhisperServer:
    """An OpenAI-compatible /v1/audio/transcriptions on 127.0.0.1 that records what it is sent.

    `answer` decides the reply; `hang` makes it wait until the test ends (a stuck GPU server).
    """

    answer: Callable[[], web.StreamResponse] = lambda: web.json_response(VERBOSE)
    hang: bool = False
    received: list[Received] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    base_url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        # The standard email parser reads the form: aiohttp's own multipart reader warns
        # (DeprecationWarning: unread_data) on some chunk boundaries, an error under our filters.
        head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        form = BytesParser(policy=HTTP).parsebytes(head + await request.read())
        assert form.is_multipart()
        fields: dict[str, list[str]] = {}
        upload: Message | None = None
        for part in form.iter_parts():
            if part.get_filename() is not None:
                upload = part
                continue
            name = str(part.get_param("name", header="content-disposition"))
            fields.setdefault(name, []).append(str(part.get_content()))
        assert upload is not None
        wav_bytes = upload.get_payload(decode=True)
        assert isinstance(wav_bytes, bytes)
        with wave.open(io.BytesIO(wav_bytes), "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            frames = wav.getnframes()
        self.received.append(
            Received(
                fields,
                str(upload.get_filename()),
                upload.get_content_type(),
                rate,
                channels,
                width,
                frames,
                request.headers.get("Authorization"),
            )
        )
        if self.hang:
            await self.release.wait()
        return self.answer()


@pytest.fixture
async def server() -> AsyncIterator[FakeWhisperServer]:
    """The fake server, listening on a free port of 127.0.0.1."""
    fake = FakeWhisperServer()
    app = web.Application(client_max_size=32 << 20)
    app.router.add_post("/v1/audio/transcriptions", fake.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}"
    yield fake
    fake.release.set()
    await runner.cleanup()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A port that is bound but not listening: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def audio() -> Samples:
    """2.5 s of a quiet 220 Hz tone at 16 kHz (the fake server does not listen to it)."""
    t = np.arange(int(2.5 * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
    return (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@pytest.fixture
def make_remote() -> Iterator[Callable[..., RemoteTranscriber]]:
    """Build RemoteTranscribers (no key unless given) and close them after the test."""
    made: list[RemoteTranscriber] = []

    def make(url: str, **kwargs: object) -> RemoteTranscriber:
        kwargs.setdefault("api_key", "")
        remote = RemoteTranscriber(url, "whisper-large-v3", **kwargs)  # type: ignore[arg-type]
        made.append(remote)
        return remote

    yield make
    for remote in made:
        remote.close()


async def transcribe(
    engine: RemoteTranscriber | FallbackTranscriber, audio: Samples, **kw: str
) -> Transcript:
    """Run the blocking engine in a worker, as the bot does, while the fake server runs here."""
    return await asyncio.to_thread(engine.transcribe, audio, **kw)


class FixedTranscriptForWiringTests:
    """Not a speech engine: returns one fixed transcript, to test the fallback's wiring only."""

    engine = "fixed-for-tests"
    model = "none"

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """The same transcript whatever the audio."""
        self.calls += 1
        words = (TimedWord("fallback", 0.0, 0.5),)
        return Transcript("fallback", words, len(audio) / SAMPLE_RATE, 0.01, self.engine, "none")


class ManualSeconds:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the remote engine -------------------------------------------------------------------------


async def test_posts_a_16k_mono_wav_and_parses_words(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    remote = make_remote(server.base_url)
    transcript = await transcribe(remote, audio)

    assert transcript.text == "Overfitting means memorising."
    assert transcript.words == (
        TimedWord("Overfitting", 0.0, 0.6),
        TimedWord("means", 0.6, 0.9),
        TimedWord("memorising", 0.9, 1.5),
    )
    assert (transcript.engine, transcript.model) == ("remote", "whisper-large-v3")
    assert transcript.audio_seconds == pytest.approx(2.5)
    assert transcript.processing_seconds > 0
    (sent,) = server.received
    assert (sent.rate, sent.channels, sent.sample_width) == (16_000, 1, 2)
    assert sent.frames == len(audio)
    assert sent.content_type == "audio/wav"
    assert sent.filename.endswith(".wav")
    assert sent.fields == {
        "model": ["whisper-large-v3"],
        "response_format": ["verbose_json"],
        "timestamp_granularities[]": ["word"],
        "language": ["en"],
    }
    assert sent.authorization is None


async def test_forwards_the_prompt(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    await transcribe(make_remote(server.base_url), audio, prompt="ReLU, dropout, XGBoost")
    assert server.received[0].fields["prompt"] == ["ReLU, dropout, XGBoost"]


async def test_sends_the_api_key_as_a_bearer_header(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    remote = make_remote(server.base_url, api_key="sk-test-123")
    await transcribe(remote, audio)
    assert server.received[0].authorization == "Bearer sk-test-123"
    assert "sk-test-123" not in repr(remote)


async def test_reads_the_api_key_from_the_environment(
    server: FakeWhisperServer, audio: Samples, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "sk-from-env")
    speech = SpeechSettings(engine="remote", remote_url=server.base_url + "/v1/")
    settings = Settings(speech=speech)  # the key comes to Settings from the environment
    assert "sk-from-env" not in repr(settings)
    with RemoteTranscriber.from_settings(settings) as remote:
        await transcribe(remote, audio)
    assert server.received[0].authorization == "Bearer sk-from-env"
    assert server.received[0].fields["model"] == ["whisper-1"]


async def test_an_error_never_shows_the_key(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    server.answer = lambda: web.json_response(
        {"error": {"message": "Incorrect API key provided: sk-secret-9"}}, status=401
    )
    remote = make_remote(server.base_url, api_key="sk-secret-9")
    with pytest.raises(RemoteTranscriptionFailed, match="HTTP 401") as caught:
        await transcribe(remote, audio)
    assert "sk-secret-9" not in str(caught.value)
    assert "Incorrect API key provided: ***" in str(caught.value)


async def test_a_timeout_fails_within_the_bound(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    server.hang = True
    remote = make_remote(server.base_url, timeout_seconds=0.5)
    started = time.perf_counter()
    with pytest.raises(RemoteTranscriptionFailed, match=r"no answer within 0\.5 s"):
        await transcribe(remote, audio)
    assert time.perf_counter() - started < 0.5 + 2


async def test_a_server_error_fails(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    server.answer = lambda: web.Response(status=500, text="CUDA out of memory")
    with pytest.raises(RemoteTranscriptionFailed, match="HTTP 500") as caught:
        await transcribe(make_remote(server.base_url), audio)
    assert caught.value.url == server.base_url + "/v1/audio/transcriptions"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html>502 Bad Gateway</html>", "not JSON"),
        ('{"text": "cut off', "not JSON"),
        ('["a list"]', "without a text field"),
        ('{"text": "hi", "words": [{"word": "hi", "start": "zero", "end": 1}]}', "usable times"),
        ('{"text": "hi", "words": [{"word": "hi"}]}', "usable times"),
    ],
)
async def test_malformed_json_fails(
    server: FakeWhisperServer,
    make_remote: Callable[..., RemoteTranscriber],
    audio: Samples,
    body: str,
    reason: str,
) -> None:
    server.answer = lambda: web.Response(text=body, content_type="application/json")
    with pytest.raises(RemoteTranscriptionFailed, match=reason):
        await transcribe(make_remote(server.base_url), audio)


async def test_connection_refused_fails(
    refused_url: str, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    with pytest.raises(RemoteTranscriptionFailed, match="could not connect"):
        await transcribe(make_remote(refused_url), audio)


async def test_plain_json_gives_text_without_words(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    server.answer = lambda: web.json_response({"text": " Bias and variance."})
    transcript = await transcribe(make_remote(server.base_url), audio)
    assert (transcript.text, transcript.words) == ("Bias and variance.", ())


async def test_words_inside_segments_are_used(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    segments = [
        {"start": 0.0, "end": 0.9, "text": " Overfitting means", "words": WORDS[:2]},
        {"start": 0.9, "end": 1.5, "text": " memorising", "words": WORDS[2:]},
    ]
    server.answer = lambda: web.json_response({"text": VERBOSE["text"], "segments": segments})
    transcript = await transcribe(make_remote(server.base_url), audio)
    assert [w.text for w in transcript.words] == ["Overfitting", "means", "memorising"]


async def test_segments_without_words_are_spread_evenly(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    segments = [
        {"start": 0.0, "end": 1.0, "text": " Bias and"},
        {"start": 4.0, "end": 4.5, "text": " variance."},
    ]
    server.answer = lambda: web.json_response({"text": "Bias and variance.", "segments": segments})
    transcript = await transcribe(make_remote(server.base_url), audio)
    assert transcript.words == (
        TimedWord("Bias", 0.0, 0.5),
        TimedWord("and", 0.5, 1.0),
        TimedWord("variance.", 4.0, 4.5),
    )


def test_silence_costs_no_request(make_remote: Callable[..., RemoteTranscriber]) -> None:
    remote = make_remote("http://127.0.0.1:9")
    transcript = remote.transcribe(np.zeros(0, dtype=np.float32))
    assert (transcript.text, transcript.words, transcript.audio_seconds) == ("", (), 0.0)


@pytest.mark.parametrize("url", ["", "gpu-box:8000", "ftp://gpu-box", "http://"])
def test_a_bad_url_is_a_settings_error(url: str) -> None:
    with pytest.raises(SettingsError, match=r"speech\.remote_url"):
        RemoteTranscriber.from_settings(Settings(speech=SpeechSettings(remote_url=url)))


def test_credentials_in_the_url_are_not_shown() -> None:
    with RemoteTranscriber("https://user:pw@gpu.example:8443/v1", api_key="") as remote:
        assert remote.url == "https://gpu.example:8443/v1/audio/transcriptions"
        assert "pw" not in repr(remote)


# --- the fallback ------------------------------------------------------------------------------


async def test_a_failing_remote_falls_back(
    refused_url: str,
    make_remote: Callable[..., RemoteTranscriber],
    audio: Samples,
    caplog: pytest.LogCaptureFixture,
) -> None:
    local = FixedTranscriptForWiringTests()
    engine = FallbackTranscriber(make_remote(refused_url), local, cooldown_seconds=0)
    caplog.set_level(logging.INFO, logger="bot.speech.fallback")

    first = await transcribe(engine, audio)
    second = await transcribe(engine, audio)

    assert first.text == second.text == "fallback"
    assert first.engine == "fixed-for-tests (fallback from remote)"
    assert (engine.engine, engine.model) == ("remote", "whisper-large-v3")
    assert (engine.remote_ok, engine.fallbacks, engine.primary_failures) == (0, 2, 2)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, "one warning per failure streak"
    assert "could not connect" in warnings[0].getMessage()


async def test_a_working_remote_is_used(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    local = FixedTranscriptForWiringTests()
    engine = FallbackTranscriber(make_remote(server.base_url), local)
    transcript = await transcribe(engine, audio, prompt="precision")
    assert (transcript.engine, transcript.text) == ("remote", "Overfitting means memorising.")
    assert (engine.remote_ok, engine.fallbacks, local.calls) == (1, 0, 0)
    assert server.received[0].fields["prompt"] == ["precision"]


async def test_the_breaker_skips_the_remote_during_the_cool_down(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    clock = ManualSeconds()
    server.answer = lambda: web.Response(status=503, text="GPU busy")
    engine = FallbackTranscriber(
        make_remote(server.base_url),
        FixedTranscriptForWiringTests(),
        failure_threshold=2,
        cooldown_seconds=30,
        clock=clock,
    )

    for _ in range(2):
        await transcribe(engine, audio)
    assert len(server.received) == 2
    assert engine.breaker_open

    clock.now += 20
    skipped = await transcribe(engine, audio)
    assert skipped.engine == "fixed-for-tests (fallback from remote)"
    assert len(server.received) == 2, "the remote was skipped"
    assert engine.primary_skipped == 1

    clock.now += 11  # the cool-down is over: one probe, which fails and re-opens the breaker
    await transcribe(engine, audio)
    assert len(server.received) == 3
    assert engine.breaker_open

    server.answer = lambda: web.json_response(VERBOSE)
    clock.now += 31
    recovered = await transcribe(engine, audio)
    assert recovered.engine == "remote"
    assert len(server.received) == 4
    assert not engine.breaker_open
    assert (engine.remote_ok, engine.fallbacks, engine.primary_failures) == (1, 4, 3)


async def test_the_fallback_takes_over_quickly_after_a_timeout(
    server: FakeWhisperServer, make_remote: Callable[..., RemoteTranscriber], audio: Samples
) -> None:
    server.hang = True
    engine = FallbackTranscriber(
        make_remote(server.base_url, timeout_seconds=0.5), FixedTranscriptForWiringTests()
    )
    started = time.perf_counter()
    transcript = await transcribe(engine, audio)
    assert transcript.text == "fallback"
    assert transcript.processing_seconds >= 0.5, "the wait for the remote counts"
    assert time.perf_counter() - started < 0.5 + 2


# --- with the real local engine ----------------------------------------------------------------


@pytest.mark.model
def test_falls_back_to_faster_whisper(
    refused_url: str,
    make_remote: Callable[..., RemoteTranscriber],
    whisper: FasterWhisperTranscriber,
    tmp_path: Path,
) -> None:
    wav = tmp_path / "answer.wav"
    sentence = "The gradient tells us which way to move the weights."
    subprocess.run(["espeak-ng", "-w", str(wav), sentence], check=True)
    engine = FallbackTranscriber(make_remote(refused_url), whisper)

    transcript = engine.transcribe(load_audio(wav))

    assert transcript.engine == "faster-whisper (fallback from remote)"
    assert transcript.model == "tiny.en"
    spoken = transcript.text.lower()
    assert "gradient" in spoken
    assert "weights" in spoken or "weight" in spoken
    assert transcript.words
    assert (engine.remote_ok, engine.fallbacks) == (0, 1)
