"""Rules of the codebase that a reviewer would otherwise have to remember."""

from __future__ import annotations

import re

import pytest

from bot.bank.loader import load_bank
from tests.conftest import ROOT

GUIDE = ROOT.parent / "shared" / "reference" / "ml-interview-guide.txt"


@pytest.mark.parametrize("package", ["bank", "engine", "grading", "store", "terminal"])
def test_core_packages_know_nothing_of_discord(package: str) -> None:
    for path in (ROOT / "bot" / package).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) discord\b", source, re.MULTILINE), path
        assert "bot.discord" not in source, path


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_the_bank_does_not_paste_the_guide() -> None:
    """No run of 10 words from the guide appears in any bank text (facts in our own words)."""
    guide = _words(GUIDE.read_text(encoding="utf-8"))
    runs = {" ".join(guide[i : i + 10]) for i in range(len(guide) - 9)}
    bank = load_bank([ROOT / "question_bank"])
    texts: list[str] = []
    for tree in bank.trees.values():
        for node in tree.nodes.values():
            texts += [node.prompt, node.reference_answer]
        texts += list(tree.question.tips)
    texts += [tip for section in bank.strategy for tip in section.tips]
    copied = []
    for text in texts:
        words = _words(text)
        copied += [
            " ".join(words[i : i + 10])
            for i in range(len(words) - 9)
            if " ".join(words[i : i + 10]) in runs
        ]
    assert copied == []
