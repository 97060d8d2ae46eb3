"""openai-whisper on tiny.en converted from the packaged CTranslate2 weights, on real speech."""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import shutil
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# The engine comes with the openai-whisper extra (scripts/test installs it): without it these
# tests fail at import rather than being skipped, so CI cannot go green without running them.
import torch
import whisper as openai_whisper
from faster_whisper import WhisperModel

from bot.errors import ModelUnavailable
from bot.speech.audio import load_audio
from bot.speech.convert import convert, read_model_bin
from bot.speech.models import offline_model_dir
from bot.speech.openai_whisper_engine import OpenAIWhisperTranscriber, resolve_checkpoint
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript

# What espeak-ng says, and words tiny.en must hear in it.
CLIPS = {
    "gradient": (
        "Gradient descent updates the weights of a neural network to minimise the loss function.",
        ("gradient descent", "neural network", "loss function"),
    ),
    "overfitting": (
        "Overfitting happens when a model memorises the training data.",
        ("overfitting", "model", "memoriz", "data"),  # tiny.en hears "trading data"
    ),
}
TINY_EN_DIMS = {
    "n_mels": 80,
    "n_audio_ctx": 1500,
    "n_audio_state": 384,
    "n_audio_head": 6,
    "n_audio_layer": 4,
    "n_vocab": 51864,
    "n_text_ctx": 448,
    "n_text_state": 384,
    "n_text_head": 6,
    "n_text_layer": 4,
}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Samples]:
    """Each clip spoken by espeak-ng, as 16 kHz mono samples."""
    folder = tmp_path_factory.mktemp("espeak")
    spoken = {}
    for name, (text, _) in CLIPS.items():
        path = folder / f"{name}.wav"
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
        spoken[name] = load_audio(path)
    return spoken


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder for this module's converted weights, empty at first."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def transcriber(cache_dir: Path) -> OpenAIWhisperTranscriber:
    """The offline tiny.en, converted into a fresh cache and loaded once."""
    return OpenAIWhisperTranscriber("tiny.en", cache_dir=cache_dir, threads=2).load()


@pytest.fixture(scope="module")
def heard(
    clips: dict[str, Samples], transcriber: OpenAIWhisperTranscriber
) -> dict[str, Transcript]:
    """Each clip transcribed once by the engine under test, with no prompt."""
    return {name: transcriber.transcribe(audio) for name, audio in clips.items()}


@pytest.fixture(scope="module")
def reference() -> WhisperModel:
    """faster-whisper on the same CTranslate2 weights, in float32."""
    return WhisperModel(
        str(offline_model_dir()), device="cpu", compute_type="float32", cpu_threads=2
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve a host or open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def empty_whisper_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """openai-whisper's download cache pointed at an empty folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "whisper"


def heads_mask(dump: bytes, dims: dict[str, int]) -> np.ndarray:
    """whisper's base85 alignment-heads dump as a (layers, heads) bool mask."""
    raw = gzip.decompress(base64.b85decode(dump))
    return np.frombuffer(raw, dtype=bool).reshape(dims["n_text_layer"], dims["n_text_head"])


@pytest.mark.model
def test_converted_checkpoint_loads_strictly_with_tiny_en_dims(tmp_path: Path) -> None:
    out = convert(offline_model_dir(), tmp_path / "tiny.en.pt")
    checkpoint = torch.load(out, map_location="cpu", weights_only=True)
    assert checkpoint["dims"] == TINY_EN_DIMS
    model = openai_whisper.model.Whisper(openai_whisper.model.ModelDimensions(**checkpoint["dims"]))
    result = model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    assert result.missing_keys == []
    assert result.unexpected_keys == []
    # config.json's alignment heads are the ones openai-whisper publishes for tiny.en.
    ours = heads_mask(checkpoint["alignment_heads"], TINY_EN_DIMS)
    published = heads_mask(openai_whisper._ALIGNMENT_HEADS["tiny.en"], TINY_EN_DIMS)
    assert (ours == published).all()
    stored = read_model_bin(offline_model_dir() / "model.bin")
    assert torch.equal(  # the projection is tied: one matrix
        checkpoint["model_state_dict"]["decoder.token_embedding.weight"],
        torch.from_numpy(stored["decoder/projection/weight"].copy()),
    )


@pytest.mark.model
@pytest.mark.parametrize("clip", CLIPS)
def test_same_transcript_as_faster_whisper(
    clip: str, clips: dict[str, Samples], heard: dict[str, Transcript], reference: WhisperModel
) -> None:
    ours = heard[clip]
    segments, _ = reference.transcribe(
        clips[clip],
        language="en",
        beam_size=1,
        temperature=0.0,
        condition_on_previous_text=False,
        word_timestamps=True,
        vad_filter=False,
    )
    theirs = [word for segment in segments for word in segment.words or ()]
    assert ours.text == "".join(word.word for word in theirs).strip()
    assert [w.text for w in ours.words] == [w.word.strip() for w in theirs]
    for mine, other in zip(ours.words, theirs, strict=True):
        assert mine.start == pytest.approx(other.start, abs=0.1)
        assert mine.end == pytest.approx(other.end, abs=0.1)
    for words in CLIPS[clip][1]:
        assert words in ours.text.lower(), ours.text


def check_timing(result: Transcript, audio: Samples) -> None:
    """Words in order, each inside the audio."""
    assert result.audio_seconds == pytest.approx(audio.size / SAMPLE_RATE)
    assert result.processing_seconds > 0
    assert result.words
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= result.audio_seconds for w in result.words)
    assert all(a.end <= b.start + 0.01 for a, b in itertools.pairwise(result.words))


