"""A voice message answers the question of the day: heard, graded as spoken, the grade private."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.discord.client import InterviewBot
from bot.engine.clock import ManualClock
from bot.settings import Settings, SpeechSettings, VoiceSettings
from bot.speech.ports import Samples
from tests.e2e.conftest import Cast, button, private_answer, title
from tests.e2e.test_daily import HOUR, daily_threads, runner_asleep, set_daily
from tests.e2e.test_voice_messages import PRIVACY, VOICE, record, reply_to, speak
from tests.harness import FakeDiscord, is_ephemeral

pytestmark = pytest.mark.model

__all__ = ["speak"]  # the fixture, shared with the voice message tests


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The e2e settings plus speech."""
    speech = SpeechSettings(cache_dir=tmp_path / "cache", voice=VOICE, workers=1)
    voice = VoiceSettings(message_max_seconds=30)
    return settings.model_copy(update={"speech": speech, "voice": voice})


async def test_a_voice_message_answers_the_question_of_the_day(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    clock: ManualClock,
    speak: Callable[[str], Samples],
) -> None:
    fake = fake_discord
    await set_daily(fake, cast)
    await runner_asleep(bot)
    await clock.advance(8 * HOUR)
    [thread] = daily_threads(fake)
    await fake.wait_for_message(thread)  # the Answer button

    sent = await record(fake, cast.bob, thread, speak("The model memorizes the noise."))
    assert PRIVACY in (await reply_to(fake, thread, sent))["content"]
    transcript = await reply_to(fake, thread, sent)
    assert transcript["content"].startswith(f"🎙️ <@{cast.bob.id}> said (")
    assert "noise" in transcript["content"].lower()
    receipt = await reply_to(fake, thread, sent)
    assert receipt["content"] == "Answer graded; only its author can see the grade."
    mine = await fake.click(cast.bob, receipt, button(receipt, "See my grade"))
    graded = await mine.reply()
    assert is_ephemeral(graded)
    assert title(graded).startswith("Your grade: ")
    [stored] = await bot.app.repository.attempts_for(str(cast.bob.id))
    assert "noise" in stored.answer_text.lower()

    # After the reveal a recording is refused before anything is downloaded.
    downloads = len(fake.cdn_downloads)
    done = await fake.run_command(cast.mod, fake.general, "daily", subcommand="reveal")
    assert "is in" in await private_answer(done)
    late = await record(fake, cast.ada, thread, speak("Too late."))
    refused = await reply_to(fake, thread, late)
    assert refused["content"].startswith("This question of the day has been revealed")
    assert len(fake.cdn_downloads) == downloads
