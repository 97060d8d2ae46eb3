"""Speech metrics: pace, fillers, pauses, talk time."""

from __future__ import annotations

import pytest

from bot.grading.speech_metrics import SpeechMetrics, TimedWord, count_fillers


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("um so it is, like, a tree, you know", 3),
        ("it looks like a tree", 0),
        ("do you know the answer", 0),
        ("uh, uhh, I mean, it is kind of, fine", 4),
        ("Like, it works", 1),
        ("Hmm. Erm. The gradient", 2),
    ],
)
def test_fillers(text: str, count: int) -> None:
    assert count_fillers(text) == count


def test_timed_words() -> None:
    words = [
        TimedWord(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(["um", "the", "chain", "rule"])
    ]
    words.append(TimedWord("again", 5.0, 5.5))
    metrics = SpeechMetrics.from_words(words)
    assert metrics.talk_seconds == pytest.approx(5.5)
    assert metrics.words == 5
    assert metrics.words_per_minute == pytest.approx(5 / 5.5 * 60, abs=0.1)
    assert metrics.filler_words == 1
    assert metrics.long_pauses[0].at == pytest.approx(1.9)
    assert metrics.long_pauses[0].seconds == pytest.approx(3.1)


def test_typed_text_has_no_timing() -> None:
    metrics = SpeechMetrics.from_text("um I think, like, yes")
    assert (metrics.words, metrics.filler_words, metrics.words_per_minute) == (5, 2, None)


def test_no_words() -> None:
    assert SpeechMetrics.from_words([]).words_per_minute is None
