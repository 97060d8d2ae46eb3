"""Grading one sentence against a node of the shipped bank, for the bank's content tests."""

from __future__ import annotations

from bot.bank.catalog import Bank
from bot.grading.grader import AnswerGrader
from bot.grading.points import PointStatus


def point_status(bank: Bank, node_id: str, point_id: str, text: str) -> PointStatus:
    """What `text`, as a typed answer to the node, does with one of its key points."""
    question, node = bank.node(node_id)
    grade = AnswerGrader().grade(question, node, text)
    return next(p.status for p in grade.points if p.id == point_id)
