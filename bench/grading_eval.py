"""Measure the grader on labelled answers.

Splits (see docs/benchmarks.md):
- `dev`: bench/grading_eval/dev/*.yaml, answers written by people who never saw the phrase
  lists, labelled per key point (covered / contradicted / absent). Tune on this one only.
- `test`: bench/grading_eval/test/*.yaml, the same kind, kept for the final report (seen twice).
- `holdout`: bench/grading_eval/holdout/*.yaml, written later by other writers who were shown only
  the questions and their key-point labels; 16 of its 24 questions are in neither dev nor test.
  Reported once (session 5), then tuned on (session 6).
- `holdout2`: bench/grading_eval/holdout2/*.yaml, 189 answers to 27 questions drawn at random,
  written in session 6 by three more writers shown only the questions and key-point labels.
  Never tuned on: the figures to report.
- `legacy`: bench/grading_eval/*.yaml, the first 72 answers (written in the bank's vocabulary).

Run: .venv/bin/python -m bench.grading_eval --split dev  (Markdown; --json for raw numbers)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.bank.catalog import Bank
from bot.bank.loader import load_bank
from bot.grading.grader import AnswerGrader, Grade, Verdict
from bot.settings import PROJECT_ROOT

EVAL_DIR = Path(__file__).parent / "grading_eval"
BUCKETS = ((0, 400, "<400"), (400, 1500, "400-1500"), (1500, 4000, "1500-4000"))
OVER = ">4000"
WRONG_STYLES = ("negated-wrong", "swapped-wrong")
PASSING = (Verdict.GOOD, Verdict.PARTIAL)
LONG_CHARS = 4000
LEGACY_CLASS = {  # the legacy labels: good, partial, wrong, off_topic, keyword_list
    Verdict.GOOD: "good",
    Verdict.PARTIAL: "partial",
    Verdict.WEAK: "wrong",
    Verdict.WRONG: "wrong",
    Verdict.OFF_TOPIC: "off_topic",
    Verdict.KEYWORD_LIST: "keyword_list",
    Verdict.EMPTY: "off_topic",
}
RUNS = 3  # each long answer is graded this often and its median kept: the machine is shared


@dataclass
class Tally:
    """Counts for one length bucket (or all answers)."""

    answers: int = 0
    agree: int = 0
    agree_lenient: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    contradicted: int = 0
    contradicted_credited: int = 0
    contradicted_found: int = 0
    wrong_style: int = 0
    wrong_style_good: int = 0
    unrelated: int = 0
    unrelated_pass: int = 0
    same_class: int = 0  # legacy: the verdict class matches the label (5 classes)

    def row(self) -> dict[str, float | int | None]:
        """Rates of this bucket."""
        return {
            "answers": self.answers,
            "pass_fail_agreement": _rate(self.agree, self.answers),
            "good_or_partial_agreement": _rate(self.agree_lenient, self.answers),
            "key_point_precision": _rate(self.tp, self.tp + self.fp),
            "key_point_recall": _rate(self.tp, self.tp + self.fn),
            "contradicted_points": self.contradicted,
            "contradicted_credited": _rate(self.contradicted_credited, self.contradicted),
            "contradicted_found": _rate(self.contradicted_found, self.contradicted),
            "negated_or_swapped_answers": self.wrong_style,
            "negated_or_swapped_good": self.wrong_style_good,
            "unrelated_gradings": self.unrelated,
            "unrelated_pass": _rate(self.unrelated_pass, self.unrelated),
            "verdict_accuracy_5_classes": _rate(self.same_class, self.answers),
        }


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def bucket(text: str) -> str:
    """The length bucket of an answer."""
    return next((name for low, high, name in BUCKETS if low <= len(text) < high), OVER)


def load_cases(split: str) -> list[dict[str, Any]]:
    """Every labelled answer of a split, in file order."""
    folder = EVAL_DIR if split == "legacy" else EVAL_DIR / split
    cases: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            case["file"] = path.name
            cases.append(case)
    return cases


def _sounds_spoken(text: str) -> bool:
    """The legacy set has no styles: its transcripts are the answers with fillers in them."""
    return re.search(r"\b(?:um|uh)\b", text) is not None


def _truth(case: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(verdict, point statuses) in the new format; the legacy format converted."""
    if "verdict" in case:
        return str(case["verdict"]), dict(case["points"])
    covered = set(case.get("covered") or [])
    return str(case["label"]), dict.fromkeys(covered, "covered")


def unrelated_questions(bank: Bank, question_id: str, n: int) -> list[str]:
    """Two questions of another topic, chosen deterministically from the answer's number."""
    own = bank.question(question_id)
    others = sorted(q.id for q in bank.questions if q.topic != own.topic)
    return [others[(n * 7 + 3) % len(others)], others[(n * 13 + 5) % len(others)]]


def evaluate(split: str) -> dict[str, Any]:
    """Grade every answer of a split (and against two unrelated questions); the figures."""
    bank = load_bank([PROJECT_ROOT / "question_bank"])
    grader = AnswerGrader()
    tallies: dict[str, Tally] = {"all": Tally()}
    timings: list[float] = []
    misses: list[str] = []
    cases = load_cases(split)
    for question in bank.questions:  # every node's vocabulary is computed once, up front
        grader.grade(question, question, "warm up")
    for n, case in enumerate(cases):
        text = str(case["answer"])
        question, node = bank.node(str(case["question_id"]))
        spoken = case.get("style") == "transcript" or (split == "legacy" and _sounds_spoken(text))
        start = time.process_time()
        grade = grader.grade(question, node, text, spoken=spoken)
        timings.append((time.process_time() - start) * 1000)
        for name in ("all", bucket(text)):
            tally = tallies.setdefault(name, Tally())
            _count(tally, case, grade, misses if name == "all" else None)
            for other_id in unrelated_questions(bank, question.id, n) if split != "legacy" else ():
                other = bank.question(other_id)
                tally.unrelated += 1
                tally.unrelated_pass += grader.grade(other, other, text).verdict is Verdict.GOOD
    order = ["all", *(name for _, _, name in BUCKETS), OVER]
    return {
        "split": split,
        "answers": len(cases),
        "questions": len({c["question_id"] for c in cases}),
        "by_length": {name: tallies[name].row() for name in order if name in tallies},
        "grade_ms_median": statistics.median(timings) if timings else None,
        "grade_ms_max": max(timings) if timings else None,
        "worst_4000_chars_ms": worst_long_ms(bank, grader, cases),
        "misgraded": misses,
    }


