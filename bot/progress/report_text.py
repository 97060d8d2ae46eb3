"""A report card as words: the lines every adapter shows, and the Markdown export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.engine.events import Outcome
from bot.engine.report import Comeback, Delivery, QuestionScore, ReportCard, Trend

MINUTE, HOUR, DAY = 60, 3600, 86400
TREND_WORDS = {Trend.UP: "rising", Trend.DOWN: "falling", Trend.STEADY: "steady"}


@dataclass(frozen=True)
class Section:
    """One titled part of a report card: plain lines, no markup."""

    title: str
    lines: tuple[str, ...]


def title(card: ReportCard) -> str:
    """The card's heading: the mean score over its questions."""
    mean = card.mean_score
    if mean is None:
        return "Report card · nothing answered"
    return f"Report card · {mean:.0%} over {_count(len(card.questions), 'question')}"


def sections(card: ReportCard) -> tuple[Section, ...]:
    """The card's parts in reading order (a part with nothing to say is left out)."""
    parts = [Section("Scores", tuple(_score_line(n, q) for n, q in enumerate(card.questions, 1)))]
    if card.missed:
        parts.append(
            Section(
                "Key points missed",
                tuple(f"{t.topic}: " + "; ".join(p.label for p in t.points) for t in card.missed),
            )
        )
    elif card.questions:
        parts.append(Section("Key points missed", ("None: every key point was covered.",)))
    if card.comebacks:
        parts.append(
            Section(
                "Back in /review",
                tuple(_comeback_line(c, card.made_at) for c in card.comebacks),
            )
        )
    if card.delivery is not None:
        parts.append(Section("Delivery (spoken answers)", _delivery_lines(card.delivery)))
    return tuple(p for p in parts if p.lines)


def plain(card: ReportCard) -> str:
    """The card as plain text (the terminal)."""
    blocks = [title(card)]
    blocks += [s.title + "\n" + "\n".join(f"  {line}" for line in s.lines) for s in sections(card)]
    return "\n\n".join(blocks)


def markdown(card: ReportCard, who: str) -> str:
    """The card as a Markdown document (the Export file); `who` names its person."""
    made = card.made_at.strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# {_md(title(card))}", "", f"{_md(who)} · session `{card.session_id}` · {made}", ""]
    for section in sections(card):
        out += [f"## {section.title}", ""]
        if section.title == "Scores":
            out += _score_table(card.questions)
        else:
            out += [f"- {_md(line)}" for line in section.lines]
        out.append("")
    return "\n".join(out)


def when(due: datetime, now: datetime) -> str:
    """When something is due, as people say it: now, in 10 minutes, in 3 days (with the date)."""
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < HOUR:
        return f"in {_count(max(1, round(seconds / MINUTE)), 'minute')}"
    if seconds < DAY:
        return f"in {_count(round(seconds / HOUR), 'hour')}"
    days = round(seconds / DAY)
    return f"in {_count(days, 'day')} ({due.date().isoformat()})"


def _score_line(number: int, q: QuestionScore) -> str:
    how = "" if q.outcome is Outcome.ANSWERED else f" ({q.outcome})"
    follow = f", {_count(q.follow_ups, 'follow-up')}" if q.follow_ups else ""
    return f"{number}. {q.score:.0%}{how} · {q.topic}{follow} · {_short(q.prompt)}"


def _score_table(questions: tuple[QuestionScore, ...]) -> list[str]:
    rows = ["| # | score | topic | question |", "| --- | --- | --- | --- |"]
    for n, q in enumerate(questions, 1):
        how = "" if q.outcome is Outcome.ANSWERED else f" ({q.outcome})"
        rows.append(f"| {n} | {q.score:.0%}{how} | {_cell(q.topic)} | {_cell(q.prompt)} |")
    return rows


def _comeback_line(comeback: Comeback, now: datetime) -> str:
    return f"{when(comeback.due, now)}: {_short(comeback.prompt)}"


def _delivery_lines(delivery: Delivery) -> tuple[str, ...]:
    answers = delivery.answers
    paces = " → ".join(f"{a.words_per_minute:.0f}" for a in answers)
    fillers = " → ".join(str(a.filler_words) for a in answers)
    return (
        f"Pace: {delivery.mean_pace:.0f} words per minute on average, "
        f"{TREND_WORDS[delivery.pace_trend]} ({paces})",
        f"Fillers: {delivery.mean_fillers:.1f} per answer, "
        f"{TREND_WORDS[delivery.filler_trend]} ({fillers})",
    )


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return _md(" ".join(text.split())).replace("|", "\\|")


def _md(text: str) -> str:
    """Text that Markdown shows as written (bank text may hold `*`, `_` or backticks)."""
    for char in "\\`*_[]<>#":
        text = text.replace(char, "\\" + char)
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
