"""Issue 8's failure classes, each with answers that today's grader got wrong.

Paraphrase, negation and contrast, swapped relations, surface forms, loose fuzzy matching,
weak evidence and length (follow-ups: tests/engine/test_solo.py), on tests/data/grading_bank.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank.catalog import Bank
from bot.bank.loader import load_bank
from bot.grading.grader import AnswerGrader, Grade, PointStatus, Verdict

BANK = Path(__file__).parents[1] / "data" / "grading_bank.yaml"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([BANK])


def grade(bank: Bank, node_id: str, text: str, *, spoken: bool = False) -> Grade:
    question, node = bank.node(node_id)
    return AnswerGrader().grade(question, node, text, spoken=spoken)


def status(result: Grade, point_id: str) -> PointStatus:
    return next(p.status for p in result.points if p.id == point_id)


# 1. Paraphrase: a word inserted inside a phrase no longer breaks it.
def test_a_word_inserted_in_a_phrase_still_matches(bank: Bank) -> None:
    result = grade(
        bank, "g-metrics", "R-squared goes negative if you are worse than predicting the mean."
    )
    assert status(result, "r2-negative") is PointStatus.COVERED
    assert result.points[2].evidence == "worse than predicting the mean"


# 2. Negation and contrast.
def test_denied_remedies_contradict_and_the_verdict_is_wrong(bank: Bank) -> None:
    result = grade(
        bank,
        "g-overfitting",
        "Overfitting is when the model memorises the noise in the training set. You should never "
        "add more data or regularisation, they make it worse.",
    )
    assert status(result, "remedies") is PointStatus.CONTRADICTED
    assert result.verdict is Verdict.WRONG
    assert result.feedback[0].startswith("You said “more data”; in fact: More data and")


def test_an_opposite_contradicts_and_the_feedback_quotes_it(bank: Bank) -> None:
    result = grade(
        bank,
        "g-overfitting",
        "The model memorises the noise, so it does poorly on new data, and regularisation makes "
        "overfitting worse.",
    )
    assert status(result, "remedies") is PointStatus.CONTRADICTED
    assert result.verdict is Verdict.WRONG
    assert result.feedback[0] == (
        "You said “regularisation makes overfitting worse”; in fact: More data and "
        "regularisation are the main remedies."
    )


def test_unlike_x_negates_x_only(bank: Bank) -> None:
    result = grade(bank, "g-ensembles", "Unlike bagging, boosting cannot be run in parallel.")
    assert status(result, "bagging-parallel") is not PointStatus.COVERED


def test_a_quoted_myth_is_rejected_not_held(bank: Bank) -> None:
    result = grade(
        bank,
        "g-overfitting",
        "People often say overfitting means the model is too simple, but that is wrong: the model "
        "memorises the noise and does poorly on new data. It is a high variance problem, so more "
        "data and dropout help.",
    )
    assert result.verdict is Verdict.GOOD
    assert result.feedback == ()


@pytest.mark.parametrize(
    "myth",
    [
        "A common belief is that overfitting means the model is too simple, but it is not.",
        "It is tempting to think overfitting means the model is too simple; it is too flexible.",
        "Overfitting means the model is too simple? Not true.",
    ],
)
def test_other_ways_of_rejecting_a_myth(bank: Bank, myth: str) -> None:
    result = grade(bank, "g-overfitting", myth)
    assert result.verdict is not Verdict.WRONG
    assert result.feedback == () or "too simple underfits" not in result.feedback[0]


def test_two_negations_cancel(bank: Bank) -> None:
    result = grade(
        bank, "g-overfitting", "You cannot fight overfitting without regularisation or more data."
    )
    assert status(result, "remedies") is PointStatus.COVERED


# 3. Swapped relations.
def test_swapped_bagging_and_boosting_contradict_both_points(bank: Bank) -> None:
    swapped = grade(bank, "g-ensembles", "Bagging reduces bias, while boosting reduces variance.")
    assert status(swapped, "bagging-variance") is PointStatus.CONTRADICTED
    assert status(swapped, "boosting-bias") is PointStatus.CONTRADICTED
    assert swapped.verdict is Verdict.WRONG
    right = grade(bank, "g-ensembles", "Bagging reduces variance, while boosting reduces bias.")
    assert right.covered_ids == {"bagging-variance", "boosting-bias"}
    assert right.score > swapped.score


def test_a_relation_may_borrow_its_subject_across_a_comma(bank: Bank) -> None:
    result = grade(
        bank,
        "g-ensembles",
        "Bagging, which trains each tree on a bootstrap sample, mostly cuts variance.",
    )
    assert status(result, "bagging-variance") is PointStatus.COVERED
    assert (
        result.points[0].evidence
        == "Bagging, which trains each tree on a bootstrap sample, mostly cuts variance"
    )


def test_a_denied_relation_earns_nothing(bank: Bank) -> None:
    result = grade(bank, "g-overfitting", "Overfitting is not a high variance problem at all.")
    assert status(result, "high-variance") is PointStatus.MISSED


# 4. Surface forms.
@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("Stacked GRUs handle sequences well.", "gru"),
        ("The λ penalty sets how strong ridge is.", "lambda"),
        ("A model with 98 percent accuracy can be useless on rare fraud.", "accuracy-trap"),
        ("The F-score is the harmonic mean of precision and recall.", "f1"),
    ],
)
def test_surface_forms_match(bank: Bank, text: str, point: str) -> None:
    node = "g-metrics" if point in ("f1", "accuracy-trap") else "g-models"
    assert status(grade(bank, node, text), point) is PointStatus.COVERED


# 5. Loose fuzzy matching: prefix antonyms, dropped words, sound-alikes on typed answers.
@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("Clustering works on unlabeled data.", "labels"),
        ("A nonparametric model's number of parameters grows with the data.", "fixed-parameters"),
    ],
)
def test_near_misses_do_not_match(bank: Bank, text: str, point: str) -> None:
    for spoken in (False, True):
        assert status(grade(bank, "g-models", text, spoken=spoken), point) is PointStatus.MISSED


def test_speech_tolerance_applies_only_to_spoken_answers(bank: Bank) -> None:
    text = "um so we get the gradience of the loss for each weight"
    assert status(grade(bank, "g-models", text, spoken=True), "backprop") is PointStatus.COVERED
    assert status(grade(bank, "g-models", text), "backprop") is PointStatus.MISSED


# 7. Length: chance hits in sentences about something else do not add up to a pass.
def test_a_long_answer_about_something_else_does_not_pass(bank: Bank) -> None:
    sentences = [
        "My grandmother memorises the noise of the market every Saturday morning.",
        "She says the stalls do poorly on new data plans because nobody reads the posters.",
        "The vendors want more data about the weather before they pick their spots.",
        "A dropout from the cookery school now sells the best bread in town.",
        "Her regularisation of the shopping list is famous among the neighbours.",
    ]
    filler = "We walked along the river, bought apples and talked about the harvest. "
    text = " ".join(s + " " + filler * 4 for s in sentences)
    assert len(text) > 1500
    result = grade(bank, "g-overfitting", text)
    assert result.verdict is not Verdict.GOOD
    assert not result.covered


@pytest.mark.parametrize(
    "text",
    [
        "Bagging reduces variance, boosting reduces bias.",
        "Bagging cuts variance; boosting cuts bias.",
    ],
)
def test_a_terse_correct_answer_is_not_a_keyword_list(bank: Bank, text: str) -> None:
    result = grade(bank, "g-ensembles", text)
    assert result.verdict is Verdict.PARTIAL
    assert result.covered_ids == {"bagging-variance", "boosting-bias"}


def test_a_bare_list_of_terms_still_is(bank: Bank) -> None:
    result = grade(bank, "g-ensembles", "bagging, variance, boosting, bias, parallel")
    assert result.verdict is Verdict.KEYWORD_LIST
