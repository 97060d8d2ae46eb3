"""Fewer glibc malloc arenas: memory freed by one thread is reused by the others.

glibc gives each thread that allocates under contention its own arena (up to 8 per core), and
memory freed into an arena stays with it. The bot's threads (speech workers, CTranslate2's and
onnxruntime's pools, the grading and file threads) each kept their own: capping the arenas at 2
took 27 MiB off the peak of a bot with the speech model loaded (docs/benchmarks.md, "A lean
process"). Call it first thing, before any thread starts; a MALLOC_ARENA_MAX set in the
environment wins, and on a C library without mallopt (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at `arenas`; True if the cap was set here."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_ARENA_MAX, arenas))
