"""Does a semantic second opinion (all-MiniLM-L6-v2) help the grader? A bench-only probe.

For every answer of the tuning splits (dev, test, holdout; never holdout2) it grades the answer
with the shipped grader, embeds the answer's sentences, and takes per key point the best cosine
between a sentence and the point's label (`label`) or the label and each of its phrases
(`phrases`). It reports the AUC of that similarity (covered vs absent, contradicted vs covered,
by the reviewer's labels) and two combinations with the grader, thresholds chosen on dev+test
and reported on holdout: (a) credit a point the grader missed when similarity >= t; (b) withhold
a credit when similarity < t'. Plus the time per answer, grader and embedding together.

Run: flock /tmp/bench.lock .venv/bin/python -m bench.semantic_probe  (model: see semantic_embed)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bench.grading_eval import Tally, _count, load_cases, unrelated_questions
from bench.semantic_embed import Embedder, Matrix, max_cosine
from bot.bank.catalog import Bank
from bot.bank.loader import load_bank
from bot.bank.models import Node
from bot.grading.clauses import Parsed
from bot.grading.grader import AnswerGrader, Grade, PointStatus, Verdict
from bot.settings import PROJECT_ROOT

SPLITS = ("dev", "test", "holdout")
TUNE = ("dev", "test")
VARIANTS = ("label", "phrases")
WINDOW = 32  # words: a transcript's run-on "sentence" is embedded in windows this long
STRIDE = 16
GRID = tuple(round(0.20 + 0.01 * i, 2) for i in range(61))  # 0.20 .. 0.80
REGRADED = (Verdict.GOOD, Verdict.PARTIAL, Verdict.WEAK, Verdict.OFF_TOPIC)
LONG_CHARS = 4000


@dataclass
class Answer:
    """One graded answer, its point similarities, and its gradings against unrelated questions."""

    split: str
    case: dict[str, Any]
    grade: Grade
    sims: dict[str, dict[str, float]]  # variant -> point id -> similarity
    unrelated: list[tuple[Grade, dict[str, dict[str, float]]]]


def chunks(parsed: Parsed) -> list[str]:
    """The answer's sentences as text; a sentence longer than WINDOW words in windows."""
    out: list[str] = []
    for sentence in parsed.sentences():
        starts = range(sentence.start, max(sentence.start + 1, sentence.stop - STRIDE), STRIDE)
        for first in starts if len(sentence) > WINDOW else (sentence.start,):
            out.append(parsed.quote(first, min(first + WINDOW, sentence.stop)))
    return out


