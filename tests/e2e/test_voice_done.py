"""The Done speaking button ends a spoken answer at once, long before the end silence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.discord.client import InterviewBot
from bot.settings import Settings, SpeechSettings, VoiceSettings
from tests.e2e.conftest import Cast, button, private_answer
from tests.e2e.test_voice_sessions import VOICE, bot_finished_speaking, opt_in, say, start_voice
from tests.harness import FakeDiscord

pytestmark = pytest.mark.model

__all__ = ["say"]  # the fixture, shared with the voice session tests


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Speech settings with an end silence far longer than the test waits."""
    speech = SpeechSettings(cache_dir=tmp_path / "cache", voice=VOICE, rate=160)
    voice = VoiceSettings(end_silence_seconds=10)
    return settings.model_copy(update={"speech": speech, "voice": voice})


async def test_done_speaking_ends_the_answer_now(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, say: Callable[[str], bytes]
) -> None:
    fake = fake_discord
    room = fake.add_voice_channel("study room")
    thread, consent = await start_voice(fake, bot, cast.ada, room)
    await fake.wait_for_message(thread)  # the question
    await bot_finished_speaking(fake)
    await opt_in(fake, cast.ada, consent)
    await fake.voice_speak(cast.ada, say("The model memorizes the noise."))
    done = await fake.click(cast.ada, consent, button(consent, "Done speaking"))
    assert "transcribing what you said" in await private_answer(done)
    # Without the button the answer would end only after 10 s of silence; 8 s leaves time for
    # the transcription on a loaded machine and still fails without the click.
    said = await fake.wait_for_message(thread, lambda m: "said" in (m.get("content") or ""), 8)
    assert said["content"].startswith(f"🎙️ <@{cast.ada.id}> said")
