"""Phrase matching: stems, spelling variants, typos and speech-to-text mangling."""

from __future__ import annotations

import pytest

from bot.grading.matcher import AnswerIndex


@pytest.mark.parametrize(
    ("answer", "phrase", "evidence"),
    [
        ("we regularise the weights", "regularization", "regularize"),
        ("It penalizes large weights", "penaliz", "penalizes"),
        ("the class imbalance is severe", "imbalanced", "imbalance"),
        ("use ex g boost for tabular data", "xgboost", "ex g boost"),
        ("the lass oh penalty", "lasso", "lass oh"),
        ("split on genie impurity", "gini impurity", "genie impurity"),
        ("add an L two penalty", "l2 penalty", "l2 penalty"),
        ("Bias–variance trade-off", "bias variance tradeoff", "bias variance trade off"),
        ("the model oversimplifies", "oversimplif", "oversimplifies"),
        ("a 99 percent accuracy", "99 percent", "99 percent"),
    ],
)
def test_phrase_is_found(answer: str, phrase: str, evidence: str) -> None:
    found = AnswerIndex(answer, 0.85).find(phrase)
    assert found is not None
    assert found.evidence == evidence


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ("the model has low variance", "high variance"),
        ("we used an L1 penalty", "l2 penalty"),
        ("a comfortable chair", "air"),
        ("each class. What I'd do next", "class weight"),
        ("precision matters here", "decision"),
        ("it is underfitting", "overfitting"),
        ("", "anything"),
    ],
)
def test_phrase_is_not_found(answer: str, phrase: str) -> None:
    assert AnswerIndex(answer, 0.85).find(phrase) is None
