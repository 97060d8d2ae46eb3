"""Bank files that used to raise instead of giving `file:line: field: message` (issue 10)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.bank import yaml_lines
from bot.bank.loader import validate_paths


def billion_laughs(levels: int) -> str:
    """Nine aliases per level: `levels` levels expand to 9**levels strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    lines.append(f"questions: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    bank, found = validate_paths([path])
    assert bank is None
    prefix = f"{path}:"
    assert all(str(p).startswith(prefix) for p in found), found
    return [str(p).removeprefix(prefix) for p in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "questions:\n  - id: !foo bar\n",
            "2: questions[0].id: invalid YAML: could not determine a constructor for the tag "
            "'!foo'",
        ),
        ("? [a, b]\n: 1\n", "1: (yaml): invalid YAML: found unhashable key"),
        (
            "questions: !!binary x@@\n",
            "1: questions: invalid YAML: failed to decode base64 data: Invalid base64-encoded "
            "string: number of data characters (1) cannot be 1 more than a multiple of 4",
        ),
        ("questions: !!timestamp x\n", "1: questions: 'x' is not a valid timestamp"),
        (
            "time_limit_seconds: 2001-13-45\n",
            "1: time_limit_seconds: '2001-13-45' is not a valid timestamp (month must be in 1..12)",
        ),
        ("- id: !!int \n", "1: [0].id: '' is not a valid int"),
        ("q: !!bool maybe\n", "1: q: 'maybe' is not a valid bool"),
        ("a: &x [*x]\nquestions: *x\n", "1: (yaml): alias *x refers to itself (recursive)"),
        ("questions: *nowhere\n", "1: (yaml): malformed YAML: alias *nowhere has no anchor"),
        (
            "questions: []\n---\nquickfire: []\n",
            "2: (yaml): malformed YAML: a bank file holds one document (remove the ---)",
        ),
        (
            "questions:\n  - id: a\x07b\n",
            "2: (yaml): malformed YAML: control characters are not allowed (character #x0007)",
        ),
        ("a: " + "[" * 300 + "]" * 300 + "\n", "1: (yaml): nested more than 200 levels deep"),
    ],
)
def test_hostile_yaml_is_one_located_problem(tmp_path: Path, text: str, expected: str) -> None:
    assert problems(tmp_path, text) == [expected]


def test_deep_nesting_that_crashed_libyaml_is_refused(tmp_path: Path) -> None:
    """Some libyaml builds have no depth limit, and their composer crashes near 100,000 levels."""
    deep = "a: " + "[" * 200_000 + "]" * 200_000 + "\n"
    [problem] = problems(tmp_path, deep)
    assert problem.startswith("1: (yaml): ")
    assert "nest" in problem


@pytest.mark.parametrize("levels", [8, 9])
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path, levels: int) -> None:
    start = time.perf_counter()
    found = problems(tmp_path, billion_laughs(levels))
    elapsed = time.perf_counter() - start
    assert found == [
        "6: (yaml): aliases expand to more than 100,000 nodes; write the content out "
        "instead of aliasing it"
    ]
    assert elapsed < 1.0  # took 5.7 s (8 levels) and 47 s (9 levels) before the bound


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    text = "a: &x [1, 2]\nb: *x\n"
    root = yaml_lines.compose(text)
    assert yaml_lines.construct(root) == {"a": [1, 2], "b": [1, 2]}


def test_duplicate_keys_in_a_shared_node_are_reported_once(tmp_path: Path) -> None:
    root = yaml_lines.compose("a: &x {k: 1, k: 2}\nb: *x\nc: *x\n")
    assert [message for _, _, message in yaml_lines.duplicate_keys(root)] == [
        "key 'k' appears twice in one mapping"
    ]
