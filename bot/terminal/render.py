"""Engine events as plain text for the terminal."""

from __future__ import annotations

import textwrap

from bot.engine.events import (
    Asked,
    Event,
    Graded,
    HintGiven,
    ParticipantsChanged,
    QuickFireAnswered,
    QuickFireAsked,
    QuickFireRevealed,
    Revealed,
    ScoreLine,
    SessionEnded,
    TimedOut,
    TimeWarning,
)
from bot.grading.points import PointStatus
from bot.grading.speech_metrics import SpeechMetrics

WIDTH = 88


def wrap(text: str, indent: str = "  ") -> str:
    """Wrap prose to the terminal width, paragraph by paragraph."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]
    return "\n".join(
        textwrap.fill(p, WIDTH, initial_indent=indent, subsequent_indent=indent) for p in paragraphs
    )


def render(event: Event) -> str:  # noqa: PLR0911 - one branch per event kind
    """One event as text."""
    match event:
        case Asked():
            return _asked(event)
        case HintGiven():
            return f"💡 {event.text}"
        case Graded():
            return f"   (score {event.score:.0%}: {event.grade.verdict.value.replace('_', ' ')})"
        case Revealed():
            return _revealed(event)
        case TimeWarning():
            return f"⏳ {event.seconds_left:.0f} seconds left."
        case TimedOut():
            return "⌛ Time is up."
        case QuickFireAsked():
            return f"\n⚡ [{event.number}/{event.total}] {event.prompt}  ({event.seconds:.0f} s)"
        case QuickFireAnswered():
            mark = f"✅ correct (streak {event.streak})" if event.correct else "❌ not quite"
            return f"   {mark}"
        case QuickFireRevealed():
            return _quickfire_revealed(event)
        case ParticipantsChanged():
            return f"👥 {', '.join(event.participants)}"
        case SessionEnded():
            return _ended(event)
    return ""


def _asked(event: Asked) -> str:
    if event.depth == 0:
        head = f"\n━━ Question {event.number}/{event.total} · {event.topic} · {event.difficulty} ━━"
        limit = f"\n  (time limit {event.time_limit:.0f} s)" if event.time_limit else ""
        return f"{head}\n{wrap(event.prompt)}{limit}"
    reason = f"  [{event.reason}]\n" if event.reason else ""
    return f"\n↳ Follow-up:\n{reason}{wrap(event.prompt)}"


def _revealed(event: Revealed) -> str:
    lines = [
        f"\n━━ Reveal · score {event.score:.0%} ({event.outcome}) ━━",
        "Reference answer:",
        wrap(event.reference_answer),
    ]
    for result in event.results:
        if result.node_id != event.question_id:
            lines += [f"Follow-up — {result.prompt}", wrap(result.reference_answer)]
    for title, marked in zip(("Covered:", "Contradicted:", "Missed:"), _points(event), strict=True):
        if marked:
            lines += [title] + [f"  {line}" for line in marked]
    if event.tips:
        lines += ["Tips:"] + [wrap(f"• {tip}") for tip in event.tips]
    speech = [r.speech for r in event.results if r.speech and r.speech.words_per_minute]
    if speech:
        lines.append(_speech(speech))
    return "\n".join(lines)


def _points(event: Revealed) -> tuple[list[str], list[str], list[str]]:
    """Covered (with the words that earned each), contradicted (with the words), missed."""
    if not event.points:
        return [f"✔ {c}" for c in event.covered], [], [f"✘ {m}" for m in event.missed]
    covered = [
        f"✔ {p.label}  ← “{p.evidence}”"
        + (" (in a follow-up)" if p.how == "in a follow-up" else "")
        for p in event.points
        if p.covered
    ]
    contradicted = [
        f"⚠ {p.label}  ← you said “{p.evidence}”" for p in event.points if p.contradicted
    ]
    missed = [f"✘ {p.label}" for p in event.points if p.status is PointStatus.MISSED]
    return covered, contradicted, missed


def _speech(metrics: list[SpeechMetrics]) -> str:
    fillers = sum(m.filler_words for m in metrics)
    words = sum(m.words for m in metrics)
    rates = [m.words_per_minute for m in metrics if m.words_per_minute]
    pace = f", {sum(rates) / len(rates):.0f} words per minute" if rates else ""
    return f"Delivery: {words} words, {fillers} filler words{pace}."


def _quickfire_revealed(event: QuickFireRevealed) -> str:
    text = f"   Answer: {event.answer}"
    if event.explanation:
        text += f"\n{wrap(event.explanation, '   ')}"
    return text


def _ended(event: SessionEnded) -> str:
    lines = [f"\n━━ Session over ({event.reason}) ━━"]
    lines += [_score_line(rank, line, event) for rank, line in enumerate(event.scoreboard, 1)]
    return "\n".join(lines)


def _score_line(rank: int, line: ScoreLine, event: SessionEnded) -> str:
    if event.mode.value == "quickfire":
        speed = f", mean {line.mean_seconds:.1f} s" if line.mean_seconds is not None else ""
        return (
            f"  {rank}. {line.participant}: {line.correct} correct, "
            f"best streak {line.best_streak}{speed}"
        )
    return f"  {rank}. {line.participant}: {line.points:.2f} points over {line.answered} answers"
