"""Normalisation shared by the graders: stems, sound keys, spoken numbers, spelling variants."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import jellyfish
import snowballstemmer

_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
ARTICLES = frozenset({"a", "an", "the"})
FUNCTION_WORDS = frozenset(
    """a an the is are was were be been being it its this that these those of to in on for with
    by as at from and or but so because if when then than which who what how why where while
    we you they he she i me my our your their them us do does did doing have has had can
    could would should will may might must not no yes there here into over under about more
    less most also just very each every any some all both only such other one its it's which
    whose whereas since until unless though although whether means mean make makes made get
    gets way like between""".split()
)
_SPELLING = re.compile(r"(?<=\w{3})is(e|ed|es|ing|ation|ations|er|ers)\b")
_LETTER_DIGIT = re.compile(r"\b([b-hj-z]) (\d+)\b")  # "l 2" -> "l2"; never "a 99"
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
# Snowball stemmers keep state while stemming: one per thread, since grading runs in workers.
_local = threading.local()


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, British -ise as -ize, "l two" as "l2"."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    text = text.replace("++", " plusplus").replace("plus plus", "plusplus")
    text = _NON_WORD.sub(" ", text.replace("-", " ").replace("/", " "))
    words = [_NUMBER_WORDS.get(w, w) for w in text.replace("'", "").split()]
    text = _SPELLING.sub(r"iz\1", " ".join(words))
    return _LETTER_DIGIT.sub(r"\1\2", text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one normalised word."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


@lru_cache(maxsize=65536)
def sound(word: str) -> str:
    """A phonetic key (metaphone) of a word, for sound-alike matching."""
    return str(jellyfish.metaphone(word)) if word.isalpha() else word
