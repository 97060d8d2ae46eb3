"""A report card as words: the lines every adapter shows, and the Markdown export."""

from __future__ import annotations

from datetime import datetime

from bot.engine.events import Outcome
from bot.engine.report import QuestionScore, ReportCard, Trend

MINUTE, HOUR, DAY = 60, 3600, 86400
TREND_WORDS = {Trend.UP: "rising", Trend.DOWN: "falling", Trend.STEADY: "steady"}
EVERY_POINT = "No key point missed: every one was covered."


def title(card: ReportCard) -> str:
    """The card's heading: the mean score over its questions."""
    mean = card.mean_score
    if mean is None:
        return "Report card · nothing answered"
    return f"Report card · {mean:.0%} over {_count(len(card.questions), 'question')}"


def score_lines(card: ReportCard) -> tuple[str, ...]:
    """One line per question: its score, how it went, its topic, the start of its prompt."""
    return tuple(_score_line(n, q) for n, q in enumerate(card.questions, 1))


def missed_by_topic(card: ReportCard) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each topic with the labels of the key points missed on it."""
    return tuple((t.topic, tuple(p.label for p in t.points)) for t in card.missed)


def comeback_lines(card: ReportCard) -> tuple[str, ...]:
    """When each question of the session comes back in /review."""
    return tuple(f"{when(c.due, card.made_at)}: {_short(c.prompt)}" for c in card.comebacks)


def delivery_lines(card: ReportCard) -> tuple[str, ...]:
    """Pace and fillers over the spoken answers, with their trends (none: nothing spoken)."""
    delivery = card.delivery
    if delivery is None:
        return ()
    paces = " → ".join(f"{a.words_per_minute:.0f}" for a in delivery.answers)
    fillers = " → ".join(str(a.filler_words) for a in delivery.answers)
    return (
        f"Pace: {delivery.mean_pace:.0f} words per minute on average, "
        f"{TREND_WORDS[delivery.pace_trend]} ({paces})",
        f"Fillers: {delivery.mean_fillers:.1f} per answer, "
        f"{TREND_WORDS[delivery.filler_trend]} ({fillers})",
    )


def plain(card: ReportCard) -> str:
    """The card as plain text (the terminal)."""
    out = [title(card), "Scores", *(f"  {line}" for line in score_lines(card))]
    if card.missed:
        out.append("Key points missed")
        for topic, labels in missed_by_topic(card):
            out += [f"  {topic}", *(f"    ✘ {label}" for label in labels)]
    elif card.questions:
        out.append(EVERY_POINT)
    if card.comebacks:
        out += ["Back in /review", *(f"  {line}" for line in comeback_lines(card))]
    if card.delivery is not None:
        out += ["Delivery (spoken answers)", *(f"  {line}" for line in delivery_lines(card))]
    return "\n".join(out)


def markdown(card: ReportCard, who: str) -> str:
    """The card as a Markdown document (the Export file); `who` names its person."""
    made = card.made_at.strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# {_md(title(card))}", "", f"{_md(who)} · session `{card.session_id}` · {made}", ""]
    out += ["## Scores", "", *_score_table(card.questions), ""]
    out += ["## Key points missed", ""]
    for topic, labels in missed_by_topic(card):
        out += [f"### {_md(topic)}", "", *(f"- {_md(label)}" for label in labels), ""]
    if not card.missed:
        out += [EVERY_POINT, ""]
    if card.comebacks:
        out += ["## Back in /review", "", *(f"- {_md(line)}" for line in comeback_lines(card)), ""]
    if card.delivery is not None:
        out += ["## Delivery (spoken answers)", ""]
        out += [*(f"- {_md(line)}" for line in delivery_lines(card)), ""]
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
