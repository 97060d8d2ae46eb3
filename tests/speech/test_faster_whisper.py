"""The default engine on the real offline tiny.en weights."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.errors import ModelUnavailable
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.models import OFFLINE_MODEL_SHA256, checked_model_dir, offline_model_dir
from bot.speech.ports import SAMPLE_RATE, Samples

pytestmark = pytest.mark.model

SENTENCE = "Cross validation splits the training data into folds to estimate generalisation."


def test_transcribes_speech_with_timed_words(
    whisper: FasterWhisperTranscriber, speak: Callable[[str], Samples]
) -> None:
    audio = speak(SENTENCE)
    result = whisper.transcribe(audio)
    text = result.text.lower()
    # espeak's voice is hard on tiny.en ("cross-malidation"): most, not all, words must survive.
    heard = [word for word in ("splits", "training data", "folds", "estimate") if word in text]
    assert len(heard) >= 3, text
    assert result.audio_seconds == pytest.approx(audio.size / SAMPLE_RATE, abs=0.01)
    assert result.engine == "faster-whisper"
    assert result.model == "tiny.en"
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= result.audio_seconds + 0.5 for w in result.words)
    assert len(result.words) == len(result.text.split())


def test_vocabulary_prompt_recovers_jargon(
    whisper: FasterWhisperTranscriber, speak: Callable[[str], Samples]
) -> None:
    audio = speak("SMOTE oversamples the minority class, and XGBoost handles the imbalance.")
    prompt = "SMOTE, XGBoost, minority class, oversampling, class imbalance"
    plain = whisper.transcribe(audio).text.lower()
    prompted = whisper.transcribe(audio, prompt=prompt).text.lower()
    terms = ("smote", "xgboost", "minority class")
    found_plain = sum(term in plain for term in terms)
    found_prompted = sum(term in prompted for term in terms)
    assert found_prompted >= found_plain
    assert found_prompted >= 2, prompted


def test_silence_gives_no_words(whisper: FasterWhisperTranscriber) -> None:
    result = whisper.transcribe(np.zeros(SAMPLE_RATE * 2, dtype=np.float32))
    assert len(result.words) <= 1  # Whisper may hallucinate a word on silence, never a sentence


def test_the_packaged_model_is_checked_against_its_pinned_hash(tmp_path: Path) -> None:
    assert checked_model_dir(offline_model_dir(), OFFLINE_MODEL_SHA256) == offline_model_dir()
    damaged = tmp_path / "tiny.en"
    shutil.copytree(offline_model_dir(), damaged)
    with (damaged / "model.bin").open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelUnavailable, match=r"SHA-256 .* not the pinned"):
        checked_model_dir(damaged, OFFLINE_MODEL_SHA256)


def test_a_missing_model_is_one_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "no-model"
    empty.mkdir()
    with pytest.raises(ModelUnavailable, match=r"holds no model\.bin") as caught:
        FasterWhisperTranscriber(str(empty)).load()
    assert "\n" not in str(caught.value)


def test_a_hub_model_that_cannot_be_downloaded_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ModelUnavailable, match=r"small\.en") as caught:
        FasterWhisperTranscriber("small.en").load()
    assert "\n" not in str(caught.value)
