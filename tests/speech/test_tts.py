"""pyttsx3 text to speech: complete files, the disk cache, Discord's format."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from bot.errors import SpeechError
from bot.speech.audio import DISCORD_FRAME_BYTES, load_audio, read_wav, to_discord_pcm
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.ports import SAMPLE_RATE
from bot.speech.tts import TTS_RATE, Pyttsx3Speaker

pytestmark = pytest.mark.model

LONG = (
    " ".join(
        f"Point number {n}: regularisation trades a little bias for less variance."
        for n in range(1, 41)
    )
    + " The last sentence is about gradient boosting."
)


def test_a_long_text_is_rendered_to_the_end(
    speaker: Pyttsx3Speaker, whisper: FasterWhisperTranscriber
) -> None:
    path = speaker.render_sync(LONG)
    with wave.open(str(path), "rb") as reader:
        assert (reader.getframerate(), reader.getnchannels()) == (TTS_RATE, 1)
        seconds = reader.getnframes() / TTS_RATE
    words = len(LONG.split())
    assert seconds > words / 160 * 60 * 0.6  # 160 words per minute, with slack for espeak
    # The file really holds the end of the text, not just the start (the runAndWait trap).
    tail = load_audio(path)[-int(6 * SAMPLE_RATE) :]
    assert "the last sentence" in whisper.transcribe(tail).text.lower()


def test_renders_are_cached_by_text_voice_and_rate(speaker: Pyttsx3Speaker, tmp_path: Path) -> None:
    first = speaker.render_sync("What is a confusion matrix?")
    stamp = first.stat().st_mtime_ns
    again = speaker.render_sync("What is a  confusion matrix?")  # whitespace does not matter
    assert again == first
    assert again.stat().st_mtime_ns == stamp
    faster = Pyttsx3Speaker(tmp_path, rate=220)
    try:
        assert faster.cache_path("What is a confusion matrix?") != first
        fast_path = faster.render_sync("What is a confusion matrix?")
        assert read_wav(fast_path.read_bytes())[0].size < read_wav(first.read_bytes())[0].size
    finally:
        faster.close()


async def test_concurrent_renders_share_one_synthesis(speaker: Pyttsx3Speaker) -> None:
    paths = await asyncio.gather(
        *(speaker.render("Define precision and recall.") for _ in range(4))
    )
    assert len(set(paths)) == 1
    assert paths[0].is_file()


def test_empty_text_is_refused(speaker: Pyttsx3Speaker) -> None:
    with pytest.raises(SpeechError, match="no text"):
        speaker.render_sync("   ")


def test_speech_converts_to_whole_discord_frames(speaker: Pyttsx3Speaker) -> None:
    samples, rate = read_wav(speaker.render_sync("Tell me about dropout.").read_bytes())
    assert rate == TTS_RATE
    pcm = to_discord_pcm(samples, rate)
    assert len(pcm) % DISCORD_FRAME_BYTES == 0
    # 48 kHz, stereo, 16-bit: 192,000 bytes a second; padding adds less than one 20 ms frame.
    assert 0 <= len(pcm) / 192_000 - samples.size / rate < 0.021


_ORPHAN_SCRIPT = """
import os, sys, time
from pathlib import Path
from bot.speech.tts import Pyttsx3Speaker
speaker = Pyttsx3Speaker(Path(sys.argv[1]))
speaker.render_sync("hello")
print(speaker.worker_pid(), flush=True)
time.sleep(600)
"""


def test_the_worker_process_exits_when_the_bot_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed bot (a crash, an OOM kill) leaves no speech worker behind."""
    with subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers, "the speaker started no worker"
        parent.kill()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]


def _alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