@pytest.mark.model
@pytest.mark.parametrize("clip", CLIPS)
def test_word_timestamps_are_monotonic_and_inside_the_audio(
    clip: str, clips: dict[str, Samples], heard: dict[str, Transcript]
) -> None:
    result = heard[clip]
    check_timing(result, clips[clip])
    assert (result.engine, result.model) == ("openai-whisper", "tiny.en")
    assert len(result.words) == len(result.text.split())


@pytest.mark.model
def test_a_prompt_is_passed_and_keeps_the_words(
    clips: dict[str, Samples], transcriber: OpenAIWhisperTranscriber
) -> None:
    result = transcriber.transcribe(clips["overfitting"], prompt="overfitting, training data")
    check_timing(result, clips["overfitting"])
    assert "overfitting" in result.text.lower()


@pytest.mark.model
def test_first_use_from_two_threads_loads_once_and_matches(
    clips: dict[str, Samples], heard: dict[str, Transcript], cache_dir: Path
) -> None:
    audio, alone = clips["overfitting"], heard["overfitting"]
    fresh = OpenAIWhisperTranscriber("tiny.en", cache_dir=cache_dir)  # not loaded yet
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: fresh.transcribe(audio), range(2)))
    assert [r.words for r in results] == [alone.words, alone.words]
    assert len(list((cache_dir / "openai-whisper").iterdir())) == 1  # converted once, reused


@pytest.mark.model
def test_empty_audio_gives_an_empty_transcript(transcriber: OpenAIWhisperTranscriber) -> None:
    result = transcriber.transcribe(np.zeros(0, dtype=np.float32))
    assert (result.text, result.words, result.audio_seconds) == ("", (), 0.0)


