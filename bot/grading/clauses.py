"""An answer as sentences and clauses, with the words that a negation or a rejected myth covers.

Phrase matching alone cannot tell "boosting reduces bias" from "unlike bagging, boosting does not
reduce bias" or from "people think boosting reduces variance, but that is wrong". Here each word
learns which clause it is in and whether it stands under a negation:

- sentences end at . ? ! ; : and new lines (bullets too); clauses also end at commas, dashes
  (— – " - " " -- ") and opening brackets, at
  contrast words (but, whereas, while, although, however ...), at "because", "which", "so" ...,
  and at "and"/"or" when a new subject follows ("and it ...", "and you're ...") or a new
  negator ("... and never sets weights to zero": its own negation, not a cancelling one);
- a short line ending in a colon ("Bagging:", "- discriminative: ...") is a heading: the text
  after it and the bullets under it are listed under it (`Parsed.heading`), so they may borrow
  its subject;
- "rather than X", "instead of X", "unlike X", "as opposed to X" open a clause that is negated
  as a whole: they negate X only; inside a clause, "instead of X" and "rather than X" negate
  the noun phrase X up to the next function word, and what follows is asserted again;
- a negator (not, never, no, without, cannot, n't, neither, nor, hardly ...) negates the rest of
  its clause; two negators cancel ("you cannot do without it"), but "neither X nor Y" and "not
  X nor Y" are one negation; "no free lunch" is a term and
  "almost no X" a small amount, and "no better than X" a comparison, not negations;
- a myth being quoted ("people think ...", "a common misconception is ...") negates its clause
  and the clauses after it until a contrast; a verdict on what came before ("that is wrong",
  "not true", "X is a myth") negates what it judges, but "is wrong" after "if"/"when" is a
  condition ("biased when the assumed form is wrong"), not a verdict.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from dataclasses import dataclass

from bot.grading.text import ARTICLES, FUNCTION_WORDS, stem
from bot.grading.tokens import Mark, tokens

NEGATORS = frozenset(
    """not no never without cannot cant dont doesnt didnt isnt arent wasnt werent wont wouldnt
    shouldnt couldnt hasnt havent hadnt aint mustnt neednt neither nor hardly barely none
    nothing nobody""".split()
)
_NOT_NEGATING_NEXT = frozenset({"only", "just", "merely", "least", "sure"})
_NOT_NEGATING_PREV = frozenset({"or", "if"})  # "whether or not", "if not"
_CONTRAST = frozenset({"but", "however", "whereas", "while", "although", "though", "yet"})
_BREAKS = frozenset(
    "because since so which then therefore thus hence otherwise whilst meaning".split()
)
_SUBJECTS = frozenset(
    "it its they their this that these those we our you your he his she her i there".split()
)
# Contracted subjects, as tokens spell them: "you're" -> "youre" ("we're" -> "were" only with
# its apostrophe, which the text still shows).
_CONTRACTED = frozenset(
    "youre theyre were itll theyll youll well weve theyve youve ive im hes shes thats".split()
)
_NOT_NEGATIONS = (("no", "free", "lunch"), ("no", "brainer"))  # terms, not denials
_ALMOST = frozenset({"almost", "nearly", "virtually", "practically"})  # "almost no data"
_CONDITIONALS = frozenset({"if", "when", "whenever", "unless", "once", "where"})
_NOUN_PHRASE_OPENERS = (("rather", "than"), ("instead", "of"))
MAX_HEADING_WORDS = 6  # "Bagging:", "- discriminative:": a line this short before a colon
_BULLET = re.compile(r"\n[^\S\n]*(?:[-*•>]|\d+[.)])|•")
_OPENERS = (
    ("rather", "than"),
    ("instead", "of"),
    ("unlike",),
    ("as", "opposed", "to"),
    ("in", "contrast", "to"),
    ("contrary", "to"),
)


def opens_negated_clause(words: tuple[str, ...]) -> bool:
    """Whether these words begin with "rather than", "instead of", "unlike" ..."""
    return any(words[: len(opener)] == opener for opener in _OPENERS)


_COMMON = frozenset({"common", "popular", "widespread", "widely"})
_MISTAKES = frozenset({"mistake", "mistakes", "pitfall", "trap", "error"})
_MISTAKE_BEFORE = frozenset(
    {"common", "classic", "typical", "frequent", "big", "1", "usual"}
)  # 1: "one"
_MISTAKE_AFTER = frozenset({"is", "people", "candidates", "beginners", "i", "that", "to"})
_PEOPLE = frozenset({"people", "some", "many", "folks", "beginners", "candidates", "everyone"})
_BELIEVE = frozenset({"think", "say", "believe", "claim", "assume", "argue", "expect", "hear"})
_MYTH = frozenset(
    "myth myths misconception misconceptions fallacy misunderstanding tempting".split()
)
_FALSE = frozenset({"wrong", "false", "incorrect", "untrue", "nonsense", "mistaken", "backwards"})
_FALSE_NOT_AFTER = frozenset({"positive", "positives", "negative", "negatives", "alarm", "class"})
_COPULAS = frozenset(
    "is are was were s thats its be been simply just totally completely plain plainly dead".split()
)
SPOKEN_SCOPE = 5  # words a negation reaches in a transcript ("it doesn't need much data")
MAX_VERDICT_WORDS = 6  # "that is simply not true": a clause that only judges what came before


@dataclass
class _Clause:
    start: int
    end: int
    sentence: int
    contrast: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Parsed:
    """An answer's words with their stems, clause, sentence and negation, and spans in the text."""

    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    clause: tuple[int, ...]
    sentence: tuple[int, ...]
    negated: tuple[bool, ...]
    negator: tuple[bool, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    heading: tuple[int, ...] = ()  # per word: the sentence of the heading it is listed under, -1

    @classmethod
    def of(cls, text: str, *, spoken: bool = False) -> Parsed:
        """Split and mark `text` (see the module docstring). A transcript has little
        punctuation to end a clause, so there a negation reaches SPOKEN_SCOPE words only."""
        return _parse(text, SPOKEN_SCOPE if spoken else None)

    def __len__(self) -> int:
        return len(self.words)

    def quote(self, start: int, end: int) -> str:
        """The answer's own text from word `start` up to (not including) word `end`."""
        first, last = self.starts[start], self.ends[end - 1]
        quoted = self.text[first:last]
        opened = quoted.count("(") - quoted.count(")")
        while opened > 0 and self.text[last : last + 1] == ")":
            last, opened = last + 1, opened - 1
        return " ".join(self.text[first:last].split())

    def sentences(self) -> list[range]:
        """Word ranges of the sentences."""
        out: list[range] = []
        begin = 0
        for i in range(1, len(self.words) + 1):
            if i == len(self.words) or self.sentence[i] != self.sentence[begin]:
                out.append(range(begin, i))
                begin = i
        return out


def _parse(text: str, scope: int | None) -> Parsed:
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    clauses: list[_Clause] = []
    sentence = 0
    cut = True  # the next word opens a clause
    norm = unicodedata.normalize("NFKC", text)  # what token spans point into
    headings = _Headings()
    for token in tokens(text):
        raw = norm[token.start : token.end]
        if token.mark is not Mark.WORD:
            if token.mark is Mark.STOP:
                headings.stop(raw, sentence)
                if not cut:
                    sentence += 1
            cut = True
            continue
        word = token.text
        i = len(words)
        opens = _opener(words, word)
        new = cut or word in _CONTRAST or word in _BREAKS or opens or _new_subject(words, word, raw)
        if new:
            if not clauses or clauses[-1].sentence != sentence:
                headings.start()
            clauses.append(_Clause(i, i, sentence, contrast=word in _CONTRAST))
            clauses[-1].negated = opens
            cut = False
        headings.word(sentence)
        words.append(word)
        starts.append(token.start)
        ends.append(token.end)
        clauses[-1].end = i + 1
    _merge_openers(words, clauses)
    _end_noun_phrases(words, clauses)
    negator = _negators(words, clauses)
    _judge_myths(words, clauses, negator)
    parsed = _finish(text, words, starts, ends, clauses, negator, scope)
    return dataclasses.replace(parsed, heading=tuple(headings.of_word))


class _Headings:
    """Which heading each word is listed under: "Bagging:" then bullets, or "- bagging: ..."
    on one line. The line after a short one ending in a colon, and the bullets after that, take
    it as their heading, so a bullet may borrow its subject; a line that is no bullet ends it."""

    def __init__(self) -> None:
        self.of_word: list[int] = []
        self.current = -1  # the heading in force
        self.words_in_sentence = 0
        self._colon = False  # the stops just read hold a heading's colon
        self._bullet = False  # or a bullet

    def stop(self, raw: str, sentence: int) -> None:
        if ":" in raw and 0 < self.words_in_sentence <= MAX_HEADING_WORDS:
            self._colon = True
            self.current = sentence
        if _BULLET.match(raw):
            self._bullet = True

    def start(self) -> None:
        if not (self._colon or self._bullet):
            self.current = -1
        self._colon = self._bullet = False
        self.words_in_sentence = 0

    def word(self, sentence: int) -> None:
        self.words_in_sentence += 1
        self.of_word.append(self.current if self.current != sentence else -1)


def _opener(words: list[str], word: str) -> bool:
    """Whether `word` is the first word of "rather than", "unlike" ... (looked at from its last)."""
    return word == "unlike" or (bool(words) and (words[-1], word) == ("rather", "than"))


def _new_subject(words: list[str], word: str, raw: str) -> bool:
    """ "and it ...", "and you're ...", "and never ...": a new clause (and a new negation scope)."""
    if not words or words[-1] not in ("and", "or"):
        return False
    contracted = word in _CONTRACTED and ("'" in raw or "’" in raw)
    negator = words[-1] == "and" and word in NEGATORS  # never "whether or not"
    return word in _SUBJECTS or contracted or negator


def _end_noun_phrases(words: list[str], clauses: list[_Clause]) -> None:
    """ "instead of X" and "rather than X" inside a clause negate the noun phrase X only: the
    negated clause ends at the first function word after X ("... instead of bootstrap samples
    to reduce bias": "to reduce bias" is asserted)."""
    for clause in list(clauses):
        first = tuple(words[clause.start : clause.start + 2])
        if not clause.negated or first not in _NOUN_PHRASE_OPENERS:
            continue
        i = clause.start + 2
        while i < clause.end and words[i] in ARTICLES:
            i += 1
        while i < clause.end and words[i] not in FUNCTION_WORDS and words[i] not in NEGATORS:
            i += 1
        if clause.start + 2 < i < clause.end:
            tail = _Clause(i, clause.end, clause.sentence)
            clause.end = i
            clauses.insert(clauses.index(clause) + 1, tail)


def _merge_openers(words: list[str], clauses: list[_Clause]) -> None:
    """Multi-word openers: the clause starts at their first word and is negated as a whole."""
    firsts = {opener[0] for opener in _OPENERS}
    for clause in clauses:
        first = words[clause.start] if clause.start < clause.end else ""
        if first in firsts and any(
            tuple(words[clause.start : clause.start + len(o)]) == o for o in _OPENERS
        ):
            clause.negated = True
    # "rather than" was cut at "than": move "rather" into the negated clause.
    for before, after in itertools.pairwise(clauses):
        cut_at_than = after.negated and words[after.start] == "than"
        if cut_at_than and before.end > before.start and words[before.end - 1] == "rather":
            before.end -= 1
            after.start -= 1
    for clause in list(clauses):
        for i in range(clause.start + 1, clause.end):
            if words[i] in firsts and any(tuple(words[i : i + len(o)]) == o for o in _OPENERS[1:]):
                _split(clauses, clause, i)
                break


def _split(clauses: list[_Clause], clause: _Clause, at: int) -> None:
    tail = _Clause(at, clause.end, clause.sentence, negated=True)
    clause.end = at
    clauses.insert(clauses.index(clause) + 1, tail)


def _negators(words: list[str], clauses: list[_Clause]) -> list[bool]:
    flags = [False] * len(words)
    for clause in clauses:
        for i in range(clause.start, clause.end):
            if words[i] not in NEGATORS:
                continue
            nxt = words[i + 1] if i + 1 < clause.end else ""
            prev = words[i - 1] if i > clause.start else ""
            if nxt in _NOT_NEGATING_NEXT or prev in _NOT_NEGATING_PREV:
                continue
            if words[i] == "no" and nxt == "matter":  # "no matter what", not "doesn't matter"
                continue
            if any(tuple(words[i : i + len(t)]) == t for t in _NOT_NEGATIONS):
                continue
            if prev in _ALMOST and words[i] in ("no", "none", "nothing"):
                continue
            if words[i] == "no" and _comparison(words[i + 1 : i + 3]):
                continue  # "no better than the mean": as good as, not a denial
            if words[i] == "not" and nxt in _FALSE | {"true", "correct", "right"}:
                continue  # "not true" is a verdict on the clause, judged in _judge_myths
            flags[i] = True
    return flags


def _comparison(after: list[str]) -> bool:
    """ "better than", "different from": after "no", a comparison ("no better than the mean")."""
    if len(after) < 2:
        return False
    word, then = after
    return (then == "than" and (word in ("more", "less") or word.endswith("er"))) or (
        word == "different" and then in ("from", "than", "to")
    )


def _judge_myths(words: list[str], clauses: list[_Clause], negator: list[bool]) -> None:
    quoting = False
    for k, clause in enumerate(clauses):
        if (k and clauses[k - 1].sentence != clause.sentence) or clause.contrast:
            quoting = False
        span = words[clause.start : clause.end]
        if _quotes_myth(span):  # "contrary to what people say, ...": the rest is the claim
            quoting = not (opens_negated_clause(tuple(span)) or span[:1] == ["despite"])
        if quoting:
            clause.negated = True
        if _is_verdict(span):
            if len(span) <= MAX_VERDICT_WORDS:
                _negate_judged(clauses, k)
            else:
                clause.negated = not clause.negated


def _quotes_myth(span: list[str]) -> bool:
    """'a common misconception is that ...', 'people often think ...'."""
    if any(w in _MYTH for w in span[:-1]):
        return True
    if any(w in ("belief", "beliefs") and p in _COMMON for p, w in itertools.pairwise(span)):
        return True  # "a common belief is that ...", not "my belief is that ..."
    if any(
        w in _MISTAKES and p in _MISTAKE_BEFORE and n in _MISTAKE_AFTER
        for p, w, n in zip(span, span[1:], span[2:], strict=False)
    ):
        return True  # "a common mistake is to ...", "one mistake people make", not "mistakes"
    return any(
        w in _PEOPLE and any(b in _BELIEVE for b in span[i + 1 : i + 4]) for i, w in enumerate(span)
    )


def _is_verdict(span: list[str]) -> bool:
    """'that is wrong', 'not true', 'X is a myth', 'which is backwards'."""
    for i, w in enumerate(span):
        nxt = span[i + 1] if i + 1 < len(span) else ""
        prev = span[i - 1] if i else ""
        # "when the assumed form is wrong" states a condition, not a verdict
        is_false = w in _FALSE and prev in _COPULAS and nxt not in _FALSE_NOT_AFTER
        if is_false and not _CONDITIONALS.intersection(span[:i]):
            return True
        if w == "not" and nxt in ("true", "correct", "right"):
            return True
        if w in _MYTH and i == len(span) - 1 and i > 0:
            return True
    return False


def _negate_judged(clauses: list[_Clause], k: int) -> None:
    """A short verdict negates the clauses before it in its sentence, or the last sentence."""
    here = clauses[k].sentence
    before = [c for c in clauses[:k] if c.sentence == here]
    if not before:
        before = [c for c in clauses[:k] if c.sentence == here - 1]
    for clause in before:
        clause.negated = True


def _finish(
    text: str,
    words: list[str],
    starts: list[int],
    ends: list[int],
    clauses: list[_Clause],
    negator: list[bool],
    scope: int | None,
) -> Parsed:
    clause_of = [0] * len(words)
    sentence_of = [0] * len(words)
    negated = [False] * len(words)
    for k, clause in enumerate(clauses):
        active: list[int] = []  # where the negators still in reach stand
        named = False  # a word of the noun phrase after the latest "without"
        for i in range(clause.start, clause.end):
            clause_of[i] = k
            sentence_of[i] = clause.sentence
            if scope is not None:
                active = [j for j in active if i - j <= scope]
            if active and words[active[-1]] == "without":
                if named and words[i] in FUNCTION_WORDS:  # "without regularisation it overfits"
                    active.pop()
                named = named or words[i] not in FUNCTION_WORDS
            negated[i] = clause.negated != (len(active) % 2 == 1)
            if negator[i] and not (words[i] == "nor" and active):  # "neither X nor Y": one
                active.append(i)
                named = False
    return Parsed(
        text,
        tuple(words),
        tuple(stem(w) for w in words),
        tuple(clause_of),
        tuple(sentence_of),
        tuple(negated),
        tuple(negator),
        tuple(starts),
        tuple(ends),
    )
