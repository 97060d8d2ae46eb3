"""Deep-learning bank content: the classic swaps and denials of a key point are contradictions,
and the correct sentences that sit closest to them are not (written for these tests, not taken
from any evaluation set)."""

from __future__ import annotations

import pytest

from bot.bank.catalog import Bank
from bot.grading.points import PointStatus
from tests.bank.grading import point_status

WRONG = [
    (
        "vanishing-gradient-problem",
        "definition",
        "The layers near the output learn slowly, while the first layers get strong gradients.",
    ),
    ("vanishing-gradient-problem", "relu", "ReLU multiplies the gradient down layer after layer."),
    (
        "convolutional-neural-networks",
        "local-hierarchy",
        "The first layers capture whole objects and the deeper layers pick out edges.",
    ),
    ("convolutional-neural-networks", "pooling", "Max pooling upsamples the feature maps."),
    ("rnn-and-lstm", "gru", "The GRU is the heavier variant, with a third gate."),
    ("activation-functions-compared", "sigmoid", "Sigmoid is the zero-centred one."),
    ("optimizers-sgd-momentum-adam", "warmup", "Warm-up is unnecessary with Adam."),
    ("weight-initialization", "xavier", "Xavier init is the one designed for ReLU networks."),
    ("word-embeddings", "skipgram-cbow", "Skip-gram averages the context to predict the centre."),
    ("word-embeddings", "static-vs-contextual", "BERT still gives you one fixed vector per word."),
    ("dropout-regularization", "inference-scaling", "Dropout only kicks in at inference time."),
]

RIGHT = [
    (
        "convolutional-neural-networks",
        "local-hierarchy",
        "Early layers detect edges, while deeper layers detect whole objects.",
    ),
    (
        "activation-functions-compared",
        "sigmoid",
        "Tanh is a rescaled sigmoid, 2 sigmoid(2x) - 1, so its range is (-1, 1).",
    ),
    (
        "weight-initialization",
        "xavier",
        "If you use Xavier with ReLU the signal halves at every layer, so use He init there.",
    ),
    (
        "dropout-regularization",
        "inference-scaling",
        "For MC dropout you deliberately keep dropout on at inference and average many passes.",
    ),
    (
        "word-embeddings",
        "static-vs-contextual",
        "Static embeddings like word2vec versus contextual embeddings like BERT.",
    ),
    (
        "dropout-regularization",
        "ensemble",
        "It is not an ensemble in the strict sense, but it acts like one of thinned sub-networks.",
    ),
]


@pytest.mark.parametrize(("node_id", "point_id", "text"), WRONG, ids=[w[1] for w in WRONG])
def test_a_swapped_or_denied_point_is_contradicted(
    shipped: Bank, node_id: str, point_id: str, text: str
) -> None:
    assert point_status(shipped, node_id, point_id, text) is PointStatus.CONTRADICTED


@pytest.mark.parametrize(("node_id", "point_id", "text"), RIGHT, ids=[r[1] for r in RIGHT])
def test_the_nearest_correct_sentence_is_not_contradicted(
    shipped: Bank, node_id: str, point_id: str, text: str
) -> None:
    assert point_status(shipped, node_id, point_id, text) is not PointStatus.CONTRADICTED
