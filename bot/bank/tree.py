"""The follow-up tree of a question: resolving refs and choosing what to ask next."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.bank.models import Condition, Covered, FollowUpNode, FollowUpRef, Missed, Node, Question


def condition_holds(condition: Condition, covered: Collection[str]) -> bool:
    """Whether a follow-up's condition holds, given the key-point ids the parent answer covered."""
    if isinstance(condition, Missed):
        return any(point not in covered for point in condition.missed)
    if isinstance(condition, Covered):
        return all(point in covered for point in condition.covered)
    return True


def defined_nodes(question: Question) -> Iterator[Node]:
    """The question and every follow-up defined (not referenced) inside it, depth first."""
    stack: list[Node] = [question]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(
            child for child in reversed(node.follow_ups) if isinstance(child, FollowUpNode)
        )


@dataclass(frozen=True)
class FollowUpTree:
    """A question with its nodes indexed by id, refs resolved on the way down."""

    question: Question
    nodes: Mapping[str, Node]

    @classmethod
    def of(cls, question: Question) -> FollowUpTree:
        """Index a (validated) question's nodes."""
        index = {node.id: node for node in defined_nodes(question)}
        return cls(question, MappingProxyType(index))

    def children(self, node_id: str) -> list[tuple[Condition, Node]]:
        """Each follow-up under a node, with its condition, refs resolved."""
        node = self.nodes[node_id]
        resolved: list[tuple[Condition, Node]] = []
        for child in node.follow_ups:
            if isinstance(child, FollowUpRef):
                resolved.append((child.when, self.nodes[child.ref]))
            else:
                resolved.append((child.when, child))
        return resolved

    def matching(self, node_id: str, covered: Collection[str]) -> list[tuple[Condition, Node]]:
        """The follow-ups of a node whose conditions hold for this answer, in order."""
        return [(w, node) for w, node in self.children(node_id) if condition_holds(w, covered)]

    def descendant_ids(self) -> set[str]:
        """Ids of every follow-up reachable from the question."""
        seen: set[str] = set()
        stack = [self.question.id]
        while stack:
            for _, child in self.children(stack.pop()):
                if child.id not in seen:
                    seen.add(child.id)
                    stack.append(child.id)
        return seen

    def depth(self) -> int:
        """The longest chain of follow-ups below the question (refs followed once)."""

        def walk(node_id: str, path: frozenset[str]) -> int:
            kids = [n.id for _, n in self.children(node_id) if n.id not in path]
            return 1 + max((walk(k, path | {k}) for k in kids), default=0) if kids else 0

        return walk(self.question.id, frozenset({self.question.id}))
