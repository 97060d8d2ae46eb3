"""The loaded bank: look-ups by id, topics, and filtered views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.bank.models import (
    BankFile,
    Difficulty,
    Node,
    Question,
    QuickFireItem,
    StrategySection,
)
from bot.bank.tree import FollowUpTree
from bot.errors import UnknownItem


@dataclass(frozen=True)
class Bank:
    """Every question, quick-fire item and strategy section, validated."""

    questions: tuple[Question, ...]
    quickfire: tuple[QuickFireItem, ...]
    strategy: tuple[StrategySection, ...]
    trees: Mapping[str, FollowUpTree] = field(repr=False)
    _nodes: Mapping[str, tuple[Question, Node]] = field(repr=False)
    _quickfire: Mapping[str, QuickFireItem] = field(repr=False)

    @classmethod
    def from_files(cls, files: Sequence[BankFile]) -> Bank:
        """Combine validated files (ids already checked unique) into one bank."""
        questions = tuple(q for f in files for q in f.questions)
        quickfire = tuple(i for f in files for i in f.quickfire)
        trees = {q.id: FollowUpTree.of(q) for q in questions}
        nodes = {n_id: (t.question, n) for t in trees.values() for n_id, n in t.nodes.items()}
        return cls(
            questions=questions,
            quickfire=quickfire,
            strategy=tuple(s for f in files for s in f.strategy),
            trees=MappingProxyType(trees),
            _nodes=MappingProxyType(nodes),
            _quickfire=MappingProxyType({i.id: i for i in quickfire}),
        )

    def node(self, node_id: str) -> tuple[Question, Node]:
        """A question or follow-up by id, with the question it belongs to."""
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownItem(node_id) from None

    def question(self, question_id: str) -> Question:
        """A question by id."""
        question, node = self.node(question_id)
        if node is not question:
            raise UnknownItem(question_id)
        return question

    def topic_of(self, question_id: str) -> str | None:
        """The topic of a question, or None when the bank no longer has it."""
        found = self._nodes.get(question_id)
        return found[0].topic if found and found[0] is found[1] else None

    def quickfire_item(self, item_id: str) -> QuickFireItem:
        """A quick-fire item by id."""
        try:
            return self._quickfire[item_id]
        except KeyError:
            raise UnknownItem(item_id) from None

    def topics(self) -> list[str]:
        """Every topic that has questions or quick-fire items, sorted."""
        return sorted({q.topic for q in self.questions} | {i.topic for i in self.quickfire})

    def select_questions(
        self, topic: str | None = None, difficulty: Difficulty | None = None
    ) -> list[Question]:
        """Questions matching the filters (None matches all)."""
        return [q for q in self.questions if _matches(q.topic, q.difficulty, topic, difficulty)]

    def select_quickfire(
        self, topic: str | None = None, difficulty: Difficulty | None = None
    ) -> list[QuickFireItem]:
        """Quick-fire items matching the filters (None matches all)."""
        return [i for i in self.quickfire if _matches(i.topic, i.difficulty, topic, difficulty)]


def _matches(
    topic: str, difficulty: Difficulty, want_topic: str | None, want: Difficulty | None
) -> bool:
    return (want_topic is None or topic == want_topic) and (want is None or difficulty == want)
