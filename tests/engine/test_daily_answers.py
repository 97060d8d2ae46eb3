"""Question-of-the-day answers on the real store: graded once per member and day, stored like any
attempt (stats, review, privacy), refused after the reveal; the ranking: leaderboard members."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.engine.base import Services
from bot.engine.clock import ManualClock
from bot.engine.daily import DailyPost
from bot.engine.daily_answers import DailyAnswers, daily_session_id
from bot.engine.events import Mode
from bot.engine.review import schedule
from bot.errors import DailyAnswerRefused, InvalidAnswer
from bot.store.daily import SqlDailyStore
from bot.store.repository import SqlRepository

DAY = date(2026, 1, 1)
BACKPROP = "The chain rule computes the gradient of the loss for every weight."


async def posted(repository: SqlRepository, clock: ManualClock, guild: str = "g1") -> DailyPost:
    post = DailyPost(guild, DAY, "t-backprop", "c1", clock.utcnow(), f"thread-{guild}")
    store = SqlDailyStore(repository.engine)
    assert await store.claim(post)
    return post


async def test_an_answer_is_graded_once_and_stored_as_a_solo_attempt(
    services: Services, repository: SqlRepository, clock: ManualClock
) -> None:
    post = await posted(repository, clock)
    answers = DailyAnswers(services, 4000)
    grade = await answers.answer(post, "ada", BACKPROP)
    assert grade.score == 1.0
    assert grade.missed == ()
    assert await answers.grade_of(post, "ada") == grade
    assert await answers.grade_of(post, "bob") is None
    with pytest.raises(DailyAnswerRefused, match="answered this question already"):
        await answers.answer(post, "ada", "Something else.")

    [attempt] = await repository.attempts_for("ada")
    assert attempt.session_id == daily_session_id("g1", DAY, "ada")
    assert (attempt.mode, attempt.question_id, attempt.node_id) == (
        Mode.SOLO,
        "t-backprop",
        "t-backprop",
    )
    assert [d.question_id for d in schedule(await repository.question_attempts("ada"))] == [
        "t-backprop"
    ]
    assert await repository.delete_user("ada") == 1  # /privacy delete takes it with the rest
    assert await answers.grade_of(post, "ada") is None


async def test_empty_long_and_revealed_answers_are_refused(
    services: Services, repository: SqlRepository, clock: ManualClock
) -> None:
    post = await posted(repository, clock)
    answers = DailyAnswers(services, 100)
    with pytest.raises(InvalidAnswer, match="empty"):
        await answers.answer(post, "ada", "   ")
    with pytest.raises(InvalidAnswer, match="the limit is 100"):
        await answers.answer(post, "ada", "word " * 30)
    revealed = replace(post, revealed_at=clock.utcnow() + timedelta(days=1))
    with pytest.raises(DailyAnswerRefused, match="revealed"):
        await answers.answer(revealed, "ada", BACKPROP)
    assert await repository.attempts_for("ada") == []


async def test_the_ranking_lists_only_leaderboard_members_of_that_server_and_day(
    services: Services, repository: SqlRepository, clock: ManualClock
) -> None:
    post = await posted(repository, clock)
    elsewhere = await posted(repository, clock, guild="g2")
    answers = DailyAnswers(services, 4000)
    await answers.answer(post, "ada", "The chain rule.")
    await answers.answer(post, "bob", BACKPROP)
    await answers.answer(post, "cy", BACKPROP)
    await answers.answer(elsewhere, "dee", BACKPROP)
    for user in ("ada", "bob", "dee"):
        await repository.set_leaderboard("g1", user, member=True)
    ranking = await SqlDailyStore(repository.engine).ranking("g1", DAY)
    assert [user for user, _ in ranking] == ["bob", "ada"]  # cy did not join; dee is elsewhere
    assert ranking[0][1] == 1.0
    assert ranking[1][1] < 1.0
    store = SqlDailyStore(repository.engine)
    assert await store.post_in_thread("thread-g2") == elsewhere
    assert await store.post_in_thread("no-such-thread") is None
