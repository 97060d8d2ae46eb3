"""Damaged and truncated audio files: samples or one SpeechError sentence."""

from __future__ import annotations

import io

import av
import numpy as np
from hypothesis import given, settings

from bot.errors import SpeechError
from bot.speech.audio import load_audio, write_wav
from tests.fuzz.common import FUZZ, damaged_bytes
from tests.speech.test_bad_audio import mp3


def _encoded(container: str, codec: str, seconds: float = 1.0, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        tone = (0.3 * np.sin(np.arange(int(seconds * rate)) / 5)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


SEEDS = (
    mp3(1.0),
    mp3(1.0, 44_100),
    _encoded("flac", "flac"),
    _encoded("ogg", "libopus", rate=48_000),
    write_wav(np.sin(np.arange(8_000, dtype=np.float32) / 7), 8_000),
)


@settings(FUZZ, max_examples=120)
@given(data=damaged_bytes(SEEDS))
def test_damaged_audio_decodes_or_is_one_sentence(data: bytes) -> None:
    try:
        samples = load_audio(data)
    except SpeechError as exc:
        message = str(exc)
        assert message.endswith(".")
        assert "\n" not in message
    else:
        assert samples.dtype == np.float32
        assert samples.ndim == 1
