"""Find a phrase in an answer despite stemming, typos and speech-to-text mangling."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.grading.text import Words, sound

MIN_FUZZY_CHARS = 5    # shorter words must match exactly: "air" is never "chair"
MAX_EXTRA_WORDS = 2    # a phrase may be heard as up to two more words ("ex g boost")


@dataclass(frozen=True)
class Match:
    """Where a phrase was found: how sure (0..1), the words that matched, and how."""

    score: float
    evidence: str
    how: str


class AnswerIndex:
    """An answer prepared once for many phrase look-ups."""

    def __init__(self, text: str, threshold: float) -> None:
        self.words = Words.of(text)
        self.threshold = threshold
        self._windows: list[str] = []
        self._spans: list[tuple[int, int]] = []
        self._sounds: dict[str, tuple[int, int]] = {}
        stems = self.words.stems
        for start in range(len(stems)):
            for size in range(1, 5):
                if start + size > len(stems):
                    break
                joined = "".join(stems[start : start + size])
                self._windows.append(joined)
                self._spans.append((start, start + size))
                key = "".join(sound(w) for w in self.words.words[start : start + size])
                if len(key) >= 3:
                    self._sounds.setdefault(key, (start, start + size))

    def find(self, phrase: str) -> Match | None:
        """The best place `phrase` occurs in the answer, or None below the threshold."""
        target = Words.of(phrase)
        if not target.stems:
            return None
        exact = self._exact(target.stems)
        if exact is not None:
            return Match(1.0, self._evidence(*exact), "exact")
        joined = "".join(target.stems)
        if len(joined) >= MIN_FUZZY_CHARS and not any(c.isdigit() for c in joined):
            fuzzy = self._fuzzy(joined, target)
            if fuzzy is not None:
                return fuzzy
            key = "".join(sound(w) for w in target.words)
            span = self._sounds.get(key) if len(key) >= 3 else None
            if span is not None:
                return Match(self.threshold, self._evidence(*span), "sounds-like")
        return None

    def _exact(self, stems: tuple[str, ...]) -> tuple[int, int] | None:
        """The phrase's stems in order; a long last stem may be a prefix ("oversimplif")."""
        mine = self.words.stems
        size = len(stems)
        for start in range(len(mine) - size + 1):
            window = mine[start : start + size]
            if window[:-1] != stems[:-1]:
                continue
            last, wanted = window[-1], stems[-1]
            if last == wanted or (len(wanted) >= MIN_FUZZY_CHARS and last.startswith(wanted)):
                return start, start + size
        return None

    def _fuzzy(self, joined: str, target: Words) -> Match | None:
        """Closest window of the answer, spelled together; its short words must be there as is.

        Short words carry meaning that a spelling distance hides ("low variance" is not "high
        variance"), so every phrase word under MIN_FUZZY_CHARS must appear in the window.
        """
        short = {s for s in target.stems if len(s) < MIN_FUZZY_CHARS}
        candidates = process.extract(
            joined,
            self._windows,
            scorer=fuzz.ratio,
            score_cutoff=self.threshold * 100,
            limit=8,
        )
        for _, score, index in candidates:
            start, end = self._spans[index]
            if end - start > len(target.stems) + MAX_EXTRA_WORDS:
                continue
            if short <= set(self.words.stems[start:end]):
                return Match(score / 100, self._evidence(start, end), "fuzzy")
        return None

    def _evidence(self, start: int, end: int) -> str:
        return " ".join(self.words.words[start:end])
