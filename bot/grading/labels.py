"""What a key point's label says: its directions (prevents, reduces, nearest ...), the words
they act on, its content words, and the other side of a subject that names a size or a side."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from bot.bank.models import KeyPoint
from bot.grading.clauses import NEGATORS
from bot.grading.matcher import prepare
from bot.grading.text import FUNCTION_WORDS

_COUNTERPARTS = {
    "large": "small",
    "small": "large",
    "big": "small",
    "high": "low",
    "low": "high",
    "larger": "smaller",
    "smaller": "larger",
    "higher": "lower",
    "lower": "higher",
    "many": "few",
    "few": "many",
    "l1": "l2",
    "l2": "l1",
}


_AXES = (  # each axis: the words for one direction, then the words for the other
    (
        """prevent prevents preventing prevented avoid avoids avoiding avoided break breaks
        breaking eliminate eliminates eliminating mitigate mitigates mitigating combat combats
        discourage discourages suppress suppresses""",
        """encourage encourages encouraging encouraged promote promotes promoting""",
    ),
    (  # less of it / more of it: "reduce impurity" is "minimise impurity"
        """reduce reduces reducing reduced reduction decrease decreases decreasing lower lowers
        lowering minimise minimises minimising minimised minimize minimizes minimizing
        minimized""",
        """increase increases increasing increased raise raises raising amplify amplifies
        maximise maximises maximising maximised maximize maximizes maximizing maximized""",
    ),
    ("nearest closest", "farthest furthest"),
    ("downsample downsamples downsampling downsampled", "upsample upsamples upsampling upsampled"),
)
PREVENTS = 1  # the first axis: a point that prevents X is stated by "no X", "can't X"
# word -> a signed axis number: +n one way along axis n, -n the other way
DIRECTION = {
    word: sign * (n + 1)
    for n, sides in enumerate(_AXES)
    for sign, side in ((1, sides[0]), (-1, sides[1]))
    for word in side.split()
}


@functools.cache
def label_stems(point: KeyPoint) -> frozenset[str]:
    """The stems of the content words of a point's label and phrases."""
    prepared = [prepare(text) for text in (point.label, *point.phrases)]
    return frozenset(
        s
        for p in prepared
        for w, s in zip(p.words, p.stems, strict=True)
        if w not in FUNCTION_WORDS
    )


@functools.cache
def label_words(label: str) -> frozenset[str]:
    """The content words of a key point's label, as answers spell them."""
    return frozenset(w for w in prepare(label).words if w not in FUNCTION_WORDS)


@functools.cache
def aimed(label: str) -> dict[str, int]:
    """The words a label's direction words act on, with their direction: "chosen to maximise
    purity (..., variance reduction)" -> purity: maximise, variance: reduce."""
    words = prepare(label).words
    out: dict[str, int] = {}
    for i, word in enumerate(words):
        if word not in DIRECTION:
            continue
        after = [w for w in words[i + 1 : i + 3] if w not in FUNCTION_WORDS]
        before = words[i - 1 : i] if word.endswith("tion") else ()
        for target in after[:1] or before:
            if target not in DIRECTION:
                out.setdefault(target, DIRECTION[word])
    return out


def says_not(label: str) -> bool:
    """Whether a key point's label holds a negation itself ("early layers learn slowly or not
    at all"): a negation after the phrase then agrees with the point rather than denying it."""
    words = "".join(c if c.isalnum() else " " for c in label.lower()).split()
    return any(w in NEGATORS for w in words)


def directions(label: str) -> set[int]:
    """The directions a key point's label states ("Prevents co-adaptation" -> prevent)."""
    words = "".join(c if c.isalnum() else " " for c in label.lower()).split()
    return {DIRECTION[w] for w in words if w in DIRECTION}


def counterparts(subjects: Sequence[str]) -> tuple[str, ...]:
    """The other side of each subject that names a size or a side: "large gamma" -> "small
    gamma", "l1 penalty" -> "l2 penalty"."""
    out = []
    for subject in subjects:
        words = subject.lower().split()
        flipped = [_COUNTERPARTS.get(w, w) for w in words]
        if flipped != words:
            out.append(" ".join(flipped))
    return tuple(out)
