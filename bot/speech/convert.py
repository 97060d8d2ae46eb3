"""Turn a CTranslate2 Whisper folder (model.bin + config.json) into an openai-whisper checkpoint.

The model.bin layout (CTranslate2 binary version 6, `specs/model_spec.py`), all little-endian:

    u32 version, str spec name, u32 spec revision, u32 variable count,
    per variable: str name, u8 rank, u32 x rank shape, u8 dtype id, u32 byte count, bytes
    u32 alias count, per alias: str alias, str target
    where str = u16 length (with the trailing NUL), UTF-8 bytes, NUL.

The checkpoint is what `whisper.load_model(path)` reads: `{"dims": ..., "model_state_dict": ...}`,
plus `alignment_heads` (whisper's own base85 dump, for `Whisper.set_alignment_heads`) and
`converted_from` (the source's SHA-256 and this converter's version).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import logging
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from bot.errors import ModelUnavailable
from bot.speech.models import sha256_of

log = logging.getLogger(__name__)

CONVERTER_VERSION = 1
BINARY_VERSION = 6
SPEC_NAME = "WhisperSpec"
# The DataType enum of CTranslate2 (include/ctranslate2/types.h); bfloat16 is read as raw u16.
_DTYPES: tuple[str, ...] = ("<f4", "<i1", "<i2", "<i4", "<f2", "<u2")
_BFLOAT16 = 5
_MAX_RANK = 8
_MAX_VARIABLES = 100_000

Array = npt.NDArray[Any]


class _Truncated(Exception):
    """The file ends before a field it announces."""


class _Reader:
    """A cursor over the bytes of a model.bin that refuses to read past the end."""

    def __init__(self, data: bytearray) -> None:
        self.data = data
        self.offset = 0

    def take(self, size: int) -> memoryview:
        """The next `size` bytes."""
        end = self.offset + size
        if end > len(self.data):
            raise _Truncated(
                f"it needs {size} bytes at offset {self.offset} but has only "
                f"{len(self.data) - self.offset} left (truncated?)"
            )
        view = memoryview(self.data)[self.offset : end]
        self.offset = end
        return view

    def unpack(self, fmt: str) -> int:
        """One little-endian integer of struct format `fmt`."""
        value: int = struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]
        return value

    def string(self) -> str:
        """A length-prefixed, NUL-terminated UTF-8 string."""
        raw = bytes(self.take(self.unpack("H")))
        if not raw.endswith(b"\0"):
            raise ValueError(f"a name at offset {self.offset - len(raw)} is not NUL-terminated")
        return raw[:-1].decode("utf-8")


def _variables(reader: _Reader) -> Iterator[tuple[str, Array]]:
    """Each stored variable as (name, array in its stored dtype)."""
    count = reader.unpack("I")
    if count > _MAX_VARIABLES:
        raise ValueError(f"it claims {count} variables")
    for _ in range(count):
        name = reader.string()
        rank = reader.unpack("B")
        if rank > _MAX_RANK:
            raise ValueError(f"variable {name!r} claims rank {rank}")
        shape = tuple(reader.unpack("I") for _ in range(rank))
        type_id = reader.unpack("B")
        if type_id >= len(_DTYPES):
            raise ValueError(f"variable {name!r} has unknown dtype id {type_id}")
        dtype = np.dtype(_DTYPES[type_id])
        size = reader.unpack("I")
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if size != expected:
            raise ValueError(
                f"variable {name!r} of shape {shape} holds {size} bytes, not {expected}"
            )
        array = np.frombuffer(reader.take(size), dtype=dtype).reshape(shape)
        if type_id == _BFLOAT16:
            array = (array.astype(np.uint32) << 16).view(np.float32)
        yield name, array


def read_model_bin(path: Path) -> dict[str, Array]:
    """Every variable of a CTranslate2 model.bin by name, aliases resolved, in its stored dtype."""
    try:
        size = path.stat().st_size
        data = bytearray(size)  # writable, so torch can wrap the arrays without a warning
        with path.open("rb") as handle:
            handle.readinto(data)
    except OSError as exc:
        raise ModelUnavailable(str(path), f"it cannot be read ({exc.strerror or exc})") from None
    reader = _Reader(data)
    try:
        version = reader.unpack("I")
        if version != BINARY_VERSION:
            raise ValueError(
                f"it is CTranslate2 binary version {version}; this reader knows {BINARY_VERSION}"
            )
        spec, _revision = reader.string(), reader.unpack("I")
        if spec != SPEC_NAME:
            raise ValueError(f"it holds a {spec!r} model, not {SPEC_NAME!r}")
        variables = dict(_variables(reader))
        for _ in range(reader.unpack("I")):
            alias, target = reader.string(), reader.string()
            if target not in variables:
                raise ValueError(f"alias {alias!r} points to a missing variable {target!r}")
            variables[alias] = variables[target]
        if reader.offset != len(data):
            raise ValueError(f"{len(data) - reader.offset} unexpected bytes follow the aliases")
    except (_Truncated, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise ModelUnavailable(
            str(path), f"it is not a readable CTranslate2 Whisper file: {exc}"
        ) from None
    return variables


class _Weights:
    """Float views of the stored variables: dequantised, missing names reported by file."""

    def __init__(self, path: Path, variables: dict[str, Array]) -> None:
        self.path = path
        self.variables = variables

    def raw(self, name: str) -> Array:
        """A variable as stored."""
        try:
            return self.variables[name]
        except KeyError:
            raise ModelUnavailable(str(self.path), f"it has no variable {name!r}") from None

    def scalar(self, name: str) -> int:
        """An integer setting such as num_heads."""
        return int(self.raw(name))

    def floats(self, name: str) -> Array:
        """A weight as float16 or float32; int8/int16 weights are divided by their scale."""
        value = self.raw(name)
        if value.dtype in (np.float16, np.float32):
            return value
        scale = self.variables.get(f"{name}_scale")
        if scale is None:
            raise ModelUnavailable(str(self.path), f"{name!r} is {value.dtype} with no scale")
        if f"{name}_zero" in self.variables:
            raise ModelUnavailable(str(self.path), f"{name!r} uses zero-point quantisation")
        scale = scale.astype(np.float32)
        if scale.ndim == 1:  # int8: one scale per output row (conv weights flattened per row)
            scale = scale.reshape(-1, *([1] * (value.ndim - 1)))
        return value.astype(np.float32) / scale

    def layers(self, prefix: str) -> int:
        """How many `prefix/layer_N` blocks there are."""
        count = 0
        while any(key.startswith(f"{prefix}/layer_{count}/") for key in self.variables):
            count += 1
        return count


def _tensor(array: Array) -> torch.Tensor:
    """A torch tensor owning a contiguous copy of `array`."""
    return torch.from_numpy(np.array(array, copy=True))


def _weight_bias(weights: _Weights, source: str, target: str) -> dict[str, Array]:
    """A Linear or Conv1d layer's weight and bias (same layout in both formats)."""
    return {
        f"{target}.weight": weights.floats(f"{source}/weight"),
        f"{target}.bias": weights.floats(f"{source}/bias"),
    }


