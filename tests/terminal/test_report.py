"""Terminal practice ends with the same report card, and writes it as Markdown when asked."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import run

ANSWER = "It memorises the noise in the training data and fails on unseen data."


def test_solo_practice_prints_the_report_card_and_writes_the_markdown(tmp_path: Path) -> None:
    card = tmp_path / "card.md"
    result = run(
        tmp_path,
        "practice",
        "--topic",
        "fundamentals",
        "--user",
        "ada",
        "--report",
        str(card),
        stdin=f"{ANSWER}\n/done\n",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    summary, _, report = out.partition("Report card · 75% over 1 question\n")
    assert "Each question's score:" in summary  # the card comes after the summary
    assert report.startswith(
        "Scores\n  1. 75% · fundamentals · What is overfitting and how do you prevent it?\n"
    )
    assert "Key points missed\n  fundamentals\n    ✘ Regularization or cross-validation" in report
    assert "Back in /review\n  in 10 minutes: What is overfitting" in report
    assert "\x1b[" not in out  # piped: plain text
    markdown = card.read_text(encoding="utf-8")
    assert markdown.startswith("# Report card · 75% over 1 question\n\nada · session `")
    assert "- Regularization or cross-validation prevents it" in markdown
    assert f"Your report card is in {card}." in result.stderr


def test_quickfire_practice_has_no_report_card(tmp_path: Path) -> None:
    result = run(tmp_path, "practice", "--mode", "quickfire", "--questions", "1", stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Session over (ended)" in result.stdout
    assert "Report card" not in result.stdout


def test_a_report_file_that_cannot_be_written_is_one_sentence(tmp_path: Path) -> None:
    card = tmp_path / "no such folder" / "card.md"
    result = run(
        tmp_path,
        "practice",
        "--topic",
        "fundamentals",
        "--report",
        str(card),
        stdin=f"{ANSWER}\n/done\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Could not write the report card to {card} (No such file or directory);" in (
        result.stderr
    )
    assert "Report card · 75% over 1 question" in result.stdout  # shown, so nothing is lost
