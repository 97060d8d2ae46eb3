"""Two /interview at once: one thread, and the second is pointed to it."""

from __future__ import annotations

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, private_answer
from tests.harness import FakeDiscord


async def test_a_second_interview_at_once_opens_no_thread_and_links_the_first(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    first = await fake.run_command(cast.ada, fake.general, "interview", {"topic": "deep-learning"})
    second = await fake.run_command(cast.ada, fake.general, "interview", {"topic": "fundamentals"})
    ready = await private_answer(first)
    thread = await fake.wait_for_thread()
    assert ready == f"Your interview is ready in <#{thread.id}>."
    assert await private_answer(second) == (
        f"You already have a session running in <#{thread.id}>; finish or /end it first."
    )
    created = fake.requests_to("POST", "/channels/{channel_id}/threads")
    assert len(created) == 1  # no second thread, not even for a moment
    assert [t["id"] for t in fake.threads] == [str(thread.id)]
