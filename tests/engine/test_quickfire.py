"""Quick-fire: first correct answer wins, time-ups, streaks, the leaderboard."""

from __future__ import annotations

import pytest

from bot.engine.answers import Answer
from bot.engine.base import Services
from bot.engine.clock import ManualClock
from bot.engine.events import (
    QuickFireAnswered,
    QuickFireAsked,
    QuickFireRevealed,
    SessionEnded,
    TimedOut,
)
from bot.engine.quickfire import QuickFireOptions, QuickFireSession
from bot.errors import NothingToAnswer
from bot.store.repository import SqlRepository
from tests.conftest import EventLog

ANSWERS = {"t-qf-l1": "lasso", "t-qf-air": "Air!", "t-qf-boost": "xgboost"}


async def round_of(
    services: Services, log: EventLog, *players: str, **options: object
) -> QuickFireSession:
    opts = QuickFireOptions(**{"items": 3, "seconds_per_item": 20, "gap_seconds": 2, **options})  # type: ignore[arg-type]
    session = QuickFireSession(services, log, "q1", players[0], opts)
    for player in players[1:]:
        await session.join(player)
    await session.start()
    return session


async def test_correct_answer_reveals_then_next_item_after_gap(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await round_of(services, log, "ada")
    item = log.last(QuickFireAsked)
    assert (item.number, item.total) == (1, 3)
    assert (await session.answer(Answer.typed("ada", ANSWERS[item.item_id]))).correct
    answered = log.last(QuickFireAnswered)
    assert (answered.correct, answered.streak) == (True, 1)
    assert log.last(QuickFireRevealed).winner == "ada"
    assert len(log.of(QuickFireAsked)) == 1
    await clock.advance(2)
    assert log.last(QuickFireAsked).number == 2


async def test_time_up_reveals_moves_on_and_breaks_the_streak(
    services: Services, log: EventLog, clock: ManualClock, repository: SqlRepository
) -> None:
    session = await round_of(services, log, "ada")
    await session.answer(Answer.typed("ada", ANSWERS[log.last(QuickFireAsked).item_id]))
    await clock.advance(2)
    second = log.last(QuickFireAsked)
    await clock.advance(second.seconds)
    assert log.last(TimedOut).node_id == second.item_id
    assert log.last(QuickFireRevealed).timed_out
    await clock.advance(2)
    third = log.last(QuickFireAsked)
    assert third.number == 3
    await session.answer(Answer.typed("ada", ANSWERS[third.item_id]))
    assert log.last(QuickFireAnswered).streak == 1  # reset by the time-up
    ended = log.last(SessionEnded)
    assert ended.scoreboard[0].correct == 2
    outcomes = [r.outcome for r in await repository.attempts_for("ada")]
    assert outcomes == ["correct", "timeout", "correct"]


async def test_item_time_limit_overrides_the_default(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    await round_of(services, log, "ada", items=3, seconds_per_item=30)
    for _ in range(3):
        asked = log.last(QuickFireAsked)
        expected = 10 if asked.item_id == "t-qf-boost" else 30
        assert asked.seconds == expected
        await clock.advance(expected + 2)
    assert log.last(SessionEnded).reason == "completed"


async def test_wrong_answers_one_try_each_and_early_reveal(
    services: Services, log: EventLog
) -> None:
    session = await round_of(services, log, "ada", "bob")
    assert not (await session.answer(Answer.typed("ada", "chair"))).correct
    with pytest.raises(NothingToAnswer):
        await session.answer(Answer.typed("ada", "second try"))
    assert not log.of(QuickFireRevealed)
    assert not (await session.answer(Answer.typed("bob", "no idea"))).correct
    reveal = log.last(QuickFireRevealed)
    assert (reveal.winner, reveal.timed_out) == (None, False)


async def test_leaderboard_orders_by_correct_then_streak(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await round_of(services, log, "ada", "bob")
    for winner in ("bob", "ada", "ada"):
        item = log.last(QuickFireAsked)
        await clock.advance(1)
        await session.answer(Answer.typed(winner, ANSWERS[item.item_id]))
        await clock.advance(2)
    board = log.last(SessionEnded).scoreboard
    assert [(s.participant, s.correct, s.best_streak) for s in board] == [
        ("ada", 2, 2),
        ("bob", 1, 1),
    ]
    assert board[0].mean_seconds == pytest.approx(1.0)


async def test_skip_in_a_group_is_for_the_host(services: Services, log: EventLog) -> None:
    session = await round_of(services, log, "ada", "bob")
    with pytest.raises(Exception, match="host"):
        await session.skip("bob")
    await session.skip("ada")
    assert log.last(QuickFireRevealed).winner is None