def _norm(weights: _Weights, source: str, target: str) -> dict[str, Array]:
    """A LayerNorm: CTranslate2's gamma/beta are torch's weight/bias."""
    return {
        f"{target}.weight": weights.floats(f"{source}/gamma"),
        f"{target}.bias": weights.floats(f"{source}/beta"),
    }


def _split(array: Array, parts: int) -> list[Array]:
    """Rows split into equal stacked parts (query/key/value)."""
    return list(np.split(array, parts, axis=0))


def _attention(weights: _Weights, source: str, target: str, *, cross: bool) -> dict[str, Array]:
    """Self-attention (fused QKV) or cross-attention (Q, fused KV) with its output projection."""
    out: dict[str, Array] = {}
    if cross:
        out |= _weight_bias(weights, f"{source}/linear_0", f"{target}.query")
        key_value = (weights.floats(f"{source}/linear_1/{p}") for p in ("weight", "bias"))
        (key_w, value_w), (key_b, value_b) = (_split(a, 2) for a in key_value)
        out_name = "linear_2"
    else:
        stacked = (weights.floats(f"{source}/linear_0/{p}") for p in ("weight", "bias"))
        (query_w, key_w, value_w), (query_b, key_b, value_b) = (_split(a, 3) for a in stacked)
        out |= {f"{target}.query.weight": query_w, f"{target}.query.bias": query_b}
        out_name = "linear_1"
    if np.any(
        key_b
    ):  # adds q·b to every score of a query: softmax cancels it, so dropping is exact
        log.debug("%s has a non-zero key bias; openai-whisper has none, dropping it", source)
    out |= {f"{target}.key.weight": key_w, f"{target}.value.weight": value_w}
    out |= {f"{target}.value.bias": value_b}
    out |= _weight_bias(weights, f"{source}/{out_name}", f"{target}.out")
    return out


