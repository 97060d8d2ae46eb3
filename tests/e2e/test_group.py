"""Group rounds in a thread: joining, turns, attribution, control, the scoreboard."""

from __future__ import annotations

from bot.discord.client import InterviewBot
from tests.e2e.conftest import Cast, button, private_answer, text_of, title
from tests.harness import FakeDiscord


async def test_round_robin_with_three_members_and_the_scoreboard(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    create = await fake.run_command(
        cast.ada,
        fake.general,
        "group",
        {"floor": "round_robin", "questions": 3},
        subcommand="create",
    )
    assert "Your group round is open in" in await private_answer(create)
    thread = await fake.wait_for_thread()
    lobby = await fake.wait_for_message(thread)
    assert "/group join" in lobby["content"]
    for member in (cast.bob, cast.cy):
        joined = await fake.run_command(member, thread, "group", subcommand="join")
        assert "You are in" in await private_answer(joined)
        await fake.wait_for_message(thread)  # "Players: ..."
    refused = await fake.run_command(cast.bob, thread, "group", subcommand="start")
    assert await private_answer(refused) == (
        "Only the host or a moderator can start the round for everyone."
    )
    await fake.run_command(cast.ada, thread, "group", subcommand="start")

    for turn, other in ((cast.ada, cast.bob), (cast.bob, cast.cy), (cast.cy, cast.ada)):
        question = await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
        assert f"Your turn, <@{turn.id}>" in text_of(question)
        await fake.user_types(other, thread, "Let me answer this one instead.")
        nudge = await fake.wait_for_message(thread)
        assert nudge["content"] == "It is not your turn yet; wait for the next question."
        await fake.user_types(
            turn,
            thread,
            "The chain rule gives gradients; each centroid moves to the mean; it memorises noise.",
        )
        graded = await fake.wait_for_message(thread)
        assert graded["content"].startswith(f"<@{turn.id}>:")
        step = await fake.wait_for_message(
            thread, lambda m: title(m).startswith(("Follow-up", "Reveal"))
        )
        if title(step) == "Follow-up":  # the turn holder stops the follow-ups
            assert f"Your turn, <@{turn.id}>" in text_of(step)
            await fake.click(turn, step, button(step, "Done"))
        reveal = await fake.wait_for_message(thread, lambda m: title(m).startswith("Reveal"))
        if turn is not cast.cy:
            await fake.click(turn, reveal, button(reveal, "Next question"))
        else:
            assert reveal["components"] == []

    board = await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))
    body = text_of(board)
    for member in (cast.ada, cast.bob, cast.cy):
        assert f"<@{member.id}>" in body
    rows = [await bot.app.repository.attempts_for(str(m.id)) for m in (cast.ada, cast.bob, cast.cy)]
    assert all(rows)
    assert {r.mode for row in rows for r in row} == {"group"}


async def test_only_host_or_moderator_ends_for_everyone(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    create = await fake.run_command(
        cast.ada, fake.general, "group", {"floor": "open"}, subcommand="create"
    )
    await create.followup()
    thread = await fake.wait_for_thread()
    await fake.run_command(cast.bob, thread, "group", subcommand="join")
    await fake.run_command(cast.ada, thread, "group", subcommand="start")
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"))
    end = await fake.run_command(cast.bob, thread, "group", subcommand="end")
    assert await private_answer(end) == (
        "Only the host or a moderator can end the session for everyone."
    )
    end = await fake.run_command(cast.mod, thread, "group", subcommand="end")
    assert await private_answer(end) == "Round ended."
    board = await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))
    assert "(ended)" in title(board)
