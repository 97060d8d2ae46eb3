"""Content is code: every shipped bank file loads, and the bank holds what the product needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank.catalog import Bank
from bot.bank.loader import validate_paths
from bot.bank.models import FollowUpNode
from tests.conftest import ROOT

BANK = ROOT / "question_bank"
GUIDE_QUESTIONS = 14


@pytest.mark.parametrize("path", sorted(BANK.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_file_validates_alone(path: Path) -> None:
    bank, problems = validate_paths([path])
    assert problems == []
    assert bank is not None


def test_bank_size_and_spread(shipped: Bank) -> None:
    assert len(shipped.questions) >= GUIDE_QUESTIONS + 36
    assert len(shipped.quickfire) >= 15
    assert {"fundamentals", "classic-algorithms", "deep-learning", "evaluation-metrics"} <= set(
        shipped.topics()
    )
    levels = {q.difficulty.value for q in shipped.questions}
    assert levels == {"beginner", "intermediate", "advanced"}


def test_strategy_sections_from_the_guide(shipped: Bank) -> None:
    sections = {s.id for s in shipped.strategy}
    assert {"communication", "problem-solving", "preparation", "red-flags"} <= sections


def test_every_question_has_tips_and_a_follow_up_tree(shipped: Bank) -> None:
    for question in shipped.questions:
        tree = shipped.trees[question.id]
        assert question.tips, question.id
        assert len(tree.descendant_ids()) >= 2, question.id
    deep = [q.id for q in shipped.questions if shipped.trees[q.id].depth() >= 2]
    assert len(deep) >= 10


def test_guide_topics_are_all_asked(shipped: Bank) -> None:
    prompts = " ".join(q.prompt.lower() for q in shipped.questions)
    for topic in (
        "machine learning",
        "supervised",
        "overfitting",
        "bias",
        "cross-validation",
        "decision tree",
        "random forest",
        "bagging",
        "support vector",
        "k-means",
        "backpropagation",
        "vanishing gradient",
        "precision",
        "imbalanced",
    ):
        assert topic in prompts, topic


def test_decision_tree_chain_reaches_pruning(shipped: Bank) -> None:
    tree = next(t for t in shipped.trees.values() if "decision tree" in t.question.prompt.lower())
    chain = [n for n in tree.nodes.values() if isinstance(n, FollowUpNode)]
    text = " ".join(n.prompt.lower() for n in chain)
    assert "prun" in text
    assert tree.depth() >= 2


def test_reference_answers_grade_as_good(shipped: Bank) -> None:
    """Each question's own reference answer covers its key points (the phrases are sound)."""
    from bot.grading.grader import AnswerGrader, Verdict  # noqa: PLC0415

    grader = AnswerGrader()
    weak = []
    for question in shipped.questions:
        grade = grader.grade(question, question, question.reference_answer)
        if grade.verdict is not Verdict.GOOD:
            weak.append((question.id, round(grade.score, 2)))
    assert weak == []


def test_no_misconception_fires_on_a_reference_answer(shipped: Bank) -> None:
    """A misconception phrase must never be something a correct answer says."""
    from bot.grading.clauses import Parsed  # noqa: PLC0415
    from bot.grading.matcher import AnswerIndex, prepare  # noqa: PLC0415

    texts = []
    for tree in shipped.trees.values():
        for n in tree.nodes.values():
            parsed = Parsed.of(n.reference_answer)
            texts.append((n.id, {s[:5] for s in parsed.stems}, parsed, AnswerIndex(parsed)))
    alarms = []
    for tree in shipped.trees.values():
        for node in tree.nodes.values():
            for misconception in node.misconceptions:
                for phrase in misconception.phrases:
                    first = prepare(phrase).stems[0][:5]
                    for text_id, stems, parsed, index in texts:
                        if first not in stems:
                            continue
                        if any(not parsed.negated[h.start] for h in index.find(phrase)):
                            alarms.append((node.id, phrase, text_id))
    assert alarms == []


def test_no_key_point_phrase_is_one_generic_word(shipped: Bank) -> None:
    """'randomly', 'information', 'key': one generic word covers nothing (the grader skips it)."""
    from bot.grading.bank_checks import weak_phrases  # noqa: PLC0415

    assert weak_phrases(shipped) == []


def test_no_key_point_phrase_is_common_to_unrelated_questions(shipped: Bank) -> None:
    """A phrase found in the reference answers of many questions on other topics is no
    evidence of its own point."""
    from bot.grading.bank_checks import shared_phrases  # noqa: PLC0415

    assert shared_phrases(shipped) == []
