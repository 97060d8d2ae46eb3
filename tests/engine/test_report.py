"""The report card: built from a real session's stored attempts, with only a manual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine.answers import Answer
from bot.engine.base import Services
from bot.engine.clock import ManualClock
from bot.engine.events import Mode, Outcome, Revealed, SessionEnded
from bot.engine.interview import InterviewOptions, InterviewSession
from bot.engine.manager import SessionManager
from bot.engine.report import Delivery, ReportMaker, ReportOffer, SpokenAnswer, Trend, offered
from bot.grading.speech_metrics import TimedWord
from tests.conftest import EventLog

PARTIAL_OVERFIT = "It memorises the noise in the training data and fails on unseen data."
GOOD_BACKPROP = "Backpropagation uses the chain rule to compute the gradient of the loss."


def maker(services: Services) -> ReportMaker:
    return ReportMaker(services.repository, services.bank, services.grader)  # type: ignore[arg-type]


async def solo(services: Services, log: EventLog, *questions: str, **options: object):  # type: ignore[no-untyped-def]
    opts = InterviewOptions(questions=len(questions), question_ids=questions, **options)  # type: ignore[arg-type]
    session = InterviewSession(services, log, "s1", "ada", opts)
    await session.start()
    return session


def spoken(text: str, seconds_per_word: float) -> list[TimedWord]:
    """`text` as a speech engine would time it, one word every `seconds_per_word`."""
    return [
        TimedWord(word, i * seconds_per_word, (i + 1) * seconds_per_word - 0.05)
        for i, word in enumerate(text.split())
    ]


async def test_scores_and_missed_points_by_topic(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await solo(services, log, "t-overfitting", "t-kmeans", max_follow_ups=0)
    await session.answer(Answer.typed("ada", PARTIAL_OVERFIT))
    await clock.advance(60)
    await session.next_question("ada")
    await session.skip("ada")
    ended = log.last(SessionEnded)
    assert offered(ended) is ReportOffer.CARD

    card = await maker(services).card("s1", "ada", clock.utcnow())

    reveals = log.of(Revealed)
    assert [(q.question_id, q.outcome) for q in card.questions] == [
        ("t-overfitting", Outcome.ANSWERED),
        ("t-kmeans", Outcome.SKIPPED),
    ]
    assert [q.score for q in card.questions] == [r.score for r in reveals] == [0.75, 0.0]
    assert card.mean_score == pytest.approx(0.375)
    assert [(t.topic, [p.id for p in t.points]) for t in card.missed] == [
        ("classic-algorithms", ["assign", "update"]),
        ("fundamentals", ["prevention"]),
    ]
    assert card.missed[1].points[0].label == "Regularization or cross-validation prevents it"
    assert card.delivery is None  # typed answers have no pace
    assert card.mode is Mode.SOLO


async def test_what_comes_back_in_review_and_when(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await solo(services, log, "t-backprop", "t-kmeans", max_follow_ups=0)
    await session.answer(Answer.typed("ada", GOOD_BACKPROP))
    await session.next_question("ada")
    await session.skip("ada")
    now = clock.utcnow()

    card = await maker(services).card("s1", "ada", now)

    # the skipped question is due again within minutes; the full answer only after it
    assert [c.question_id for c in card.comebacks] == ["t-kmeans", "t-backprop"]
    skipped, strong = card.comebacks
    assert skipped.due - now <= timedelta(minutes=10)
    assert strong.due - now >= timedelta(days=1)
    assert (skipped.reviews, strong.reviews) == (1, 1)


async def test_a_point_a_follow_up_earned_back_is_not_missed(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await solo(services, log, "t-overfitting", max_follow_ups=1)
    await session.answer(Answer.typed("ada", PARTIAL_OVERFIT))
    await session.answer(Answer.typed("ada", "A regularization penalty on the weights."))
    reveal = log.last(Revealed)

    card = await maker(services).card("s1", "ada", clock.utcnow())

    # the same points and score as the reveal: "prevention" was earned in the follow-up
    assert card.questions[0].score == pytest.approx(reveal.score)
    assert card.questions[0].follow_ups == 1
    missed = {p.id for t in card.missed for p in t.points}
    assert missed == {p.id for p in reveal.missed} == {"early-stopping"}


async def test_spoken_answers_give_pace_and_filler_trends(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await solo(services, log, "t-overfitting", "t-backprop", max_follow_ups=0)
    slow = "um so it uh memorises the noise in the training data um"
    await session.answer(Answer.heard("ada", slow, spoken(slow, 1.0)))
    await session.next_question("ada")
    await session.answer(Answer.heard("ada", GOOD_BACKPROP, spoken(GOOD_BACKPROP, 0.25)))

    card = await maker(services).card("s1", "ada", clock.utcnow())

    delivery = card.delivery
    assert delivery is not None
    assert [a.filler_words for a in delivery.answers] == [3, 0]
    first, second = (a.words_per_minute for a in delivery.answers)
    assert first < 70 < 200 < second
    assert delivery.pace_trend is Trend.UP
    assert delivery.filler_trend is Trend.DOWN
    assert delivery.mean_fillers == pytest.approx(1.5)


async def test_a_review_session_gets_a_card_that_moves_the_question_out(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    manager = SessionManager(services)
    first = await manager.start_solo("ada", log, topic="deep-learning", max_follow_ups=0)
    await first.skip("ada")
    skipped_at = clock.utcnow()
    skipped = (await maker(services).card(first.id, "ada", skipped_at)).comebacks[0]
    await clock.advance(600)
    review = await manager.start_review("ada", log, max_follow_ups=0)
    await review.answer(Answer.typed("ada", GOOD_BACKPROP))
    ended = log.last(SessionEnded)
    assert ended.session_id == review.id
    assert offered(ended) is ReportOffer.CARD

    card = await maker(services).card(review.id, "ada", clock.utcnow())

    assert [q.question_id for q in card.questions] == ["t-backprop"]
    [back] = card.comebacks
    assert back.reviews == 2  # the skip and this answer
    # a good answer waits longer before it comes back than the skip did
    assert back.due - clock.utcnow() > skipped.due - skipped_at


def test_trends_need_a_real_change() -> None:
    one = Delivery((SpokenAnswer("a", 120.0, 2),))
    assert (one.pace_trend, one.filler_trend) == (Trend.STEADY, Trend.STEADY)
    calm = Delivery((SpokenAnswer("a", 120.0, 2), SpokenAnswer("b", 125.0, 2)))
    assert (calm.pace_trend, calm.filler_trend) == (Trend.STEADY, Trend.STEADY)
    slower = Delivery(
        tuple(
            SpokenAnswer(str(i), w, f)
            for i, (w, f) in enumerate([(160.0, 0), (150.0, 1), (120.0, 3)])
        )
    )
    assert (slower.pace_trend, slower.filler_trend) == (Trend.DOWN, Trend.UP)


async def test_in_a_group_round_each_member_gets_their_own_card(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    opts = InterviewOptions(
        questions=2, question_ids=("t-backprop", "t-overfitting"), max_follow_ups=0
    )
    session = InterviewSession(services, log, "g1", "ada", opts, group=True)
    await session.join("bob")
    await session.start()
    await session.answer(Answer.typed("ada", GOOD_BACKPROP))
    await session.next_question("ada")
    await session.answer(Answer.typed("bob", PARTIAL_OVERFIT))
    assert offered(log.last(SessionEnded)) is ReportOffer.ON_REQUEST

    ada = await maker(services).card("g1", "ada", clock.utcnow())
    bob = await maker(services).card("g1", "bob", clock.utcnow())

    assert [q.question_id for q in ada.questions] == ["t-backprop"]
    assert [q.question_id for q in bob.questions] == ["t-overfitting"]
    assert ada.missed == ()
    assert [p.id for t in bob.missed for p in t.points] == ["prevention"]
    assert (ada.mode, bob.mode) == (Mode.GROUP, Mode.GROUP)


async def test_a_session_ended_before_any_answer_has_an_empty_card(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await solo(services, log, "t-overfitting")
    await session.end("ada")
    card = await maker(services).card("s1", "ada", clock.utcnow())
    assert card.empty
    assert card.mean_score is None
    assert card.comebacks == ()


def test_only_solo_and_group_sessions_offer_cards() -> None:
    assert offered(SessionEnded("q", Mode.QUICKFIRE, "completed")) is ReportOffer.NONE
    assert offered(SessionEnded("s", Mode.SOLO, "shutdown")) is ReportOffer.NONE
    assert offered(SessionEnded("s", Mode.SOLO, "ended")) is ReportOffer.CARD
    assert offered(SessionEnded("g", Mode.GROUP, "completed")) is ReportOffer.ON_REQUEST


async def test_attempts_after_the_card_was_made_are_not_in_it(
    services: Services, log: EventLog, clock: ManualClock
) -> None:
    session = await solo(services, log, "t-overfitting", "t-backprop", max_follow_ups=0)
    await session.answer(Answer.typed("ada", PARTIAL_OVERFIT))
    before = clock.utcnow()
    await clock.advance(30)
    await session.next_question("ada")
    await session.answer(Answer.typed("ada", GOOD_BACKPROP))
    card = await maker(services).card("s1", "ada", before)
    assert [q.question_id for q in card.questions] == ["t-overfitting"]
