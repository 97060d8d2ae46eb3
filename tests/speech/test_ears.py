"""Ears: consent gates everything, answers are attributed to their speakers, no audio is kept."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import numpy as np
import pytest

from bot.speech.audio import DISCORD_FRAME_BYTES, to_discord_pcm
from bot.speech.capture import CaptureOptions
from bot.speech.ears import Ears
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.listen import HeardAnswer
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.vad import SileroDetector
from tests.speech.conftest import silence

pytestmark = pytest.mark.model


class AudioClock:
    """Time as the audio fed so far says (the test feeds faster than real time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def frames(samples: Samples) -> list[bytes]:
    """16 kHz speech as 20 ms Discord frames (48 kHz stereo s16le)."""
    pcm = to_discord_pcm(samples, SAMPLE_RATE)
    return [pcm[i : i + DISCORD_FRAME_BYTES] for i in range(0, len(pcm), DISCORD_FRAME_BYTES)]


async def play(ears: Ears, clock: AudioClock, voices: dict[str, list[bytes]]) -> None:
    """Push everyone's frames side by side from another thread, as the receive thread does."""
    length = max(len(f) for f in voices.values())

    def run() -> None:
        for index in range(length):
            clock.now = (index + 1) * 0.02
            for person, pcm in voices.items():
                if index < len(pcm):
                    ears.push(person, pcm[index])

    await asyncio.to_thread(run)


async def collect(ears: Ears, count: int) -> dict[str, HeardAnswer]:
    """The next `count` answers by speaker."""
    heard: dict[str, HeardAnswer] = {}
    async for person, answer in ears.answers():
        heard[person] = answer
        if len(heard) == count:
            return heard
    return heard


@pytest.fixture
async def ears(whisper: FasterWhisperTranscriber) -> Ears:
    """Ears on the real model and VAD, with an audio clock."""
    pool = TranscriptionPool(whisper, workers=2)
    clock = AudioClock()
    ears = Ears(SileroDetector(), pool, CaptureOptions(end_silence=0.8), clock=clock)
    ears.clock_for_test = clock  # type: ignore[attr-defined]
    return ears


async def test_two_speakers_at_once_are_attributed(
    ears: Ears, speak: Callable[[str], Samples]
) -> None:
    clock: AudioClock = ears.clock_for_test  # type: ignore[attr-defined]
    ears.consent("ada")
    ears.consent("bob")
    ears.listen()
    ada = frames(np.concatenate([speak("My answer is about the weather."), silence(1.5)]))
    bob = frames(
        np.concatenate([silence(0.5), speak("I would like to talk about music."), silence(1.5)])
    )
    await play(ears, clock, {"ada": ada, "bob": bob})
    heard = await asyncio.wait_for(collect(ears, 2), 30)
    assert "weather" in heard["ada"].transcript.text.lower()
    assert "music" in heard["bob"].transcript.text.lower()
    assert "music" not in heard["ada"].transcript.text.lower()
    await ears.close()


async def test_people_who_did_not_consent_are_never_heard(
    ears: Ears, speak: Callable[[str], Samples]
) -> None:
    clock: AudioClock = ears.clock_for_test  # type: ignore[attr-defined]
    ears.consent("ada")
    ears.listen()
    talk = frames(np.concatenate([speak("Dropout is a regulariser."), silence(1.5)]))
    await play(ears, clock, {"eve": talk, "ada": talk})
    heard = await asyncio.wait_for(collect(ears, 1), 30)
    assert set(heard) == {"ada"}
    assert ears.frames_ignored >= len(talk)  # every one of eve's frames was dropped unheard
    await asyncio.sleep(0.5)
    assert ears._answers.empty()
    await ears.close()


async def test_only_the_speaker_whose_turn_it_is(
    ears: Ears, speak: Callable[[str], Samples]
) -> None:
    clock: AudioClock = ears.clock_for_test  # type: ignore[attr-defined]
    for person in ("ada", "bob"):
        ears.consent(person)
    ears.listen(frozenset({"bob"}))
    talk = frames(np.concatenate([speak("Batch norm normalises activations."), silence(1.5)]))
    await play(ears, clock, {"ada": talk, "bob": talk})
    heard = await asyncio.wait_for(collect(ears, 1), 30)
    assert set(heard) == {"bob"}
    await ears.close()


async def test_withdrawing_or_stopping_discards_the_audio(
    ears: Ears, speak: Callable[[str], Samples]
) -> None:
    clock: AudioClock = ears.clock_for_test  # type: ignore[attr-defined]
    ears.consent("ada")
    ears.listen()
    talk = frames(speak("A long answer that is cut off before it ends"))
    await play(ears, clock, {"ada": talk})  # no trailing silence: still talking
    ears.withdraw("ada")
    assert not ears.has_consented("ada")
    assert ears._ears == {}
    await play(ears, clock, {"ada": talk})
    await asyncio.sleep(0.3)
    assert ears._answers.empty()
    await ears.close()
    assert threading.active_count() >= 1
