"""Where a word stands in its clause: what the clause opens with, and whether it only supposes."""

from __future__ import annotations

from bot.grading.clauses import Parsed
from bot.grading.text import FUNCTION_WORDS

CLAUSE_OPENING = 4  # words looked at before a clause's subject: "and so the" ...
FILLERS = frozenset("a an the any more much really actually even always ever".split())
_CONNECTIVES = frozenset(
    """and or but so then since because while whereas although though yet however also
    the a an""".split()
)
_SUPPOSING = frozenset({"if", "unless", "suppose", "supposing", "imagine"})
_LEADING = frozenset({"and", "so", "but", "or", "then", "now", "even", "only"})


def _before(parsed: Parsed, at: int) -> list[str]:
    """The words before `at` in its clause."""
    j = at
    while j > 0 and parsed.clause[j - 1] == parsed.clause[at]:
        j -= 1
    return list(parsed.words[j:at])


def supposed(parsed: Parsed, at: int) -> bool:
    """Whether the word at `at` is in a clause that supposes rather than states ("if you use
    Xavier with ReLU, the signal decays"): a wrong pairing there is no claim."""
    words = [*_before(parsed, at), parsed.words[at]]
    return next((w for w in words if w not in _LEADING), words[-1]) in _SUPPOSING


def heads_clause(parsed: Parsed, at: int) -> bool:
    """Whether the word at `at` is the first of its clause but for connectives ("but since ReLU
    ...", "and the ReLU ..."), not after a preposition ("each on a bootstrap sample")."""
    return all(w in _CONNECTIVES for w in _before(parsed, at))


def opens_clause(parsed: Parsed, at: int) -> bool:
    """Whether the subject starting at `at` is what its clause opens with ("tanh is a rescaled
    sigmoid", "while bagging, which averages"), not a word further in it."""
    return all(w in FUNCTION_WORDS or w in FILLERS for w in _before(parsed, at)[-CLAUSE_OPENING:])
