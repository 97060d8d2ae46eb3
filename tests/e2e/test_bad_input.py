"""Bad input and abuse: one clear ephemeral sentence, consistent state, nothing lost, no pings."""

from __future__ import annotations

import pytest

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, button, eventually, private_answer, text_of, title
from tests.harness import FakeDiscord, is_ephemeral

ANSWER = "The chain rule gives the gradients of the loss."


async def open_session(fake: FakeDiscord, cast: Cast, topic: str = "deep-learning"):  # type: ignore[no-untyped-def]
    command = await fake.run_command(cast.ada, fake.general, "interview", {"topic": topic})
    await private_answer(command)
    thread = await fake.wait_for_thread()
    question = await fake.wait_for_message(thread)
    return thread, question


async def test_second_interview_points_to_the_running_one(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    thread, _ = await open_session(fake_discord, cast)
    again = await fake_discord.run_command(cast.ada, fake_discord.general, "interview")
    assert await private_answer(again) == (
        f"You already have a session running in <#{thread.id}>; finish or /end it first."
    )
    assert len(fake_discord.threads) == 1


async def test_unknown_topic_and_wrong_channel(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    unknown = await fake.run_command(cast.ada, fake.general, "interview", {"topic": "astrology"})
    assert await private_answer(unknown) == (
        "There is no topic 'astrology'. Topics: classic-algorithms, deep-learning, fundamentals."
    )
    thread, _ = await open_session(fake, cast)
    inside = await fake.run_command(cast.bob, thread, "interview")
    assert await private_answer(inside) == (
        "Start a session from a text channel, not from inside a thread."
    )
    nothing = await fake.run_command(cast.bob, fake.general, "skip")
    assert await private_answer(nothing) == "That session has ended or never existed."


async def test_empty_and_huge_answers_are_refused_and_lose_nothing(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread, question = await open_session(fake, cast)
    for text, sentence, echo in (
        ("   ", "The answer is empty; type or say what you think.", None),
        (
            "x" * 10_000,
            "The answer is 10,000 characters; the limit is 4,000. Here is what you wrote.",
            "x" * 4096,  # Discord's own cap (4,000) keeps a real dialog inside one embed
        ),
    ):
        opened = await fake.click(cast.ada, question, button(question, "Answer"))
        modal = (await opened.response())["data"]
        field = modal["components"][0]["components"][0]["custom_id"]
        submitted = await fake.submit_modal(cast.ada, thread, modal["custom_id"], {field: text})
        assert (await submitted.response())["type"] == 6  # acknowledged quietly
        reply = await submitted.followup()
        assert is_ephemeral(reply)
        assert reply["content"] == sentence
        echoed = [e["description"] for e in reply.get("embeds") or []]
        assert echoed == ([echo] if echo else [])
    session = bot.app.manager.session_of(str(cast.ada.id))
    assert session is not None
    assert session.waiting_for_answer
    assert await bot.app.repository.attempts_for(str(cast.ada.id)) == []
    await fake.user_types(cast.ada, thread, ANSWER)
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 100%")


async def test_deleted_thread_ends_the_session_and_keeps_the_answers(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread, _ = await open_session(fake, cast)
    await fake.user_types(cast.ada, thread, ANSWER)
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")
    payload = thread.payload()
    del fake.world.channels[thread.id]
    fake.dispatch("THREAD_DELETE", {k: payload[k] for k in ("id", "guild_id", "parent_id", "type")})
    await eventually(lambda: bot.app.manager.session_of(str(cast.ada.id)) is None)
    rows = await bot.app.repository.attempts_for(str(cast.ada.id))
    assert [r.node_id for r in rows] == ["t-backprop"]
    restarted = await fake.run_command(cast.ada, fake.general, "interview")
    assert "Your interview is ready in" in await private_answer(restarted)


async def test_missing_thread_permission_is_one_sentence(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    fake.fail_next("POST", "/channels/{channel_id}/threads", 403)
    refused = await fake.run_command(cast.ada, fake.general, "interview")
    assert await private_answer(refused) == (
        "I am missing a permission here: I need View Channel, Send Messages, Create Public "
        "Threads and Send Messages in Threads."
    )
    assert bot.app.manager.session_of(str(cast.ada.id)) is None
    retry = await fake.run_command(cast.ada, fake.general, "interview")
    assert "Your interview is ready in" in await private_answer(retry)


async def test_the_bot_never_pings_anyone(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    create = await fake.run_command(
        cast.ada, fake.general, "group", {"floor": "open"}, subcommand="create"
    )
    await private_answer(create)
    thread = await fake.wait_for_thread()
    await fake.run_command(cast.bob, thread, "group", subcommand="join")
    await fake.run_command(cast.ada, thread, "group", subcommand="start")
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    await fake.user_types(cast.bob, thread, "@everyone @here <@&1> the chain rule, gradients")
    await fake.wait_for_message(thread, lambda m: "@everyone" not in text_of(m))
    await fake.run_command(cast.ada, thread, "end")
    await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))
    sent = [
        r
        for r in fake.requests
        if r["method"] in ("POST", "PATCH")
        and isinstance(r["json"], dict)
        and "content" in r["json"]
        and not r["path"].endswith("/callback")
    ]
    assert sent
    for request in sent:
        assert request["json"].get("allowed_mentions") == {"parse": []}, request
    assert not any("@everyone" in (m["content"] or "") for m in fake.bot_messages())


async def test_messages_outside_sessions_are_ignored_and_topics_autocomplete(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    await fake.user_types(cast.ada, fake.general, "the chain rule, gradients of the loss")
    typing = await fake.autocomplete(
        cast.ada, fake.general, "interview", {"topic": "learn"}, focused="topic"
    )
    await typing.response()
    assert [c["value"] for c in typing.choices or []] == ["deep-learning"]
    topics = await fake.run_command(cast.ada, fake.general, "topics")
    assert "**deep-learning**: 1 questions, 0 quick-fire" in await private_answer(topics)
    tips = await fake.run_command(cast.ada, fake.general, "tips")
    reply = await tips.reply()
    assert reply["embeds"][0]["fields"][0]["name"] == "Communication"
    # the typed message in #general got no answer: everything the bot said there is private
    assert all(m["flags"] & 64 for m in fake.bot_messages(fake.general))


@pytest.mark.parametrize(
    ("command", "subcommand"), [("interview", None), ("group", "create"), ("quickfire", None)]
)
async def test_every_session_command_autocompletes_topics_from_the_bank(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, command: str, subcommand: str | None
) -> None:
    typing = await fake_discord.autocomplete(
        cast.ada, fake_discord.general, command, {"topic": ""}, "topic", subcommand
    )
    await typing.response()
    assert [c["value"] for c in typing.choices or []] == bot.app.bank.topics()[:25]
    typing = await fake_discord.autocomplete(
        cast.ada, fake_discord.general, command, {"topic": "no such"}, "topic", subcommand
    )
    await typing.response()
    assert typing.choices == []
