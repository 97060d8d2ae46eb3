"""Checks of a bank's phrases that only the grader can make: weak and ambiguous evidence.

- a key-point phrase of one everyday or generic word ("randomly", "information") covers nothing
  (the grader ignores it), so it is flagged;
- a key-point phrase that is also found in the reference answers of UNRELATED_REFERENCES or more
  questions on other topics ("variance", "scale", "predictive") credits answers to all of them:
  it is not specific to its point.

Each problem is one line: `question/node: key point: phrase: problem`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.bank.catalog import Bank
from bot.bank.models import Node
from bot.grading.clauses import Parsed
from bot.grading.matcher import AnswerIndex
from bot.grading.points import weak_phrase


def _nodes(bank: Bank) -> Iterator[tuple[str, Node]]:
    for tree in bank.trees.values():
        for node in tree.nodes.values():
            yield tree.question.topic, node


def weak_phrases(bank: Bank) -> list[str]:
    """Every key-point phrase of one everyday or generic word."""
    return [
        f"{node.id}: {point.id}: {phrase!r}: a single generic word covers nothing; say the idea"
        for _, node in _nodes(bank)
        for point in node.key_points
        for phrase in point.phrases
        if weak_phrase(phrase)
    ]


UNRELATED_REFERENCES = 8


def shared_phrases(bank: Bank) -> list[str]:
    """Every key-point phrase found in the reference answers of UNRELATED_REFERENCES or more
    questions on other topics."""
    references = [
        (q.topic, q.id, AnswerIndex(Parsed.of(q.reference_answer))) for q in bank.questions
    ]
    problems = []
    for topic, node in _nodes(bank):
        for point in node.key_points:
            for phrase in point.phrases:
                if weak_phrase(phrase):
                    continue
                elsewhere = [
                    qid for t, qid, index in references if t != topic and index.find(phrase)
                ]
                if len(elsewhere) >= UNRELATED_REFERENCES:
                    problems.append(
                        f"{node.id}: {point.id}: {phrase!r}: also in the reference answers of "
                        f"{len(elsewhere)} questions on other topics ({', '.join(elsewhere[:3])} "
                        "...); use words specific to this point"
                    )
    return problems
