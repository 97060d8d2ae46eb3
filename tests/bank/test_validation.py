"""Every validation error names the file, the line and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.bank.loader import load_bank, validate_paths
from bot.errors import QuestionBankError

QUESTION = """\
questions:
  - id: q-one
    topic: fundamentals
    difficulty: beginner
    prompt: What is it?
    reference_answer: It is a thing.
    key_points:
      - id: a
        label: Point A
        phrases: [alpha]
    follow_ups:
      - id: q-one-f
        when: {missed: [a]}
        prompt: And then?
        reference_answer: Then this.
        key_points:
          - id: b
            label: Point B
            phrases: [beta]
"""


def write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(*paths: Path) -> list[str]:
    bank, problems = validate_paths(list(paths))
    assert bank is None
    return [str(p) for p in problems]


def test_valid_file_loads(tmp_path: Path) -> None:
    bank = load_bank([write(tmp_path, QUESTION)])
    assert bank.question("q-one").follow_ups[0].when.missed == ("a",)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "difficulty: beginner",
            "difficulty: hard",
            ":4: questions[0].difficulty: input should be 'beginner', 'intermediate' or 'advanced'",
        ),
        ("    prompt: What is it?\n", "", ":2: questions[0].prompt: required field is missing"),
        (
            "phrases: [alpha]",
            "phrases: []",
            ":8: questions[0].key_points[0]: value error, "
            "a key point needs phrases, a relation, or both",
        ),
        (
            "phrases: [beta]",
            "phrases: [beta, [1]]",
            ":19: questions[0].follow_ups[0].key_points[0].phrases[1]: "
            "input should be a valid string",
        ),
        (
            "    follow_ups:",
            "    follow_up: []\n    follow_ups:",
            ":11: questions[0].follow_up: unknown field",
        ),
        ("id: q-one\n", "id: Q One\n", ":2: questions[0].id: string should match pattern"),
        (
            "when: {missed: [a]}",
            "when: {mised: [a]}",
            ":13: questions[0].follow_ups[0].when: must be 'always', {missed: [key-point ids]}",
        ),
        (
            "when: {missed: [a]}",
            "when: {missed: [zzz]}",
            ":13: questions[0].follow_ups[0].when: names key point 'zzz', which 'q-one' does not "
            "have (a)",
        ),
        (
            "          - id: b\n",
            "          - id: b\n            label: Again\n"
            "            phrases: [x]\n          - id: b\n",
            ":20: questions[0].follow_ups[0].key_points[1].id: duplicate key point id 'b'",
        ),
        (
            "    topic: fundamentals\n",
            "    topic: fundamentals\n    topic: other\n",
            ":4: questions[0].topic: key 'topic' appears twice in one mapping",
        ),
    ],
)
def test_each_problem_is_located(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in QUESTION
    path = write(tmp_path, QUESTION.replace(old, new, 1))
    found = problems_of(path)
    assert any(p.startswith(str(path)) and expected in p for p in found), found


def test_malformed_yaml_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, QUESTION.replace("prompt: What is it?", "prompt: [unclosed"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:6: (yaml): malformed YAML")


def test_unknown_ref_and_cycle(tmp_path: Path) -> None:
    text = QUESTION + textwrap.indent(
        "follow_ups:\n  - ref: nowhere\n    when: always\n  - ref: q-one-f\n    when: always\n",
        " " * 8,
    )
    path = write(tmp_path, text)
    found = problems_of(path)
    assert (
        f"{path}:21: questions[0].follow_ups[0].follow_ups[0].ref: 'nowhere' is not a "
        "follow-up defined in question 'q-one'" in found
    )
    assert (
        f"{path}:23: questions[0].follow_ups[0].follow_ups[1].ref: cycle: q-one-f -> "
        "q-one-f" in found
    )


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, QUESTION, "a.yaml")
    second = write(tmp_path, QUESTION.replace("id: q-one-f", "id: other-f"), "b.yaml")
    found = problems_of(tmp_path)
    assert found == [
        f"{second}:2: questions[0].id: duplicate id 'q-one' (first defined at {first}:2)"
    ]


def test_empty_file_and_missing_path(tmp_path: Path) -> None:
    empty = write(tmp_path, "questions: []\n")
    assert problems_of(empty) == [
        f"{empty}:1: (file): value error, a bank file needs at least "
        "one of questions, quickfire or strategy"
    ]
    missing = tmp_path / "nope"
    assert problems_of(missing) == [f"{missing}:0: (path): no such file or folder"]


def test_load_bank_raises_with_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, QUESTION.replace("beginner", "hard").replace("[alpha]", "[]"))
    with pytest.raises(QuestionBankError) as caught:
        load_bank([path])
    assert len(caught.value.problems) == 2
    assert "and 1 more" in str(caught.value)
