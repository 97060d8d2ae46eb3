"""Whisper's decoding loops are collapsed; ordinary repetition survives."""

from __future__ import annotations

from bot.grading.speech_metrics import TimedWord
from bot.speech.cleanup import collapse_repeats


def words(text: str) -> list[TimedWord]:
    return [TimedWord(w, i * 0.5, i * 0.5 + 0.25) for i, w in enumerate(text.split())]


def said(text: str) -> str:
    return " ".join(w.text for w in collapse_repeats(words(text)))


def test_a_looping_word_or_phrase_is_kept_once() -> None:
    assert said("L1. L1. L1. L1. L1. L1.") == "L1."
    assert said("the answer is the answer is the answer is lasso") == "the answer is lasso"
    assert said("it is L1, L1. L1 l1 and more") == "it is L1, and more"


def test_ordinary_repetition_is_left_alone() -> None:
    assert said("very very good") == "very very good"
    assert said("that that is is fine") == "that that is is fine"
    assert said("") == ""


def test_the_kept_words_keep_their_times() -> None:
    kept = collapse_repeats(words("go go go now"))
    assert [(w.text, w.start) for w in kept] == [("go", 0.0), ("now", 1.5)]
