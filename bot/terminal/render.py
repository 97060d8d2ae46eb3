"""Engine events as styled text for the terminal (rich `Text`: plain when not a terminal).

Everything taken from the bank or a person goes in as plain `Text`, never as rich markup, so a
prompt or an answer holding "[bold]" prints as typed.
"""

from __future__ import annotations

import textwrap

from rich.text import Text

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
from bot.engine.interview import ROOT_WEIGHT
from bot.grading.points import PointStatus
from bot.grading.speech_metrics import SpeechMetrics

WIDTH = 88
HEADING = "bold cyan"
GOOD = "green"
BAD = "red"
NOTE = "yellow"
DIM = "dim"


def wrap(text: str, indent: str = "  ") -> str:
    """Wrap prose to the terminal width, paragraph by paragraph."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]
    return "\n".join(
        textwrap.fill(p, WIDTH, initial_indent=indent, subsequent_indent=indent) for p in paragraphs
    )


def _lines(*parts: Text | str) -> Text:
    return Text("\n").join(Text(p) if isinstance(p, str) else p for p in parts)


def score_style(score: float) -> str:
    """Green for a good score, yellow for a pass, red below."""
    return GOOD if score >= 0.7 else NOTE if score >= 0.4 else BAD


def render(event: Event) -> Text | None:  # noqa: PLR0911 - one branch per event kind
    """One event as text, or None for events the terminal does not show."""
    match event:
        case Asked():
            return _asked(event)
        case HintGiven():
            return Text(f"💡 {event.text}", style=NOTE)
        case Graded():
            verdict = event.grade.verdict.value.replace("_", " ")
            return Text(f"   (score {event.score:.0%}: {verdict})", style=score_style(event.score))
        case Revealed():
            return _revealed(event)
        case TimeWarning():
            return Text(f"⏳ {event.seconds_left:.0f} seconds left.", style=NOTE)
        case TimedOut():
            return Text("⌛ Time is up.", style=BAD)
        case QuickFireAsked():
            head = Text(f"\n⚡ [{event.number}/{event.total}] ", style=HEADING)
            return head + Text(event.prompt) + Text(f"  ({event.seconds:.0f} s)", style=DIM)
        case QuickFireAnswered():
            if event.correct:
                return Text(f"   ✅ correct (streak {event.streak})", style=GOOD)
            return Text("   ❌ not quite", style=BAD)
        case QuickFireRevealed():
            return _quickfire_revealed(event)
        case ParticipantsChanged():
            return Text(f"👥 {', '.join(event.participants)}")
        case SessionEnded():
            return _ended(event, ())
    return None


def _asked(event: Asked) -> Text:
    if event.depth == 0:
        head = f"\n━━ Question {event.number}/{event.total} · {event.topic} · {event.difficulty} ━━"
        parts: list[Text | str] = [Text(head, style=HEADING), wrap(event.prompt)]
        if event.time_limit:
            parts.append(Text(f"  (time limit {event.time_limit:.0f} s)", style=DIM))
        return _lines(*parts)
    parts = [Text("\n↳ Follow-up:", style=HEADING)]
    if event.reason:
        parts.append(Text(f"  [{event.reason}]", style=NOTE))
    return _lines(*parts, wrap(event.prompt))


def _revealed(event: Revealed) -> Text:
    head = Text(f"\n━━ Reveal · score {event.score:.0%} ({event.outcome}) ━━", style=HEADING)
    parts: list[Text | str] = [head, Text("Reference answer:", style="bold")]
    parts.append(wrap(event.reference_answer))
    for result in event.results:
        if result.node_id != event.question_id:
            parts += [Text(f"Follow-up — {result.prompt}", style="bold")]
            parts.append(wrap(result.reference_answer))
    titles = ("Covered:", "Contradicted:", "Missed:")
    for title, marked, style in zip(titles, _points(event), (GOOD, NOTE, BAD), strict=True):
        if marked:
            parts.append(Text(title, style="bold"))
            parts += [Text(f"  {line}", style=style) for line in marked]
    if event.tips:
        parts.append(Text("Tips:", style="bold"))
        parts += [wrap(f"• {tip}") for tip in event.tips]
    speech = [r.speech for r in event.results if r.speech and r.speech.words_per_minute]
    if speech:
        parts.append(_speech(speech))
    return _lines(*parts)


def _points(event: Revealed) -> tuple[list[str], list[str], list[str]]:
    """Covered (with the words that earned each), contradicted (with the words), missed."""
    if not event.points:
        return [f"✔ {c.label}" for c in event.covered], [], [f"✘ {m.label}" for m in event.missed]
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


def _quickfire_revealed(event: QuickFireRevealed) -> Text:
    text = Text("   Answer: ", style="bold") + Text(event.answer)
    if event.explanation:
        text += Text("\n" + wrap(event.explanation, "   "), style=DIM)
    return text


def _ended(event: SessionEnded, reveals: tuple[Revealed, ...]) -> Text:
    parts: list[Text | str] = [Text(f"\n━━ Session over ({event.reason}) ━━", style=HEADING)]
    parts += [_score_line(rank, line, event) for rank, line in enumerate(event.scoreboard, 1)]
    if reveals:
        parts.append(Text("Each question's score:", style="bold"))
        for reveal in reveals:
            prompt = reveal.prompt if len(reveal.prompt) <= 60 else reveal.prompt[:57] + "..."
            row = Text(f"  {reveal.number}. ") + Text(
                f"{reveal.score:>4.0%}", score_style(reveal.score)
            )
            parts.append(row + Text(f"  {prompt}"))
    if event.mode.value != "quickfire" and event.scoreboard:
        parts.append(Text(_POINTS, style=DIM))
    return _lines(*parts)


_POINTS = wrap(
    f"Points: each answer scores from 0 to 1; your answer to the question itself counts "
    f"{ROOT_WEIGHT:g} times (double), each follow-up once, and the points add up over the "
    "session.",
    "",
)


def summary(event: SessionEnded, reveals: tuple[Revealed, ...]) -> Text:
    """The end of a session: the scoreboard, each question's score, and what points mean."""
    return _ended(event, reveals)


def _score_line(rank: int, line: ScoreLine, event: SessionEnded) -> str:
    if event.mode.value == "quickfire":
        speed = f", mean {line.mean_seconds:.1f} s" if line.mean_seconds is not None else ""
        return (
            f"  {rank}. {line.participant}: {line.correct} correct, "
            f"best streak {line.best_streak}{speed}"
        )
    return f"  {rank}. {line.participant}: {line.points:.2f} points over {line.answered} answers"