def _quantised_copy(folder: Path) -> Path:
    """The packaged weights re-saved as int8 by CTranslate2's own writer."""
    from ctranslate2.specs import model_spec, whisper_spec  # noqa: PLC0415

    source = offline_model_dir()
    spec = whisper_spec.WhisperSpec(4, 6, 4, 6)
    for name, value in read_model_bin(source / "model.bin").items():
        scope, attr = name.rsplit("/", 1)
        layer = model_spec.index_spec(spec, scope)
        if value.ndim and hasattr(layer, attr):
            setattr(layer, attr, value.astype(np.float32))
    spec.config.alignment_heads = json.loads((source / "config.json").read_text())[
        "alignment_heads"
    ]
    tokens = (source / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    spec.register_vocabulary([token for token in tokens if token])
    spec.validate()
    spec.optimize(quantization="int8")
    folder.mkdir()
    spec.save(str(folder))
    return folder


@pytest.mark.model
def test_int8_weights_are_dequantised_by_their_scales(tmp_path: Path) -> None:
    folder = _quantised_copy(tmp_path / "int8")
    stored = read_model_bin(folder / "model.bin")
    assert stored["encoder/conv1/weight"].dtype == np.int8  # the case under test
    assert stored["decoder/layer_0/self_attention/linear_0/weight"].dtype == np.int8
    exact = torch.load(convert(offline_model_dir(), tmp_path / "f16.pt"), weights_only=True)
    rounded = torch.load(convert(folder, tmp_path / "int8.pt"), weights_only=True)
    assert rounded["dims"] == exact["dims"] == TINY_EN_DIMS
    assert rounded["alignment_heads"] == exact["alignment_heads"]
    for name, tensor in exact["model_state_dict"].items():
        value, other = tensor.float(), rounded["model_state_dict"][name].float()
        # int8 rounding moves each weight by at most half a step: row max / 127 / 2.
        step = value.abs().flatten(1).amax(1) / 127 if value.ndim > 1 else torch.zeros(1)
        bound = step.reshape(-1, *[1] * (value.ndim - 1)) / 2 + 1e-3
        assert ((other - value).abs() <= bound).all(), name


def _copy_model(tmp_path: Path, keep_bytes: int | None) -> Path:
    """The packaged model folder, with model.bin cut to `keep_bytes`."""
    folder = tmp_path / "ct2"
    folder.mkdir()
    source = offline_model_dir()
    shutil.copy(source / "config.json", folder / "config.json")
    with (source / "model.bin").open("rb") as handle:
        (folder / "model.bin").write_bytes(handle.read(keep_bytes))
    return folder


@pytest.mark.parametrize(
    ("keep_bytes", "reason"),
    [(1_000_000, "truncated"), (0, "truncated"), (3, "truncated")],
)
def test_a_truncated_model_bin_is_named_in_the_error(
    tmp_path: Path, keep_bytes: int, reason: str
) -> None:
    folder = _copy_model(tmp_path, keep_bytes)
    with pytest.raises(ModelUnavailable, match=reason) as caught:
        convert(folder, tmp_path / "out.pt")
    assert str(folder / "model.bin") in str(caught.value)
    assert not (tmp_path / "out.pt").exists()


def test_a_model_bin_of_another_format_is_named_in_the_error(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path, 1000)
    (folder / "model.bin").write_bytes(b"\x02\x00\x00\x00" + b"\x00" * 100)
    transcriber = OpenAIWhisperTranscriber(str(folder), cache_dir=tmp_path / "cache")
    with pytest.raises(ModelUnavailable, match="binary version 2") as caught:
        transcriber.load()
    assert str(folder / "model.bin") in str(caught.value)


def test_a_damaged_checkpoint_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(
        ModelUnavailable, match="not a readable openai-whisper checkpoint"
    ) as caught:
        OpenAIWhisperTranscriber(str(path), cache_dir=tmp_path).load()
    assert str(path) in str(caught.value)


@pytest.mark.model
def test_a_damaged_cached_conversion_is_converted_again(tmp_path: Path) -> None:
    checkpoint, _ = resolve_checkpoint("tiny.en", tmp_path)
    (cached,) = (tmp_path / "openai-whisper").glob("tiny.en-*.pt")
    cached.write_bytes(cached.read_bytes()[:1000])
    again, heads = resolve_checkpoint("tiny.en", tmp_path)
    assert again["dims"] == checkpoint["dims"] == TINY_EN_DIMS
    assert heads is not None
    assert cached.stat().st_size > 1000


@pytest.mark.usefixtures("no_network")
def test_a_hub_model_not_in_whisper_cache_is_unavailable_without_network(
    tmp_path: Path, empty_whisper_cache: Path
) -> None:
    transcriber = OpenAIWhisperTranscriber("base.en", cache_dir=tmp_path)
    with pytest.raises(ModelUnavailable, match="never downloads") as caught:
        transcriber.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32))
    assert caught.value.model == "base.en"
    assert str(empty_whisper_cache / "base.en.pt") in str(caught.value)


@pytest.mark.usefixtures("no_network")
def test_a_hub_model_that_fails_its_checksum_is_unavailable(
    tmp_path: Path, empty_whisper_cache: Path
) -> None:
    empty_whisper_cache.mkdir(parents=True)
    (empty_whisper_cache / "base.en.pt").write_bytes(b"half a download")
    with pytest.raises(ModelUnavailable, match="SHA-256"):
        OpenAIWhisperTranscriber("base.en", cache_dir=tmp_path).load()


def test_an_unknown_model_name_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match=r"not 'tiny\.en'"):
        OpenAIWhisperTranscriber("no-such-model", cache_dir=tmp_path).load()


@pytest.mark.model
def test_an_unwritable_cache_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    with pytest.raises(ModelUnavailable, match="cannot be written") as caught:
        OpenAIWhisperTranscriber("tiny.en", cache_dir=tmp_path / "cache").load()
    assert str(tmp_path / "cache") in str(caught.value)
