"""Checks across nodes and files that a schema cannot express: ids, conditions, refs, cycles."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bot.bank.models import Covered, FollowUpNode, FollowUpRef, Missed, Node, Question
from bot.errors import BankProblem

if TYPE_CHECKING:
    from bot.bank.loader import ParsedFile

Loc = tuple[int | str, ...]


def check_bank(files: Sequence[ParsedFile]) -> list[BankProblem]:
    """Every cross-reference problem in a set of schema-valid files."""
    problems: list[BankProblem] = []
    first_seen: dict[str, str] = {}
    for parsed in files:
        for item_id, loc in _ids(parsed):
            where = parsed.problem(loc, "")
            if item_id in first_seen:
                message = f"duplicate id '{item_id}' (first defined at {first_seen[item_id]})"
                problems.append(parsed.problem(loc, message))
            else:
                first_seen[item_id] = f"{where.path}:{where.line}"
        for index, question in enumerate(parsed.content.questions):
            problems.extend(_check_question(parsed, question, ("questions", index)))
    return problems


def _ids(parsed: ParsedFile) -> Iterator[tuple[str, Loc]]:
    content = parsed.content
    for index, question in enumerate(content.questions):
        for node, loc in _walk(question, ("questions", index)):
            yield node.id, (*loc, "id")
    for index, item in enumerate(content.quickfire):
        yield item.id, ("quickfire", index, "id")
    for index, section in enumerate(content.strategy):
        yield section.id, ("strategy", index, "id")


def _walk(node: Node, loc: Loc) -> Iterator[tuple[Node, Loc]]:
    """Every node defined in place under `node` (itself included), with its location."""
    yield node, loc
    for index, child in enumerate(node.follow_ups):
        if isinstance(child, FollowUpNode):
            yield from _walk(child, (*loc, "follow_ups", index))


def _check_question(parsed: ParsedFile, question: Question, loc: Loc) -> list[BankProblem]:
    problems: list[BankProblem] = []
    defined = {node.id: node for node, _ in _walk(question, loc)}
    for node, node_loc in _walk(question, loc):
        problems.extend(_check_key_point_ids(parsed, node, node_loc))
        point_ids = {point.id for point in node.key_points}
        for index, child in enumerate(node.follow_ups):
            child_loc = (*node_loc, "follow_ups", index)
            names = _condition_names(child.when)
            for name in names:
                if name not in point_ids:
                    known = ", ".join(sorted(point_ids))
                    message = f"names key point '{name}', which '{node.id}' does not have ({known})"
                    problems.append(parsed.problem((*child_loc, "when"), message))
            if isinstance(child, FollowUpRef) and child.ref not in defined:
                message = f"'{child.ref}' is not a follow-up defined in question '{question.id}'"
                problems.append(parsed.problem((*child_loc, "ref"), message))
    problems.extend(_check_cycles(parsed, question, defined, loc))
    return problems


def _check_key_point_ids(parsed: ParsedFile, node: Node, loc: Loc) -> list[BankProblem]:
    """Ids and labels are each unique within a node (a label is what a person reads: two
    points shown alike could not be told apart in a reveal)."""
    seen: set[str] = set()
    labels: dict[str, str] = {}
    problems = []
    for index, point in enumerate(node.key_points):
        if point.id in seen:
            message = f"duplicate key point id '{point.id}' in '{node.id}'"
            problems.append(parsed.problem((*loc, "key_points", index, "id"), message))
        seen.add(point.id)
        label = " ".join(point.label.casefold().split())
        if label in labels:
            message = (
                f"duplicate key point label '{point.label}' in '{node.id}' "
                f"(also on '{labels[label]}')"
            )
            problems.append(parsed.problem((*loc, "key_points", index, "label"), message))
        else:
            labels[label] = point.id
    return problems


def _condition_names(condition: object) -> tuple[str, ...]:
    if isinstance(condition, Missed):
        return condition.missed
    if isinstance(condition, Covered):
        return condition.covered
    return ()


def _check_cycles(
    parsed: ParsedFile, question: Question, defined: dict[str, Node], loc: Loc
) -> list[BankProblem]:
    """A ref that leads back to one of its own ancestors makes the tree endless."""
    locations = {node.id: node_loc for node, node_loc in _walk(question, loc)}
    problems: list[BankProblem] = []
    reported: set[tuple[str, str]] = set()

    def visit(node: Node, path: tuple[str, ...]) -> None:
        for index, child in enumerate(node.follow_ups):
            target = defined.get(child.ref) if isinstance(child, FollowUpRef) else child
            if target is None:
                continue
            if target.id in path:
                if isinstance(child, FollowUpRef) and (node.id, child.ref) not in reported:
                    reported.add((node.id, child.ref))
                    ref_loc = (*locations[node.id], "follow_ups", index, "ref")
                    chain = " -> ".join((*path[path.index(target.id) :], target.id))
                    problems.append(parsed.problem(ref_loc, f"cycle: {chain}"))
                continue
            visit(target, (*path, target.id))

    visit(question, (question.id,))
    return problems
