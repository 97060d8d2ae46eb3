"""A session's place is stored at every step; a new manager resumes it where it was."""

from __future__ import annotations

import pytest

from bot.engine.answers import Answer
from bot.engine.base import Place, Services
from bot.engine.clock import ManualClock
from bot.engine.events import (
    Asked,
    Event,
    Floor,
    Graded,
    QuickFireAsked,
    QuickFireRevealed,
    Revealed,
    SessionEnded,
)
from bot.engine.manager import SessionManager
from bot.store.repository import SqlRepository
from tests.conftest import EventLog

PLACE = Place("42", "4242")
BACKPROP = "Backpropagation uses the chain rule to compute the gradient of the loss."
VANISHING = "Small derivatives of saturating activations multiply to almost nothing."


async def restarted(services: Services, log: EventLog) -> SessionManager:
    """A new process: a fresh manager over the same store resumes what was running."""
    manager = SessionManager(services)
    for record in await manager.resumable():
        await manager.resume(record, log)
    return manager


async def test_solo_goes_on_at_the_open_follow_up_and_keeps_its_score(
    services: Services, repository: SqlRepository
) -> None:
    before = EventLog()
    first = SessionManager(services)
    session = await first.start_solo("ada", before, place=PLACE, topic="deep-learning")
    await session.answer(Answer.typed("ada", BACKPROP))
    follow = before.last(Asked)
    assert follow.node_id == "t-backprop-vanishing"
    # the old process dies here: nothing is ended, nothing is cleaned up

    after = EventLog()
    second = await restarted(services, after)
    resumed = second.get(session.id)
    assert after.last(Asked).node_id == follow.node_id  # asked again, controls and all
    assert resumed.waiting is not None
    assert resumed.waiting.node_id == follow.node_id
    await resumed.answer(Answer.typed("ada", VANISHING, follow.node_id))
    reveal = after.last(Revealed)
    assert [(r.node_id, r.participant) for r in reveal.results] == [
        ("t-backprop", "ada"),
        ("t-backprop-vanishing", "ada"),
    ]
    assert reveal.score == 1.0
    assert after.last(SessionEnded).scoreboard[0].points == 3.0  # x2 before, x1 after
    rows = await repository.attempts_for("ada")
    assert [r.node_id for r in rows] == ["t-backprop", "t-backprop-vanishing"]  # no duplicate
    assert (await repository.session_row(session.id)).status == "completed"  # type: ignore[union-attr]


async def test_a_group_round_keeps_its_people_turns_and_scores(
    services: Services, repository: SqlRepository
) -> None:
    before = EventLog()
    first = SessionManager(services)
    session = await first.open_group(
        "ada", before, floor=Floor.ROUND_ROBIN, place=PLACE, questions=2
    )
    await session.join("bob")
    await session.start()
    await session.skip("ada")
    assert before.last(Revealed).outcome == "skipped"

    after = EventLog()
    second = await restarted(services, after)
    resumed = second.get(session.id)
    assert resumed.participants == ["ada", "bob"]
    assert after.of(Asked) == []  # between questions: the reveal's Next button goes on
    await resumed.next_question("bob")
    assert after.last(Asked).turn == "bob"  # the turn passed on as before the restart
    assert after.last(Asked).number == 2


async def test_a_restart_between_the_answer_and_the_follow_up_asks_the_follow_up(
    services: Services, repository: SqlRepository
) -> None:
    """The answer and the state it led to are stored together: killed right after, the new
    process asks the follow-up (it does not ask the answered question again)."""
    before = EventLog()

    async def dies_after_the_grade(event: Event) -> None:
        await before(event)
        if isinstance(event, Graded):
            raise SystemExit  # the process ends between the grade and the next question

    first = SessionManager(services)
    session = await first.start_solo(
        "ada", dies_after_the_grade, place=PLACE, topic="deep-learning"
    )
    with pytest.raises(SystemExit):
        await session.answer(Answer.typed("ada", BACKPROP))
    assert before.last(Asked).node_id == "t-backprop"  # the follow-up was never asked
    after = EventLog()
    await restarted(services, after)
    assert [e.node_id for e in after.of(Asked)] == ["t-backprop-vanishing"]
    assert [r.node_id for r in await repository.attempts_for("ada")] == ["t-backprop"]


async def test_quickfire_restarts_the_open_item_and_keeps_the_tally(
    services: Services, repository: SqlRepository, clock: ManualClock
) -> None:
    before = EventLog()
    first = SessionManager(services)
    session = await first.start_quickfire("ada", before, place=PLACE, items=3, gap_seconds=2)
    item = before.last(QuickFireAsked)
    accepted = services.bank.quickfire_item(item.item_id).answers[0]
    await session.answer(Answer.typed("ada", accepted))
    await clock.advance(2)
    second_item = before.last(QuickFireAsked)
    assert second_item.number == 2

    after = EventLog()
    second = await restarted(services, after)
    again = after.last(QuickFireAsked)
    assert (again.item_id, again.number) == (second_item.item_id, 2)
    resumed = second.get(session.id)
    await resumed.skip("ada")
    assert after.last(QuickFireRevealed).item_id == second_item.item_id
    await clock.advance(2)
    await resumed.skip("ada")
    board = after.last(SessionEnded).scoreboard
    assert (board[0].participant, board[0].correct) == ("ada", 1)  # the win before the restart
