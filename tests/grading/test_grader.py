"""The grader: coverage and evidence, lists of terms, wrong and off-topic answers."""

from __future__ import annotations

import pytest

from bot.bank.catalog import Bank
from bot.grading.grader import AnswerGrader, GraderConfig, Verdict


@pytest.fixture
def grade(mini_bank: Bank):  # type: ignore[no-untyped-def]
    grader = AnswerGrader()

    def run(node_id: str, text: str, *, spoken: bool = False):  # type: ignore[no-untyped-def]
        question, node = mini_bank.node(node_id)
        return grader.grade(question, node, text, spoken=spoken)

    return run


def test_full_answer_scores_one_with_evidence(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade(
        "t-overfitting",
        "Overfitting means the model memorises the noise in its training data, so "
        "it fails to generalise to unseen data; regularisation helps.",
    )
    assert result.verdict is Verdict.GOOD
    assert result.score == pytest.approx(1.0)
    assert {p.id: p.evidence for p in result.covered} == {
        "definition": "memorises the noise",
        "generalisation": "unseen data",
        "prevention": "regularisation",
    }


def test_weights_decide_partial_scores(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade("t-overfitting", "It is when the model memorises the noise in the training set.")
    assert [p.id for p in result.covered] == ["definition"]
    assert result.score == pytest.approx(0.5)  # weight 2 of 4
    assert result.verdict is Verdict.PARTIAL
    assert [p.id for p in result.missed] == ["generalisation", "prevention"]


def test_a_bare_list_of_terms_never_gets_full_marks(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade("t-overfitting", "memorises noise, unseen data, regularization, dropout")
    assert result.coverage == pytest.approx(1.0)
    assert result.verdict is Verdict.KEYWORD_LIST
    assert result.score <= 0.3


def test_misconception_marks_the_answer_wrong(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade(
        "t-overfitting", "Overfitting means the model is too simple, so it does badly on new data."
    )
    assert result.verdict is Verdict.WRONG
    assert "too simple underfits" in result.feedback[0]
    assert result.score < 0.3


def test_off_topic_answer(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade(
        "t-overfitting",
        "To make a risotto you toast the rice, add the stock slowly and stir often.",
    )
    assert result.verdict is Verdict.OFF_TOPIC
    assert result.score == 0.0


def test_on_topic_but_empty_of_key_points_is_weak(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade(
        "t-overfitting", "Overfitting is a problem that a model can have with its training."
    )
    assert result.verdict is Verdict.WEAK
    assert result.score == 0.0


def test_empty_answer(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade("t-overfitting", "  ...  ")
    assert result.verdict is Verdict.EMPTY
    assert len(result.missed) == 3


def test_speech_to_text_transcript(grade) -> None:  # type: ignore[no-untyped-def]
    result = grade(
        "t-backprop",
        "um so back prop is basically the chain rule you know we get "
        "the gradience of the loss for each weight",
        spoken=True,
    )
    assert [p.id for p in result.covered] == ["chain-rule", "gradient"]


def test_stricter_threshold_rejects_near_misses(mini_bank: Bank) -> None:
    question, node = mini_bank.node("t-kmeans")
    text = "Points go to the closest centriod and then we recompute the centroid."
    loose = AnswerGrader(GraderConfig(fuzzy_threshold=0.85)).grade(
        question, node, text, spoken=True
    )
    strict = AnswerGrader(GraderConfig(fuzzy_threshold=0.99)).grade(
        question, node, text, spoken=True
    )
    assert "assign" in loose.covered_ids
    assert "assign" not in strict.covered_ids


def test_grading_is_safe_in_parallel_threads(mini_bank: Bank) -> None:
    """The engine grades in worker threads; results must not depend on what else runs."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    grader = AnswerGrader()
    question, node = mini_bank.node("t-overfitting")
    text = (
        "Overfitting means the model memorises the noise in its training data, so it fails "
        "to generalise to unseen data; regularisation, dropout and early stopping help. "
    ) * 8
    import sys  # noqa: PLC0415

    from bot.grading.text import stem  # noqa: PLC0415

    expected = grader.grade(question, node, text)
    words = [f"{w}{i}ization" for i, w in enumerate(["regular", "general", "normal"] * 300)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            stems = list(pool.map(stem, words))  # uncached words: the stemmer really runs
            results = list(pool.map(lambda _: grader.grade(question, node, text), range(50)))
    finally:
        sys.setswitchinterval(interval)
    assert stems == [stem.__wrapped__(w) for w in words]
    assert all(r == expected for r in results)


@pytest.mark.parametrize("spoken", [False, True])
def test_odd_text_grades_without_error(mini_bank: Bank, spoken: bool) -> None:
    """Any text at all (marks, symbols, other scripts, runs of one word) gets a grade."""
    import random  # noqa: PLC0415

    rng = random.Random(8)
    alphabet = "aZ9 .,;:!?-\n•*()/+'’\"λ√ꙮ中文🙂\t" + "not never rather than unlike "
    question, node = mini_bank.node("t-overfitting")
    grader = AnswerGrader()
    texts = ["", "(((", "not " * 500, "rather than " * 200, "- \n" * 300, "ꙮ" * 4000]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 600))) for _ in range(60)]
    for text in texts:
        result = grader.grade(question, node, text, spoken=spoken)
        assert 0.0 <= result.score <= 1.0
        assert len(result.points) == len(node.key_points)
