"""Follow-ups rendered ahead: into the real TTS cache, bounded, and safe to drop mid-render."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.speech.audio import DISCORD_FRAME_BYTES
from bot.speech.prerender import Prerenderer, speech_pcm
from bot.speech.tts import Pyttsx3Speaker

pytestmark = pytest.mark.model

FOLLOW_UPS = [
    "Name two ways to prevent overfitting.",
    "How does dropout regularise a network?",
    "What does early stopping watch?",
    "Why does more data help?",
]


@pytest.fixture
def speaker(tmp_path: Path) -> Pyttsx3Speaker:
    """A voice with an empty cache of its own."""
    speaker = Pyttsx3Speaker(tmp_path, voice="gmw/en-us", rate=160)
    yield speaker  # type: ignore[misc]
    speaker.close()


async def test_the_first_follow_ups_are_rendered_ahead_at_low_priority(
    speaker: Pyttsx3Speaker,
) -> None:
    ahead = Prerenderer(speaker, limit=3)
    ahead.ahead([*FOLLOW_UPS[:2], FOLLOW_UPS[0], " ", *FOLLOW_UPS[2:]])  # repeats, blanks
    await ahead.wait()
    assert ahead.rendered == 3
    assert [speaker.cache_path(t).is_file() for t in FOLLOW_UPS] == [True, True, True, False]
    background = speaker._executor(background=True).submit(os.getpid).result()
    assert os.getpriority(os.PRIO_PROCESS, background) > os.getpriority(os.PRIO_PROCESS, 0)
    # Speaking one now takes it from the cache: nothing is synthesised again.
    path = speaker.cache_path(FOLLOW_UPS[1])
    written = path.stat().st_mtime_ns
    pcm = await speech_pcm(speaker, FOLLOW_UPS[1])
    assert len(pcm) % DISCORD_FRAME_BYTES == 0
    assert len(pcm) > 48_000 * 4  # more than a second of 48 kHz stereo 16-bit
    assert path.stat().st_mtime_ns == written


async def test_speech_wanted_while_its_prerender_is_dropped_still_comes(
    speaker: Pyttsx3Speaker,
) -> None:
    ahead = Prerenderer(speaker, limit=3)
    ahead.ahead([FOLLOW_UPS[0]])
    await asyncio.sleep(0)  # the prerender has started
    wanted = asyncio.ensure_future(speaker.render(FOLLOW_UPS[0]))  # the follow-up is asked
    await asyncio.sleep(0)
    ahead.ahead([FOLLOW_UPS[1]])  # the stage moves on to the next node's follow-ups
    path = await wanted
    assert path == speaker.cache_path(FOLLOW_UPS[0])
    assert path.is_file()
    await ahead.wait()
    assert speaker.cache_path(FOLLOW_UPS[1]).is_file()
