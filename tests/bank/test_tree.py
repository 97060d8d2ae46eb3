"""Follow-up conditions, refs and counts."""

from __future__ import annotations

from bot.bank.catalog import Bank
from bot.bank.models import Covered, Missed
from bot.bank.tree import condition_holds


def test_conditions() -> None:
    assert condition_holds("always", set())
    assert condition_holds(Missed(missed=("a", "b")), {"a"})
    assert not condition_holds(Missed(missed=("a",)), {"a"})
    assert condition_holds(Covered(covered=("a", "b")), {"a", "b", "c"})
    assert not condition_holds(Covered(covered=("a", "b")), {"a"})


def test_matching_follows_refs(mini_bank: Bank) -> None:
    tree = mini_bank.trees["t-kmeans"]
    assert [n.id for _, n in tree.matching("t-kmeans", {"assign"})] == [
        "t-kmeans-init",
        "t-kmeans-k",
    ]
    assert [n.id for _, n in tree.matching("t-kmeans-init", set())] == ["t-kmeans-k"]
    assert tree.descendant_ids() == {"t-kmeans-init", "t-kmeans-k"}
    assert tree.depth() == 2


def test_lookups(mini_bank: Bank) -> None:
    question, node = mini_bank.node("t-overfitting-l1-l2")
    assert question.id == "t-overfitting"
    assert node.prompt.startswith("How do L1")
    assert mini_bank.quickfire_item("t-qf-air").answers == ("air",)
    assert [q.id for q in mini_bank.select_questions("deep-learning")] == ["t-backprop"]
