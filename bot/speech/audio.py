"""Audio in and out: decode any file to Whisper's 16 kHz mono, convert to and from Discord PCM."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import av
import numpy as np

from bot.errors import SpeechError
from bot.speech.ports import SAMPLE_RATE, Samples

DISCORD_RATE = 48_000
DISCORD_CHANNELS = 2
# One Discord voice frame: 20 ms of 48 kHz stereo signed 16-bit PCM.
DISCORD_FRAME_BYTES = DISCORD_RATE // 50 * DISCORD_CHANNELS * 2


def load_audio(source: Path | bytes) -> Samples:
    """Decode WAV/FLAC/OGG/MP3/... at any rate and channel count to 16 kHz mono float32.

    Whatever the bytes hold, the only error is a SpeechError with one sentence: a damaged file
    can make the decoder fail anywhere (FFmpeg errors, PyAV's ValueErrors), or change its rate
    or layout halfway (each run of frames is then resampled on its own)."""
    name = str(source) if isinstance(source, Path) else "the audio"
    handle = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        with av.open(handle, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise SpeechError(f"{name} holds no audio stream.")
            frames = _decoded(container)
    except FileNotFoundError:
        raise SpeechError(f"{name} does not exist.") from None
    except IsADirectoryError:
        raise SpeechError(f"{name} is a folder, not an audio file.") from None
    except av.FFmpegError as exc:
        raise SpeechError(f"{name} is not an audio file this bot can read ({exc}).") from None
    except SpeechError:
        raise
    except Exception as exc:  # a damaged file may fail anywhere in the decoder
        raise SpeechError(
            f"{name} is damaged or not an audio file this bot can read "
            f"({type(exc).__name__}: {exc})."
        ) from None
    return _samples_of(frames)


def _decoded(container: av.container.InputContainer) -> list[av.AudioFrame]:
    """Every frame of the first audio stream at 16 kHz mono float32."""
    out: list[av.AudioFrame] = []
    resampler: av.AudioResampler | None = None
    shape: tuple[str, str, int] | None = None
    for frame in container.decode(audio=0):
        frame_shape = (frame.format.name, frame.layout.name, frame.sample_rate)
        if resampler is None or frame_shape != shape:
            if resampler is not None:
                out += resampler.resample(None)  # flush what the old filter still holds
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            shape = frame_shape
        out += resampler.resample(frame)
    if resampler is not None:
        out += resampler.resample(None)
    return out


def resample(samples: Samples, rate: int, *, to_rate: int) -> Samples:
    """Resample mono float32 audio."""
    if samples.size == 0 or rate == to_rate:
        return np.asarray(samples, dtype=np.float32)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=to_rate)
    return _samples_of([*resampler.resample(_frame(samples, rate)), *resampler.resample(None)])


def to_discord_pcm(samples: Samples, rate: int) -> bytes:
    """Mono float32 at any rate to Discord's 48 kHz stereo s16le, padded to whole 20 ms frames."""
    mono = resample(samples, rate, to_rate=DISCORD_RATE)
    stereo = np.repeat(mono, DISCORD_CHANNELS)  # the same signal in both channels, interleaved
    pcm = (np.clip(stereo, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    remainder = len(pcm) % DISCORD_FRAME_BYTES
    return pcm + b"\0" * (DISCORD_FRAME_BYTES - remainder) if remainder else pcm


def from_discord_pcm(pcm: bytes) -> Samples:
    """Discord's 48 kHz stereo s16le to 16 kHz mono float32 (channels averaged)."""
    return resample(_mono(pcm, DISCORD_CHANNELS), DISCORD_RATE, to_rate=SAMPLE_RATE)


def read_wav(data: bytes) -> tuple[Samples, int]:
    """A 16-bit PCM WAV (any rate, mono or stereo) as mono float32 and its sample rate."""
    with wave.open(io.BytesIO(data), "rb") as reader:
        if reader.getsampwidth() != 2:
            raise SpeechError("Only 16-bit PCM WAV is expected here.")
        channels = reader.getnchannels()
        rate = reader.getframerate()
        raw = reader.readframes(reader.getnframes())
    return _mono(raw, channels), rate


def write_wav(samples: Samples, rate: int) -> bytes:
    """Mono float32 as a 16-bit PCM WAV file's bytes."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


class Downsampler:
    """A stream of Discord PCM (48 kHz stereo s16le) to 16 kHz mono float32, frame by frame.

    One per speaker: the resampler keeps its filter state between frames, so frame edges add
    no clicks. Not thread-safe on its own; each speaker's frames arrive on one thread.
    """

    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        self._pts = 0

    def __call__(self, pcm: bytes) -> Samples:
        """Convert one or more whole frames of Discord PCM."""
        mono = _mono(pcm, DISCORD_CHANNELS)
        if not mono.size:
            return mono
        frame = _frame(mono, DISCORD_RATE)
        frame.pts = self._pts
        self._pts += mono.size
        return _samples_of(self._resampler.resample(frame))


def _mono(pcm: bytes, channels: int) -> Samples:
    """Interleaved s16le PCM as float32 in [-1, 1], channels averaged (whole frames only)."""
    usable = len(pcm) - len(pcm) % (2 * channels)
    raw = np.frombuffer(pcm[:usable], dtype="<i2").reshape(-1, channels)
    mono: Samples = (raw.mean(axis=1, dtype=np.float32) / 32768.0).astype(np.float32)
    return mono


def _frame(samples: Samples, rate: int) -> av.AudioFrame:
    """Mono float32 samples as a PyAV frame."""
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1), format="flt", layout="mono"
    )
    frame.sample_rate = rate
    return frame


def _samples_of(frames: list[av.AudioFrame]) -> Samples:
    """The resampler's output frames as one mono float32 array."""
    if not frames:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32)
