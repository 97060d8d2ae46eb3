"""SIGKILL the bot in the middle of a session, start a new process: the session goes on.

The bot runs in its own OS process (tests/e2e/bot_process.py) against the fake Discord and a
store of the test's own; the test kills it with SIGKILL (nothing is cleaned up), starts a new
one, and then uses what the member still has on screen: the old buttons, a dialog opened before
the kill, and typed answers.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.bank.loader import load_bank
from bot.engine.events import SessionStatus
from bot.store.repository import SqlRepository
from tests.conftest import DATA
from tests.e2e.bot_process import BotProcess
from tests.e2e.conftest import button, text_of, title
from tests.harness import FakeDiscord, Member, is_ephemeral
from tests.harness.fixtures import fake_discord

__all__ = ["fake_discord"]

BACKPROP = "The chain rule gives the gradients of the loss."
VANISHING = "Saturating activations have small derivatives that multiply to almost nothing."
RESTARTED = "🔄 I restarted; here is where we were."

Spawn = Callable[[], Coroutine[Any, Any, BotProcess]]


@pytest.fixture
async def spawn_bot(fake_discord: FakeDiscord, db_url: str, tmp_path: Path) -> AsyncIterator[Spawn]:
    """Start a bot process on the test's store (each call a new process); all stop at the end."""
    started: list[BotProcess] = []

    async def spawn() -> BotProcess:
        env = {
            "DISCORD_TOKEN": "restart-token",
            "INTERVIEW_BOT_STORE__URL": db_url,
            "INTERVIEW_BOT_BANK__PATHS": json.dumps([str(DATA / "mini_bank.yaml")]),
            "INTERVIEW_BOT_QUICKFIRE__GAP_SECONDS": "0",
            "INTERVIEW_BOT_LOGGING__LEVEL": "WARNING",
        }
        stderr = tmp_path / f"bot{len(started)}.log"
        process = await BotProcess.spawn(
            fake_discord.rest_base, fake_discord.gateway_url, env, stderr
        )
        started.append(process)
        await process.ready()
        return process

    yield spawn
    for process in started:
        await process.stop()


async def command(fake: FakeDiscord, member: Member, channel: Any, name: str, **kw: Any) -> str:
    """Run a slash command; the ephemeral sentence it got."""
    sent = await fake.run_command(member, channel, name, kw.pop("options", {}), **kw)
    await sent.response(timeout=10)
    reply = await sent.followup(timeout=10)
    assert is_ephemeral(reply)
    return str(reply["content"])


async def restart(fake: FakeDiscord, spawn: Spawn, old: BotProcess, thread: Any) -> Any:
    """SIGKILL `old`, start a new process; the thread's restart line."""
    await old.kill()
    await spawn()
    return await fake.wait_for_message(thread, lambda m: m["content"] == RESTARTED, timeout=10)


async def test_solo_old_buttons_an_open_dialog_and_typing_all_go_on_after_sigkill(
    fake_discord: FakeDiscord, spawn_bot: Spawn, repository: SqlRepository
) -> None:
    fake = fake_discord
    ada = fake.add_member("ada")
    first = await spawn_bot()
    note = await command(fake, ada, fake.general, "interview", options={"topic": "deep-learning"})
    assert "Your interview is ready" in note
    thread = await fake.wait_for_thread()
    question = await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    opened = await fake.click(ada, question, button(question, "Answer"))
    modal = (await opened.response())["data"]  # the dialog is open on ada's screen
    field = modal["components"][0]["components"][0]["custom_id"]

    await restart(fake, spawn_bot, first, thread)
    asked = await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    assert text_of(asked) == text_of(question)  # the same question, asked again
    assert [c["label"] for c in asked["components"][0]["components"]] == [
        "Answer",
        "Hint",
        "Skip",
        "Done",
    ]
    hint = await fake.click(ada, question, button(question, "Hint"))  # a button from before
    assert (await hint.response(timeout=10))["type"] == 6
    await fake.wait_for_message(thread, lambda m: m["content"].startswith("💡"), timeout=10)
    submitted = await fake.submit_modal(ada, thread, modal["custom_id"], {field: BACKPROP})
    assert (await submitted.response(timeout=10))["type"] == 6
    graded = await fake.wait_for_message(thread, lambda m: m["content"].startswith("<@"))
    assert graded["content"].startswith(f"<@{ada.id}>: 90%")  # the hint cost 10%
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up", timeout=10)
    await fake.user_types(ada, thread, VANISHING)
    await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m), timeout=10)

    rows = await repository.attempts_for(str(ada.id))
    assert [(r.node_id, r.hints_used) for r in rows] == [
        ("t-backprop", 1),
        ("t-backprop-vanishing", 0),
    ]
    assert await repository.running_sessions([0]) == []  # nothing left looking alive
    ended = await repository.session_row(rows[0].session_id)
    assert ended is not None
    assert ended.status is SessionStatus.COMPLETED


async def test_a_group_round_keeps_its_players_and_turns_after_sigkill(
    fake_discord: FakeDiscord, spawn_bot: Spawn, repository: SqlRepository
) -> None:
    fake = fake_discord
    ada, bob = fake.add_member("ada"), fake.add_member("bob")
    first = await spawn_bot()
    options = {"floor": "open", "questions": 1, "topic": "deep-learning"}
    await command(fake, ada, fake.general, "group", options=options, subcommand="create")
    thread = await fake.wait_for_thread()
    await command(fake, bob, thread, "group", subcommand="join")
    await command(fake, ada, thread, "group", subcommand="start")
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    await fake.user_types(ada, thread, BACKPROP)
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up", timeout=10)

    await restart(fake, spawn_bot, first, thread)
    again = await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up", timeout=10)
    assert "Why do gradients vanish?" in text_of(again)
    await fake.user_types(bob, thread, VANISHING)  # bob is still in the round
    board = await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m), timeout=10)
    assert f"<@{ada.id}>" in text_of(board)
    assert f"<@{bob.id}>" in text_of(board)
    assert [r.node_id for r in await repository.attempts_for(str(ada.id))] == ["t-backprop"]
    assert [r.node_id for r in await repository.attempts_for(str(bob.id))] == [
        "t-backprop-vanishing"
    ]


async def test_quickfire_restarts_the_open_item_after_sigkill(
    fake_discord: FakeDiscord, spawn_bot: Spawn, repository: SqlRepository
) -> None:
    fake = fake_discord
    ada = fake.add_member("ada")
    first = await spawn_bot()
    await command(fake, ada, fake.general, "quickfire", options={"count": 1, "seconds": 60})
    thread = await fake.wait_for_thread()
    item = await fake.wait_for_message(thread, lambda m: m["content"].startswith("⚡"))

    await restart(fake, spawn_bot, first, thread)
    again = await fake.wait_for_message(thread, lambda m: m["content"].startswith("⚡"))
    assert again["content"].split("\n")[0] == item["content"].split("\n")[0]  # the same item
    prompt = item["content"].split("**", 2)[2].split("\n")[0].strip()
    bank = load_bank([DATA / "mini_bank.yaml"])
    answer = next(i.answers[0] for i in bank.quickfire if i.prompt == prompt)
    await fake.user_types(ada, thread, answer)
    await fake.wait_for_message(thread, lambda m: "Leaderboard" in title(m), timeout=10)
    [row] = await repository.attempts_for(str(ada.id))
    assert row.outcome == "correct"
