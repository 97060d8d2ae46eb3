"""Grade a free answer against a node's key points: coverage, evidence, score and verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.bank.models import KeyPoint, Node, Question
from bot.grading import quickfire
from bot.grading.matcher import AnswerIndex, Match
from bot.grading.text import Words

KEYWORD_LIST_FUNCTION_RATIO = 0.15  # prose is ~0.4; a bare list of terms ~0
KEYWORD_LIST_CAP = 0.3  # the most a bare list of terms can score
MIN_WORDS_PER_POINT = 3  # fewer words per covered point reads as a list
OFF_TOPIC_OVERLAP = 0.2  # share of the answer's content words that are on topic
MISCONCEPTION_FACTOR = 0.5  # a stated misconception halves the score


class Verdict(StrEnum):
    """What kind of answer this was, for feedback and the evaluation set."""

    GOOD = "good"
    PARTIAL = "partial"
    WEAK = "weak"
    WRONG = "wrong"
    OFF_TOPIC = "off_topic"
    KEYWORD_LIST = "keyword_list"
    EMPTY = "empty"


@dataclass(frozen=True)
class PointResult:
    """One key point: whether it was covered, and the words that showed it."""

    id: str
    label: str
    weight: float
    evidence: str | None = None
    how: str | None = None

    @property
    def covered(self) -> bool:
        """True when some phrase of the point was found."""
        return self.evidence is not None


@dataclass(frozen=True)
class Grade:
    """The grade of one answer to one node."""

    node_id: str
    score: float
    coverage: float
    points: tuple[PointResult, ...]
    verdict: Verdict
    feedback: tuple[str, ...] = ()

    @property
    def covered(self) -> tuple[PointResult, ...]:
        """Key points the answer covered."""
        return tuple(p for p in self.points if p.covered)

    @property
    def missed(self) -> tuple[PointResult, ...]:
        """Key points the answer missed."""
        return tuple(p for p in self.points if not p.covered)

    @property
    def covered_ids(self) -> frozenset[str]:
        """Ids of the covered key points (what follow-up conditions read)."""
        return frozenset(p.id for p in self.covered)


@dataclass(frozen=True)
class GraderConfig:
    """Thresholds; see the [grading] section of the config."""

    fuzzy_threshold: float = 0.85
    good_score: float = 0.7
    pass_score: float = 0.4


class AnswerGrader:
    """Grades answers by key-point coverage, with checks for lists, wrong and off-topic answers."""

    def __init__(self, config: GraderConfig | None = None) -> None:
        self.config = config or GraderConfig()

    def grade(self, question: Question, node: Node, answer: str, *, spoken: bool = False) -> Grade:
        """Grade `answer` to `node` (the question itself or one of its follow-ups); `spoken`
        says it was transcribed speech (not yet used in grading)."""
        index = AnswerIndex(answer, self.config.fuzzy_threshold)
        if not index.words.words:
            points = tuple(PointResult(p.id, p.label, p.weight) for p in node.key_points)
            return Grade(node.id, 0.0, 0.0, points, Verdict.EMPTY, ("The answer was empty.",))
        points = tuple(self._point(index, point) for point in node.key_points)
        total = sum(p.weight for p in points)
        coverage = sum(p.weight for p in points if p.covered) / total
        return self._judge(question, node, index, points, coverage)

    def _point(self, index: AnswerIndex, point: KeyPoint) -> PointResult:
        best: Match | None = None
        for phrase in point.phrases:
            found = index.find(phrase)
            if found is not None and (best is None or found.score > best.score):
                best = found
                if best.score == 1.0:
                    break
        if best is None:
            return PointResult(point.id, point.label, point.weight)
        return PointResult(point.id, point.label, point.weight, best.evidence, best.how)

    def _judge(
        self,
        question: Question,
        node: Node,
        index: AnswerIndex,
        points: tuple[PointResult, ...],
        coverage: float,
    ) -> Grade:
        words = index.words
        covered = sum(p.covered for p in points)
        misconceptions = [
            m.correction
            for m in node.misconceptions
            if any(index.find(phrase, fuzzy=False) for phrase in m.phrases)
        ]
        if misconceptions:
            score = coverage * MISCONCEPTION_FACTOR
            return Grade(node.id, score, coverage, points, Verdict.WRONG, tuple(misconceptions))
        if covered == 0 and _topic_overlap(question, node, words) < OFF_TOPIC_OVERLAP:
            message = "That answer does not seem to address the question."
            return Grade(node.id, 0.0, coverage, points, Verdict.OFF_TOPIC, (message,))
        if covered and _is_keyword_list(words, covered):
            message = "Explain each idea in a sentence or two; a list of terms is not an answer."
            score = min(coverage, KEYWORD_LIST_CAP)
            return Grade(node.id, score, coverage, points, Verdict.KEYWORD_LIST, (message,))
        return Grade(node.id, coverage, coverage, points, self._verdict(coverage))

    def _verdict(self, score: float) -> Verdict:
        if score >= self.config.good_score:
            return Verdict.GOOD
        if score >= self.config.pass_score:
            return Verdict.PARTIAL
        return Verdict.WEAK

    def quickfire_correct(self, answer: str, accepted: Sequence[str]) -> bool:
        """Whether a quick-fire answer is one of the accepted answers."""
        return quickfire.matches(answer, accepted)


def _is_keyword_list(words: Words, covered: int) -> bool:
    """Terms without the connecting words of an explanation, or too few words per idea."""
    thin = len(words) / covered < MIN_WORDS_PER_POINT
    return words.function_ratio < KEYWORD_LIST_FUNCTION_RATIO or thin


def _topic_overlap(question: Question, node: Node, words: Words) -> float:
    """The share of the answer's content words that the question's own material uses."""
    mine = words.content_stems()
    if not mine:
        return 0.0
    return len(mine & (_vocabulary(question) | _vocabulary(node))) / len(mine)


_VOCABULARIES: dict[int, tuple[Node, frozenset[str]]] = {}


def _vocabulary(source: Node) -> frozenset[str]:
    """Content stems of a node's prompt, reference answer and phrases, computed once per node
    object (keyed by identity: hashing a frozen model would walk its whole follow-up tree)."""
    cached = _VOCABULARIES.get(id(source))
    if cached is not None and cached[0] is source:
        return cached[1]
    texts = [source.prompt, source.reference_answer]
    texts += [phrase for point in source.key_points for phrase in point.phrases]
    stems = frozenset().union(*(Words.of(text).content_stems() for text in texts))
    _VOCABULARIES[id(source)] = (source, stems)
    return stems