def _block(weights: _Weights, source: str, target: str, *, decoder: bool) -> dict[str, Array]:
    """One residual block: self-attention, cross-attention in the decoder, then the MLP."""
    out = _attention(weights, f"{source}/self_attention", f"{target}.attn", cross=False)
    out |= _norm(weights, f"{source}/self_attention/layer_norm", f"{target}.attn_ln")
    if decoder:
        out |= _attention(weights, f"{source}/attention", f"{target}.cross_attn", cross=True)
        out |= _norm(weights, f"{source}/attention/layer_norm", f"{target}.cross_attn_ln")
    out |= _weight_bias(weights, f"{source}/ffn/linear_0", f"{target}.mlp.0")
    out |= _weight_bias(weights, f"{source}/ffn/linear_1", f"{target}.mlp.2")
    out |= _norm(weights, f"{source}/ffn/layer_norm", f"{target}.mlp_ln")
    return out


def whisper_dims(weights: _Weights) -> dict[str, int]:
    """openai-whisper's ModelDimensions, read off the shapes of the stored weights."""
    conv1 = weights.raw("encoder/conv1/weight")
    embeddings = weights.raw("decoder/embeddings/weight")
    return {
        "n_mels": conv1.shape[1],
        "n_audio_ctx": weights.raw("encoder/position_encodings/encodings").shape[0],
        "n_audio_state": conv1.shape[0],
        "n_audio_head": weights.scalar("encoder/num_heads"),
        "n_audio_layer": weights.layers("encoder"),
        "n_vocab": embeddings.shape[0],
        "n_text_ctx": weights.raw("decoder/position_encodings/encodings").shape[0],
        "n_text_state": embeddings.shape[1],
        "n_text_head": weights.scalar("decoder/num_heads"),
        "n_text_layer": weights.layers("decoder"),
    }


def whisper_state_dict(weights: _Weights, dims: dict[str, int]) -> dict[str, Array]:
    """The openai-whisper state dict (every persistent parameter and buffer) as arrays."""
    state: dict[str, Array] = {}
    for conv in ("conv1", "conv2"):
        state |= _weight_bias(weights, f"encoder/{conv}", f"encoder.{conv}")
    state["encoder.positional_embedding"] = weights.floats("encoder/position_encodings/encodings")
    for i in range(dims["n_audio_layer"]):
        state |= _block(weights, f"encoder/layer_{i}", f"encoder.blocks.{i}", decoder=False)
    state |= _norm(weights, "encoder/layer_norm", "encoder.ln_post")
    embedding = weights.floats("decoder/embeddings/weight")
    stored = weights.raw("decoder/embeddings/weight")
    projection = weights.variables.get("decoder/projection/weight", stored)
    if projection is not stored and not np.array_equal(
        weights.floats("decoder/projection/weight"), embedding
    ):
        raise ModelUnavailable(
            str(weights.path), "its output projection is not tied to the token embedding"
        )
    state["decoder.token_embedding.weight"] = embedding
    state["decoder.positional_embedding"] = weights.floats("decoder/position_encodings/encodings")
    for i in range(dims["n_text_layer"]):
        state |= _block(weights, f"decoder/layer_{i}", f"decoder.blocks.{i}", decoder=True)
    state |= _norm(weights, "decoder/layer_norm", "decoder.ln")
    return state


def alignment_heads_dump(config: Path, layers: int, heads: int) -> bytes | None:
    """config.json's alignment heads in whisper's own format (gzip + base85 of a bool mask)."""
    if not config.is_file():
        return None
    try:
        pairs = json.loads(config.read_text(encoding="utf-8")).get("alignment_heads")
        mask = np.zeros((layers, heads), dtype=bool)
        for layer, head in pairs or ():
            mask[layer, head] = True
    except (OSError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ModelUnavailable(str(config), f"its alignment_heads cannot be read ({exc})") from None
    if not mask.any():
        return None
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0))


def convert(ct2_dir: Path, out: Path) -> Path:
    """Write the openai-whisper checkpoint of a CTranslate2 Whisper folder to `out`."""
    weights_path = ct2_dir / "model.bin"
    weights = _Weights(weights_path, read_model_bin(weights_path))
    dims = whisper_dims(weights)
    state = whisper_state_dict(weights, dims)
    heads = alignment_heads_dump(ct2_dir / "config.json", dims["n_text_layer"], dims["n_text_head"])
    checkpoint = {
        "dims": dims,
        "model_state_dict": {name: _tensor(array) for name, array in state.items()},
        "alignment_heads": heads,
        "converted_from": {"sha256": sha256_of(weights_path), "converter": CONVERTER_VERSION},
    }
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        torch.save(checkpoint, partial)
        partial.replace(out)  # atomic: a reader never sees half a checkpoint
    except OSError as exc:
        raise ModelUnavailable(str(out), f"it cannot be written ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):  # only a leftover temporary file
            partial.unlink()
    log.info("Converted %s to %s", ct2_dir, out)
    return out
