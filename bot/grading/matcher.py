"""Find a phrase in an answer despite stemming, typos and speech-to-text mangling."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.grading.text import Words, sound

MIN_FUZZY_CHARS = 5  # shorter words must match exactly: "air" is never "chair"
MAX_EXTRA_WORDS = 2  # a phrase may be heard as up to two more words ("ex g boost")
MIN_SOUND_KEY = 3  # sound-alike only for one-word phrases with a key this long ("weight"
# and "what" share the key "WT": too short to trust)


# What one Snowball stem may keep that another inflection of the same word loses
# ("imbalanc" / "imbal"); a tail like "i" ("memori" / "memor") is another word.
_STEM_TAILS = frozenset({"anc", "enc", "e", "ed", "at", "iz", "ize", "al"})


@lru_cache(maxsize=65536)
def phrase_words(phrase: str) -> Words:
    """A bank phrase, normalised once (the same phrases are looked up in every answer)."""
    return Words.of(phrase)


def same_word(phrase_word: str, phrase_stem: str, word: str, word_stem: str) -> bool:
    """Same stem, or one stem extends the other (the stemmer is not consistent across
    inflections: "imbalance" -> "imbal", "imbalanced" -> "imbalanc"), or the answer's word
    starts with a long phrase fragment ("oversimplif")."""
    if phrase_stem == word_stem:
        return True
    short, long_ = sorted((phrase_stem, word_stem), key=len)
    tail = long_[len(short) :]
    if len(short) >= MIN_FUZZY_CHARS and long_.startswith(short) and tail in _STEM_TAILS:
        return True
    return len(phrase_word) >= MIN_FUZZY_CHARS and word.startswith(phrase_word)


def _sounds_same(short_word: str, heard: str) -> bool:
    """A short phrase word heard as itself or as a sound-alike ("gini" as "genie")."""
    return short_word == heard or (bool(sound(short_word)) and sound(short_word) == sound(heard))


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
        words = self.words.words
        for start in range(len(words)):
            for size in range(1, 5):
                if start + size > len(words):
                    break
                joined = "".join(words[start : start + size])
                self._windows.append(joined)
                self._spans.append((start, start + size))
                key = "".join(sound(w) for w in self.words.words[start : start + size])
                if len(key) >= 3:
                    self._sounds.setdefault(key, (start, start + size))

    def find(self, phrase: str, *, fuzzy: bool = True) -> Match | None:
        """The best place `phrase` occurs in the answer, or None below the threshold.

        With `fuzzy=False` only the same words (stems) count: for misconceptions, where a
        near miss ("bagging reduces bias" for "boosting reduces bias") must not fire.
        """
        target = phrase_words(phrase)
        if not target.stems:
            return None
        exact = self._exact(target)
        if exact is not None:
            return Match(1.0, self._evidence(*exact), "exact")
        if not fuzzy:
            return None
        joined = "".join(target.words)  # whole words: "memorize" is not "memory"
        if len(joined) >= MIN_FUZZY_CHARS and not any(c.isdigit() for c in joined):
            close = self._fuzzy(joined, target)
            if close is not None:
                return close
            key = sound(target.words[0]) if len(target.words) == 1 else ""
            span = self._sounds.get(key) if len(key) >= MIN_SOUND_KEY else None
            if span is not None:
                return Match(self.threshold, self._evidence(*span), "sounds-like")
        return None

    def _exact(self, target: Words) -> tuple[int, int] | None:
        """Every phrase word in order, each the same word by `same_word`."""
        size = len(target.stems)
        pairs = list(zip(target.words, target.stems, strict=True))
        for start in range(len(self.words.stems) - size + 1):
            if all(
                same_word(word, stem_, self.words.words[start + i], self.words.stems[start + i])
                for i, (word, stem_) in enumerate(pairs)
            ):
                return start, start + size
        return None

    def _fuzzy(self, joined: str, target: Words) -> Match | None:
        """Closest window of the answer's words, spelled together; short words must be there.

        Short words carry meaning that a spelling distance hides ("low variance" is not "high
        variance"), so every phrase word under MIN_FUZZY_CHARS must appear in the window.
        """
        short = [w for w in target.words if len(w) < MIN_FUZZY_CHARS]
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
            heard = self.words.words[start:end]
            if all(any(_sounds_same(w, h) for h in heard) for w in short):
                return Match(score / 100, self._evidence(start, end), "fuzzy")
        return None

    def _evidence(self, start: int, end: int) -> str:
        return " ".join(self.words.words[start:end])
