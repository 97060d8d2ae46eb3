"""The question of the day through the real discord.py: set, posted at its time in a new thread,
answered with private grades, revealed with the next day's post; bad input is one sentence."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.discord.client import InterviewBot
from bot.discord.cogs.daily import MANAGERS_ONLY
from bot.discord.daily_views import NOT_YOURS
from bot.engine.clock import ManualClock
from bot.engine.events import Mode
from tests.e2e.conftest import Cast, button, eventually, private_answer, text_of, title
from tests.harness import Channel, FakeDiscord, is_ephemeral
from tests.harness.models import CREATE_PUBLIC_THREADS

MINUTE, HOUR = 60.0, 3600.0
THREAD_FROM_MESSAGE = "/channels/{channel_id}/messages/{message_id}/threads"


async def set_daily(fake: FakeDiscord, cast: Cast, **options: object) -> str:
    """The moderator runs /daily set in #general; the bot's private sentence."""
    values = {"channel": fake.general, "time": "09:00", "timezone": "Europe/Berlin"} | options
    inter = await fake.run_command(cast.mod, fake.general, "daily", values, subcommand="set")
    return await private_answer(inter)


async def runner_asleep(bot: InterviewBot) -> None:
    """The daily loop has done what was due and waits for the next set time."""
    await eventually(lambda: bot.daily.runner.loop.asleep)


def daily_threads(fake: FakeDiscord) -> list[Channel]:
    """The question-of-the-day threads, oldest first."""
    return [fake.channel(int(t["id"])) for t in fake.threads if t["name"].startswith("Question of")]


async def test_the_question_of_the_day_from_post_to_private_grades_to_reveal(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    clock: ManualClock,
) -> None:
    fake, repository = fake_discord, bot.app.repository
    said = await set_daily(fake, cast)
    assert said.startswith(
        f"The question of the day goes to <#{fake.general.id}> every day at 09:00"
    )
    await runner_asleep(bot)

    # 09:00 in Berlin is 08:00 UTC in January: nothing a minute before, the post at the minute.
    await clock.advance(8 * HOUR - MINUTE)
    assert daily_threads(fake) == []
    await clock.advance(MINUTE)
    [thread] = daily_threads(fake)
    assert clock.utcnow() == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    starter = fake.message(thread.id)  # a thread made from the channel message carries its id
    assert title(starter).startswith("Question of the day")
    [post] = await bot.daily.store.posts(str(fake.guild.id))
    question = bot.app.bank.question(post.question_id)
    assert question.prompt in text_of(starter)
    invite = await fake.wait_for_message(thread)
    assert button(invite, "Answer")
    grader = bot.app.manager.services.grader
    expected = grader.grade(question, question, question.reference_answer.strip()).score
    assert expected > 0.3

    # Ada types her answer in the thread; the grade is behind a button for her alone.
    await fake.user_types(cast.ada, thread, question.reference_answer)
    receipt = await fake.wait_for_message(thread)
    assert receipt["content"] == "Answer graded; only its author can see the grade."
    peek = await fake.click(cast.bob, receipt, button(receipt, "See my grade"))
    assert await private_answer(peek) == NOT_YOURS
    mine = await fake.click(cast.ada, receipt, button(receipt, "See my grade"))
    graded = await mine.reply()
    assert is_ephemeral(graded)
    assert title(graded) == f"Your grade: {expected:.0%}"

    # Cy answers in the private dialog; the grade comes back to Cy only.
    opened = await fake.click(cast.cy, invite, button(invite, "Answer"))
    modal = (await opened.response())["data"]
    field = modal["components"][0]["components"][0]
    sent = await fake.submit_modal(
        cast.cy, thread, modal["custom_id"], {field["custom_id"]: "No idea."}
    )
    grade = await sent.followup()
    assert is_ephemeral(grade)
    assert title(grade) == "Your grade: 0%"

    # A second answer is refused; nobody in the thread has seen the reference answer.
    await fake.user_types(cast.ada, thread, "Another try.")
    again = await fake.wait_for_message(thread)
    assert again["content"].startswith("You have answered this question already")
    shown = [m for m in fake.bot_messages(thread) if not is_ephemeral(m)]
    public = "\n".join(text_of(m) for m in shown)
    assert question.reference_answer.strip() not in public
    assert f"{expected:.0%}" not in public

    # Answers are stored like any other: they count for /stats and streaks.
    [stored] = await repository.attempts_for(str(cast.ada.id))
    assert (stored.mode, stored.question_id, stored.score) == (Mode.SOLO, question.id, expected)
    assert len(await repository.attempts_for(str(cast.cy.id))) == 1

    # Ada and Bob joined the leaderboard; Cy did not. The next day's post reveals yesterday's
    # answer in its (meanwhile archived) thread, with the ranking of members who joined.
    for member in (cast.ada, cast.bob):
        joined = await fake.run_command(member, fake.general, "leaderboard", subcommand="join")
        assert await private_answer(joined) == "You are on this server's leaderboard."
    thread.archived = True
    await clock.advance(24 * HOUR)
    first, second = daily_threads(fake)
    assert first.id == thread.id
    assert not first.archived  # posting the reveal opened it again
    reveal = await fake.wait_for_message(thread, lambda m: title(m).startswith("The answer"))
    assert question.reference_answer.strip()[:80] in text_of(reveal)
    ranking = next(
        f["value"] for f in reveal["embeds"][0]["fields"] if f["name"].startswith("Ranking")
    )
    assert ranking == f"1. <@{cast.ada.id}>: {expected:.0%}"
    [today, yesterday] = await bot.daily.store.posts(str(fake.guild.id))
    assert yesterday.revealed_at is not None
    assert today.revealed_at is None
    assert today.thread_id == str(second.id)
    assert today.question_id != yesterday.question_id  # not a question the server just had
    await fake.user_types(cast.bob, thread, "Is it too late?")
    refused = await fake.wait_for_message(thread, lambda m: "revealed" in m["content"])
    assert refused["content"].startswith("This question of the day has been revealed")
    too_late = await fake.click(cast.bob, invite, button(invite, "Answer"))
    assert (await private_answer(too_late)).startswith("This question of the day has been")


