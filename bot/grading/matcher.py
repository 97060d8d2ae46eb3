"""Find a bank phrase in a parsed answer: stems, compounds, small typos, and, for speech only,
joined-word and sound-alike tolerance.

A typed answer is matched word by word: each phrase word must be the same word (same stem, or an
inflection the stemmer splits differently), a compound written apart or together ("trade off"),
or, for long words, one typing slip away. A prefix antonym is never a slip ("unlabelled" is not
"labelled", "nonlinear" is not "linear"). Between phrase words an answer may put articles and one
or two other words ("worse than predicting the mean" for "worse than the mean"), never a negator
or a word that flips the meaning. Speech-to-text splits and mangles words ("ex g boost"), so a
spoken answer may also match a run of words spelled together, or a word that sounds the same.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.grading.clauses import NEGATORS, Parsed, opens_negated_clause
from bot.grading.text import ARTICLES, sound, stem
from bot.grading.tokens import Mark, tokens

MIN_FUZZY_CHARS = 5  # shorter words must match exactly: "air" is never "chair"
MIN_COMPOUND_PART = 2  # each half of a compound written apart ("trade off", "pre train")
MIN_COMPOUND_CHARS = 6  # and the whole
MIN_TYPO_CHARS = 7  # a typed word this long may be one slip away ("varience")
MAX_EXTRA_WORDS = 2  # a spoken phrase may be heard as up to two more words ("ex g boost")
MIN_EXAMPLE_DIGITS = 2  # such a number beside other phrase words is an example: any as long will do
MIN_SOUND_KEY = 3  # sound-alike only for one-word phrases with a key this long
HEARD_WORD_RATIO = 75  # how close a long phrase word must be to part of what was heard
MAX_HITS = 8  # places kept per phrase: enough to find one outside a negation
_PREFIX = 5  # answer words are bucketed by their first letters for the inflection check
_ANTONYM_PREFIXES = ("un", "non", "in", "im", "ir", "il", "dis", "de", "semi", "anti", "mis")
# Words that change what the surrounding phrase says: never skipped inside a phrase.
_FLIPS = NEGATORS | frozenset(
    """high higher low lower more less fewer increase increases decrease decreases reduce
    reduces raise raises small smaller large larger over under and or but""".split()
)
# What one Snowball stem may keep that another inflection of the same word loses
# ("imbalanc" / "imbal"); a tail like "i" ("memori" / "memor") is another word.
_STEM_TAILS = frozenset({"anc", "enc", "e", "ed", "at", "iz", "ize", "al"})


@dataclass(frozen=True)
class Prepared:
    """A bank phrase as words and stems (articles dropped), prepared once."""

    words: tuple[str, ...]
    stems: tuple[str, ...]
    negative: bool = False  # the phrase itself states a negation ("cannot be parallelised")
    opener: bool = False  # it opens with "rather than", "instead of", "unlike" ...


@lru_cache(maxsize=65536)
def prepare(phrase: str) -> Prepared:
    """A bank phrase, normalised once (the same phrases are looked up in every answer)."""
    words = tuple(t.text for t in tokens(phrase) if t.mark is Mark.WORD and t.text not in ARTICLES)
    negative = any(w in NEGATORS for w in words)
    return Prepared(words, tuple(stem(w) for w in words), negative, opens_negated_clause(words))


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


def antonyms(one: str, other: str) -> bool:
    """'labeled' / 'unlabeled', 'freeze' / 'unfreeze': one is the other with a negating prefix."""
    short, long_ = sorted((one, other), key=len)
    for prefix in _ANTONYM_PREFIXES:
        rest = long_[len(prefix) :]
        if long_.startswith(prefix) and (rest == short or stem(rest) == stem(short)):
            return True
    return False


@dataclass(frozen=True)
class Hit:
    """Where a phrase was found: words start..end of the answer, how sure (0..1), and how."""

    start: int
    end: int
    score: float
    how: str


Span = tuple[int, int]
Place = tuple[int, int, int]  # answer words start..end, and how many phrase words they stand for


class AnswerIndex:
    """An answer prepared once for many phrase look-ups."""

    def __init__(self, parsed: Parsed, *, spoken: bool = False, threshold: float = 0.85) -> None:
        self.parsed = parsed
        self.spoken = spoken
        self.threshold = threshold
        self._by_stem: dict[str, list[int]] = defaultdict(list)
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._bucket: dict[str, set[str]] = defaultdict(set)
        self._joined: dict[str, list[Span]] = defaultdict(list)
        words = parsed.words
        for i, (word, stem_) in enumerate(zip(words, parsed.stems, strict=True)):
            self._by_stem[stem_].append(i)
            self._by_word[word].append(i)
            self._bucket[word[:_PREFIX]].add(word)
            self._bucket[stem_[:_PREFIX]].add(word)
            same_sentence = i + 1 < len(words) and parsed.sentence[i + 1] == parsed.sentence[i]
            if same_sentence and _compound(word, words[i + 1]):
                self._joined[word + words[i + 1]].append((i, i + 2))
        self._unique = list(self._by_word)
        self._cache: dict[str, list[Span]] = {}
        self._windows: list[str] | None = None
        self._window_spans: list[Span] = []
        self._sounds: dict[str, Span] = {}
        self._lengths: list[int] = []
        self._heard: dict[str, Hit | None] = {}
        self._slices: dict[tuple[int, int], list[str]] = {}

    def find(self, phrase: str, *, exact: bool = False) -> list[Hit]:
        """Every place (up to MAX_HITS) where `phrase` occurs, best first. With `exact`, no
        speech tolerance even in a spoken answer: for what contradicts a point, which must be
        stated, not guessed at."""
        target = prepare(phrase)
        if not target.words:
            return []
        hits = self._exact(target)
        if hits or not self.spoken or exact:
            return hits
        close = self._spoken(target)
        return [close] if close else []

    def _places(self, word: str, stem_: str) -> list[Span]:
        """Where one phrase word stands in the answer, as word spans (compounds take two)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        found = set(self._by_stem.get(stem_, ()))
        for other in self._bucket.get(stem_[:_PREFIX], set()) | self._bucket.get(
            word[:_PREFIX], set()
        ):
            if same_word(word, stem_, other, stem(other)) and not antonyms(word, other):
                found.update(self._by_word[other])
        spans = [(i, i + 1) for i in sorted(found)] + self._joined.get(word, [])
        if not spans and len(word) >= MIN_TYPO_CHARS and word.isalpha():
            spans = self._typo(word)
        self._cache[word] = spans
        return spans

    def _numbers(self, digits: int) -> list[int]:
        """Where numbers with this many digits stand."""
        return [
            i for w, at in self._by_word.items() if len(w) == digits and w.isdigit() for i in at
        ]

    def _typo(self, word: str) -> list[Span]:
        slips = process.extract(
            word, self._unique, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=4
        )
        found = sorted(
            i
            for other, _, _ in slips
            if other[0] == word[0] and other.isalpha() and not antonyms(word, other)
            for i in self._by_word[other]
        )
        return [(i, i + 1) for i in found]

    def _exact(self, target: Prepared) -> list[Hit]:
        n = len(target.words)
        budget = 0 if n == 1 else 1 if n == 2 else MAX_EXTRA_WORDS
        places: list[dict[int, Place]] = []
        for k in range(n):
            spans = [(a, b, 1) for a, b in self._places(target.words[k], target.stems[k])]
            if n > 1 and _example_number(target.words[k]):  # "98 percent" for "99 percent"
                spans += [(i, i + 1, 1) for i in self._numbers(len(target.words[k]))]
            if k + 1 < n:  # "tradeoff" in the answer for "trade off" in the phrase
                head, tail = target.words[k], target.words[k + 1]
                if _compound(head, tail):
                    spans += [(i, i + 1, 2) for i in self._by_word.get(head + tail, [])]
            places.append({p[0]: p for p in reversed(spans)})
            if not places[0]:
                return []
        hits: list[Hit] = []
        for first in sorted(places[0].values()):
            end = self._extend(places, 0, first, budget)
            if end is not None:
                hits.append(Hit(first[0], end, 1.0, "exact"))
                if len(hits) >= MAX_HITS:
                    break
        return hits

    def _extend(self, places: list[dict[int, Place]], k: int, at: Place, budget: int) -> int | None:
        """The end of the phrase when phrase word k sits at `at`, or None."""
        start, end, step = at
        nxt = k + step
        if nxt >= len(places):
            return end
        parsed = self.parsed
        j, used = end, 0
        while j < len(parsed.words) and parsed.sentence[j] == parsed.sentence[start]:
            found = places[nxt].get(j)
            if found is not None and (j == end or parsed.clause[j] == parsed.clause[start]):
                return self._extend(places, nxt, found, budget - used)
            word = parsed.words[j]
            if word in ARTICLES:
                j += 1
                continue
            if used >= budget or word in _FLIPS or parsed.clause[j] != parsed.clause[start]:
                return None
            used += 1
            j += 1
        return None

    def _spoken(self, target: Prepared) -> Hit | None:
        """A run of words spelled together close to the phrase, or a one-word sound-alike."""
        joined = "".join(target.words)
        if len(joined) < MIN_FUZZY_CHARS or any(c.isdigit() for c in joined):
            return None
        if joined in self._heard:
            return self._heard[joined]
        hit = self._close_window(target, joined)
        if hit is None and len(target.words) == 1:
            key = sound(target.words[0])
            span = self._sounds.get(key) if len(key) >= MIN_SOUND_KEY else None
            hit = Hit(span[0], span[1], self.threshold, "sounds-like") if span else None
        self._heard[joined] = hit
        return hit

    def _close_window(self, target: Prepared, joined: str) -> Hit | None:
        windows, spans = self._build_windows()
        # fuzz.ratio can only reach the threshold t when the lengths are within t / (2 - t)
        t = self.threshold
        low = bisect.bisect_left(self._lengths, math.ceil(len(joined) * t / (2 - t)))
        high = bisect.bisect_right(self._lengths, math.floor(len(joined) * (2 - t) / t))
        short = [w for w in target.words if len(w) < MIN_FUZZY_CHARS]
        if (low, high) not in self._slices:
            self._slices[(low, high)] = windows[low:high]
        candidates = process.extract(
            joined, self._slices[(low, high)], scorer=fuzz.ratio, score_cutoff=t * 100, limit=8
        )
        for window, score, index in candidates:
            start, end = spans[low + index]
            heard = [w for w in self.parsed.words[start:end] if w not in ARTICLES]
            if len(heard) > len(target.words) + MAX_EXTRA_WORDS:
                continue
            if any(antonyms(w, h) for w in target.words for h in heard):
                continue
            if not _words_heard(target, window):
                continue  # a word dropped at one end ("fixed number of parameters")
            if all(any(_sounds_same(w, h) for h in heard) for w in short):
                return Hit(start, end, score / 100, "fuzzy")
        return None

    def _build_windows(self) -> tuple[list[str], list[Span]]:
        """Runs of one to four words spelled together (each text once, first place kept),
        sorted by length so a phrase is compared only with runs of a length that can match."""
        if self._windows is not None:
            return self._windows, self._window_spans
        first: dict[str, Span] = {}
        words, sentence = self.parsed.words, self.parsed.sentence
        kept = [i for i, w in enumerate(words) if w not in ARTICLES]  # as phrases drop them
        keys = [sound(words[i]) for i in kept]
        for k, start in enumerate(kept):
            text = key = ""
            for size in range(1, 5):
                if k + size > len(kept) or sentence[kept[k + size - 1]] != sentence[start]:
                    break
                text += words[kept[k + size - 1]]
                key += keys[k + size - 1]
                span = (start, kept[k + size - 1] + 1)
                first.setdefault(text, span)
                if len(key) >= MIN_SOUND_KEY:
                    self._sounds.setdefault(key, span)
        ordered = sorted(first, key=len)
        self._windows = ordered
        self._window_spans = [first[w] for w in ordered]
        self._lengths = [len(w) for w in ordered]
        return self._windows, self._window_spans


def _words_heard(target: Prepared, heard: str) -> bool:
    """Each long word of a phrase of several words is (roughly) inside what was heard."""
    if len(target.words) < 2:
        return True
    return all(
        fuzz.partial_ratio(w, heard) >= HEARD_WORD_RATIO
        for w in target.words
        if len(w) >= MIN_FUZZY_CHARS
    )


def _compound(first: str, second: str) -> bool:
    """Two words that may be written as one ("trade off" / "tradeoff"), never "o n" as "on"."""
    return (
        len(first) >= MIN_COMPOUND_PART
        and len(second) >= MIN_COMPOUND_PART
        and len(first) + len(second) >= MIN_COMPOUND_CHARS
    )


def _example_number(word: str) -> bool:
    return len(word) >= MIN_EXAMPLE_DIGITS and word.isdigit()


def _sounds_same(short_word: str, heard: str) -> bool:
    """A short phrase word heard as itself or as a sound-alike ("gini" as "genie")."""
    return short_word == heard or (bool(sound(short_word)) and sound(short_word) == sound(heard))