class PointVectors:
    """Each node's key-point labels (and phrases) embedded once."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: dict[str, dict[str, list[tuple[str, Matrix]]]] = {}

    def of(self, node: Node) -> dict[str, list[tuple[str, Matrix]]]:
        """variant -> [(point id, vectors)]: `label` alone, `phrases` adds each phrase."""
        if node.id not in self._cache:
            label, phrases = [], []
            for point in node.key_points:
                texts = [point.label, *point.phrases]
                if point.relation is not None:
                    texts += [
                        f"{s} {o}" for s in point.relation.subject for o in point.relation.object
                    ]
                vectors = self.embedder.embed(texts)
                label.append((point.id, vectors[:1]))
                phrases.append((point.id, vectors))
            self._cache[node.id] = {"label": label, "phrases": phrases}
        return self._cache[node.id]

    def similarities(self, node: Node, sentences: Matrix) -> dict[str, dict[str, float]]:
        """variant -> point id -> best cosine of any sentence with the point."""
        return {
            variant: {pid: float(max_cosine(sentences, vectors).max()) for pid, vectors in rows}
            for variant, rows in self.of(node).items()
        }


def collect(bank: Bank, grader: AnswerGrader, vectors: PointVectors) -> list[Answer]:
    """Grade and embed every answer of the tuning splits."""
    answers: list[Answer] = []
    for split in SPLITS:
        for n, case in enumerate(load_cases(split)):
            text = str(case["answer"])
            question, node = bank.node(str(case["question_id"]))
            spoken = case.get("style") == "transcript"
            sentences = vectors.embedder.embed(chunks(Parsed.of(text, spoken=spoken)))
            grade = grader.grade(question, node, text, spoken=spoken)
            unrelated = []
            for other_id in unrelated_questions(bank, question.id, n):
                other = bank.question(other_id)
                unrelated.append(
                    (grader.grade(other, other, text), vectors.similarities(other, sentences))
                )
            answers.append(
                Answer(split, case, grade, vectors.similarities(node, sentences), unrelated)
            )
    return answers


def auc(positives: Iterable[float], negatives: Iterable[float]) -> float | None:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = np.array(list(positives)), np.array(list(negatives))
    if not len(pos) or not len(neg):
        return None
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


Rule = Callable[[Grade, dict[str, float]], Grade]


def credit_rule(threshold: float) -> Rule:
    """(a) a point the grader missed (not contradicted) is covered when similarity >= t."""

    def rule(grade: Grade, sims: dict[str, float]) -> Grade:
        return _regrade(
            grade,
            {
                p.id: PointStatus.COVERED
                for p in grade.points
                if p.status is PointStatus.MISSED and sims[p.id] >= threshold
            },
        )

    return rule


def withhold_rule(threshold: float) -> Rule:
    """(b) a point the grader credited is missed when similarity < t'."""

    def rule(grade: Grade, sims: dict[str, float]) -> Grade:
        return _regrade(
            grade,
            {p.id: PointStatus.MISSED for p in grade.covered if sims[p.id] < threshold},
        )

    return rule


def _regrade(grade: Grade, changes: dict[str, PointStatus]) -> Grade:
    """The grade with some point statuses changed; coverage and verdict follow as the grader
    would (a wrong answer or a list of terms keeps its verdict)."""
    if not changes:
        return grade
    points = tuple(replace(p, status=changes.get(p.id, p.status)) for p in grade.points)
    coverage = sum(p.weight for p in points if p.covered) / sum(p.weight for p in points)
    if grade.verdict not in REGRADED:
        return replace(grade, points=points, coverage=coverage)
    verdict = AnswerGrader().verdict_for(coverage)
    if (
        verdict is Verdict.WEAK
        and grade.verdict is Verdict.OFF_TOPIC
        and not any(p.covered for p in points)
    ):
        verdict = Verdict.OFF_TOPIC
    return replace(grade, points=points, coverage=coverage, score=coverage, verdict=verdict)


def tally(answers: list[Answer], variant: str, rule: Rule | None) -> Tally:
    """The grading_eval counts over `answers`, with `rule` applied (None: the grader alone)."""
    out = Tally()
    for answer in answers:
        grade = rule(answer.grade, answer.sims[variant]) if rule else answer.grade
        _count(out, answer.case, grade, None)
        for other, sims in answer.unrelated:
            out.unrelated += 1
            regraded = rule(other, sims[variant]) if rule else other
            out.unrelated_pass += regraded.verdict is Verdict.GOOD
    return out


def point_correct(t: Tally) -> int:
    """Point decisions that agree with the reviewer, up to a constant: tp - fp - fn."""
    return t.tp - t.fp - t.fn


def choose(answers: list[Answer], variant: str, make: Callable[[float], Rule]) -> float:
    """The threshold on dev+test with the most agreeing point decisions, pass/fail breaking ties."""
    tuning = [a for a in answers if a.split in TUNE]

    def score(threshold: float) -> tuple[int, int]:
        t = tally(tuning, variant, make(threshold))
        return point_correct(t), t.agree

    return max(GRID, key=score)


