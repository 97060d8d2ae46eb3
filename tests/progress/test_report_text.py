"""The report card as text, Markdown and a chart."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from bot.engine.events import Mode, Outcome, PointRef
from bot.engine.report import (
    Comeback,
    Delivery,
    QuestionScore,
    ReportCard,
    SpokenAnswer,
    TopicMisses,
)
from bot.progress import report_chart, report_text
from tests.conftest import ROOT

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


def card(*, delivery: Delivery | None = None, missed: bool = True) -> ReportCard:
    return ReportCard(
        session_id="s1",
        user_id="123",
        mode=Mode.SOLO,
        made_at=NOW,
        questions=(
            QuestionScore(
                "q-a", "What is a | pipe * star?", "fundamentals", 0.75, Outcome.ANSWERED, 1
            ),
            QuestionScore(
                "q-b", "How does k-means work?", "classic-algorithms", 0.0, Outcome.SKIPPED, 0
            ),
        ),
        missed=(
            (
                TopicMisses("classic-algorithms", (PointRef("assign", "Assign to the nearest"),)),
                TopicMisses("fundamentals", (PointRef("p", "Use _regularization_"),)),
            )
            if missed
            else ()
        ),
        comebacks=(
            Comeback("q-b", "How does k-means work?", NOW + timedelta(minutes=1), 1),
            Comeback("q-a", "What is a | pipe * star?", NOW + timedelta(days=3, hours=1), 2),
        ),
        delivery=delivery,
    )


def test_markdown_has_every_part_and_keeps_bank_text_literal() -> None:
    text = report_text.markdown(card(), "Ada")
    assert text.startswith("# Report card · 38% over 2 questions\n")
    assert "Ada · session `s1` · 2026-03-01 12:00 UTC" in text
    assert "| 1 | 75% | fundamentals | What is a \\| pipe \\* star? |" in text
    assert "| 2 | 0% (skipped) | classic-algorithms | How does k-means work? |" in text
    lines = text.splitlines()
    topics = [line for line in lines if line.startswith("### ")]
    assert topics == ["### classic-algorithms", "### fundamentals"]
    assert "- Use \\_regularization\\_" in lines
    assert "- in 1 minute: How does k-means work?" in lines
    assert "- in 3 days (2026-03-04): What is a | pipe \\* star?" in lines
    assert "Delivery" not in text  # nothing was spoken
    assert text.endswith("\n")


def test_delivery_lines_show_the_trend_and_each_answer() -> None:
    delivery = Delivery((SpokenAnswer("a", 100.0, 4), SpokenAnswer("b", 150.0, 1)))
    lines = report_text.delivery_lines(card(delivery=delivery))
    assert lines == (
        "Pace: 125 words per minute on average, rising (100 → 150)",
        "Fillers: 2.5 per answer, falling (4 → 1)",
    )
    assert "## Delivery (spoken answers)" in report_text.markdown(card(delivery=delivery), "Ada")


def test_plain_text_for_the_terminal() -> None:
    text = report_text.plain(card(missed=False))
    assert text.splitlines()[:4] == [
        "Report card · 38% over 2 questions",
        "Scores",
        "  1. 75% · fundamentals, 1 follow-up · What is a | pipe * star?",
        "  2. 0% (skipped) · classic-algorithms · How does k-means work?",
    ]
    assert report_text.EVERY_POINT in text
    assert "  in 1 minute: How does k-means work?" in text


def test_when_reads_like_people_say_it() -> None:
    assert report_text.when(NOW - timedelta(seconds=5), NOW) == "now"
    assert report_text.when(NOW + timedelta(seconds=20), NOW) == "in 1 minute"
    assert report_text.when(NOW + timedelta(minutes=10), NOW) == "in 10 minutes"
    assert report_text.when(NOW + timedelta(hours=5), NOW) == "in 5 hours"
    assert report_text.when(NOW + timedelta(days=1), NOW) == "in 1 day (2026-03-02)"


def test_chart_plots_the_scores_and_the_delivery() -> None:
    delivery = Delivery((SpokenAnswer("a", 100.0, 4), SpokenAnswer("b", 150.0, 1)))
    drawn = report_chart.render(card(delivery=delivery), "This session")
    assert drawn.png.startswith(PNG)
    assert drawn.scores == (0.75, 0.0)
    assert (drawn.paces, drawn.fillers) == ((100.0, 150.0), (4, 1))
    typed = report_chart.render(card(), "This session")
    assert typed.png.startswith(PNG)
    assert typed.paces == ()


# Loaded only when needed: a chart is drawn, a voice session starts, the schema needs migrating.
LAZY = ("matplotlib", "numpy", "faster_whisper", "ctranslate2", "av", "onnxruntime", "pyttsx3")
LAZY += ("torch", "PIL", "alembic", "mako", "pygments")


def test_the_bot_starts_without_the_chart_or_speech_stack() -> None:
    probe = (
        "import sys, bot.discord.runner, bot.discord.client, bot.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *LAZY], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
