"""What the fuzz tests share: bounded, derandomized hypothesis settings and mutation strategies.

`derandomize=True` makes every run try the same inputs (CI and a laptop agree), `database=None`
keeps nothing between runs, and `max_examples` keeps the whole fuzz suite to seconds; the large
campaigns behind docs/benchmarks.md run from bench/fuzz.py.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces that reach the corners of YAML and TOML parsers (tags, anchors, keys, controls).
TOKENS = (
    "!foo ", "!!binary ", "!!timestamp ", "!!int ", "!!float ", "!!bool ", "!!set ", "!!omap ",
    "!!str ", "&a ", "*a", "*b", "&b [*b]", "? ", ": ", "- ", "[", "]", "{", "}", "\x07", "\x00",
    "\t", "\n", "---\n", "...\n", "'", '"', "2001-13-45", "<<: *a\n", "\ufeff", "%YAML 1.1\n",
    "|", ">", "#", "\\", "=", "[[", "]]", "0x", "1e999", "nan", "inf", "\r", "\u2028", "@",
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: tuple[str, ...]) -> str:
    """One of `seeds` with a few insertions, deletions and replacements."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)))
        match draw(st.sampled_from(("insert", "delete", "replace"))):
            case "insert":
                text = text[:position] + piece + text[position:]
            case "delete":
                text = text[:position] + text[position + draw(st.integers(1, 20)) :]
            case _:
                text = text[:position] + piece + text[position + len(piece) :]
    return text


@st.composite
def damaged_bytes(draw: st.DrawFn, seeds: tuple[bytes, ...]) -> bytes:
    """One of `seeds` truncated, or with random bytes written over about 1 % of it."""
    data = bytearray(draw(st.sampled_from(seeds)))
    if draw(st.booleans()):
        return bytes(data[: draw(st.integers(0, len(data)))])
    rng = draw(st.randoms(use_true_random=False))
    for _ in range(max(1, len(data) // 100)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)
