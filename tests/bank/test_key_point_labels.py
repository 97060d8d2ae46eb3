"""Two key points of one node may not share a label: a reveal could not tell them apart."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.bank.loader import load_bank, validate_paths

BANK = """\
questions:
  - id: q-bias
    topic: fundamentals
    difficulty: beginner
    prompt: What is bias?
    reference_answer: Error from wrong assumptions.
    key_points:
      - id: assumptions
        label: {first}
        phrases: [assumption]
      - id: underfit
        label: {second}
        phrases: [underfit]
"""


def write(tmp_path: Path, first: str, second: str) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(BANK.format(first=first, second=second)), encoding="utf-8")
    return path


def test_a_duplicate_label_within_a_node_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "Variance", "variance ")
    bank, problems = validate_paths([path])
    assert bank is None
    assert [str(p) for p in problems] == [
        f"{path}:12: questions[0].key_points[1].label: duplicate key point label 'variance' "
        "in 'q-bias' (also on 'assumptions')"
    ]


def test_distinct_labels_load(tmp_path: Path) -> None:
    bank = load_bank([write(tmp_path, "Wrong assumptions", "Underfitting")])
    labels = [p.label for p in bank.question("q-bias").key_points]
    assert labels == ["Wrong assumptions", "Underfitting"]
