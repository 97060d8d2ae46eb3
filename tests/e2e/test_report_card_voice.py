"""A spoken solo session ends with a report card that shows the delivery: pace and fillers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, button, title
from tests.e2e.test_report_card import is_card, texts
from tests.e2e.test_voice_sessions import opt_in, room, say, settings, start_voice
from tests.harness import FakeDiscord
from tests.harness.world import Channel

__all__ = ["room", "say", "settings"]  # the voice fixtures this test uses

pytestmark = pytest.mark.model


async def test_a_spoken_answer_puts_pace_and_fillers_on_the_card(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    room: Channel,
    say: Callable[[str], bytes],
) -> None:
    fake = fake_discord
    thread, consent = await start_voice(
        fake, bot, cast.ada, room, options={"topic": "fundamentals"}
    )
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    await opt_in(fake, cast.ada, consent)
    await fake.voice_speak(
        cast.ada, say("Um, the model memorizes the noise and fails on new data.")
    )
    follow_up = await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up", timeout=30)
    done = await fake.click(cast.ada, follow_up, button(follow_up, "Done"))
    await done.response()

    card = await fake.wait_for_message(thread, is_card, timeout=30)
    delivery = texts(card)[-1]
    assert delivery.startswith("**Delivery (spoken answers)**\nPace: ")
    assert "words per minute on average, steady (" in delivery  # one answer: no trend yet
    assert "Fillers: " in delivery
    assert "What is overfitting" in texts(card)[1]
    [(name, png)] = fake.files_of(card["id"])
    assert name == "report.png"
    assert png.startswith(b"\x89PNG")
