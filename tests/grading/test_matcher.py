"""Phrase matching: stems, spelling variants, compounds, typos, and speech-to-text mangling."""

from __future__ import annotations

import pytest

from bot.grading.clauses import Parsed
from bot.grading.matcher import AnswerIndex


def find(answer: str, phrase: str, *, spoken: bool = False) -> str | None:
    parsed = Parsed.of(answer)
    hits = AnswerIndex(parsed, spoken=spoken).find(phrase)
    return parsed.quote(hits[0].start, hits[0].end) if hits else None


@pytest.mark.parametrize(
    ("answer", "phrase", "evidence"),
    [
        ("we regularise the weights", "regularization", "regularise"),
        ("It penalizes large weights", "penaliz", "penalizes"),
        ("the class imbalance is severe", "imbalanced", "imbalance"),
        ("add an L two penalty", "l2 penalty", "L two penalty"),
        ("Bias–variance trade-off", "bias variance tradeoff", "Bias–variance trade-off"),
        ("the model oversimplifies", "oversimplif", "oversimplifies"),
        ("a 99 percent accuracy", "99 percent", "99 percent"),
        (
            "it is worse than predicting the mean",
            "worse than the mean",
            "worse than predicting the mean",
        ),
        ("we stacked LSTMs and GRUs", "lstm", "LSTMs"),
        ("recall is TP/(TP+FN)", "tp/(tp+fn)", "TP/(TP+FN)"),
        ("scale by √d_k", "sqrt d_k", "√d_k"),
        ("the F-score balances them", "f1 score", "F-score"),
        ("its varience is high", "variance", "varience"),
    ],
)
def test_typed_phrase_is_found(answer: str, phrase: str, evidence: str) -> None:
    assert find(answer, phrase) == evidence


@pytest.mark.parametrize(
    ("answer", "phrase", "evidence"),
    [
        ("use ex g boost for tabular data", "xgboost", "ex g boost"),
        ("the lass oh penalty", "lasso", "lass oh"),
        ("split on genie impurity", "gini impurity", "genie impurity"),
    ],
)
def test_spoken_phrase_is_found_only_when_spoken(answer: str, phrase: str, evidence: str) -> None:
    assert find(answer, phrase, spoken=True) == evidence
    assert find(answer, phrase) is None


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
        ("it uses unlabeled data", "labeled data"),
        ("k-means is unsupervised", "supervised"),
        ("a non-linear boundary", "linear"),
        ("a nonparametric model", "parametric"),
        ("then unfreeze the backbone", "freeze"),
        ("the number of parameters grows with the data", "fixed number of parameters"),
    ],
)
def test_phrase_is_not_found(answer: str, phrase: str) -> None:
    assert find(answer, phrase) is None
    assert find(answer, phrase, spoken=True) is None
