"""The report card's components V2 layout: text escaped, cut to Discord's 4,000 characters."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.discord.report_layout import TEXT_LIMIT, card_layout
from bot.engine.events import Mode, Outcome, PointRef
from bot.engine.report import QuestionScore, ReportCard, TopicMisses

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def card(questions: int, prompt: str = "What is *this*?") -> ReportCard:
    return ReportCard(
        session_id="s1",
        user_id="123",
        mode=Mode.SOLO,
        made_at=NOW,
        questions=tuple(
            QuestionScore(f"q{n}", prompt, "fundamentals", 0.5, Outcome.ANSWERED, 0)
            for n in range(questions)
        ),
        missed=(TopicMisses("fundamentals", (PointRef("p", "Use _regularization_"),)),),
        comebacks=(),
        delivery=None,
    )


def texts(layout_components: list[dict[str, object]]) -> list[str]:
    out: list[str] = []
    for comp in layout_components:
        if comp.get("type") == 10:
            out.append(str(comp["content"]))
        out += texts(comp.get("components", []))  # type: ignore[arg-type]
    return out


def test_bank_text_is_escaped_and_files_are_shown_in_the_container() -> None:
    layout = card_layout(card(1), chart="report.png", markdown="report-s1.md")
    [container] = layout.to_components()
    kinds = [c["type"] for c in container["components"]]
    assert kinds == [10, 10, 10, 12, 13]  # heading, scores, missed; chart; file
    shown = texts([container])
    assert shown[1] == "**Scores**\n1. 50% · fundamentals · What is \\*this\\*?"
    assert shown[2] == "**Key points missed**\n*fundamentals*\n✘ Use \\_regularization\\_"
    gallery = container["components"][3]
    assert gallery["items"][0]["media"]["url"] == "attachment://report.png"
    assert gallery["items"][0]["description"] == "Score per question: 50%"


def test_a_long_card_is_cut_to_fit_at_a_line() -> None:
    long = card(50, prompt="Explain " + "very " * 30 + "carefully.")
    shown = texts(card_layout(long).to_components())
    assert sum(map(len, shown)) <= TEXT_LIMIT
    scores = shown[1]
    assert scores.endswith("\n…")
    lines = scores.split("\n")
    assert all(". 50% · fundamentals · Explain very" in line for line in lines[1:-1])
    assert shown[2].startswith("**Key points missed**")  # the short parts are kept whole