def aucs(answers: list[Answer], variant: str) -> tuple[float | None, float | None]:
    """(covered vs absent, covered vs contradicted) AUC of the similarity."""
    by: dict[str, list[float]] = {"covered": [], "absent": [], "contradicted": []}
    for answer in answers:
        for pid, label in answer.case["points"].items():
            by[str(label)].append(answer.sims[variant][pid])
    return auc(by["covered"], by["absent"]), auc(by["covered"], by["contradicted"])


def timings(bank: Bank, grader: AnswerGrader, vectors: PointVectors) -> tuple[float, float, float]:
    """CPU ms per answer over the tuning splits: (median grader, median grader + semantic,
    median of 3 grader + semantic for a ~4,000-character answer)."""
    alone, both = [], []
    cases = [c for split in SPLITS for c in load_cases(split)]

    def once(text: str, question_id: str, spoken: bool) -> tuple[float, float]:
        question, node = bank.node(question_id)
        start = time.process_time()
        grader.grade(question, node, text, spoken=spoken)
        middle = time.process_time()
        vectors.similarities(node, vectors.embedder.embed(chunks(Parsed.of(text, spoken=spoken))))
        return (middle - start) * 1000, (time.process_time() - start) * 1000

    for case in cases:
        a, b = once(
            str(case["answer"]), str(case["question_id"]), case.get("style") == "transcript"
        )
        alone.append(a)
        both.append(b)
    joined = " ".join(str(c["answer"]) for c in cases)[:LONG_CHARS]
    long = statistics.median(once(joined, str(cases[0]["question_id"]), False)[1] for _ in range(3))
    return statistics.median(alone), statistics.median(both), long


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _row(split: str, name: str, t: Tally) -> str:
    r = t.row()
    return (
        f"| {split} | {name} | {_pct(r['pass_fail_agreement'])} | {_pct(r['key_point_precision'])} "
        f"| {_pct(r['key_point_recall'])} | {_pct(r['contradicted_credited'])} of {t.contradicted} "
        f"| {t.wrong_style_good} of {t.wrong_style} | {_pct(r['unrelated_pass'])} |"
    )


def report(answers: list[Answer], times: tuple[float, float, float]) -> str:
    """The probe's result as Markdown."""
    lines = ["| similarity to | split | covered vs absent AUC | covered vs contradicted AUC |"]
    lines.append("|---|---|---|---|")
    for variant in VARIANTS:
        for split in (*SPLITS, "all"):
            subset = [a for a in answers if split in (a.split, "all")]
            present, contra = aucs(subset, variant)
            lines.append(f"| {variant} | {split} | {_pct(present)} | {_pct(contra)} |")
    for variant in VARIANTS:
        t_credit = choose(answers, variant, credit_rule)
        t_withhold = choose(answers, variant, withhold_rule)
        lines += [
            "",
            f"Similarity to `{variant}`: (a) credit a missed point at >= {t_credit:.2f}; "
            f"(b) withhold a credit below {t_withhold:.2f} (both chosen on dev+test).",
            "",
            "| split | grading | pass/fail | precision | recall | contradicted credited "
            "| negated/swapped good | unrelated pass |",
            "|---|---|---|---|---|---|---|---|",
        ]
        rules = (
            ("grader", None),
            ("(a)", credit_rule(t_credit)),
            ("(b)", withhold_rule(t_withhold)),
        )
        for split in SPLITS:
            subset = [a for a in answers if a.split == split]
            lines += [_row(split, name, tally(subset, variant, rule)) for name, rule in rules]
    alone, both, long = times
    lines += [
        "",
        f"Time per answer (CPU, one onnxruntime thread): grader alone median {alone:.2f} ms; "
        f"grader + sentence embeddings median {both:.1f} ms; a ~4,000-character answer "
        f"{long:.0f} ms.",
    ]
    return "\n".join(lines)


def main() -> int:
    """Print the probe's report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    bank = load_bank([PROJECT_ROOT / "question_bank"])
    grader = AnswerGrader()
    vectors = PointVectors(Embedder())
    answers = collect(bank, grader, vectors)
    print(report(answers, timings(bank, grader, vectors)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
