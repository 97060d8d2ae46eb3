"""Split text into normalised words and the punctuation that ends sentences and clauses.

Answers and bank phrases go through the same function, so whatever it does to a word ("LSTMs"
-> "lstm", "non-linear" -> "nonlinear", "F-score" -> "f1 score", "λ" -> "lambda", "γ" ->
"gamma", "↓" -> "reduces", "->" -> "leads to", "centre" -> "center", "labelled" -> "labeled",
"0 5" -> "0.5", "P(y|X)" -> "p of y given x", "grads" -> "gradients", "w/o" -> "without") it
does on both sides. Each word keeps its span in the text, so feedback can quote the candidate's
words.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

WRAPPED_LINE_CHARS = 60  # a line at least this long that ends without a full stop is wrapped
MAX_WORD_CHARS = 40  # a longer run of letters is no word of ours: cut, so it costs nothing

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
_SYMBOLS = {
    "λ": ("lambda",),
    "√": ("sqrt",),
    "σ": ("sigma",),
    "Σ": ("sigma",),
    "α": ("alpha",),
    "β": ("beta",),
    "θ": ("theta",),
    "γ": ("gamma",),
    "φ": ("phi",),
    "ρ": ("rho",),
    "μ": ("mu",),
    "ε": ("epsilon",),
    "η": ("eta",),
    "∇": ("nabla",),
    "↓": ("reduces",),
    "↑": ("increases",),
    "→": ("leads", "to"),
    "⇒": ("leads", "to"),
    "->": ("leads", "to"),
    "=>": ("leads", "to"),
}
# Note-taking abbreviations, spelled out (unambiguous ones only: "reg" and "var" are not).
_SHORT = {
    "feat": ("feature",),
    "feats": ("features",),
    "grad": ("gradient",),
    "grads": ("gradients",),
    "deps": ("dependencies",),
    "prob": ("probability",),
    "probs": ("probabilities",),
    "param": ("parameter",),
    "params": ("parameters",),
    "coef": ("coefficient",),
    "coefs": ("coefficients",),
    "dims": ("dimensions",),
    "pts": ("points",),
    "avg": ("average",),
    "info": ("information",),
    "thresh": ("threshold",),
    "clf": ("classifier",),
    "w/": ("with",),
    "w/o": ("without",),
    "b/c": ("because",),
}
# British spellings folded to American ones (-ise/-isation is folded by _SPELLING).
_BRITISH = {
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "centring": "centering",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "analogue": "analog",
    "fibre": "fiber",
    "metre": "meter",
    "metres": "meters",
}
_OUR = re.compile(r"^(behavi|neighb|col|fav|flav|lab|hon|rum|hum|harb|vap)our")
_DOUBLED_L = re.compile(r"(?<=[aeiou][b-df-hj-np-tv-z])ell(ed|ing|er|ers)$")  # labelled
# Written as prefixes: "non-linear", "un labelled" and "nonlinear" are one word, never "linear".
_PREFIXES = frozenset({"non", "un", "semi", "multi", "pre"})
_NOT_BRITISH_ISE = re.compile(r"(?:wis|[^i]cis)(?:e|ed|es|ely|ing)$")  # no -ize spelling
_SPELLING = re.compile(r"(?<=\w{3})is(e|ed|es|ing|ation|ations|er|ers)$")
_ACRONYM_PLURAL = re.compile(r"^([A-Z]{2,}[0-9]*)s$")  # LSTMs, CNNs, GRUs
_TOKEN = re.compile(
    r"(?P<abbr>\b(?:e\.g|i\.e|vs|etc|cf|approx)\.)"
    r"|(?P<prob>\b[pP] ?\( *(?P<of>[A-Za-z]\w{0,3}) *"
    r"(?:(?P<op>[|,]) *(?P<on>[A-Za-z]\w{0,3}) *)?\))"
    r"|(?P<slash>\b(?:[wW]/[oO]|[wW]/|[bB]/[cC])(?![^\W_]))"
    r"|(?P<num>\d+(?:\.\d+)+)"
    r"|(?P<sym>->|=>|[λ√σΣαβθγφρμεη∇↓↑→⇒])"
    r"|(?P<word>[^\W_]+(?:['’][^\W_]+)?(?:\+\+)?)"
    r"|(?P<stop>[.?!;:]+|\n[^\S\n]*(?:[-*•>]|\d+[.)]|\n)\s*|\u2022)"
    r"|(?P<newline>\n)"
    r"|(?P<comma>,|\s(?:[-–—]|--)\s|—|--|(?<=\s)\()"
)


class Mark(StrEnum):
    """What a token is: a word, or the end of a sentence or of a clause."""

    WORD = "word"
    STOP = "stop"
    COMMA = "comma"


class Token(NamedTuple):
    """One word (normalised) or boundary, with where it stands in the text."""

    text: str
    mark: Mark
    start: int
    end: int


@lru_cache(maxsize=65536)
def _word(raw: str) -> str:
    if _ACRONYM_PLURAL.match(raw):
        raw = raw[:-1]
    word = raw.lower().replace("’", "").replace("'", "").replace("++", "plusplus")
    word = _NUMBER_WORDS.get(word, word)
    word = _BRITISH.get(word) or _DOUBLED_L.sub(r"el\1", _OUR.sub(r"\1or", word))
    if _NOT_BRITISH_ISE.search(word):  # otherwise, likewise, precise, exercise
        return word[:MAX_WORD_CHARS]
    return _SPELLING.sub(r"iz\1", word)[:MAX_WORD_CHARS]


def tokens(text: str) -> list[Token]:
    """Words and boundaries of `text`, normalised (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "abbr":
            continue
        if kind == "newline":  # a wrapped line goes on; a short line ends (a list, a title)
            line_start = text.rfind("\n", 0, m.start()) + 1
            if m.start() - line_start >= WRAPPED_LINE_CHARS:
                continue
            kind = "stop"
        if kind == "stop":
            out.append(Token(".", Mark.STOP, m.start(), m.end()))
        elif kind == "comma":
            out.append(Token(",", Mark.COMMA, m.start(), m.end()))
        elif kind == "prob":  # "P(y|X)" is said "p of y given x", as transcripts write it
            spoken = ["p", "of", m.group("of")]
            if m.group("on"):
                spoken += ["given" if m.group("op") == "|" else "and", m.group("on")]
            out += [Token(_word(w), Mark.WORD, m.start(), m.end()) for w in spoken]
        elif kind == "slash":
            out += [Token(w, Mark.WORD, m.start(), m.end()) for w in _SHORT[m.group().lower()]]
        elif kind == "sym":
            out += [Token(w, Mark.WORD, m.start(), m.end()) for w in _SYMBOLS[m.group()]]
        else:
            word = _word(m.group())
            said = _SHORT.get(word, (word,))
            out += [Token(w, Mark.WORD, m.start(), m.end()) for w in said]
    return _join(out)


def _join(items: list[Token]) -> list[Token]:
    """Prefixes onto their word, a letter onto its digit ("l 2" -> "l2"), "f score" -> "f1",
    "0 5" and "0 point 5" -> "0.5"."""
    out: list[Token] = []
    for item in items:
        token, prev = item, out[-1] if out else None
        if prev is not None and prev.mark is Mark.WORD and token.mark is Mark.WORD:
            if prev.text == "0" and token.text.isdigit() and token.start - prev.end == 1:
                out[-1] = Token(f"0.{token.text}", Mark.WORD, prev.start, token.end)
                continue  # "0 5": a decimal point lost to normalisation
            prefix = prev.text in _PREFIXES and token.text.isalpha()
            letter = len(prev.text) == 1 and prev.text not in "ai" and token.text.isdigit()
            if prefix or letter:
                out[-1] = Token(prev.text + token.text, Mark.WORD, prev.start, token.end)
                continue
            if prev.text == "el" and token.text.isdigit():  # speech: "el one" is L1
                out[-1] = Token("l" + token.text, Mark.WORD, prev.start, token.end)
                continue
            before = out[-2] if len(out) > 1 else None
            if prev.text == "point" and token.text.isdigit() and before and before.text.isdigit():
                number = f"{before.text}.{token.text}"
                out[-2:] = [Token(number, Mark.WORD, before.start, token.end)]
                continue  # speech: "zero point five"
            if prev.text == "f" and token.text in ("score", "measure"):
                out[-1] = Token("f1", Mark.WORD, prev.start, prev.end)
                token = Token("score", Mark.WORD, token.start, token.end)
        out.append(token)
    return out
