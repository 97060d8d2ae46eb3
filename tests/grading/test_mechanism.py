"""General mechanisms of the clause-aware grader: ownership of shared subjects, clause
boundaries, negation scope, denials after a phrase, contrasts, and normalisation."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.bank.models import KeyPoint, Relation
from bot.grading.clauses import Parsed
from bot.grading.matcher import AnswerIndex
from bot.grading.points import PointJudge, PointStatus
from bot.grading.speech_metrics import count_fillers
from bot.grading.tokens import tokens


def judge(text: str, points: Sequence[KeyPoint]) -> dict[str, PointStatus]:
    judge_ = PointJudge(AnswerIndex(Parsed.of(text)), points, lambda _: True)
    return {point.id: judge_.judge(point).status for point in points}


def negated(text: str) -> dict[str, bool]:
    parsed = Parsed.of(text)
    return dict(zip(parsed.words, parsed.negated, strict=True))


def point(pid: str, *phrases: str, relation: Relation | None = None) -> KeyPoint:
    return KeyPoint(id=pid, label=pid, phrases=phrases, relation=relation)


# 1. Several relation points share one subject: each point's relation can fire.
def test_a_shared_subject_serves_every_point_that_names_it() -> None:
    points = [
        point("a-sequential", relation=Relation(subject=("boosting",), object=("iterative",))),
        point("b-bias", relation=Relation(subject=("boosting",), object=("bias",))),
    ]
    assert judge("Boosting is iterative.", points)["a-sequential"] is PointStatus.COVERED
    assert judge("Boosting reduces bias.", points)["b-bias"] is PointStatus.COVERED


# 2. Clause boundaries.
@pytest.mark.parametrize(
    "text",
    [
        "you aren't guessing -- you score predictions",
        "you aren't guessing – you score predictions",
        "it is not random and you're scoring predictions",
        "it is not random and they're scoring predictions",
        "it is not random and we're scoring predictions",
    ],
)
def test_a_dash_or_a_contracted_subject_ends_the_negated_clause(text: str) -> None:
    assert not negated(text)["predictions"]


def test_bullets_under_a_heading_inherit_its_subject() -> None:
    points = [
        point("bag", relation=Relation(subject=("bagging",), object=("variance",))),
        point("boost", relation=Relation(subject=("boosting",), object=("bias",))),
    ]
    text = "Bagging:\n- trains many trees\n- reduces variance\nBoosting:\n- reduces bias"
    assert judge(text, points) == {"bag": PointStatus.COVERED, "boost": PointStatus.COVERED}
    one_line = "- bagging: reduces variance\n- boosting: reduces bias"
    assert judge(one_line, points) == {"bag": PointStatus.COVERED, "boost": PointStatus.COVERED}


# 3. Negation scope.
def test_no_free_lunch_and_almost_no_are_not_negations() -> None:
    assert not negated("no free lunch means we try several models")["models"]
    assert not negated("with almost no labelled data it still learns")["labeled"]


def test_instead_of_negates_only_the_noun_phrase_after_it() -> None:
    words = negated("boosting reweights samples instead of bootstrap samples to reduce bias")
    assert words["bootstrap"]
    assert not words["bias"]
    words = negated("we use rather than grid search a random search over the space")
    assert words["grid"]
    assert not words["space"]


def test_a_negation_does_not_run_across_and_with_a_new_negator() -> None:
    words = negated("L1 does not produce dense solutions and never sets weights to zero")
    assert words["weights"]  # the second negator negates its own part, it does not cancel


def test_whether_or_not_still_negates_nothing() -> None:
    assert not negated("whether or not it overfits regularisation helps")["regularization"]


def test_a_denial_reaches_every_item_of_a_list_after_it() -> None:
    points = [point("data", "more data"), point("reg", "regularisation")]
    text = "You should never add more data or regularisation."
    assert judge(text, points) == {
        "data": PointStatus.CONTRADICTED,
        "reg": PointStatus.CONTRADICTED,
    }


def test_is_wrong_in_a_conditional_is_no_verdict() -> None:
    words = negated("Models are biased when the assumed form is wrong.")
    assert not words["biased"]


# 4. A denial after the phrase contradicts the point.
@pytest.mark.parametrize(
    "text",
    [
        "In this network dropout regularisation doesn't help.",
        "Feature scaling isn't important for gradient descent.",
        "Feature scaling has nothing to do with gradient descent.",
        "Feature scaling never speeds up gradient descent.",
    ],
)
def test_a_denial_after_the_phrase_contradicts(text: str) -> None:
    points = [point("p", "dropout regularisation", "feature scaling")]
    assert judge(text, points)["p"] is PointStatus.CONTRADICTED


def labelled(pid: str, label: str, *phrases: str, relation: Relation | None = None) -> KeyPoint:
    return KeyPoint(id=pid, label=label, phrases=phrases, relation=relation)


def test_a_denial_of_what_the_point_says_after_the_phrase_contradicts() -> None:
    points = [
        labelled(
            "t", "Moving the decision threshold trades precision for recall", "decision threshold"
        )
    ]
    text = "Changing the decision threshold doesn't trade one against the other."
    assert judge(text, points)["t"] is PointStatus.CONTRADICTED


@pytest.mark.parametrize(
    "text",
    [
        "Reinforcement learning doesn't rely on labels at all, it learns from rewards.",
        "Reinforcement learning isn't about a fixed dataset; an agent acts for rewards.",
    ],
)
def test_a_negated_description_of_the_phrase_is_no_denial(text: str) -> None:
    points = [
        labelled(
            "rl",
            "Main families: supervised, unsupervised and reinforcement",
            "reinforcement learning",
        )
    ]
    assert judge(text, points)["rl"] is PointStatus.COVERED


def optimisers() -> list[KeyPoint]:
    return [
        labelled(
            "momentum",
            "Momentum keeps a velocity of past gradients",
            "velocity",
            relation=Relation(subject=("momentum",), object=("past gradients",)),
        ),
        labelled(
            "rmsprop",
            "RMSProp scales steps by recent squared gradients",
            "squared gradients",
            relation=Relation(subject=("rmsprop",), object=("scales each step",)),
        ),
    ]


def test_a_phrase_said_of_the_other_side_contradicts_its_point() -> None:
    text = "RMSProp keeps a velocity. Momentum divides each step by the squared gradients."
    assert judge(text, optimisers()) == {
        "momentum": PointStatus.CONTRADICTED,
        "rmsprop": PointStatus.CONTRADICTED,
    }


def test_a_label_about_both_sides_takes_the_other_sides_phrases() -> None:
    points = [
        labelled(
            "trade",
            "Discriminative wins with many labels; generative needs less data",
            "need less data",
            relation=Relation(subject=("discriminative",), object=("lots of labels",)),
        ),
        labelled(
            "gen",
            "Generative models learn p(x, y)",
            relation=Relation(subject=("generative",), object=("joint",)),
        ),
    ]
    text = "Discriminative models win with lots of labels. Generative ones need less data."
    assert judge(text, points)["trade"] is PointStatus.COVERED


@pytest.mark.parametrize(
    "text",
    [
        "Momentum keeps a velocity, and RMSProp divides by the squared gradients.",
        "Adam keeps a velocity like momentum and divides by squared gradients like RMSProp.",
        "Unlike RMSProp, momentum keeps a velocity; RMSProp tracks squared gradients.",
    ],
)
def test_a_phrase_said_of_its_own_side_or_in_passing_is_no_swap(text: str) -> None:
    assert set(judge(text, optimisers()).values()) == {PointStatus.COVERED}


def test_a_transcript_is_not_paired_beyond_its_relations() -> None:
    text = "rmsprop keeps a velocity"
    judge_ = PointJudge(
        AnswerIndex(Parsed.of(text, spoken=True), spoken=True), optimisers(), lambda _: True
    )
    assert judge_.judge(optimisers()[0]).status is PointStatus.COVERED


def ensembles() -> list[KeyPoint]:
    return [
        point(
            "bag", relation=Relation(subject=("bagging",), object=("variance",), swapped=("bias",))
        ),
        point(
            "boost",
            relation=Relation(subject=("boosting",), object=("bias",), swapped=("variance",)),
        ),
    ]


def test_a_clause_without_a_subject_borrows_the_one_its_sentence_is_about() -> None:
    text = "Boosting looks like bagging in form, so it mostly cuts bias."
    assert judge(text, ensembles()) == {"bag": PointStatus.MISSED, "boost": PointStatus.COVERED}


@pytest.mark.parametrize(
    "text",
    [
        "If you use bagging to cut bias, you will be disappointed.",
        "Unless bagging reduces bias here, the ensemble is no better.",
    ],
)
def test_a_wrong_pairing_that_is_only_supposed_is_no_contradiction(text: str) -> None:
    assert judge(text, ensembles())["bag"] is not PointStatus.CONTRADICTED


def test_a_wrong_pairing_stated_is_still_a_contradiction() -> None:
    assert judge("Bagging cuts bias.", ensembles())["bag"] is PointStatus.CONTRADICTED


def test_neither_nor_is_one_negation() -> None:
    words = negated("Neither sigmoid nor tanh has a useful gradient there.")
    assert words["sigmoid"]
    assert words["tanh"]


@pytest.mark.parametrize(
    "text",
    [
        "Being zero-centred doesn't save tanh from saturating.",
        "Nothing stops a deep tree from overfitting.",
    ],
)
def test_a_denied_prevention_says_the_phrase_happens(text: str) -> None:
    points = [
        labelled("p", "Sigmoid and tanh saturate; deep trees overfit", "saturating", "overfitting")
    ]
    assert judge(text, points)["p"] is PointStatus.COVERED


def test_a_denied_prevention_still_denies_a_point_about_preventing() -> None:
    points = [labelled("p", "Dropout prevents co-adaptation", "co-adaptation")]
    assert judge("Dropout doesn't prevent co-adaptation.", points)["p"] is PointStatus.CONTRADICTED


@pytest.mark.parametrize(
    "text",
    [
        "Contrary to what people say, MSE is not sensitive to outliers.",
        "Despite what many people think, MSE is not sensitive to outliers.",
    ],
)
def test_a_claim_after_contrary_to_a_myth_is_the_speakers_own(text: str) -> None:
    assert negated(text)["sensitive"]


@pytest.mark.parametrize(
    "text",
    [
        "A common mistake is to fit the scaler on the full dataset.",
        "One mistake people make is fitting the scaler on the full dataset.",
    ],
)
def test_a_named_mistake_is_quoted_not_claimed(text: str) -> None:
    assert negated(text)["scaler"]


def test_mistakes_as_errors_are_no_quoted_myth() -> None:
    assert not negated("Cross-entropy punishes confident mistakes heavily.")["heavily"]


def test_a_quoted_myth_is_still_not_the_speakers_claim() -> None:
    assert negated("People often say MSE is robust to outliers, but that is wrong.")["robust"]


@pytest.mark.parametrize(
    "text",
    [
        "Independence of the errors isn't really an OLS assumption.",
        "Independence of errors doesn't matter",
        "independence of",
    ],
)
def test_a_denial_may_follow_an_of_phrase(text: str) -> None:
    points = [labelled("i", "Errors are independent of each other", "independence")]
    expected = PointStatus.COVERED if text.endswith("of") else PointStatus.CONTRADICTED
    assert judge(text, points)["i"] is expected


@pytest.mark.parametrize(
    "text", ["Warm-up is likewise unnecessary for Adam.", "Warm-up is pointless with Adam."]
)
def test_a_negative_adjective_after_the_phrase_denies_it(text: str) -> None:
    points = [labelled("w", "Warm-up starts from a small learning rate", "warm-up")]
    assert judge(text, points)["w"] is PointStatus.CONTRADICTED


def test_a_negated_negative_adjective_is_no_denial() -> None:
    points = [labelled("w", "Warm-up starts from a small learning rate", "warm-up")]
    assert judge("Warm-up is not pointless.", points)["w"] is PointStatus.COVERED


def inits() -> list[KeyPoint]:
    return [
        point(
            "xavier", relation=Relation(subject=("xavier",), object=("tanh",), swapped=("relu",))
        ),
        point("he", relation=Relation(subject=("he init",), object=("relu",), swapped=("tanh",))),
    ]


def test_a_phrase_heading_its_own_clause_borrows_no_subject() -> None:
    text = "Xavier isn't catastrophic in shallow nets, but since ReLU discards half the signal, "
    text += "the variance halves."
    assert judge(text, inits())["xavier"] is not PointStatus.CONTRADICTED


def test_a_phrase_after_a_preposition_still_borrows_the_subject() -> None:
    assert judge("Xavier is fine, even with ReLU.", inits())["xavier"] is PointStatus.CONTRADICTED


def purity() -> list[KeyPoint]:
    return [
        labelled(
            "p", "Splits chosen to maximise purity (Gini, variance reduction)", "gini", "impurity"
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Pick the split that maximises the Gini impurity, since higher impurity is better.",
            PointStatus.CONTRADICTED,
        ),
        ("Pick the split that minimises the Gini impurity of the children.", PointStatus.COVERED),
        ("Each split reduces the Gini impurity the most.", PointStatus.COVERED),
    ],
)
def test_a_direction_on_an_antonym_of_the_labels_word_flips(
    text: str, expected: PointStatus
) -> None:
    assert judge(text, purity())["p"] is expected


def test_a_reversed_sentence_credits_nothing_else_in_it() -> None:
    text = "Pick the split that maximises the impurity, and Gini tells you how mixed a node is."
    assert judge(text, purity())["p"] is PointStatus.CONTRADICTED


def test_without_negates_its_noun_phrase_only() -> None:
    words = negated("Without regularisation the tree overfits.")
    assert words["regularization"]
    assert not words["overfits"]


def test_without_still_negates_a_list_after_it() -> None:
    words = negated("It learns without any labels.")
    assert words["labels"]


def test_a_swapped_phrase_denied_after_it_is_no_swap() -> None:
    assert (
        judge("Bagging: bias is never reduced.", ensembles())["bag"] is not PointStatus.CONTRADICTED
    )


# 5. Contrasts.
def test_a_negated_phrase_about_the_other_side_does_not_contradict() -> None:
    points = [
        point(
            "gen",
            "model the joint distribution",
            relation=Relation(subject=("generative",), object=("joint",)),
        ),
        point("disc", relation=Relation(subject=("discriminative",), object=("p(y|x)",))),
    ]
    text = "Discriminative models learn p(y|x) without modelling the joint distribution."
    assert judge(text, points) == {"gen": PointStatus.MISSED, "disc": PointStatus.COVERED}


def test_the_opposite_side_blocks_an_object_from_the_wrong_subject() -> None:
    gamma = Relation(subject=("large gamma",), object=("local",), swapped=("smooth",))
    text = "A large gamma overfits easily, a small gamma gives a smooth boundary."
    assert judge(text, [point("gamma", relation=gamma)])["gamma"] is PointStatus.MISSED
    l1 = Relation(subject=("l1",), object=("sparse",), swapped=("shrinks",))
    text = "L1 is used for feature selection while L2 shrinks them."
    assert judge(text, [point("l1", relation=l1)])["l1"] is PointStatus.MISSED


def test_contrasts_listed_in_the_bank_block_too() -> None:
    relation = Relation(
        subject=("bagging",), object=("variance",), swapped=("bias",), contrasts=("adaboost",)
    )
    text = "Bagging reduces variance, and then adaboost fits the bias."
    assert judge(text, [point("bag", relation=relation)])["bag"] is PointStatus.COVERED


@pytest.mark.parametrize(
    "text",
    [
        "Elastic net = L1 + L2 mix -> sparsity and grouping.",
        "It uses alpha times the L1 penalty plus (1 - alpha) times L2, so you get sparsity.",
    ],
)
def test_a_property_of_two_subjects_named_together_is_no_swap(text: str) -> None:
    points = [
        point("l1", relation=Relation(subject=("l1",), object=("sparsity",))),
        point("l2", relation=Relation(subject=("l2",), object=("smooth",), swapped=("sparsity",))),
    ]
    assert judge(text, points)["l2"] is not PointStatus.CONTRADICTED


def test_a_swap_with_the_other_subject_elsewhere_still_contradicts() -> None:
    points = [
        point("l1", relation=Relation(subject=("l1",), object=("sparsity",))),
        point("l2", relation=Relation(subject=("l2",), object=("smooth",), swapped=("sparsity",))),
    ]
    text = "L1 shrinks weights smoothly, and then L2 gives sparsity."
    assert judge(text, points)["l2"] is PointStatus.CONTRADICTED


def directed(pid: str, label: str, *phrases: str) -> KeyPoint:
    return KeyPoint(id=pid, label=label, phrases=phrases)


@pytest.mark.parametrize(
    ("label", "phrase", "text"),
    [
        ("Prevents co-adaptation", "co-adaptation", "Its effect is to encourage co-adaptation."),
        ("Pooling downsamples the maps", "pooling", "Pooling layers upsample the maps."),
        ("Assign to the nearest centroid", "centroid", "Each point goes to the farthest centroid."),
        ("Increases the variance", "variance", "Bagging reduces the variance."),
    ],
)
def test_the_opposite_direction_beside_a_phrase_contradicts(
    label: str, phrase: str, text: str
) -> None:
    assert judge(text, [directed("p", label, phrase)])["p"] is PointStatus.CONTRADICTED


@pytest.mark.parametrize(
    "text",
    [
        "Dropout prevents co-adaptation, which would otherwise increase overfitting.",
        "It does not encourage co-adaptation; it breaks it.",
        "Units stop relying on partners, so co-adaptation goes away.",
    ],
)
def test_the_same_direction_or_none_does_not_contradict(text: str) -> None:
    point_ = directed("p", "Prevents co-adaptation", "co-adaptation")
    assert judge(text, [point_])["p"] is not PointStatus.CONTRADICTED


def test_a_reversed_mention_does_not_outweigh_a_correct_one() -> None:
    point_ = directed("p", "Prevents co-adaptation", "co-adaptation", "robust features")
    text = "Without it you encourage co-adaptation. Dropout gives robust features."
    assert judge(text, [point_])["p"] is PointStatus.COVERED


@pytest.mark.parametrize(
    "text",
    ["Units can no longer co-adapt.", "With dropout there is no co-adaptation between units."],
)
def test_a_negation_states_a_point_about_preventing(text: str) -> None:
    point_ = directed("p", "Prevents co-adaptation", "co-adapt", "co-adaptation")
    assert judge(text, [point_])["p"] is PointStatus.COVERED


@pytest.mark.parametrize(
    "text",
    ["Dropout doesn't help with co-adaptation.", "Dropout does not prevent co-adaptation."],
)
def test_a_denied_prevention_still_contradicts(text: str) -> None:
    point_ = directed("p", "Prevents co-adaptation", "co-adaptation")
    assert judge(text, [point_])["p"] is PointStatus.CONTRADICTED


def test_a_negation_after_the_phrase_agrees_with_a_label_that_holds_one() -> None:
    point_ = directed("p", "So early layers learn slowly or not at all", "early layers")
    assert judge("grads shrink -> early layers don't learn", [point_])["p"] is not (
        PointStatus.CONTRADICTED
    )
    plain = directed("q", "Early layers learn slowly", "early layers")
    assert judge("early layers don't learn slowly", [plain])["q"] is PointStatus.CONTRADICTED


@pytest.mark.parametrize("text", ["zero means no better than the mean", "no different from it"])
def test_no_before_a_comparison_is_no_negation(text: str) -> None:
    assert not any(negated(text).values())


# 6. Normalisation.
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("γ φ ρ Σ μ ε η ∇", "gamma phi rho sigma mu epsilon eta nabla"),
        (
            "dropout ↓ variance, depth ↑ variance, more data -> less variance → good",
            "dropout reduces variance depth increases variance more data leads to less variance "
            "leads to good",
        ),
        (
            "the centre of a neighbour's behaviour in the catalogue is labelled",
            "the center of a neighbors behavior in the catalog is labeled",
        ),
        ("a threshold of 0.5", "a threshold of 0.5"),
        ("HMMs and CNNs", "hmm and cnn"),
        ("P(X) then p(y | x), p(x, y)", "p of x then p of y given x p of x and y"),
        ("zero feats w/ prob p, w/o grads", "0 features with probability p without gradients"),
        ("otherwise, likewise, precise; normalise", "otherwise likewise precise normalize"),
    ],
)
def test_symbols_arrows_and_spellings_are_normalised(text: str, words: str) -> None:
    assert " ".join(t.text for t in tokens(text) if t.mark.value == "word") == words


def test_a_phrase_written_0_5_matches_0_point_5() -> None:
    assert AnswerIndex(Parsed.of("a threshold of 0.5")).find("threshold 0 5")


def test_hmms_are_not_the_filler_hmm() -> None:
    assert count_fillers("HMMs and an HMM model sequences, hmm, well") == 1
