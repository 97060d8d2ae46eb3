"""A node's own reference answer never contradicts its key points, at any depth of the tree.

`test_shipped_bank` grades each question's reference answer; follow-ups are only reached here, so
an `opposites` or `swapped` phrase that a correct follow-up answer says is caught too.
"""

from __future__ import annotations

from bot.bank.catalog import Bank
from bot.grading.grader import AnswerGrader


def test_no_reference_answer_contradicts_its_own_node(shipped: Bank) -> None:
    """Every node, question or follow-up, graded on its own reference answer contradicts nothing."""
    grader = AnswerGrader()
    alarms = []
    for tree in shipped.trees.values():
        for node_id in tree.nodes:
            question, node = shipped.node(node_id)
            grade = grader.grade(question, node, node.reference_answer)
            alarms += [(node_id, p.id, p.evidence) for p in grade.points if p.contradicted]
    assert alarms == []
