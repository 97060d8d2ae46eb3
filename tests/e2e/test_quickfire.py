"""Quick-fire in a thread: one countdown message edited in place, time-ups, streaks."""

from __future__ import annotations

from bot.discord.client import InterviewBot
from bot.engine.clock import ManualClock
from tests.e2e.conftest import Cast, private_answer, text_of, title
from tests.harness import FakeDiscord

ANSWERS = {
    "Which penalty gives sparse weights?": "Lasso",
    "What do we breathe?": "air!",
    "Name a boosting library.": "xgboost",
}


def answer_for(message: dict[str, object]) -> str:
    return next(a for prompt, a in ANSWERS.items() if prompt in str(message["content"]))


async def test_countdown_time_up_streaks_and_leaderboard(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, clock: ManualClock
) -> None:
    fake = fake_discord
    command = await fake.run_command(
        cast.ada, fake.general, "quickfire", {"count": 3, "seconds": 10}
    )
    assert "Quick-fire is on in" in await private_answer(command)
    thread = await fake.wait_for_thread()

    first = await fake.wait_for_message(thread, lambda m: "[1/3]" in m["content"])
    assert "⏱ 10 s" in first["content"]
    await clock.advance(5)
    await fake.wait_for_edit(first["id"], lambda m: "⏱ 5 s" in m["content"])
    await clock.advance(5)
    over = await fake.wait_for_edit(first["id"], lambda m: "Time is up" in m["content"])
    assert f"**{ANSWERS_FIRST(first)}**" in over["content"]

    second = await fake.wait_for_message(thread, lambda m: "[2/3]" in m["content"])
    await fake.user_types(cast.ada, thread, "chair")  # wrong, and the only player: revealed
    wrong = await fake.wait_for_message(thread)
    assert wrong["content"] == f"<@{cast.ada.id}>: ❌ not quite"
    await fake.wait_for_edit(second["id"], lambda m: "Nobody got it" in m["content"])
    await clock.advance(0)  # the gap before the next item (0 s here) runs on the engine clock

    third = await fake.wait_for_message(thread, lambda m: "[3/3]" in m["content"])
    await clock.advance(1)
    await fake.user_types(cast.ada, thread, answer_for(third))
    right = await fake.wait_for_message(thread)
    assert right["content"] == f"<@{cast.ada.id}>: ✅ streak 1"
    await fake.wait_for_edit(third["id"], lambda m: "got it" in m["content"])

    board = await fake.wait_for_message(thread, lambda m: "Leaderboard" in title(m))
    assert f"<@{cast.ada.id}>: 1 correct, best streak 1, 1.0 s avg" in text_of(board)
    countdowns = [m for m in fake.bot_messages(thread) if "⚡" in (m["content"] or "")]
    assert len(countdowns) == 3  # one message per item, edited in place, never one per tick
    assert len(fake.history(first["id"])) >= 3  # posted, ticked, revealed


def ANSWERS_FIRST(message: dict[str, object]) -> str:
    canonical = {
        "Which penalty gives sparse weights?": "L1",
        "What do we breathe?": "air",
        "Name a boosting library.": "XGBoost",
    }
    return next(a for prompt, a in canonical.items() if prompt in str(message["content"]))


async def test_leaderboard_lists_only_members_who_joined(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, clock: ManualClock
) -> None:
    fake = fake_discord
    for member in (cast.ada, cast.bob):
        command = await fake.run_command(member, fake.general, "quickfire", {"count": 1})
        await private_answer(command)
        thread = await fake.wait_for_thread()
        item = await fake.wait_for_message(thread, lambda m: "[1/1]" in m["content"])
        await fake.user_types(member, thread, answer_for(item))
        await fake.wait_for_message(thread, lambda m: "Leaderboard" in title(m))
    joined = await fake.run_command(cast.ada, fake.general, "leaderboard", subcommand="join")
    assert await private_answer(joined) == "You are on this server's leaderboard."
    shown = await fake.run_command(cast.cy, fake.general, "leaderboard", subcommand="show")
    board = text_of(await shown.reply())
    assert f"<@{cast.ada.id}>: 1.00 (1 quick-fire wins" in board
    assert f"<@{cast.bob.id}>" not in board
