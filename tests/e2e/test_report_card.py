"""The report card at the end of a session, through the real discord.py and the fake Discord.

Ada finishes a solo interview: the room gets her card (scores, missed points by topic, when the
question comes back in /review) with its chart attached and an Export button. Export gives her
the card as a Markdown file that only she sees; Bob pressing it gets one sentence. A group round
keeps its scoreboard and adds My report, which gives each member their own card. The Export
button still works when a new bot process answers it.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, button, private_answer, text_of, title
from tests.e2e.test_restart import Spawn, command, spawn_bot
from tests.harness import FakeDiscord, components_of, is_ephemeral
from tests.harness.layout import COMPONENTS_V2, FILE, MEDIA_GALLERY, TEXT_DISPLAY

__all__ = ["spawn_bot"]  # the bot-in-its-own-process fixture, for the restart test

PARTIAL_OVERFIT = "It memorises the noise in the training data and fails on unseen data."
BACKPROP = "The chain rule gives the gradients of the loss."
VANISHING = "Saturating activations have small derivatives that multiply to almost nothing."
PNG = b"\x89PNG\r\n\x1a\n"


def texts(message: dict[str, Any]) -> list[str]:
    """The text displays of a components V2 message, in order."""
    return [c["content"] for c in components_of(message) if c["type"] == TEXT_DISPLAY]


def card_title(message: dict[str, Any]) -> str:
    """A report card's heading ('' when the message is not a card)."""
    first = (texts(message) or [""])[0].split("\n")[0]
    return first.removeprefix("## ") if first.startswith("## Report card") else ""


def is_card(message: dict[str, Any]) -> bool:
    return bool(card_title(message))


def media_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The media the message's galleries show."""
    galleries = [c for c in components_of(message) if c["type"] == MEDIA_GALLERY]
    return [item["media"] for gallery in galleries for item in gallery["items"]]


async def finish_a_solo_interview(fake: FakeDiscord, cast: Cast) -> Any:
    """Ada answers the overfitting question in part and presses Done at the follow-up."""
    start = await fake.run_command(cast.ada, fake.general, "interview", {"topic": "fundamentals"})
    await private_answer(start)
    thread = await fake.wait_for_thread()
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    await fake.user_types(cast.ada, thread, PARTIAL_OVERFIT)
    follow_up = await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")
    done = await fake.click(cast.ada, follow_up, button(follow_up, "Done"))
    await done.response()
    return thread


async def test_solo_session_ends_with_a_report_card_its_chart_and_export(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    thread = await finish_a_solo_interview(fake, cast)
    await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))

    card = await fake.wait_for_message(thread, is_card, timeout=15)
    assert card["flags"] & COMPONENTS_V2
    assert card["content"] == ""
    assert card["embeds"] == []
    heading, scores, missed, back = texts(card)
    assert heading == f"## Report card · 75% over 1 question\nfor <@{cast.ada.id}>"
    assert scores == (
        "**Scores**\n1. 75% · fundamentals · What is overfitting and how do you prevent it?"
    )
    assert missed == (
        "**Key points missed**\n*fundamentals*\n✘ Regularization or cross-validation prevents it"
    )
    assert back.startswith("**Back in /review**\n• in 10 minutes: What is overfitting")
    # the chart is inside the card: its gallery shows the uploaded image
    [(name, png)] = fake.files_of(card["id"])
    assert name == "report.png"
    assert png.startswith(PNG)
    [attachment] = card["attachments"]
    assert [m["url"] for m in media_of(card)] == [attachment["url"]]

    stranger = await fake.click(cast.bob, card, button(card, "Export"))
    assert await private_answer(stranger) == (
        "This report card is not yours; end a session of your own for one."
    )
    export = await fake.click(cast.ada, card, button(card, "Export"))
    assert (await export.response())["type"] == 5  # deferred: the file comes as a follow-up
    note = await export.followup(timeout=10)
    assert is_ephemeral(note)
    assert note["content"] == "Your report card, as Markdown."
    [(filename, markdown)] = fake.files_of(note["id"])
    assert filename.startswith("report-")
    assert filename.endswith(".md")
    text = markdown.decode()
    assert text.startswith("# Report card · 75% over 1 question\n")
    assert "| 1 | 75% | fundamentals | What is overfitting and how do you prevent it? |" in text
    assert "### fundamentals\n\n- Regularization or cross-validation prevents it\n" in text
    assert "## Back in /review\n\n- in 10 minutes: What is overfitting" in text
    # the Markdown went to her alone: no message everyone sees carries it
    everyone = [m for m in fake.messages_in(thread, bot_only=True) if not is_ephemeral(m)]
    shared = [name for m in everyone for name, _ in fake.files_of(m["id"])]
    assert shared == ["report.png"]


