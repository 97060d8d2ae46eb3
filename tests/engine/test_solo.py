"""Solo practice: the follow-up tree, reveal, hints, skips, time limits and bad input."""

from __future__ import annotations

import pytest

from bot.engine.answers import Answer
from bot.engine.base import Services
from bot.engine.clock import ManualClock
from bot.engine.events import (
    Asked,
    Graded,
    HintGiven,
    Revealed,
    SessionEnded,
    TimedOut,
    TimeWarning,
)
from bot.engine.interview import InterviewOptions, InterviewSession
from bot.errors import (
    InvalidAnswer,
    NoQuestionsAvailable,
    NotAParticipant,
    NothingToAnswer,
    SessionOver,
)
from bot.store.repository import SqlRepository
from tests.conftest import EventLog

FULL_OVERFIT = (
    "Overfitting is when the model memorises the noise in the training set, so it does well "
    "there but fails to generalize to unseen data. You prevent it with regularization, "
    "cross validation and early stopping."
)


async def solo(services: Services, log: EventLog, **options: object) -> InterviewSession:
    opts = InterviewOptions(**{"questions": 1, **options})  # type: ignore[arg-type]
    session = InterviewSession(services, log, "s1", "ada", opts)
    await session.start()
    return session


async def test_start_asks_the_first_question(services: Services, log: EventLog) -> None:
    await solo(services, log, topic="fundamentals")
    asked = log.last(Asked)
    assert (asked.question_id, asked.depth, asked.number, asked.total) == ("t-overfitting", 0, 1, 1)
    assert asked.turn == "ada"


async def test_full_answer_then_always_follow_up_then_reveal(
    services: Services, log: EventLog, repository: SqlRepository
) -> None:
    session = await solo(services, log, topic="fundamentals")
    grade = (await session.answer(Answer.typed("ada", FULL_OVERFIT))).grade
    assert grade is not None
    assert {p.id for p in grade.covered} == {"definition", "generalisation", "prevention"}
    follow = log.last(Asked)
    assert follow.node_id == "t-overfitting-variance"  # "always"; prevention was covered
    assert follow.depth == 1
    await session.answer(
        Answer.typed("ada", "An overfit model has high variance because it reacts to noise.")
    )
    reveal = log.last(Revealed)
    assert reveal.question_id == "t-overfitting"
    assert reveal.outcome == "answered"
    assert reveal.score == pytest.approx(1.0)
    assert "Tie it to the bias-variance tradeoff." in reveal.tips
    assert log.last(SessionEnded).reason == "completed"
    rows = await repository.attempts_for("ada")
    assert [r.node_id for r in rows] == ["t-overfitting", "t-overfitting-variance"]
    assert rows[0].covered == ("definition", "generalisation", "prevention")


async def test_missed_point_triggers_the_follow_up_that_probes_it(
    services: Services, log: EventLog
) -> None:
    session = await solo(services, log, topic="fundamentals")
    await session.answer(
        Answer.typed("ada", "It memorises the noise of the training data and fails on new data.")
    )
    probe = log.last(Asked)
    assert probe.node_id == "t-overfitting-prevention"
    assert probe.reason is not None
    assert "Regularization or cross-validation prevents it" in probe.reason
    await session.answer(
        Answer.typed("ada", "I would add a regularization penalty on the weights.")
    )
    deeper = log.last(Asked)
    assert (deeper.node_id, deeper.depth) == ("t-overfitting-l1-l2", 2)
    await session.answer(
        Answer.typed("ada", "L1 makes weights exactly zero so it is sparse, L2 shrinks them.")
    )
    assert log.last(Asked).node_id == "t-overfitting-variance"  # back up the tree
    await session.answer(Answer.typed("ada", "It is a high variance model."))
    reveal = log.last(Revealed)
    assert [r.node_id for r in reveal.results] == [
        "t-overfitting",
        "t-overfitting-prevention",
        "t-overfitting-l1-l2",
        "t-overfitting-variance",
    ]
    # The probe's answer covered the point the first answer missed: it counts (issue 8).
    assert "Regularization or cross-validation prevents it" in [p.label for p in reveal.covered]
    assert "Regularization or cross-validation prevents it" not in [p.label for p in reveal.missed]
    earned = next(p for p in reveal.results[0].points if p.id == "prevention")
    assert (earned.how, earned.evidence) == ("in a follow-up", "regularization")


