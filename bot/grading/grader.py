"""Grade a free answer against a node's key points: coverage, contradictions, score and verdict."""

from __future__ import annotations

import statistics
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.bank.models import Node, Question
from bot.bank.tree import FollowUpTree
from bot.grading import quickfire
from bot.grading.clauses import Parsed
from bot.grading.matcher import AnswerIndex, Hit
from bot.grading.points import PointJudge, PointResult, PointStatus
from bot.grading.relevance import Vocabularies, about_the_question
from bot.grading.text import FUNCTION_WORDS

KEYWORD_LIST_FUNCTION_RATIO = 0.15  # prose is ~0.4; a bare list of terms ~0
KEYWORD_LIST_CAP = 0.3  # the most a bare list of terms can score
MIN_WORDS_PER_POINT = 3  # fewer words per covered point reads as a list
KEYWORD_RUN_ON_RATIO = 0.08  # one long run of terms with hardly a function word in it
RUN_ON_WORDS = 8  # "bias variance underfitting overfitting ...": one clause of terms this long
LIST_ITEM_WORDS = 2  # "dot product, softmax, ...": clauses this short are items of a list
EXPLAINED_LINE_WORDS = 4  # a line (or sentence) this long with a function word explains
OFF_TOPIC_OVERLAP = 0.2  # share of the answer's content words that are on topic
MISCONCEPTION_FACTOR = 0.5  # a stated misconception or contradiction halves the score

__all__ = ["AnswerGrader", "Grade", "GraderConfig", "PointResult", "PointStatus", "Verdict"]


# Verbs that explain ("bagging reduces variance"): with them a terse line is no list of terms.
_VERBS = frozenset(
    """reduce reduces lower lowers raise raises increase increases decrease decreases cut cuts
    give gives use uses train trains fit fits learn learns shrink shrinks push pushes pull pulls
    drive drives cause causes help helps prevent prevents add adds remove removes split splits
    measure measures compute computes predict predicts need needs require requires combine
    combines average averages penalize penalizes keep keeps take takes set sets control
    controls improve improves hurt hurts tends assigns assign moves move sums""".split()
)


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
        return tuple(p for p in self.points if p.status is PointStatus.COVERED)

    @property
    def contradicted(self) -> tuple[PointResult, ...]:
        """Key points the answer denied, swapped or stated the opposite of."""
        return tuple(p for p in self.points if p.status is PointStatus.CONTRADICTED)

    @property
    def missed(self) -> tuple[PointResult, ...]:
        """Key points the answer did not state (contradicted ones included: not earned)."""
        return tuple(p for p in self.points if p.status is not PointStatus.COVERED)

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
    """Grades answers by key-point coverage, with checks for contradictions, lists and
    off-topic answers. Thread-safe: grading runs in worker threads."""

    def __init__(self, config: GraderConfig | None = None) -> None:
        self.config = config or GraderConfig()
        self.vocabularies = Vocabularies()

    def warm_up(self, trees: Iterable[FollowUpTree], stop: threading.Event | None = None) -> int:
        """Compute every node's vocabulary now (about 5 ms each, so a worker thread should call
        this at start-up), so that no first answer to a node pays for it; returns the nodes
        done (fewer if `stop` was set)."""
        count = 0
        for tree in trees:
            for node in tree.nodes.values():
                if stop is not None and stop.is_set():
                    return count
                self.vocabularies.of(tree.question, node)
                count += 1
        return count

    def grade(self, question: Question, node: Node, answer: str, *, spoken: bool = False) -> Grade:
        """Grade `answer` to `node` (the question itself or one of its follow-ups); `spoken`
        answers came from speech-to-text and get its tolerances (joined words, sound-alikes)."""
        parsed = Parsed.of(answer, spoken=spoken)
        if not parsed.words:
            points = tuple(PointResult(p.id, p.label, p.weight) for p in node.key_points)
            return Grade(node.id, 0.0, 0.0, points, Verdict.EMPTY, ("The answer was empty.",))
        vocabulary = self.vocabularies.of(question, node)
        index = AnswerIndex(parsed, spoken=spoken, threshold=self.config.fuzzy_threshold)
        relevant = about_the_question(parsed, vocabulary)
        judge = PointJudge(index, node.key_points, relevant)
        points = tuple(judge.judge(point) for point in node.key_points)
        total = sum(p.weight for p in points)
        coverage = sum(p.weight for p in points if p.covered) / total
        misconceptions = [
            (m.correction, hit)
            for m in node.misconceptions
            for phrase in m.phrases
            for hit in judge.index.find(phrase, exact=True)[:1]
            if relevant(hit.start) and not judge.negated(hit)
        ]
        found = sum(p.status is not PointStatus.MISSED for p in points)
        if found and _is_keyword_list(
            parsed, found
        ):  # a list of terms states nothing, wrong or right
            message = "Explain each idea in a sentence or two; a list of terms is not an answer."
            score = min(coverage, KEYWORD_LIST_CAP)
            return Grade(node.id, score, coverage, points, Verdict.KEYWORD_LIST, (message,))
        if misconceptions or any(p.contradicted for p in points):
            return _wrong(node.id, parsed, points, coverage, misconceptions)
        overlap = self.vocabularies.overlap(question, node, parsed)
        if not any(p.covered for p in points) and overlap < OFF_TOPIC_OVERLAP:
            message = "That answer does not seem to address the question."
            return Grade(node.id, 0.0, coverage, points, Verdict.OFF_TOPIC, (message,))
        return Grade(node.id, coverage, coverage, points, self.verdict_for(coverage))

    def verdict_for(self, score: float) -> Verdict:
        """The verdict of an answer that contradicts nothing and covers this share of points."""
        if score >= self.config.good_score:
            return Verdict.GOOD
        if score >= self.config.pass_score:
            return Verdict.PARTIAL
        return Verdict.WEAK

    def quickfire_correct(self, answer: str, accepted: Sequence[str]) -> bool:
        """Whether a quick-fire answer is one of the accepted answers."""
        return quickfire.matches(answer, accepted)


