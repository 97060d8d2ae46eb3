"""Which sentences of an answer are about the question, and the node vocabularies that tell.

A long answer collects phrase hits by chance: an essay on decision trees says "variance" and
"bias" without explaining the bias-variance tradeoff. So in answers longer than
SHORT_ANSWER_WORDS, evidence counts only from sentences that, with the sentence before and the
one after, share at least MIN_SHARED_STEMS content words with the node's own material (prompt,
reference answer, phrases): a passing remark inside a story about something else gives none.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from bot.bank.models import KeyPoint, Node, Question
from bot.grading.clauses import Parsed
from bot.grading.common_words import COMMON_WORDS
from bot.grading.text import FUNCTION_WORDS

SHORT_ANSWER_WORDS = 80  # answers this short are about the question throughout
MIN_SHARED_STEMS = 3  # content stems a sentence and its neighbours must share with the node


def content_stems(parsed: Parsed, words: range | None = None) -> set[str]:
    """Stems of the words that carry meaning (function and everyday words dropped)."""
    span = words if words is not None else range(len(parsed))
    return {
        parsed.stems[i]
        for i in span
        if parsed.words[i] not in FUNCTION_WORDS
        and parsed.words[i] not in COMMON_WORDS
        and not parsed.words[i].isdigit()
    }


def point_phrases(point: KeyPoint) -> Iterator[str]:
    """Every phrase a key point is matched with: phrases, relation parts and opposites."""
    yield from point.phrases
    if point.relation is not None:
        yield from point.relation.subject
        yield from point.relation.object
        yield from point.relation.swapped
        yield from point.relation.contrasts
    yield from point.opposites


def _node_stems(node: Node) -> frozenset[str]:
    texts = [node.prompt, node.reference_answer]
    texts += [phrase for point in node.key_points for phrase in point_phrases(point)]
    return frozenset(content_stems(Parsed.of("\n".join(texts))))


class Vocabularies:
    """Content stems of each node's own material, computed once per node and shared by the
    grader's worker threads (the node is kept with its stems, so a reloaded bank recomputes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stems: dict[str, tuple[Node, frozenset[str]]] = {}

    def _of(self, node: Node) -> frozenset[str]:
        with self._lock:
            known = self._stems.get(node.id)
            if known is not None and known[0] is node:
                return known[1]
        stems = _node_stems(node)
        with self._lock:
            self._stems[node.id] = (node, stems)
        return stems

    def of(self, question: Question, node: Node) -> frozenset[str]:
        """The stems of the node and of the question it belongs to."""
        return self._of(question) | self._of(node) if node is not question else self._of(node)

    def overlap(self, question: Question, node: Node, parsed: Parsed) -> float:
        """The share of the answer's content stems that the question's own material uses."""
        mine = content_stems(parsed)
        return len(mine & self.of(question, node)) / len(mine) if mine else 0.0


def about_the_question(parsed: Parsed, vocabulary: frozenset[str]) -> Callable[[int], bool]:
    """Whether the sentence of word i may give evidence (see the module docstring)."""
    if len(parsed) <= SHORT_ANSWER_WORDS:
        return lambda _: True
    shared = [content_stems(parsed, sentence) & vocabulary for sentence in parsed.sentences()]
    on_topic = [
        len(set().union(*shared[max(0, k - 1) : k + 2])) >= MIN_SHARED_STEMS
        for k in range(len(shared))
    ]
    return lambda i: on_topic[parsed.sentence[i]]
