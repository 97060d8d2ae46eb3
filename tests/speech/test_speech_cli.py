"""`interview-bot say` and `interview-bot transcribe`, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import pytest

from tests.test_cli import run

pytestmark = pytest.mark.model

QUESTION = "What is the bias variance tradeoff? Explain it with an example."
JSON_FIELDS = {
    "text",
    "audio_seconds",
    "processing_seconds",
    "engine",
    "model",
    "words_per_minute",
    "filler_words",
}


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The question spoken by `interview-bot say`."""
    folder = tmp_path_factory.mktemp("say")
    out = folder / "question.wav"
    result = run(folder, "say", QUESTION, "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_say_writes_a_wav(spoken: Path) -> None:
    with wave.open(str(spoken), "rb") as reader:
        assert reader.getframerate() == 22_050
        assert reader.getnchannels() == 1
        assert reader.getnframes() / 22_050 > 2.0


@pytest.mark.parametrize(
    ("suffix", "rate", "channels"),
    [("mp3", 44_100, 2), ("flac", 8_000, 1), ("ogg", 24_000, 1), ("wav", 48_000, 2)],
)
def test_transcribe_json_from_any_format_and_rate(
    spoken: Path, tmp_path: Path, suffix: str, rate: int, channels: int
) -> None:
    converted = tmp_path / f"question.{suffix}"
    command = ["ffmpeg", "-loglevel", "error", "-y", "-i", str(spoken)]
    command += ["-ar", str(rate), "-ac", str(channels), str(converted)]
    subprocess.run(command, check=True)
    result = run(tmp_path, "transcribe", str(converted), "--json")
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert set(row) >= JSON_FIELDS
    assert row["engine"] == "faster-whisper"
    assert row["model"] == "tiny.en"
    assert "with an example" in row["text"].lower()  # 8 kHz loses "trade-off"; this survives
    assert 2.0 < row["audio_seconds"] < 8.0
    assert row["processing_seconds"] > 0
    assert 80 < row["words_per_minute"] < 260
    assert row["filler_words"] == 0


def test_question_vocabulary_primes_the_recogniser(spoken: Path, tmp_path: Path) -> None:
    shipped_bank = {"INTERVIEW_BOT_BANK__PATHS": '["question_bank"]'}
    question = ("--question", "bias-variance-tradeoff")
    primed = run(tmp_path, "transcribe", str(spoken), *question, **shipped_bank)
    assert primed.returncode == 0, primed.stderr
    assert "bias" in primed.stdout.lower()
    assert "variance" in primed.stdout.lower()


def test_a_missing_file_is_one_sentence(tmp_path: Path) -> None:
    result = run(tmp_path, "transcribe", str(tmp_path / "nope.ogg"))
    assert result.returncode == 2
    assert result.stderr.strip().endswith("nope.ogg does not exist.")
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_audio_is_one_sentence(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.wav"
    bogus.write_text("not audio at all")
    result = run(tmp_path, "transcribe", str(bogus))
    assert result.returncode == 2
    assert "is not an audio file this bot can read" in result.stderr
    assert "Traceback" not in result.stderr
