"""Damaged audio, over-long text and missing extras: one sentence each, never a traceback."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from bot.errors import SpeechError
from bot.speech.audio import load_audio, write_wav
from bot.speech.tts import MAX_TEXT_CHARS, Pyttsx3Speaker
from tests.conftest import ROOT

# Seeds whose damaged MP3 crashed load_audio with "Frame does not match AudioResampler setup".
RESAMPLER_CRASHES = (49, 57, 63, 73, 78, 125)


def mp3(seconds: float = 2.0, rate: int = 22_050) -> bytes:
    """A tone encoded as MP3 by FFmpeg's LAME encoder."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="mono")
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(tone, format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


def damaged(data: bytes, seed: int, fraction: float = 0.01) -> bytes:
    """`data` with `fraction` of its bytes replaced by random ones."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(int(len(out) * fraction)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def decode_or_sentence(data: bytes) -> str:
    """ "decoded", or the one sentence load_audio refused the bytes with."""
    try:
        samples = load_audio(data)
    except SpeechError as exc:
        return str(exc)
    assert samples.dtype == np.float32
    return "decoded"


@pytest.fixture(scope="module")
def tone() -> bytes:
    return mp3()


@pytest.mark.parametrize("seed", RESAMPLER_CRASHES)
def test_a_damaged_mp3_decodes_or_is_one_sentence(tone: bytes, seed: int) -> None:
    outcome = decode_or_sentence(damaged(tone, seed))
    assert outcome == "decoded" or (outcome.endswith(".") and "\n" not in outcome)


def test_a_folder_is_not_audio(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="is a folder, not an audio file"):
        load_audio(tmp_path)


def test_over_long_text_is_refused_before_the_worker(tmp_path: Path) -> None:
    speaker = Pyttsx3Speaker(tmp_path)
    text = "word " * 20_000
    with pytest.raises(SpeechError) as caught:
        speaker.render_sync(text)
    assert str(caught.value) == (
        f"The text is {len(text):,} characters long; text to speech takes at most "
        f"{MAX_TEXT_CHARS:,}."
    )
    assert speaker._pool is None  # no worker was started for it


@pytest.mark.model
def test_the_tts_worker_recovers_after_dying(speaker: Pyttsx3Speaker) -> None:
    speaker.render_sync("The first sentence.")
    pool = speaker._pool
    assert pool is not None
    for process in list(pool._processes.values()):  # the worker dies, as 100 KB made it
        process.kill()
        process.join()
    with pytest.raises(SpeechError, match="stopped unexpectedly"):
        speaker.render_sync("A sentence after the crash.")
    assert load_audio(speaker.render_sync("A sentence after the crash.")).size > 0


def test_a_missing_extra_names_the_extra(tmp_path: Path) -> None:
    wav = str(tmp_path / "silence.wav")
    Path(wav).write_bytes(write_wav(np.zeros(16_000, dtype=np.float32), 16_000))
    code = (
        "import sys; sys.modules['torch'] = None  # as if the extra was never installed\n"
        "from bot.cli import main\n"
        f"raise SystemExit(main(['transcribe', '--engine', 'openai-whisper', {wav!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "interview-bot: The openai-whisper engine needs the openai-whisper extra (torch is not "
        "installed): run scripts/setup openai-whisper, or pip install "
        "'interview-bot[openai-whisper]'."
    )