def _wrong(
    node_id: str,
    parsed: Parsed,
    points: tuple[PointResult, ...],
    coverage: float,
    misconceptions: list[tuple[str, Hit]],
) -> Grade:
    """A contradiction or a misconception: the verdict is wrong and the feedback quotes it."""
    total = sum(p.weight for p in points)
    against = sum(p.weight for p in points if p.contradicted)
    score = max(0.0, coverage - against / total) * MISCONCEPTION_FACTOR
    corrections = dict.fromkeys(c for c, _ in misconceptions)
    feedback: list[str] = []
    for point in points:
        if not point.contradicted or point.span is None:
            continue
        sentence = parsed.sentence[point.span[0]]
        fix = next(
            (c for c, hit in misconceptions if parsed.sentence[hit.start] == sentence),
            None,
        )
        if fix is not None:
            corrections.pop(fix, None)
        feedback.append(f"You said “{point.evidence}”; in fact: {_sentence(fix or point.label)}")
    for correction, hit in misconceptions:
        if correction in corrections:
            corrections.pop(correction)
            quote = parsed.quote(hit.start, hit.end)
            feedback.append(f"You said “{quote}”; in fact: {_sentence(correction)}")
    return Grade(node_id, score, coverage, points, Verdict.WRONG, tuple(feedback))


def _is_keyword_list(parsed: Parsed, found: int) -> bool:
    """Terms without the connecting words of an explanation. A bullet list is not a keyword
    list: its lines explain ("boosting -> fits the residuals of the last model")."""
    words = parsed.words
    explained = sum(
        (len(s) >= EXPLAINED_LINE_WORDS and any(words[i] in FUNCTION_WORDS for i in s))
        or (len(s) >= EXPLAINED_LINE_WORDS - 1 and any(words[i] in _VERBS for i in s))
        for s in parsed.sentences()
    )
    ratio = sum(w in FUNCTION_WORDS for w in words) / len(words)
    if explained == 0:
        return ratio < KEYWORD_LIST_FUNCTION_RATIO or len(words) / found < MIN_WORDS_PER_POINT
    if explained > 1:
        return False
    clause = statistics.median(Counter(parsed.clause).values())  # words per clause
    return clause <= LIST_ITEM_WORDS or (ratio < KEYWORD_RUN_ON_RATIO and clause >= RUN_ON_WORDS)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