def _count(tally: Tally, case: dict[str, Any], grade: Grade, misses: list[str] | None) -> None:
    verdict, points = _truth(case)
    tally.answers += 1
    agree = (verdict == "good") == (grade.verdict is Verdict.GOOD)
    tally.agree += agree
    tally.same_class += verdict == LEGACY_CLASS[grade.verdict]
    lenient = verdict in ("good", "partial")
    tally.agree_lenient += lenient == (grade.verdict in PASSING)
    status = {p.id: p.status.value for p in grade.points}
    truth_covered = {p for p, s in points.items() if s == "covered"}
    found = {p for p, s in status.items() if s == "covered"}
    if verdict not in ("keyword_list", "off_topic"):
        tally.tp += len(truth_covered & found)
        tally.fp += len(found - truth_covered)
        tally.fn += len(truth_covered - found)
    for point, label in points.items():
        if label == "contradicted":
            tally.contradicted += 1
            tally.contradicted_credited += status.get(point) == "covered"
            tally.contradicted_found += status.get(point) == "contradicted"
    if case.get("style") in WRONG_STYLES:
        tally.wrong_style += 1
        tally.wrong_style_good += grade.verdict is Verdict.GOOD
    if misses is not None and (not agree or found != truth_covered):
        wrong_points = sorted(found ^ truth_covered)
        misses.append(
            f"{case['file']} {case.get('style', '')} [{verdict} -> {grade.verdict.value}] "
            f"points off: {', '.join(wrong_points) or '-'}"
        )


def worst_long_ms(bank: Bank, grader: AnswerGrader, cases: list[dict[str, Any]]) -> float:
    """The slowest grade of a ~4,000-character answer (median of RUNS runs) over every third
    question: real answers run together, and adversarial text (one unusual letter repeated,
    one short word repeated, digits, marks), typed and spoken."""
    texts = [
        "ꙮ" * LONG_CHARS,
        ("bias " * LONG_CHARS)[:LONG_CHARS],
        ("a " * LONG_CHARS)[:LONG_CHARS],
        ("not " * LONG_CHARS)[:LONG_CHARS],
        ("1/(1-p) " * LONG_CHARS)[:LONG_CHARS],
        ("variance, " * LONG_CHARS)[:LONG_CHARS],
        "-\n" * (LONG_CHARS // 2),
    ]
    joined = " ".join(str(c["answer"]) for c in cases) or "x"
    texts += [(joined * 2)[i * LONG_CHARS : (i + 1) * LONG_CHARS] for i in range(3)]
    worst = 0.0
    for question in bank.questions[::3]:
        for text in texts:
            for spoken in (False, True):
                runs = []
                for _ in range(RUNS):
                    start = time.process_time()
                    grader.grade(question, question, text, spoken=spoken)
                    runs.append((time.process_time() - start) * 1000)
                worst = max(worst, statistics.median(runs))
    return worst


def report(result: dict[str, Any]) -> str:
    """The result as Markdown."""

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    lines = [
        f"Split `{result['split']}`: {result['answers']} answers to {result['questions']} "
        "questions.",
        "",
        "| length | answers | pass/fail | good+partial | precision | recall "
        "| contradicted credited | contradicted found | negated/swapped graded good "
        "| unrelated pass |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in result["by_length"].items():
        lines.append(
            f"| {name} | {row['answers']} | {pct(row['pass_fail_agreement'])} "
            f"| {pct(row['good_or_partial_agreement'])} | {pct(row['key_point_precision'])} "
            f"| {pct(row['key_point_recall'])} "
            f"| {pct(row['contradicted_credited'])} of {row['contradicted_points']} "
            f"| {pct(row['contradicted_found'])} "
            f"| {row['negated_or_swapped_good']} of {row['negated_or_swapped_answers']} "
            f"| {pct(row['unrelated_pass'])} of {row['unrelated_gradings']} |"
        )
    if result["split"] == "legacy":
        accuracy = result["by_length"]["all"]["verdict_accuracy_5_classes"]
        lines += ["", f"Verdict accuracy (5 classes, legacy labels): {pct(accuracy)}."]
    lines += [
        "",
        f"Grading time: median {result['grade_ms_median']:.2f} ms per answer; worst "
        f"~4,000-character answer (real and adversarial, typed and spoken) "
        f"{result['worst_4000_chars_ms']:.1f} ms.",
    ]
    return "\n".join(lines)


def main() -> int:
    """Print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--split", choices=("dev", "test", "holdout", "holdout2", "legacy"), default="dev"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list misgraded answers")
    args = parser.parse_args()
    result = evaluate(args.split)
    if not result["answers"]:
        print(f"No answers in the {args.split} split.", file=sys.stderr)
        return 1
    if args.json:
        json.dump(result, sys.stdout, indent=2)
    else:
        print(report(result))
        if args.misses:
            print("\n".join(["", *result["misgraded"]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