async def test_follow_up_limit_is_respected(services: Services, log: EventLog) -> None:
    session = await solo(services, log, topic="fundamentals", max_follow_ups=1)
    await session.answer(
        Answer.typed("ada", "It memorises the noise of the training data and fails on new data.")
    )
    await session.answer(
        Answer.typed("ada", "Regularization, a penalty on weights, limits the capacity.")
    )
    assert len(log.of(Asked)) == 2
    assert log.last(Revealed).outcome == "answered"


async def test_ref_node_is_asked_once(services: Services, log: EventLog) -> None:
    session = await solo(services, log, topic="classic-algorithms")
    await session.answer(
        Answer.typed("ada", "Each point goes to the nearest centroid, and that's the first step.")
    )
    assert log.last(Asked).node_id == "t-kmeans-init"
    await session.answer(
        Answer.typed("ada", "Each centroid becomes the mean of the points assigned to it.")
    )
    assert log.last(Asked).node_id == "t-kmeans-k"  # through the ref
    await session.answer(Answer.typed("ada", "I would plot inertia against k and use the elbow."))
    asked = [a.node_id for a in log.of(Asked)]
    assert asked == ["t-kmeans", "t-kmeans-init", "t-kmeans-k"]


async def test_hint_names_a_key_point_and_costs_score(services: Services, log: EventLog) -> None:
    session = await solo(services, log, topic="deep-learning", hint_penalty=0.25)
    await session.hint("ada")
    assert log.last(HintGiven).text == "Think about: Chain rule"
    await session.answer(
        Answer.typed(
            "ada",
            "Backpropagation applies the chain rule to get the gradients of "
            "the loss for every weight, layer by layer.",
        )
    )
    graded = log.last(Graded)
    assert graded.grade.score == pytest.approx(1.0)
    assert graded.score == pytest.approx(0.75)


async def test_skip_reveals_and_records(
    services: Services, log: EventLog, repository: SqlRepository
) -> None:
    session = await solo(services, log, topic="deep-learning")
    await session.skip("ada")
    reveal = log.last(Revealed)
    assert (reveal.outcome, reveal.score) == ("skipped", 0.0)
    assert [p.label for p in reveal.missed] == ["Chain rule", "Gradients of the loss"]
    assert [p.id for p in reveal.missed] == ["chain-rule", "gradient"]
    rows = await repository.attempts_for("ada")
    assert [(r.outcome, r.score) for r in rows] == [("skipped", 0.0)]


async def test_done_reveals_without_more_follow_ups(services: Services, log: EventLog) -> None:
    session = await solo(services, log, topic="fundamentals")
    await session.answer(Answer.typed("ada", FULL_OVERFIT))
    assert session.waiting_for_answer  # the "always" follow-up is open
    await session.done("ada")
    reveal = log.last(Revealed)
    assert [r.node_id for r in reveal.results] == ["t-overfitting"]
    assert reveal.score == pytest.approx(1.0)
    assert log.last(SessionEnded).reason == "completed"


async def test_time_warning_then_time_out(
    services: Services, log: EventLog, clock: ManualClock, repository: SqlRepository
) -> None:
    await solo(services, log, topic="classic-algorithms", warning_seconds=20)
    await clock.advance(39)
    assert not log.of(TimeWarning)
    await clock.advance(1)
    assert log.last(TimeWarning).seconds_left == 20
    await clock.advance(19)
    assert not log.of(TimedOut)
    await clock.advance(1)
    assert log.last(TimedOut).node_id == "t-kmeans"
    assert log.last(Revealed).outcome == "timeout"
    rows = await repository.attempts_for("ada")
    assert [r.outcome for r in rows] == ["timeout"]


