"""Shipped-bank content: the classic ways of getting a point wrong are contradictions, and the
correct statement of the same idea, with its contrasts and negations, is not (issue 8)."""

from __future__ import annotations

import pytest

from bot.bank.catalog import Bank
from bot.grading.grader import PointStatus
from tests.bank.grading import point_status

WRONG = [
    (
        "regression-metrics",
        "RMSE is the more robust one, so outliers barely move it.",
        "outlier-sensitivity",
    ),
    ("regression-metrics", "MAE is sensitive to outliers; MSE is not.", "outlier-sensitivity"),
    (
        "regression-metrics",
        "R-squared is simply the correlation between y and the prediction.",
        "r-squared",
    ),
    ("regression-metrics", "RMSE comes out in squared units.", "mse-rmse"),
    ("probability-calibration", "Isotonic regression has no risk of overfitting.", "isotonic"),
    (
        "probability-calibration",
        "There is no need to hold data back for the calibrator.",
        "held-out-calibration",
    ),
    (
        "ab-testing-models",
        "A p-value of 0.04 means a 96% probability the new model is better.",
        "significance",
    ),
    (
        "ab-testing-models",
        "Small effects are easier to detect, so they need fewer users.",
        "power-sample-size",
    ),
    (
        "imbalanced-datasets",
        "Give the majority class the larger weight in the loss.",
        "class-weights",
    ),
    (
        "imbalanced-datasets",
        "Raise the decision threshold to catch more positives.",
        "threshold-moving",
    ),
    (
        "precision-recall-f1",
        "Favour precision when missing a positive is costly, as in cancer screening.",
        "precision-use-case",
    ),
    (
        "missing-data",
        "MNAR means the values are missing completely at random.",
        "missingness-mechanism",
    ),
    (
        "model-monitoring-drift",
        "Once it is retrained, just push it straight to production.",
        "retraining",
    ),
    (
        "feature-engineering",
        "Linear models are scale invariant, so only trees need scaling.",
        "scaling-transforms",
    ),
    (
        "parametric-vs-nonparametric",
        "Linear regression is a non-parametric model.",
        "parametric-examples",
    ),
    (
        "parametric-vs-nonparametric",
        "Non-parametric models have no learned parameters at all.",
        "nonparametric-grows",
    ),
    ("l1-vs-l2-regularization", "Ridge is what you use for feature selection.", "l2-shrinkage"),
    (
        "l1-vs-l2-regularization",
        "Lasso shrinks weights just like ridge and gives no exact zeros.",
        "l1-sparsity",
    ),
    (
        "curse-of-dimensionality",
        "In high dimensions distances become more spread out, so k-NN improves.",
        "distance-concentration",
    ),
    (
        "curse-of-dimensionality",
        "Overfitting is worst in low dimensions; adding features reduces overfitting.",
        "overfitting-risk",
    ),
    (
        "choosing-loss-functions",
        "Minimising MAE estimates the mean, and MSE estimates the median.",
        "probabilistic-view",
    ),
    (
        "no-free-lunch-model-selection",
        "Inductive bias is a liability: the fewer assumptions the better.",
        "inductive-bias",
    ),
    ("what-is-machine-learning", "AI is a subfield of machine learning.", "subfield-of-ai"),
    (
        "parametric-vs-nonparametric",
        "Parametric models are more flexible and need more data.",
        "tradeoffs",
    ),
    (
        "generative-vs-discriminative",
        "Discriminative models need less data than generative ones.",
        "tradeoffs",
    ),
    ("roc-auc", "The ROC curve plots precision against recall.", "roc-axes"),
]

RIGHT = [
    (
        "regression-metrics",
        "MSE is less robust to outliers than MAE, because squaring punishes big misses.",
        "outlier-sensitivity",
    ),
    (
        "regression-metrics",
        "RMSE is the square root of MSE, so it is back in the target's units.",
        "mse-rmse",
    ),
    (
        "probability-calibration",
        "Fit the calibrator on held-out data; isotonic can overfit on a small set.",
        "isotonic",
    ),
    (
        "imbalanced-datasets",
        "Lower the threshold to catch more positives; raising it gives fewer false positives.",
        "threshold-moving",
    ),
    (
        "l1-vs-l2-regularization",
        "Picture the L1 diamond versus the L2 circle: lasso hits the corners.",
        "why-geometry-or-prior",
    ),
    (
        "parametric-vs-nonparametric",
        "Parametric models like linear regression, and non-parametric ones like kNN.",
        "parametric-examples",
    ),
    (
        "ml-system-design",
        "I would clarify the goal, then start with a simple model as a baseline.",
        "clarify-business",
    ),
    (
        "roc-auc",
        "ROC plots TPR against FPR, while the PR curve plots precision against recall.",
        "roc-axes",
    ),
    (
        "generative-vs-discriminative",
        "Discriminative models win with lots of labels; generative ones need less data.",
        "tradeoffs",
    ),
]


@pytest.mark.parametrize(("node", "text", "point"), WRONG, ids=[w[2] for w in WRONG])
def test_a_classic_mistake_contradicts_the_point(
    shipped: Bank, node: str, text: str, point: str
) -> None:
    assert point_status(shipped, node, point, text) is PointStatus.CONTRADICTED


@pytest.mark.parametrize(("node", "text", "point"), RIGHT, ids=[r[2] for r in RIGHT])
def test_the_correct_statement_is_not_a_contradiction(
    shipped: Bank, node: str, text: str, point: str
) -> None:
    assert point_status(shipped, node, point, text) is not PointStatus.CONTRADICTED
