"""What a phone sends as a voice message: Ogg Opus at 48 kHz, with Discord's waveform.

Encoded with PyAV (FFmpeg's libopus), which the voice extra installs with faster-whisper.
"""

from __future__ import annotations

import base64
import io

import av
import numpy as np

from bot.speech.audio import resample
from bot.speech.ports import SAMPLE_RATE, Samples

OPUS_RATE = 48_000
FRAME = 960  # 20 ms at 48 kHz
WAVEFORM_POINTS = 256  # Discord's waveform is at most 256 bytes, one amplitude each


def ogg_opus(samples: Samples, rate: int = SAMPLE_RATE) -> bytes:
    """Encode mono audio as a phone would send a voice message: Ogg Opus at 48 kHz."""
    pcm = resample(samples, rate, to_rate=OPUS_RATE)
    out = io.BytesIO()
    with av.open(out, mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=OPUS_RATE, layout="mono")
        for start in range(0, pcm.size, FRAME):
            chunk = np.ascontiguousarray(pcm[start : start + FRAME])
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = OPUS_RATE
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def waveform(samples: Samples) -> str:
    """Discord's `waveform` of a voice message: base64 of up to 256 peak amplitudes (0-255)."""
    if samples.size == 0:
        return ""
    parts = np.array_split(np.abs(samples), min(WAVEFORM_POINTS, samples.size))
    peaks = [min(int(float(p.max()) * 255), 255) for p in parts]
    return base64.b64encode(bytes(peaks)).decode()


def seconds_of(samples: Samples, rate: int = SAMPLE_RATE) -> float:
    """The length Discord declares (`duration_secs`)."""
    return samples.size / rate