async def test_answer_cancels_the_timer(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await solo(services, log, topic="classic-algorithms")
    await session.answer(
        Answer.typed("ada", "Points join the closest centroid, then we recompute the centroid.")
    )
    await clock.advance(59)
    await session.answer(Answer.typed("ada", "The elbow method on the inertia curve."))
    await clock.advance(61)
    assert not log.of(TimedOut)


async def test_repeat_re_asks(services: Services, log: EventLog) -> None:
    session = await solo(services, log, topic="deep-learning")
    await session.repeat("ada")
    again = log.last(Asked)
    assert again.repeated
    assert again.node_id == "t-backprop"


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "empty"), ("x" * 10_000, "10,000 characters")],
)
async def test_bad_answers_are_refused_and_lose_nothing(
    services: Services, log: EventLog, text: str, message: str
) -> None:
    session = await solo(services, log, topic="deep-learning")
    with pytest.raises(InvalidAnswer, match=message):
        await session.answer(Answer.typed("ada", text))
    assert session.waiting_for_answer
    await session.answer(Answer.typed("ada", "The chain rule gives gradients of the loss."))
    assert log.of(Graded)


async def test_strangers_and_closed_sessions_are_refused(services: Services, log: EventLog) -> None:
    session = await solo(services, log, topic="deep-learning")
    with pytest.raises(NotAParticipant):
        await session.answer(Answer.typed("mallory", "chain rule"))
    await session.skip("ada")
    with pytest.raises(SessionOver):
        await session.answer(Answer.typed("ada", "too late"))


async def test_nothing_to_answer_between_questions(services: Services, log: EventLog) -> None:
    session = await solo(services, log, questions=2)
    await session.skip("ada")
    with pytest.raises(NothingToAnswer):
        await session.answer(Answer.typed("ada", "an answer with no open question"))
    await session.next_question("ada")
    assert log.last(Asked).number == 2
    with pytest.raises(NothingToAnswer):
        await session.next_question("ada")


async def test_unknown_topic_says_so(services: Services, log: EventLog) -> None:
    with pytest.raises(NoQuestionsAvailable, match="no advanced astrology"):
        await solo(services, log, topic="astrology", difficulty="advanced")


async def test_fresh_questions_come_before_recent_ones(services: Services, log: EventLog) -> None:
    first = await solo(services, log, questions=1)
    await first.skip("ada")
    seen = log.last(Revealed).question_id
    for number in range(2):
        session = InterviewSession(
            services, log, f"s{number + 2}", "ada", InterviewOptions(questions=1)
        )
        await session.start()
        asked = log.last(Asked).question_id
        assert asked != seen
        await session.skip("ada")
        seen = asked
    assert len({a.question_id for a in log.of(Asked) if a.depth == 0}) == 3


async def test_a_spoken_answer_is_graded_with_speech_tolerance(
    services: Services, log: EventLog
) -> None:
    """Sound-alikes count when the answer came from speech-to-text, not when it was typed."""
    from bot.grading.speech_metrics import TimedWord  # noqa: PLC0415

    text = "um so back prop is the chain rule we get the gradience of the loss for each weight"
    typed = await solo(services, log, question_ids=("t-backprop",))
    typed_grade = (await typed.answer(Answer.typed("ada", text))).grade
    assert typed_grade is not None
    assert "gradient" not in typed_grade.covered_ids
    words = [TimedWord(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(text.split())]
    spoken = InterviewSession(
        services, log, "s2", "ada", InterviewOptions(questions=1, question_ids=("t-backprop",))
    )
    await spoken.start()
    spoken_grade = (await spoken.answer(Answer.heard("ada", text, words))).grade
    assert spoken_grade is not None
    assert "gradient" in spoken_grade.covered_ids