async def test_group_round_keeps_its_scoreboard_and_gives_each_member_their_report(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    options = {"floor": "open", "questions": 1, "topic": "deep-learning"}
    create = await fake.run_command(cast.ada, fake.general, "group", options, subcommand="create")
    await private_answer(create)
    thread = await fake.wait_for_thread()
    await private_answer(await fake.run_command(cast.bob, thread, "group", subcommand="join"))
    await private_answer(await fake.run_command(cast.ada, thread, "group", subcommand="start"))
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    await fake.user_types(cast.ada, thread, BACKPROP)
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")
    await fake.user_types(cast.bob, thread, VANISHING)

    board = await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))
    assert f"<@{cast.ada.id}>" in text_of(board)
    assert f"<@{cast.bob.id}>" in text_of(board)
    mine = button(board, "My report")

    ada = await fake.click(cast.ada, board, mine)
    ada_card = await ada.followup(timeout=15)
    assert is_ephemeral(ada_card)
    assert ada_card["flags"] & COMPONENTS_V2
    assert card_title(ada_card) == "Report card · 100% over 1 question"
    assert f"for <@{cast.ada.id}>" in texts(ada_card)[0]
    assert "Explain backpropagation." in texts(ada_card)[1]
    names = [name for name, _ in fake.files_of(ada_card["id"])]
    assert names[0] == "report.png"
    assert names[1].endswith(".md")
    [shown] = [c for c in components_of(ada_card) if c["type"] == FILE]
    assert shown["name"] == names[1]  # the Markdown file is in the card

    bob = await fake.click(cast.bob, board, mine)
    bob_card = await bob.followup(timeout=15)
    assert is_ephemeral(bob_card)
    bob_text = "\n".join(texts(bob_card))
    assert f"for <@{cast.bob.id}>" in bob_text
    assert f"<@{cast.ada.id}>" not in bob_text  # his own answers only
    assert "1 follow-up" in bob_text

    outsider = await fake.click(cast.cy, board, mine)
    assert await private_answer(outsider) == (
        "This session is not yours; join it or start your own."
    )
    # no card was posted in the room: only the scoreboard ends a group round
    shown = [m for m in fake.messages_in(thread, bot_only=True) if not is_ephemeral(m)]
    assert [m for m in shown if is_card(m)] == []
    assert len([m for m in fake.messages_in(thread) if is_card(m)]) == 2  # the two private ones


async def test_export_works_after_the_bot_restarts(
    fake_discord: FakeDiscord, spawn_bot: Spawn
) -> None:
    fake = fake_discord
    ada, bob = fake.add_member("ada"), fake.add_member("bob")
    first = await spawn_bot()
    note = await command(fake, ada, fake.general, "interview", options={"topic": "deep-learning"})
    assert "Your interview is ready" in note
    thread = await fake.wait_for_thread()
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"), timeout=10)
    await fake.user_types(ada, thread, BACKPROP)
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up", timeout=10)
    await fake.user_types(ada, thread, VANISHING)
    card = await fake.wait_for_message(thread, is_card, timeout=30)

    await first.kill()  # the card's Export button stays on screen; a new process answers it
    await spawn_bot()
    export = await fake.click(ada, card, button(card, "Export"))
    note_after = await export.followup(timeout=30)
    assert is_ephemeral(note_after)
    [(_, markdown)] = fake.files_of(note_after["id"])
    text = markdown.decode()
    assert text.splitlines()[0] == f"# {card_title(card)}"
    assert "| deep-learning | Explain backpropagation. |" in text
    stranger = await fake.click(bob, card, button(card, "Export"))
    assert await private_answer(stranger) == (
        "This report card is not yours; end a session of your own for one."
    )


async def test_without_attach_files_the_card_comes_without_its_chart(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    for role in fake.guild.roles:  # the bot may no longer upload files in this server
        role.permissions &= ~discord.Permissions(attach_files=True).value
    thread = await finish_a_solo_interview(fake, cast)
    card = await fake.wait_for_message(thread, is_card, timeout=15)
    assert card_title(card) == "Report card · 75% over 1 question"
    assert media_of(card) == []
    assert fake.files_of(card["id"]) == []
    export = await fake.click(cast.ada, card, button(card, "Export"))
    assert is_ephemeral(await export.followup(timeout=10))  # a private reply is no upload here
