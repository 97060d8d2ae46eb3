"""The session goes on through a gateway drop, a 429 and a 500."""

from __future__ import annotations

import time

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, private_answer, title
from tests.harness import FakeDiscord

ANSWER = "The chain rule gives the gradients of the loss."


async def open_session(fake: FakeDiscord, cast: Cast):  # type: ignore[no-untyped-def]
    command = await fake.run_command(
        cast.ada, fake.general, "interview", {"topic": "deep-learning"}
    )
    await private_answer(command)
    thread = await fake.wait_for_thread()
    await fake.wait_for_message(thread)
    return thread


async def test_gateway_drop_mid_session(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await open_session(fake, cast)
    await fake.drop_gateway()
    resume = await fake.wait_for_resume()
    assert resume["d"]["session_id"]
    await fake.user_types(cast.ada, thread, ANSWER)
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 100%")
    follow = await fake.wait_for_message(thread)
    assert title(follow) == "Follow-up"


async def test_rate_limit_is_waited_out(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await open_session(fake, cast)
    fake.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.4)
    sent = time.monotonic()
    await fake.user_types(cast.ada, thread, ANSWER)
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 100%")
    assert len(fake.faults_triggered) == 1
    assert time.monotonic() - sent >= 0.4


async def test_server_error_is_retried(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await open_session(fake, cast)
    fake.fail_next("POST", "/channels/{channel_id}/messages", 500)
    await fake.user_types(cast.ada, thread, ANSWER)
    graded = await fake.wait_for_message(thread, timeout=10)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 100%")
    assert [f["status"] for f in fake.faults_triggered] == [500]
