"""Quick-fire answers: lenient about form, strict about content."""

from __future__ import annotations

import pytest

from bot.grading.quickfire import matches


@pytest.mark.parametrize(
    ("given", "accepted"),
    [
        ("L1", ["l1"]),
        ("the L1.", ["L1"]),
        ("LASSO", ["L1", "lasso"]),
        ("It's lasso", ["lasso"]),
        ("i think xgboost", ["XGBoost"]),
        ("X G Boost", ["XGBoost"]),
        ("lasoo", ["lasso"]),
        ("gradient bosting", ["gradient boosting"]),
        ("random forrests", ["random forests"]),
        ("an autoencoder", ["autoencoder"]),
    ],
)
def test_accepted(given: str, accepted: list[str]) -> None:
    assert matches(given, accepted)


@pytest.mark.parametrize(
    ("given", "accepted"),
    [
        ("chair", ["air"]),
        ("l2", ["l1"]),
        ("adan", ["adam"]),
        ("", ["anything"]),
        ("the", ["the"]),
        ("relu", ["selu"]),
        ("bagging", ["boosting"]),
    ],
)
def test_refused(given: str, accepted: list[str]) -> None:
    assert not matches(given, accepted)
