"""The parse cache: a clean file loads from it unchanged; a changed, broken or faulty file is
parsed again, and its problems carry their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank.cache import ParseCache
from bot.bank.catalog import Bank
from bot.bank.loader import load_bank, validate_paths
from bot.errors import QuestionBankError
from bot.settings import PROJECT_ROOT
from tests.bank.test_validation import QUESTION, write


def ids(bank: Bank) -> list[str]:
    return [q.id for q in bank.questions]


def test_the_shipped_bank_loads_the_same_from_the_cache(tmp_path: Path) -> None:
    paths = [PROJECT_ROOT / "question_bank"]
    parsed = load_bank(paths, tmp_path)
    assert list(tmp_path.glob("*.marshal"))  # written on the first load
    cached = load_bank(paths, tmp_path)
    assert cached.questions == parsed.questions
    assert cached.quickfire == parsed.quickfire
    assert sorted(cached.trees) == sorted(parsed.trees)


def test_a_cached_text_is_read_from_the_cache(tmp_path: Path) -> None:
    """The cache, not the YAML, is what a second load reads: an entry holding other (valid)
    data for the same text is what comes back."""
    path = write(tmp_path, QUESTION)
    cache = ParseCache(tmp_path / "cache")
    other = load_bank([write(tmp_path, QUESTION.replace("What is it?", "Other?"), "x.yaml")])
    data = {"questions": [other.questions[0].model_dump(mode="json", exclude_none=True)]}
    cache.put(path.read_text(encoding="utf-8"), data)
    assert load_bank([path], tmp_path / "cache").question("q-one").prompt == "Other?"


def test_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    path = write(tmp_path, QUESTION)
    load_bank([path], tmp_path / "cache")
    write(tmp_path, QUESTION.replace("What is it?", "What is it now?"))
    bank = load_bank([path], tmp_path / "cache")
    assert bank.question("q-one").prompt == "What is it now?"


def test_a_broken_cache_entry_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, QUESTION)
    load_bank([path], tmp_path / "cache")
    for entry in (tmp_path / "cache").glob("*.marshal"):
        entry.write_bytes(b"\x00garbage")
    assert ids(load_bank([path], tmp_path / "cache")) == ["q-one"]


def test_problems_across_cached_files_keep_their_lines(tmp_path: Path) -> None:
    first = write(tmp_path, QUESTION, "one.yaml")
    load_bank([first], tmp_path / "cache")
    write(tmp_path, QUESTION, "two.yaml")  # the same ids again, in a second file
    _, cached = validate_paths(
        [tmp_path / "one.yaml", tmp_path / "two.yaml"], ParseCache(tmp_path / "cache")
    )
    _, parsed = validate_paths([tmp_path / "one.yaml", tmp_path / "two.yaml"])
    assert cached == parsed
    assert cached
    assert all(p.line > 0 for p in cached)


def test_a_file_with_problems_is_never_cached(tmp_path: Path) -> None:
    path = write(tmp_path, QUESTION + "questions: []\n")  # a duplicate key
    for _ in range(2):
        with pytest.raises(QuestionBankError):
            load_bank([path], tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.marshal"))
