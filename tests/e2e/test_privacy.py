"""/privacy export and /privacy delete through the real bot."""

from __future__ import annotations

import json

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, button, private_answer, title
from tests.harness import FakeDiscord, is_ephemeral


async def test_export_then_delete_with_confirmation(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    start = await fake.run_command(cast.ada, fake.general, "interview", {"topic": "deep-learning"})
    await private_answer(start)
    thread = await fake.wait_for_thread()
    await fake.wait_for_message(thread)
    await fake.user_types(cast.ada, thread, "The chain rule gives gradients of the loss.")
    await fake.wait_for_message(thread, lambda m: title(m) == "Follow-up")

    export = await fake.run_command(cast.ada, fake.general, "privacy", subcommand="export")
    note = await export.followup()
    assert is_ephemeral(note)
    assert note["content"] == "1 answers in 1 sessions."
    [(name, body)] = fake.files_of(note["id"])
    assert name == "interview-bot-data.json"
    data = json.loads(body)
    assert data["attempts"][0]["answer_text"] == "The chain rule gives gradients of the loss."

    ask = await fake.run_command(cast.ada, fake.general, "privacy", subcommand="delete")
    prompt = await ask.reply()
    assert is_ephemeral(prompt)
    stranger = await fake.click(cast.bob, prompt, button(prompt, "Delete everything"))
    assert await private_answer(stranger) == "This confirmation is not yours."
    busy = await fake.click(cast.ada, prompt, button(prompt, "Delete everything"))
    assert await private_answer(busy) == "End your running session first, then delete."
    await fake.run_command(cast.ada, thread, "end")
    await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))
    done = await fake.click(cast.ada, prompt, button(prompt, "Delete everything"))
    await done.response()
    edited = await fake.wait_for_edit(prompt["id"], lambda m: m["content"].startswith("Done"))
    assert edited["content"] == "Done: 1 answers and your place in every session are deleted."
    assert await bot.app.repository.export_user(str(cast.ada.id)) == {
        "user_id": str(cast.ada.id),
        "sessions": [],
        "attempts": [],
    }
