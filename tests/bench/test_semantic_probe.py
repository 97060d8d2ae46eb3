"""The semantic probe's own logic: pooling, best cosine, AUC, sentence windows, regrading."""

from __future__ import annotations

import numpy as np

from bench.semantic_embed import max_cosine, mean_pool
from bench.semantic_probe import WINDOW, auc, chunks, credit_rule, withhold_rule
from bot.grading.clauses import Parsed
from bot.grading.grader import Grade, PointResult, PointStatus, Verdict


def test_mean_pool_ignores_padding_and_normalises() -> None:
    hidden = np.array([[[3.0, 0.0], [1.0, 0.0], [0.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]], dtype=np.int64)
    pooled = mean_pool(hidden, mask)
    assert np.allclose(pooled, [[1.0, 0.0]])  # mean (2, 0), the padded token left out


def test_mean_pool_keeps_direction_of_the_mean() -> None:
    hidden = np.array([[[1.0, 0.0], [0.0, 1.0]]], dtype=np.float32)
    pooled = mean_pool(hidden, np.array([[1, 1]], dtype=np.int64))
    assert np.allclose(pooled, [[2**-0.5, 2**-0.5]])


def test_max_cosine_takes_the_best_sentence_per_point() -> None:
    sentences = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    points = np.array([[0.6, 0.8], [-1.0, 0.0]], dtype=np.float32)
    assert np.allclose(max_cosine(sentences, points), [0.8, 0.0])
    assert max_cosine(np.zeros((0, 2), dtype=np.float32), points).tolist() == [-1.0, -1.0]


def test_auc_counts_ties_as_half() -> None:
    assert auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auc([0.1], [0.9]) == 0.0
    assert auc([0.5], [0.5]) == 0.5
    assert auc([], [0.5]) is None


def test_chunks_splits_a_run_on_transcript_into_windows() -> None:
    words = " ".join(f"w{i}" for i in range(WINDOW * 2))
    parts = chunks(Parsed.of(f"Short one. {words}", spoken=True))
    assert parts[0] == "Short one"
    assert all(len(p.split()) <= WINDOW for p in parts)
    assert parts[-1].split()[-1] == f"w{WINDOW * 2 - 1}"


def _grade(*statuses: PointStatus, verdict: Verdict) -> Grade:
    points = tuple(PointResult(f"p{i}", f"P{i}", 1.0, s) for i, s in enumerate(statuses))
    coverage = sum(p.covered for p in points) / len(points)
    return Grade("q", coverage, coverage, points, verdict)


def test_credit_rule_credits_missed_points_only_and_regrades() -> None:
    grade = _grade(
        PointStatus.COVERED, PointStatus.MISSED, PointStatus.CONTRADICTED, verdict=Verdict.WRONG
    )
    sims = {"p0": 0.9, "p1": 0.9, "p2": 0.9}
    after = credit_rule(0.5)(grade, sims)
    assert [p.status for p in after.points] == [
        PointStatus.COVERED,
        PointStatus.COVERED,
        PointStatus.CONTRADICTED,
    ]
    assert after.verdict is Verdict.WRONG  # a contradiction keeps the answer wrong
    partial = _grade(PointStatus.COVERED, PointStatus.MISSED, verdict=Verdict.PARTIAL)
    assert credit_rule(0.5)(partial, {"p0": 0.9, "p1": 0.6}).verdict is Verdict.GOOD
    assert credit_rule(0.5)(partial, {"p0": 0.9, "p1": 0.4}) is partial


def test_withhold_rule_drops_credits_below_the_threshold() -> None:
    grade = _grade(PointStatus.COVERED, PointStatus.COVERED, verdict=Verdict.GOOD)
    after = withhold_rule(0.3)(grade, {"p0": 0.2, "p1": 0.8})
    assert [p.status for p in after.points] == [PointStatus.MISSED, PointStatus.COVERED]
    assert after.verdict is Verdict.PARTIAL
    assert after.coverage == 0.5