async def test_now_status_reveal_and_off(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, clock: ManualClock
) -> None:
    fake = fake_discord
    await set_daily(fake, cast, time="23:30", timezone="UTC")
    now = await fake.run_command(cast.mod, fake.general, "daily", subcommand="now")
    said = await private_answer(now)
    [thread] = daily_threads(fake)
    assert said == f"Today's question is posted in <#{thread.id}>."
    twice = await fake.run_command(cast.mod, fake.general, "daily", subcommand="now")
    assert await private_answer(twice) == f"Today's question is already posted in <#{thread.id}>."
    status = await fake.run_command(cast.ada, fake.general, "daily", subcommand="status")
    text = await private_answer(status)
    assert "every day at 23:30 UTC" in text
    assert f"Latest: 2026-01-01 in <#{thread.id}>, open for answers." in text

    reveal = await fake.run_command(cast.mod, fake.general, "daily", subcommand="reveal")
    assert (
        await private_answer(reveal)
        == f"The answer to the question of 2026-01-01 is in <#{thread.id}>."
    )
    await fake.wait_for_message(thread, lambda m: title(m).startswith("The answer"))
    again = await fake.run_command(cast.mod, fake.general, "daily", subcommand="reveal")
    assert await private_answer(again) == "There is no question of the day waiting for its reveal."

    # Posted already today: the set time (23:30) passes without a second post.
    await runner_asleep(bot)
    await clock.advance(23.75 * HOUR)
    assert len(daily_threads(fake)) == 1
    off = await fake.run_command(cast.mod, fake.general, "daily", subcommand="off")
    assert await private_answer(off) == "The question of the day is off; past threads stay."
    await runner_asleep(bot)
    await clock.advance(24 * HOUR)
    assert len(daily_threads(fake)) == 1


async def test_bad_input_to_daily_set_is_one_sentence(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    assert await set_daily(fake, cast, time="25:00") == (
        "'25:00' is not a time of day; write it as HH:MM, e.g. 09:30."
    )
    assert await set_daily(fake, cast, time="nine") == (
        "'nine' is not a time of day; write it as HH:MM, e.g. 09:30."
    )
    assert await set_daily(fake, cast, timezone="Mars/Olympus") == (
        "'Mars/Olympus' is not a time zone I know; use a name like Europe/Berlin or UTC."
    )
    assert (await set_daily(fake, cast, topic="astrology")).startswith(
        "There is no topic 'astrology'"
    )
    values = {"channel": fake.general, "time": "09:00", "timezone": "UTC"}
    denied = await fake.run_command(cast.ada, fake.general, "daily", values, subcommand="set")
    assert await private_answer(denied) == MANAGERS_ONLY
    assert await bot.daily.store.schedules() == []

    quiet = fake.add_channel("announcements", bot_denied=CREATE_PUBLIC_THREADS)
    blocked = await set_daily(fake, cast, channel=quiet)
    assert blocked == (
        f"I cannot post the question in <#{quiet.id}>: I need View Channel, Send Messages, "
        "Create Public Threads and Send Messages in Threads there."
    )
    assert await bot.daily.store.schedules() == []

    typing = await fake.autocomplete(
        cast.mod, fake.general, "daily", values | {"timezone": "berl"}, "timezone", "set"
    )
    await typing.response()
    assert [c["value"] for c in typing.choices or []] == ["Europe/Berlin"]
