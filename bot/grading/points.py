"""Judge one key point against a parsed answer: covered, contradicted or missed, with the words.

- A phrase found outside a negation covers the point; found only inside one ("you should never
  add regularisation") it contradicts it. A phrase that states a negation itself ("cannot be
  parallelised") is matched whole, and an outer negation flips it.
- A relation point pairs a subject with an object in one clause. Each object or swapped phrase
  belongs to the nearest subject of the node before it in its clause (else after it, else the
  last one earlier in the sentence: "bagging, which trains in parallel, reduces variance"), so
  "bagging reduces bias, boosting reduces variance" pairs bias with bagging. The right pairing
  covers the point; the subject with a swapped phrase, or with its object negated, contradicts it.
- An `opposites` phrase outside a negation contradicts the point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.bank.models import KeyPoint
from bot.grading.clauses import NEGATORS
from bot.grading.common_words import COMMON_WORDS, GENERIC_TERMS
from bot.grading.labels import (
    DIRECTION,
    PREVENTS,
    aimed,
    counterparts,
    directions,
    label_stems,
    label_words,
    says_not,
)
from bot.grading.matcher import AnswerIndex, Hit, antonyms, prepare
from bot.grading.positions import FILLERS, heads_clause, opens_clause, supposed
from bot.grading.text import FUNCTION_WORDS, stem

BORROW_WORDS = 15  # how far back in its sentence an object may find a subject in another clause
BACKWARD_WORDS = 3  # "regularisation does not help": a negator this close after a phrase
DIRECT_WORDS = 2  # "don't need any more data": words allowed between a denial and the phrase
LISTED_WORDS = 3  # "never add more data or regularisation": how far back an "or" joins a list
OF_WORDS = 3  # "independence of the errors isn't ...": an "of" phrase the denial may follow
PREDICATE_WORDS = 6  # "X doesn't tell you anything useful": the words a denial after X covers
NEAR_WORDS = 3  # "encourage co-adaptation", "pooling layers then upsample": a direction beside
JOINED_WORDS = 6  # "the L1 penalty plus (1 - alpha) times L2": subjects named together
JOINED_CONTENT = 2
_JOINERS = frozenset("and or plus with both times".split())
_AUX = frozenset(
    """is are was were be been does do did will would should can could may might has have had
    really actually it they this that s also likewise equally entirely completely totally
    simply generally usually often largely mostly basically""".split()
)


# verbs that act on what follows: "doesn't help with co-adaptation" denies the prevention
_ACTING = frozenset(
    """help helps helped helping work works matter matters deal deals address addresses handle
    handles affect affects solve solves fix fixes cure cures""".split()
)
# after "X isn't" / "X doesn't": predicates that deny X's worth or effect, not describe it
_WORTH = frozenset(
    """needed necessary required important useful relevant true real valid used use apply
    applies exist exists problem issue concern improve improves improved cause causes lead
    leads guarantee guarantees make makes effect impact difference anything much care matter
    worth good better necessarily always change changes do does assumption assumptions
    requirement requirements condition prerequisite""".split()
)
_OF = frozenset({"of", "for"})
# a sentence that states a point the wrong way round credits it nowhere else in that sentence
_SPOILING = frozenset({"reversed", "misattributed"})
_MODALS = frozenset("can could may might".split())
_UNWORTH = frozenset(
    """unnecessary unneeded needless useless pointless irrelevant unimportant overrated
    redundant obsolete counterproductive""".split()
)
_SHIELDS = frozenset("save saves protect protects stop stops spare spares shield shields".split())
_DENYING_NEGATORS = frozenset({"nothing", "none", "never"})  # "X has nothing to do with Y"


def weak_phrase(phrase: str) -> bool:
    """One everyday or generic word: naming it is not stating any key point."""
    words = prepare(phrase).words
    return len(words) == 1 and (
        words[0] in FUNCTION_WORDS or words[0] in COMMON_WORDS or words[0] in GENERIC_TERMS
    )


class PointStatus(StrEnum):
    """What an answer did with a key point."""

    COVERED = "covered"
    CONTRADICTED = "contradicted"
    MISSED = "missed"


@dataclass(frozen=True)
class PointResult:
    """One key point: covered, contradicted or missed, and the words that showed it."""

    id: str
    label: str
    weight: float
    status: PointStatus = PointStatus.MISSED
    evidence: str | None = None
    how: str | None = None
    span: tuple[int, int] | None = None  # the evidence's words in the answer

    @property
    def covered(self) -> bool:
        """True when the answer stated the point."""
        return self.status is PointStatus.COVERED

    @property
    def contradicted(self) -> bool:
        """True when the answer denied the point or stated its opposite."""
        return self.status is PointStatus.CONTRADICTED


@dataclass(frozen=True)
class _Found:
    hit: Hit
    how: str
    strong: bool = True  # a swap or an opposite; a negated phrase is weaker than any cover
    subject: tuple[int, int] | None = None  # relation: where its subject stands


Relevant = Callable[[int], bool]  # is the sentence of this word about the question?


class PointJudge:
    """Judges the key points of one node against one answer."""

    def __init__(self, index: AnswerIndex, points: Sequence[KeyPoint], relevant: Relevant) -> None:
        self.index = index
        self.parsed = index.parsed
        self.relevant = relevant
        owners: dict[tuple[int, int], set[str]] = {}
        blockers: set[tuple[int, int]] = set()
        for point in points:
            if point.relation is not None:
                for hit in self._hits(point.relation.subject):
                    owners.setdefault((hit.start, hit.end), set()).add(point.id)
                others = point.relation.contrasts + counterparts(point.relation.subject)
                blockers |= {(h.start, h.end) for h in self._hits(others, exact=True)}
        for span in blockers:
            owners.setdefault(span, set())  # the other side: owns objects for no point
        self._owners = {span: frozenset(ids) for span, ids in owners.items()}
        self._spans = sorted(self._owners)

    def judge(self, point: KeyPoint) -> PointResult:
        """The status of `point` in this answer, with the words that earned it."""
        covers: list[_Found] = []
        against: list[_Found] = []
        for phrase in point.phrases:
            if not weak_phrase(phrase):
                self._phrase(point, phrase, covers, against)
        spoiled = {self.parsed.sentence[f.hit.start] for f in against if f.how in _SPOILING}
        covers = [f for f in covers if self.parsed.sentence[f.hit.start] not in spoiled]
        if point.relation is not None:
            self._relation(point, covers, against)
        for phrase in point.opposites:
            opposite = self._hits((phrase,), exact=True)
            against += [
                _Found(h, "opposite")
                for h in opposite
                if not self.negated(h) and not supposed(self.parsed, h.start)
            ]
        base = (point.id, point.label, point.weight)
        strong = [f for f in against if f.strong]
        if strong or (against and not covers):
            found = (strong or against)[0]
            status = PointStatus.CONTRADICTED
            return PointResult(*base, status, self._quote(found), found.how, _span(found))
        if covers:
            best = max(covers, key=lambda f: f.hit.score)
            return PointResult(*base, PointStatus.COVERED, self._quote(best), best.how, _span(best))
        return PointResult(*base)

    def _phrase(
        self, point: KeyPoint, phrase: str, covers: list[_Found], against: list[_Found]
    ) -> None:
        """The places `phrase` states the point (the first one), denies or reverses it."""
        prepared = prepare(phrase)
        negative, opener = prepared.negative, prepared.opener
        for hit in self._hits((phrase,)):
            if self.negated(
                hit, whole_phrase_negative=negative or opener, opener=opener, point=point
            ):
                if self._reversed(hit, point, negated=True):
                    continue  # "does not encourage co-adaptation": no denial of preventing
                if self._prevented(hit, point):
                    covers.append(_Found(hit, "prevented"))
                    return
                if self._unprevented(hit, point):  # "doesn't save it from saturating"
                    covers.append(_Found(hit, "negated twice"))
                    return
                denied = self._directly_negated(hit) or (
                    not (negative or opener or says_not(point.label))
                    and self._denied_after(hit, point)
                )
                if denied and self._about(hit, point):
                    against.append(_Found(hit, "negated", strong=False))
            elif self._reversed(hit, point):
                against.append(_Found(hit, "reversed", strong=False))
            elif (alone := self._said_of_another(hit, point)) is not None:
                if alone:  # "Momentum scales each step by the squared gradients" (RMSProp's)
                    against.append(_Found(hit, "misattributed", strong=False))
            else:
                covers.append(_Found(hit, hit.how))
                return

    def negated(
        self,
        hit: Hit,
        *,
        whole_phrase_negative: bool = False,
        opener: bool = False,
        point: KeyPoint | None = None,
    ) -> bool:
        """Whether the words of `hit` stand under a negation (outer negations only when the
        phrase itself holds one), or are followed closely by one ("dropout does not help")."""
        parsed = self.parsed
        if opener and (hit.start == 0 or parsed.clause[hit.start - 1] != parsed.clause[hit.start]):
            return not parsed.negated[hit.start]  # the phrase's own "rather than" negates it
        if parsed.negated[hit.start]:
            return True
        if whole_phrase_negative:
            return False
        return self._denied_after(hit, point)

    def _reversed(self, hit: Hit, point: KeyPoint, *, negated: bool = False) -> bool:
        """The phrase with the opposite direction beside it: "encourage co-adaptation" for a
        point that prevents it, "pooling layers upsample" for one that downsamples. With
        `negated`, the opposite under the phrase's own negation ("does not encourage it")."""
        wanted = directions(point.label)
        if not wanted:
            return False
        parsed = self.parsed
        clause = parsed.clause[hit.start]
        near = [
            j
            for j in range(max(0, hit.start - NEAR_WORDS), min(len(parsed), hit.end + NEAR_WORDS))
            if (j < hit.start or j >= hit.end) and parsed.clause[j] == clause
            if parsed.negated[j] == negated and parsed.words[j] in DIRECTION
        ]
        aims = aimed(point.label)
        judged = [v for j in near if (v := self._against_aim(j, aims)) is not None]
        if judged:  # "maximises the Gini impurity" for "chosen to maximise purity"
            return any(judged)
        said = {DIRECTION[parsed.words[j]] for j in near}
        return bool(said) and not said & wanted and any(-d in wanted for d in said if d)

    def _against_aim(self, at: int, aims: dict[str, int]) -> bool | None:
        """Whether the direction word at `at` goes against the label's direction for the word
        it acts on (an antonym flips it: "maximise impurity" is "minimise purity"); None when it
        acts on none of the label's aimed words."""
        parsed = self.parsed
        sign = DIRECTION[parsed.words[at]]
        for j in range(at + 1, min(at + 1 + NEAR_WORDS + 1, len(parsed))):
            if parsed.clause[j] != parsed.clause[at]:
                break
            word, stem_ = parsed.words[j], parsed.stems[j]
            for target, direction in aims.items():
                if stem_ == stem(target):
                    return sign != direction
                if antonyms(word, target):
                    return -sign != direction
        return None

    def _said_of_another(self, hit: Hit, point: KeyPoint) -> bool | None:
        """For a relation point, whether its phrase is said of another side's subject, the one
        its clause opens with (None when the point's own subject is named there too, or the
        clause opens otherwise): True when the point's own
        subject is not in that sentence either ("RMSProp keeps a velocity" for momentum's
        point), False when it is ("a velocity like momentum and squared gradients like
        RMSProp": no credit from here, and no contradiction)."""
        if point.relation is None or self.index.spoken:
            return None  # a transcript's clauses are guessed: no pairing beyond the relation
        own = [s for s in self._spans if point.id in self._owners[s]]
        if any(s[0] < hit.end and hit.start < s[1] for s in own):
            return None  # the phrase names the subject itself
        parsed = self.parsed
        clause = parsed.clause[hit.start]
        before = [
            s
            for s in self._spans
            if s[1] <= hit.start and parsed.clause[s[0]] == clause and not parsed.negated[s[0]]
        ]
        if not before or any(point.id in self._owners[s] for s in before):
            return None  # "gamma in the RBF kernel is how far one point reaches": its own
        if not opens_clause(self.parsed, min(before)[0]):
            return None  # not what the clause is about: "it picks P(features | class)"
        other = min(before)
        if label_words(point.label) & set(parsed.words[other[0] : other[1]]):
            return None  # a label about both sides: "discriminative ...; generative can sample"
        sentence = self.parsed.sentence[hit.start]
        return not any(
            self.parsed.sentence[s[0]] == sentence and not self.parsed.negated[s[0]] for s in own
        )

    def _prevented(self, hit: Hit, point: KeyPoint) -> bool:
        """A negated phrase that states a point about preventing it: "units can no longer
        co-adapt" (prevents co-adaptation), "no full softmax" (avoids one); but "it doesn't
        help with co-adaptation" or "doesn't prevent it" deny the prevention."""
        if PREVENTS not in directions(point.label):
            return False
        parsed = self.parsed
        clause = parsed.clause[hit.start]
        near = range(max(0, hit.start - NEAR_WORDS), min(len(parsed), hit.end + NEAR_WORDS))
        return not any(
            parsed.words[j] in DIRECTION or parsed.words[j] in _ACTING
            for j in near
            if (j < hit.start or j >= hit.end) and parsed.clause[j] == clause
        )

    def _unprevented(self, hit: Hit, point: KeyPoint) -> bool:
        """A phrase after a denied prevention, which says it happens: "being zero-centred
        doesn't save it from saturating", "nothing stops it from overfitting" (not for a point
        that is itself about preventing)."""
        if PREVENTS in directions(point.label):
            return False
        parsed = self.parsed
        j = hit.start - 1
        while j >= 0 and parsed.clause[j] == parsed.clause[hit.start] and hit.start - j <= 5:
            if parsed.words[j] in _SHIELDS or DIRECTION.get(parsed.words[j]) == PREVENTS:
                return any(
                    parsed.negator[k]
                    for k in range(max(0, j - 3), j)
                    if parsed.clause[k] == parsed.clause[j]
                )
            j -= 1
        return False

    def _denied_after(self, hit: Hit, point: KeyPoint | None = None) -> bool:
        """A negator closely after the phrase: "dropout doesn't help", "X has nothing to do
        with Y", "X never reduces ..."."""
        parsed = self.parsed
        clause = parsed.clause[hit.start]
        j, reach = hit.end, BACKWARD_WORDS
        if j + 1 < len(parsed) and parsed.words[j] in _OF and parsed.clause[j] == clause:
            reach += OF_WORDS  # "independence of the errors isn't an assumption"
            j += 1
            end = min(hit.end + OF_WORDS, len(parsed))
            while j < end and parsed.words[j] not in NEGATORS | _AUX:
                j += 1
        for k in range(j, min(hit.end + reach, len(parsed))):
            if parsed.clause[k] != clause:
                break
            if parsed.words[k] in NEGATORS and parsed.negator[k]:
                return self._judged(k, point)
            if parsed.words[k] in _UNWORTH and not parsed.negated[k]:
                # "warm-up is unnecessary": a denial; "accuracy can be useless": a warning
                return not _MODALS.intersection(parsed.words[hit.end : k])
            if parsed.words[k] not in _AUX:
                break
        return False

    def _judged(self, negator: int, point: KeyPoint | None) -> bool:
        """Whether the negation after a phrase denies the point ("dropout doesn't help", "X
        has nothing to do with Y", "it doesn't.", "SMOTE doesn't create new examples" for a
        point about creating them) rather than some other description of the phrase ("concept
        drift isn't about the inputs" for a point about P(y|X)). Without a point, any."""
        parsed = self.parsed
        if point is None or parsed.words[negator] in _DENYING_NEGATORS:
            return True
        clause = parsed.clause[negator]
        rest = [
            parsed.words[k]
            for k in range(negator + 1, min(negator + 1 + PREDICATE_WORDS, len(parsed)))
            if parsed.clause[k] == clause and parsed.words[k] not in _AUX | FILLERS
        ]
        if not rest:
            return True
        if any(w in _WORTH or w in _ACTING or w in DIRECTION for w in rest):
            return True
        return bool({stem(w) for w in rest} & label_stems(point))

    def _about(self, hit: Hit, point: KeyPoint) -> bool:
        """Whether a denied phrase is about this point's side: a phrase that belongs to the
        subject of another point or to the other side of a comparison ("discriminative models
        learn p(y|x) without modelling the joint") denies nothing about this one."""
        owner = self._owner(hit, ordered=False)
        return owner is None or point.id in owner[1]

    def _directly_negated(self, hit: Hit) -> bool:
        """A negator right before the phrase ("never add regularisation", "don't need X"): a
        denial of the point, not a negation elsewhere in the clause that only withholds credit."""
        parsed = self.parsed
        j, skipped = hit.start - 1, 0
        while j >= 0 and parsed.clause[j] == parsed.clause[hit.start]:
            if parsed.negator[j]:
                return True
            if parsed.words[j] in ("or", "nor") and hit.start - j <= LISTED_WORDS:
                skipped = 0  # "never add more data or regularisation": a list after the denial
            elif parsed.words[j] not in _AUX and parsed.words[j] not in FILLERS:
                skipped += 1
                if skipped > DIRECT_WORDS:
                    return False
            j -= 1
        return False

    def _hits(self, phrases: Sequence[str], *, exact: bool = False) -> list[Hit]:
        hits = []
        for phrase in phrases:
            hits += [h for h in self.index.find(phrase, exact=exact) if self.relevant(h.start)]
        return hits

    def _relation(self, point: KeyPoint, covers: list[_Found], against: list[_Found]) -> None:
        relation = point.relation
        assert relation is not None
        for hit in self._hits(relation.object):
            owner = self._owner(hit, ordered=relation.ordered)
            if owner is None or point.id not in owner[1]:
                continue
            if not self.parsed.negated[hit.start]:  # negated: no credit, and no contradiction
                covers.append(_Found(hit, "relation", subject=owner[0]))
        paired = {f.subject for f in covers if f.subject is not None}
        for hit in self._hits(relation.swapped, exact=True):
            owner = self._owner(hit, ordered=relation.ordered)
            if owner is None or point.id not in owner[1] or self.parsed.negated[hit.start]:
                continue
            if self._denied_after(hit):  # "the full network is never used"
                continue
            if owner[0] in paired:  # with its object too, the subject is not swapped
                continue
            if not self._named_together(owner[0], point.id) and not supposed(
                self.parsed, hit.start
            ):
                against.append(_Found(hit, "swapped", subject=owner[0]))

    def _named_together(self, span: tuple[int, int], point_id: str) -> bool:
        """Whether the subject at `span` is named together with another side's subject ("L1 +
        L2", "the L1 penalty plus (1 - alpha) times L2"): a property said of both is no swap."""
        words, negated = self.parsed.words, self.parsed.negated
        for other in self._spans:
            if other == span or point_id in self._owners[other] or negated[other[0]]:
                continue
            between = words[min(span[1], other[1]) : max(span[0], other[0])]
            if len(between) > JOINED_WORDS:
                continue
            content = [w for w in between if w not in FUNCTION_WORDS | _JOINERS and not w.isdigit()]
            if not between or (set(between) & _JOINERS and len(content) <= JOINED_CONTENT):
                return True
        return False

    def _owner(self, hit: Hit, *, ordered: bool) -> tuple[tuple[int, int], frozenset[str]] | None:
        """The subject span an object or swapped phrase belongs to, with the points whose
        subject stands there (none for the other side of a comparison): the nearest subject
        before it in its clause, else after it, else earlier in its sentence, else under the
        heading its line is listed under."""
        parsed = self.parsed
        clause, sentence = parsed.clause[hit.start], parsed.sentence[hit.start]
        usable = [
            s
            for s in self._spans
            if (s[1] <= hit.start or s[0] >= hit.end) and not parsed.negated[s[0]]
        ]
        same = [s for s in usable if parsed.clause[s[0]] == clause]
        before = [s for s in same if s[1] <= hit.start]
        after = [s for s in same if s[0] >= hit.end]
        earlier = [
            s
            for s in usable
            if parsed.sentence[s[0]] == sentence and hit.start - BORROW_WORDS <= s[1] <= hit.start
        ]
        if heads_clause(self.parsed, hit.start):
            earlier = []  # "..., but since ReLU discards half": the phrase is its own subject
        heading = parsed.heading[hit.start] if parsed.heading else -1
        listed = [s for s in usable if heading >= 0 and parsed.sentence[s[0]] == heading]
        span = (
            max(before, key=lambda s: (s[1], s[0]), default=None)
            or (None if ordered else min(after, default=None))
            or max((s for s in earlier if opens_clause(self.parsed, s[0])), default=None)
            or max(earlier, key=lambda s: (s[1], s[0]), default=None)
            or max(listed, key=lambda s: (s[1], s[0]), default=None)
        )
        return None if span is None else (span, self._owners[span])

    def _quote(self, found: _Found) -> str:
        return self.parsed.quote(*_span(found))


def _span(found: _Found) -> tuple[int, int]:
    start, end = found.hit.start, found.hit.end
    if found.subject is not None:
        start, end = min(start, found.subject[0]), max(end, found.subject[1])
    return start, end
