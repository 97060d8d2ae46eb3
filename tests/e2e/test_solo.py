"""Solo interviews through the real discord.py and the fake Discord."""

from __future__ import annotations

from bot.discord.client import InterviewBot
from bot.store.repository import SqlRepository
from tests.e2e.conftest import Cast, button, text_of, title
from tests.harness import FakeDiscord, is_ephemeral

MISSES_PREVENTION = "It memorises the noise in the training data and fails on unseen data."


async def start_interview(fake: FakeDiscord, member, topic: str = "fundamentals"):  # type: ignore[no-untyped-def]
    reply = await fake.run_command(member, fake.general, "interview", {"topic": topic})
    note = await reply.followup()
    assert is_ephemeral(note)
    thread = await fake.wait_for_thread()
    assert f"<#{thread.id}>" in note["content"]
    return thread


async def test_commands_are_synced(fake_discord: FakeDiscord, bot: InterviewBot) -> None:
    names = {c["name"] for c in fake_discord.world.global_commands}
    assert names == {
        "interview",
        "quickfire",
        "group",
        "skip",
        "hint",
        "end",
        "tips",
        "topics",
        "privacy",
        "leaderboard",
        "review",
        "stats",
        "daily",
        "remind",
    }
    group = next(c for c in fake_discord.world.global_commands if c["name"] == "group")
    assert {o["name"] for o in group["options"]} == {"create", "join", "leave", "start", "end"}


async def test_solo_session_through_two_follow_ups_to_the_reveal(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await start_interview(fake, cast.ada)
    question = await fake.wait_for_message(thread)
    assert title(question) == "Question 1/1 · fundamentals · beginner"
    assert "What is overfitting" in text_of(question)
    for label in ("Answer", "Hint", "Skip", "Done"):
        button(question, label)

    await fake.user_types(cast.ada, thread, MISSES_PREVENTION)
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 75%")
    probe = await fake.wait_for_message(thread)
    assert title(probe) == "Follow-up"
    assert "Name two ways to prevent overfitting." in text_of(probe)
    assert "Not yet covered: Regularization or cross-validation prevents it" in text_of(probe)

    await fake.user_types(cast.ada, thread, "A regularization penalty on the weights helps.")
    await fake.wait_for_message(thread)  # graded
    deeper = await fake.wait_for_message(thread)
    assert "How do L1 and L2 regularization differ?" in text_of(deeper)
    await fake.user_types(cast.ada, thread, "L1 sets weights to exactly zero; L2 shrinks them.")
    await fake.wait_for_message(thread)
    last = await fake.wait_for_message(thread)
    assert "relate to variance" in text_of(last)
    await fake.user_types(cast.ada, thread, "It means a high variance model.")
    await fake.wait_for_message(thread)
    reveal = await fake.wait_for_message(thread, lambda m: title(m).startswith("Reveal"))
    body = text_of(reveal)
    assert "Overfitting is when a model memorises noise" in body
    # the probe's answer earned the point the first answer missed, with the words that did
    assert (
        "✔ Regularization or cross-validation prevents it — “regularization” (in a follow-up)"
        in body
    )
    assert "✔ Fits noise in the training data — “" in body
    assert "Tie it to the bias-variance tradeoff." in body
    board = await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))
    assert f"<@{cast.ada.id}>" in text_of(board)
    # buttons were taken off the old question once it was answered
    assert fake.message(question["id"])["components"] == []
    repo = bot.app.repository
    assert isinstance(repo, SqlRepository)
    rows = await repo.attempts_for(str(cast.ada.id))
    assert [r.node_id for r in rows] == [
        "t-overfitting",
        "t-overfitting-prevention",
        "t-overfitting-l1-l2",
        "t-overfitting-variance",
    ]
    assert rows[0].guild_id == str(fake.guild.id)


async def test_answer_button_modal_hint_and_done(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await start_interview(fake, cast.ada, "deep-learning")
    question = await fake.wait_for_message(thread)
    hint = await fake.click(cast.ada, question, button(question, "Hint"))
    assert (await hint.response())["type"] == 6
    assert (await fake.wait_for_message(thread))["content"] == "💡 Think about: Chain rule"
    opened = await fake.click(cast.ada, question, button(question, "Answer"))
    modal = (await opened.response())["data"]
    field = modal["components"][0]["components"][0]
    assert field["max_length"] == 4000
    await fake.submit_modal(
        cast.ada,
        thread,
        modal["custom_id"],
        {field["custom_id"]: "The chain rule gives gradients of the loss."},
    )
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 90%")  # 100% less one hint
    follow = await fake.wait_for_message(thread)
    assert "Why do gradients vanish?" in text_of(follow)
    await fake.click(cast.ada, follow, button(follow, "Done"))
    reveal = await fake.wait_for_message(thread, lambda m: title(m).startswith("Reveal"))
    assert "The chain rule computes the gradient" in text_of(reveal)


async def test_a_stranger_cannot_press_the_buttons(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await start_interview(fake, cast.ada, "deep-learning")
    question = await fake.wait_for_message(thread)
    click = await fake.click(cast.bob, question, button(question, "Skip"))
    reply = await click.reply()
    assert is_ephemeral(reply)
    assert reply["content"] == "This session is not yours; join it or start your own."
    session = bot.app.manager.session_of(str(cast.ada.id))
    assert session is not None
    assert session.waiting_for_answer  # nothing changed
    await fake.user_types(cast.bob, thread, "The chain rule.")  # ignored: not a participant
    await fake.user_types(cast.ada, thread, "The chain rule gives the gradients of the loss.")
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>")


async def test_review_with_nothing_due_says_so(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    review = await fake_discord.run_command(cast.ada, fake_discord.general, "review")
    from tests.e2e.conftest import private_answer  # noqa: PLC0415

    assert await private_answer(review) == (
        "You have no answered questions to review yet; start with an interview."
    )
    assert fake_discord.threads == []


async def test_stats_shows_numbers_and_a_chart(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await start_interview(fake, cast.ada, "deep-learning")
    await fake.wait_for_message(thread)
    await fake.user_types(cast.ada, thread, "The chain rule gives the gradients of the loss.")
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")
    asked = await fake.run_command(cast.bob, fake.general, "stats", {"member": cast.ada})
    reply = await asked.followup()
    body = text_of(reply)
    assert "deep-learning: 100%" in body
    assert "Practice streak 1 days" in body
    [(name, png)] = fake.files_of(reply["id"])
    assert name == "progress.png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
