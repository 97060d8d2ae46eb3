"""One session contract: every mode answers the same calls; an answer is for its own node."""

from __future__ import annotations

import pytest

from bot.engine.answers import Answer
from bot.engine.base import Services, Session
from bot.engine.events import Asked, Floor, Graded, Mode, QuickFireAsked
from bot.engine.interview import InterviewOptions, InterviewSession
from bot.engine.quickfire import QuickFireOptions, QuickFireSession
from bot.errors import NotInThisMode, StaleAnswer
from bot.store.repository import SqlRepository
from tests.conftest import EventLog

BACKPROP = "Backpropagation uses the chain rule to compute the gradient of the loss."
VANISHING = "Small derivatives of saturating activations multiply to almost nothing."


async def make(mode: Mode, services: Services, log: EventLog, questions: int = 1) -> Session:
    """A running session of `mode` (deep-learning only when one question is asked)."""
    session: Session
    if mode is Mode.QUICKFIRE:
        session = QuickFireSession(services, log, "c1", "ada", QuickFireOptions(items=2))
    else:
        topic = "deep-learning" if questions == 1 else None
        options = InterviewOptions(questions=questions, topic=topic, floor=Floor.OPEN)
        group = mode is Mode.GROUP
        session = InterviewSession(services, log, "c1", "ada", options, group=group)
    if mode is not Mode.SOLO:
        await session.join("bob")
    await session.start()
    return session


@pytest.mark.parametrize("mode", list(Mode))
async def test_every_mode_says_what_it_waits_for_and_from_whom(
    mode: Mode, services: Services, log: EventLog
) -> None:
    session = await make(mode, services, log)
    waiting = session.waiting
    assert waiting is not None
    asked = log.last(QuickFireAsked).item_id if mode is Mode.QUICKFIRE else log.last(Asked).node_id
    assert waiting.node_id == asked
    expected = {"ada"} if mode is Mode.SOLO else {"ada", "bob"}
    assert waiting.answerers == expected
    await session.skip("ada")
    assert session.waiting is None or session.waiting.node_id != asked


@pytest.mark.parametrize("mode", list(Mode))
async def test_an_answer_for_a_node_no_longer_open_is_refused_with_its_text(
    mode: Mode, services: Services, log: EventLog, repository: SqlRepository
) -> None:
    session = await make(mode, services, log, questions=2)
    waiting = session.waiting
    assert waiting is not None
    await session.skip("ada")  # the node the dialog was opened for is gone
    with pytest.raises(StaleAnswer) as raised:
        await session.answer(Answer.typed("ada", "my careful answer", waiting.node_id))
    assert raised.value.text == "my careful answer"
    assert raised.value.node_id == waiting.node_id
    stored = await repository.attempts_for("ada")
    assert [a.answer_text for a in stored if a.answer_text] == []


async def test_open_floor_second_dialog_is_not_graded_against_the_follow_up(
    services: Services, log: EventLog, repository: SqlRepository
) -> None:
    session = await make(Mode.GROUP, services, log)
    question = log.last(Asked).node_id
    await session.answer(Answer.typed("ada", BACKPROP, question))
    follow_up = log.last(Asked).node_id
    assert follow_up != question
    with pytest.raises(StaleAnswer):
        await session.answer(Answer.typed("bob", VANISHING, question))
    assert session.waiting is not None
    assert session.waiting.node_id == follow_up  # still open for a real answer
    assert [g.participant for g in log.of(Graded)] == ["ada"]
    assert await repository.attempts_for("bob") == []


async def test_the_same_answer_submitted_twice_is_stored_once(
    services: Services, log: EventLog, repository: SqlRepository
) -> None:
    session = await make(Mode.SOLO, services, log)
    answer = Answer.typed("ada", BACKPROP, log.last(Asked).node_id)
    await session.answer(answer)
    with pytest.raises(StaleAnswer):
        await session.answer(answer)
    assert [a.node_id for a in await repository.attempts_for("ada")] == ["t-backprop"]


async def test_a_heard_answer_is_graded_as_spoken(services: Services, log: EventLog) -> None:
    calls: list[bool] = []
    grader = services.grader

    class Recording:
        def grade(self, question, node, answer, *, spoken=False):  # type: ignore[no-untyped-def]
            calls.append(spoken)
            return grader.grade(question, node, answer, spoken=spoken)

        def quickfire_correct(self, answer, accepted):  # type: ignore[no-untyped-def]
            return grader.quickfire_correct(answer, accepted)

    from dataclasses import replace  # noqa: PLC0415

    session = await make(Mode.SOLO, replace(services, grader=Recording()), log)
    node = log.last(Asked).node_id
    result = await session.answer(Answer.heard("ada", BACKPROP, (), node))
    assert calls == [True]
    assert result.node_id == node
    assert result.grade is not None
    assert result.correct


async def test_quickfire_has_no_hints_but_says_so(services: Services, log: EventLog) -> None:
    session = await make(Mode.QUICKFIRE, services, log)
    for step in (session.hint, session.repeat, session.done, session.next_question):
        with pytest.raises(NotInThisMode):
            await step("ada")
    assert session.waiting is not None  # nothing changed
