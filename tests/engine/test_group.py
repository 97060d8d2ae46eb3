"""Group rounds: turns, open floor, attribution, control, leaving, the scoreboard."""

from __future__ import annotations

import pytest

from bot.engine.answers import Answer
from bot.engine.base import Services
from bot.engine.events import Asked, Floor, Graded, ParticipantsChanged, Revealed, SessionEnded
from bot.engine.interview import InterviewOptions, InterviewSession
from bot.errors import NotAllowed, NotAParticipant, NotYourTurn, SessionOver
from bot.store.repository import SqlRepository
from tests.conftest import EventLog

GOOD_BACKPROP = "Backpropagation uses the chain rule to compute the gradient of the loss."
GOOD_VANISHING = "Small derivatives of saturating activations multiply to almost nothing."


async def group(
    services: Services, log: EventLog, floor: Floor, **options: object
) -> InterviewSession:
    opts = InterviewOptions(**{"questions": 3, "topic": "deep-learning", "floor": floor, **options})  # type: ignore[arg-type]
    session = InterviewSession(services, log, "g1", "ada", opts, group=True)
    await session.join("bob")
    await session.join("cy")
    return session


async def test_join_is_announced_and_idempotent(services: Services, log: EventLog) -> None:
    session = await group(services, log, Floor.ROUND_ROBIN)
    await session.join("bob")
    assert log.last(ParticipantsChanged).participants == ("ada", "bob", "cy")
    assert len(log.of(ParticipantsChanged)) == 2


async def test_round_robin_turns_and_attribution(
    services: Services, log: EventLog, repository: SqlRepository
) -> None:
    session = await group(services, log, Floor.ROUND_ROBIN, questions=1)
    await session.start()
    assert log.last(Asked).turn == "ada"
    with pytest.raises(NotYourTurn):
        await session.answer(Answer.typed("bob", GOOD_BACKPROP))
    await session.answer(Answer.typed("ada", GOOD_BACKPROP))
    assert log.last(Graded).participant == "ada"
    assert log.last(Asked).turn == "ada"  # the follow-up stays with the person it probes
    await session.answer(Answer.typed("ada", GOOD_VANISHING))
    board = log.last(SessionEnded).scoreboard
    assert board[0].participant == "ada"
    assert board[0].points == pytest.approx(3.0)  # question x2 + follow-up x1, both full marks
    assert {line.participant for line in board} == {"ada", "bob", "cy"}
    assert [r.user_id for r in await repository.attempts_for("ada")] == ["ada", "ada"]
    assert await repository.attempts_for("bob") == []


async def test_turns_rotate_between_questions(services: Services, log: EventLog) -> None:
    opts = InterviewOptions(questions=3, floor=Floor.ROUND_ROBIN)
    session = InterviewSession(services, log, "g2", "ada", opts, group=True)
    await session.join("bob")
    await session.start()
    turns = []
    for _ in range(3):
        turns.append(log.last(Asked).turn)
        await session.skip(log.last(Asked).turn or "")
        if not session.ended:
            await session.next_question("bob")
    assert turns == ["ada", "bob", "ada"]


async def test_open_floor_first_answer_counts(services: Services, log: EventLog) -> None:
    session = await group(services, log, Floor.OPEN, questions=1)
    await session.start()
    assert log.last(Asked).turn is None
    await session.answer(Answer.typed("bob", GOOD_BACKPROP))
    follow = log.last(Asked)
    assert follow.node_id == "t-backprop-vanishing"
    await session.answer(
        Answer.typed("cy", "Because of the small derivatives of saturating units.")
    )
    reveal = log.last(Revealed)
    assert [(r.node_id, r.participant) for r in reveal.results] == [
        ("t-backprop", "bob"),
        ("t-backprop-vanishing", "cy"),
    ]
    board = {line.participant: line for line in log.last(SessionEnded).scoreboard}
    assert board["bob"].points == pytest.approx(2.0)
    assert board["cy"].points == pytest.approx(1.0)
    assert board["ada"].answered == 0


async def test_only_host_or_moderator_skips_or_ends_for_everyone(
    services: Services, log: EventLog
) -> None:
    session = await group(services, log, Floor.OPEN, topic=None)
    await session.start()
    with pytest.raises(NotAllowed):
        await session.skip("bob")
    with pytest.raises(NotAllowed):
        await session.end("cy")
    assert session.waiting_for_answer
    await session.skip("bob", moderator=True)
    assert log.last(Revealed).outcome == "skipped"
    await session.end("ada")
    assert log.last(SessionEnded).reason == "ended"
    with pytest.raises(SessionOver):
        await session.join("dee")


async def test_turn_holder_may_skip_their_own_question(services: Services, log: EventLog) -> None:
    session = await group(services, log, Floor.ROUND_ROBIN)
    await session.start()
    with pytest.raises(NotAllowed):
        await session.skip("bob")
    await session.skip("ada")
    assert log.last(Revealed).outcome == "skipped"


async def test_leaving_passes_the_turn_and_the_host(services: Services, log: EventLog) -> None:
    session = await group(services, log, Floor.ROUND_ROBIN, topic=None)
    await session.start()
    await session.leave("ada")
    assert log.last(Revealed).outcome == "left"
    assert session.host == "bob"
    with pytest.raises(NotAParticipant):
        await session.answer(Answer.typed("ada", GOOD_BACKPROP))
    await session.leave("bob")
    await session.leave("cy")
    assert log.last(SessionEnded).reason == "everyone left"
