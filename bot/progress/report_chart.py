"""The report card's chart: each question's score and, for spoken answers, pace and fillers.

matplotlib is imported on the first chart, not when the bot starts (it costs a second or more
to import), and only with the Agg backend: no screen, safe in a worker thread.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from bot.engine.report import ReportCard

WIDTH_INCHES, HEIGHT_INCHES, DPI = 10, 4, 100
_DRAWING = threading.Lock()  # pyplot keeps global state: one figure at a time


@dataclass(frozen=True)
class ReportChart:
    """The PNG and exactly what was plotted (for tests and alt text)."""

    png: bytes
    scores: tuple[float, ...]
    paces: tuple[float, ...]
    fillers: tuple[int, ...]


def render(card: ReportCard, heading: str) -> ReportChart:
    """Draw the chart (blocking: call it in a worker thread from async code)."""
    import matplotlib as mpl  # noqa: PLC0415 - lazily: the bot starts without matplotlib

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    scores = tuple(q.score for q in card.questions)
    spoken = card.delivery.answers if card.delivery else ()
    paces = tuple(a.words_per_minute for a in spoken)
    fillers = tuple(a.filler_words for a in spoken)
    with _DRAWING:
        panels = 2 if spoken else 1
        figure, axes = plt.subplots(
            1, panels, figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, squeeze=False
        )
        try:
            left = axes[0][0]
            labels = [f"Q{n}" for n in range(1, len(scores) + 1)]
            left.bar(labels, scores, color="#5865F2")
            left.set(title="Score per question", ylabel="score", ylim=(0, 1.05))
            left.grid(axis="y", alpha=0.3)
            if spoken:
                right = axes[0][1]
                steps = range(1, len(paces) + 1)
                right.plot(steps, paces, marker="o", color="#57F287", label="words per minute")
                right.set(title="Delivery per spoken answer", xlabel="spoken answer", ylabel="wpm")
                twin = right.twinx()
                twin.bar(steps, fillers, alpha=0.3, color="#ED4245", label="filler words")
                twin.set(ylabel="filler words")
            figure.suptitle(heading)
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
        finally:
            plt.close(figure)
    return ReportChart(buffer.getvalue(), scores, paces, fillers)
