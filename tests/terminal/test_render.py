"""The terminal reveal: the words behind each covered and each contradicted point."""

from __future__ import annotations

from bot.terminal.render import render
from tests.discord.test_render import graded_reveal


def test_reveal_quotes_the_words_behind_each_point() -> None:
    text = render(graded_reveal())
    assert "Covered:\n  ✔ Bagging reduces variance  ← “bagging cuts **variance**”" in text
    assert (
        "Contradicted:\n  ⚠ Boosting reduces bias  ← you said “boosting reduces variance”" in text
    )
    assert "Missed:\n  ✘ Boosting is sequential" in text
