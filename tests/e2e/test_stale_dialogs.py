"""A dialog answers the question it was opened for, or hands its text back; never another one."""

from __future__ import annotations

from typing import Any

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, button, private_answer, text_of, title
from tests.harness import FakeDiscord, Member, is_ephemeral

BACKPROP = "The chain rule gives the gradients of the loss."
VANISHING = "Saturating activations have small derivatives that multiply to almost nothing."
STALE = "That question is no longer open, so this answer was not graded; here is what you wrote."


async def open_dialog(fake: FakeDiscord, member: Member, message: dict[str, Any]) -> Any:
    """`member` presses Answer under `message`; the dialog's custom_id and field id."""
    opened = await fake.click(member, message, button(message, "Answer"))
    modal = (await opened.response())["data"]
    return modal["custom_id"], modal["components"][0]["components"][0]["custom_id"]


async def handed_back(submitted: Any) -> tuple[str, str]:
    """The ephemeral sentence and the echoed text a refused dialog got."""
    assert (await submitted.response())["type"] == 6
    reply = await submitted.followup()
    assert is_ephemeral(reply)
    return reply["content"], reply["embeds"][0]["description"]


async def test_a_dialog_left_open_while_a_typed_answer_moved_on_is_handed_back(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    command = await fake.run_command(
        cast.ada, fake.general, "interview", {"topic": "deep-learning"}
    )
    await private_answer(command)
    thread = await fake.wait_for_thread()
    question = await fake.wait_for_message(thread)
    dialog, field = await open_dialog(fake, cast.ada, question)
    assert dialog.endswith(":t-backprop")

    await fake.user_types(cast.ada, thread, BACKPROP)  # typed: the follow-up is now open
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")
    late = "My long answer about backpropagation, typed in the dialog."
    submitted = await fake.submit_modal(cast.ada, thread, dialog, {field: late})
    assert await handed_back(submitted) == (STALE, late)

    rows = await bot.app.repository.attempts_for(str(cast.ada.id))
    assert [(r.node_id, r.answer_text) for r in rows] == [("t-backprop", BACKPROP)]
    session = bot.app.manager.session_of(str(cast.ada.id))
    assert session is not None
    assert session.waiting is not None
    assert session.waiting.node_id == "t-backprop-vanishing"  # still waiting for its answer


async def test_the_same_dialog_submitted_twice_is_stored_once(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    command = await fake.run_command(
        cast.ada, fake.general, "interview", {"topic": "deep-learning"}
    )
    await private_answer(command)
    thread = await fake.wait_for_thread()
    question = await fake.wait_for_message(thread)
    dialog, field = await open_dialog(fake, cast.ada, question)
    first = await fake.submit_modal(cast.ada, thread, dialog, {field: BACKPROP})
    assert (await first.response())["type"] == 6
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")
    again = await fake.submit_modal(cast.ada, thread, dialog, {field: BACKPROP})
    assert await handed_back(again) == (STALE, BACKPROP)
    rows = await bot.app.repository.attempts_for(str(cast.ada.id))
    assert [r.node_id for r in rows] == ["t-backprop"]


async def test_open_floor_second_dialog_is_not_graded_against_the_follow_up(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    create = await fake.run_command(
        cast.ada,
        fake.general,
        "group",
        {"floor": "open", "questions": 1, "topic": "deep-learning"},
        subcommand="create",
    )
    await private_answer(create)
    thread = await fake.wait_for_thread()
    await fake.wait_for_message(thread)  # the lobby
    joined = await fake.run_command(cast.bob, thread, "group", subcommand="join")
    await private_answer(joined)
    await fake.run_command(cast.ada, thread, "group", subcommand="start")
    question = await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))

    ada_dialog, ada_field = await open_dialog(fake, cast.ada, question)
    bob_dialog, bob_field = await open_dialog(fake, cast.bob, question)
    assert ada_dialog == bob_dialog  # both are for the question itself
    await fake.submit_modal(cast.ada, thread, ada_dialog, {ada_field: BACKPROP})
    follow = await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")
    assert "Why do gradients vanish?" in text_of(follow)
    submitted = await fake.submit_modal(cast.bob, thread, bob_dialog, {bob_field: VANISHING})
    assert await handed_back(submitted) == (STALE, VANISHING)

    assert await bot.app.repository.attempts_for(str(cast.bob.id)) == []
    await fake.user_types(cast.bob, thread, VANISHING)  # typed now, it answers the follow-up
    mark = f"<@{cast.bob.id}>:"
    await fake.wait_for_message(thread, lambda m: (m["content"] or "").startswith(mark))
    rows = await bot.app.repository.attempts_for(str(cast.bob.id))
    assert [r.node_id for r in rows] == ["t-backprop-vanishing"]
