"""Rules of the codebase that a reviewer would otherwise have to remember."""

from __future__ import annotations

import hashlib
import re

import pytest

from bot.bank.loader import load_bank
from tests.conftest import ROOT

GUIDE = ROOT.parent / "shared" / "reference" / "ml-interview-guide.txt"
# The guide is not ours to ship, so the repository keeps only a fingerprint of it: a short hash of
# every run of 10 words. Regenerate with `python -m tests.test_architecture` beside the guide.
GUIDE_RUNS = ROOT / "tests" / "data" / "guide-10-word-runs.txt"
RUN = 10


@pytest.mark.parametrize(
    "package", ["bank", "engine", "grading", "store", "terminal", "speech", "progress"]
)
def test_core_packages_know_nothing_of_discord(package: str) -> None:
    for path in (ROOT / "bot" / package).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) discord\b", source, re.MULTILINE), path
        assert "bot.discord" not in source, path


SESSION_TYPES = ("InterviewSession", "QuickFireSession")


@pytest.mark.parametrize("package", ["discord", "terminal"])
def test_adapters_never_ask_which_mode_a_session_is(package: str) -> None:
    """Adapters speak the one session contract (bot/engine/base.py); a new mode edits none."""
    for path in (ROOT / "bot" / package).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name in SESSION_TYPES:
            assert name not in source, f"{path} names {name}"


def test_cogs_get_what_they_use_not_the_whole_bot() -> None:
    """A cog is built from the parts it uses (a Launcher, the repository, the rooms...), so it
    can be read and tested without the client; only the client module knows the bot."""
    cogs = sorted((ROOT / "bot" / "discord" / "cogs").glob("*.py"))
    assert len(cogs) > 5
    for path in cogs:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\bInterviewBot\b", source), f"{path} takes the whole bot"
        assert "interaction.client" not in source, f"{path} reaches the bot through a client"
        assert "self.bot" not in source, f"{path} keeps the bot"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _fingerprint(words: list[str]) -> set[str]:
    """A 16-hex-digit hash of every run of RUN words."""
    return {
        hashlib.blake2b(" ".join(words[i : i + RUN]).encode(), digest_size=8).hexdigest()
        for i in range(len(words) - RUN + 1)
    }


def test_the_guide_fingerprint_is_current() -> None:
    """Where the guide is at hand (a developer's checkout), the stored fingerprint matches it."""
    if not GUIDE.is_file():  # a bare checkout (CI): the stored fingerprint is all there is
        assert GUIDE_RUNS.read_text(encoding="utf-8").split()
        return
    stored = set(GUIDE_RUNS.read_text(encoding="utf-8").split())
    assert stored == _fingerprint(_words(GUIDE.read_text(encoding="utf-8")))


def test_the_bank_does_not_paste_the_guide() -> None:
    """No run of 10 words from the guide appears in any bank text (facts in our own words)."""
    runs = set(GUIDE_RUNS.read_text(encoding="utf-8").split())
    bank = load_bank([ROOT / "question_bank"])
    texts: list[str] = []
    for tree in bank.trees.values():
        for node in tree.nodes.values():
            texts += [node.prompt, node.reference_answer]
        texts += list(tree.question.tips)
    texts += [tip for section in bank.strategy for tip in section.tips]
    copied = [text for text in texts if _fingerprint(_words(text)) & runs]
    assert copied == []


if __name__ == "__main__":
    GUIDE_RUNS.write_text(
        "\n".join(sorted(_fingerprint(_words(GUIDE.read_text(encoding="utf-8"))))) + "\n",
        encoding="utf-8",
    )
