"""Measure the grader on the labelled answers in bench/grading_eval/*.yaml.

Run: .venv/bin/python -m bench.grading_eval  (prints a Markdown report; --json for raw numbers)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from bot.bank.loader import load_bank
from bot.grading.grader import AnswerGrader, Verdict
from bot.settings import PROJECT_ROOT

EVAL_DIR = Path(__file__).parent / "grading_eval"
LABELS = ("good", "partial", "wrong", "off_topic", "keyword_list")
PREDICTED = {
    Verdict.GOOD: "good",
    Verdict.PARTIAL: "partial",
    Verdict.WEAK: "wrong",
    Verdict.WRONG: "wrong",
    Verdict.OFF_TOPIC: "off_topic",
    Verdict.KEYWORD_LIST: "keyword_list",
    Verdict.EMPTY: "off_topic",
}


def load_cases() -> list[dict[str, object]]:
    """Every labelled answer."""
    cases: list[dict[str, object]] = []
    for path in sorted(EVAL_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case["file"] = path.name
            cases.append(case)
    return cases


def evaluate() -> dict[str, object]:
    """Grade every case; return accuracy, confusion, key-point precision/recall, scores."""
    bank = load_bank([PROJECT_ROOT / "question_bank"])
    grader = AnswerGrader()
    confusion: Counter[tuple[str, str]] = Counter()
    scores: dict[str, list[float]] = defaultdict(list)
    tp = fp = fn = 0
    misses = []
    timings: list[float] = []
    cases = load_cases()
    for case in cases:
        question, node = bank.node(str(case["question_id"]))
        start = time.perf_counter()
        grade = grader.grade(question, node, str(case["answer"]))
        timings.append((time.perf_counter() - start) * 1000)
        label, predicted = str(case["label"]), PREDICTED[grade.verdict]
        confusion[(label, predicted)] += 1
        scores[label].append(grade.score)
        truth = set(case.get("covered") or [])  # type: ignore[call-overload]
        found = {p.id for p in grade.covered}
        if label not in ("keyword_list", "off_topic"):
            tp += len(truth & found)
            fp += len(found - truth)
            fn += len(truth - found)
        if label != predicted:
            misses.append(f"{case['question_id']} [{label} -> {predicted}, {grade.score:.2f}]")
    correct = sum(n for (a, b), n in confusion.items() if a == b)
    good_right = sum(n for (a, b), n in confusion.items() if (a == "good") == (b == "good"))
    return {
        "cases": len(cases),
        "questions": len({c["question_id"] for c in cases}),
        "accuracy": correct / len(cases),
        "good_vs_rest_accuracy": good_right / len(cases),
        "key_point_precision": tp / (tp + fp) if tp + fp else 0.0,
        "key_point_recall": tp / (tp + fn) if tp + fn else 0.0,
        "median_score": {k: statistics.median(v) for k, v in scores.items()},
        "max_score": {k: max(v) for k, v in scores.items()},
        "confusion": {f"{a}->{b}": n for (a, b), n in sorted(confusion.items())},
        "misclassified": misses,
        "grade_ms_median": statistics.median(timings),
        "grade_ms_max": max(timings),
        "grade_ms_4000_chars": _long_answer_ms(bank, grader),
    }


def _long_answer_ms(bank: object, grader: AnswerGrader) -> float:
    """Median time to grade a 4,000-character answer (the configured maximum)."""
    from bot.bank.catalog import Bank  # noqa: PLC0415

    assert isinstance(bank, Bank)
    question = bank.question("bias-variance-tradeoff")
    text = (question.reference_answer + " ") * 10
    text = text[:4000]
    runs = []
    for _ in range(11):
        start = time.perf_counter()
        grader.grade(question, question, text)
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def report(result: dict[str, object]) -> str:
    """The result as Markdown."""
    confusion = result["confusion"]
    assert isinstance(confusion, dict)
    lines = [
        f"Cases: {result['cases']} answers to {result['questions']} questions.",
        "",
        f"- Verdict accuracy (5 classes): {result['accuracy']:.1%}",
        f"- Good vs not good: {result['good_vs_rest_accuracy']:.1%}",
        f"- Key-point precision: {result['key_point_precision']:.1%}, "
        f"recall: {result['key_point_recall']:.1%} (good, partial and wrong answers)",
        f"- Time to grade one answer: median {result['grade_ms_median']:.1f} ms, "
        f"max {result['grade_ms_max']:.1f} ms; a 4,000-character answer: "
        f"{result['grade_ms_4000_chars']:.1f} ms",
        "",
        "| label \\ predicted | " + " | ".join(LABELS) + " | median score | max score |",
        "|---|" + "---|" * (len(LABELS) + 2),
    ]
    medians, maxima = result["median_score"], result["max_score"]
    assert isinstance(medians, dict)
    assert isinstance(maxima, dict)
    for label in LABELS:
        row = [str(confusion.get(f"{label}->{p}", 0)) for p in LABELS]
        lines.append(
            f"| {label} | "
            + " | ".join(row)
            + f" | {medians.get(label, 0):.2f} | {maxima.get(label, 0):.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    """Print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list misclassified answers")
    args = parser.parse_args()
    result = evaluate()
    if args.json:
        json.dump(result, sys.stdout, indent=2)
    else:
        print(report(result))
        if args.misses:
            print("\n".join(["", *map(str, result["misclassified"])]))  # type: ignore[call-overload]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
