"""The progress chart: score over time and mastery per topic, as a PNG (matplotlib, no screen)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

from bot.progress.stats import Stats

WIDTH_INCHES, HEIGHT_INCHES, DPI = 10, 4, 100


@dataclass(frozen=True)
class Chart:
    """The PNG and exactly what was plotted (for tests and alt text)."""

    png: bytes
    score_series: tuple[float, ...]
    mastery_bars: tuple[tuple[str, float], ...]


def render(stats: Stats, title: str) -> Chart:
    """Draw the chart (blocking: call it in a worker thread from async code)."""
    scores = tuple(p.score for p in stats.scores)
    bars = tuple(stats.mastery.items())
    figure, (left, right) = plt.subplots(1, 2, figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    try:
        left.plot(range(1, len(scores) + 1), scores, marker="o", color="#5865F2")
        left.set(
            title="Score per question", xlabel="question answered", ylabel="score", ylim=(0, 1.05)
        )
        left.grid(alpha=0.3)
        right.barh([name for name, _ in bars], [value for _, value in bars], color="#57F287")
        right.set(title="Mastery per topic", xlim=(0, 1))
        figure.suptitle(title)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    return Chart(buffer.getvalue(), scores, bars)
