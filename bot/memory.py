"""Freed memory goes back to the operating system; what lives for ever is not collected again.

glibc's malloc keeps the pages Python frees inside its heap arenas and reuses them, but a page
with one live allocation left on it stays resident, so a long-running bot creeps up with every
session it has ended (measured in docs/benchmarks.md, "Memory over 1,000 ended sessions").
`malloc_trim(0)` hands every wholly free page back (glibc >= 2.8 trims inside the arenas, not
only at their top). It is a glibc function: elsewhere (musl, macOS) there is nothing to call,
and nothing is done.

Python's garbage collector walks every container object it tracks on each full collection:
about 136,000 once the bot has started (the bank's models, the libraries, the commands), 25-60
ms of holding the event loop each time, for objects that live as long as the process. So once
started they are moved out of its generations (`gc.freeze`); a full collection then walks only
what sessions made since.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)

TRIM_SECONDS = 60.0  # a trim takes a few milliseconds of a worker thread
MMAP_THRESHOLD = 128 * 1024  # glibc's starting value, held there (see tune_allocator)
ARENAS = 2
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8  # mallopt parameters, from glibc's malloc.h


def tune_allocator() -> bool:
    """Set glibc's malloc up for a long-running bot (False where there is no glibc).

    - A fixed mmap threshold: glibc raises it each time a large block is freed, after which
      chart canvases, audio buffers and HTTP bodies come from the heap and leave holes there;
      held at 128 KiB, every large block is its own mapping and goes back to the OS when freed.
    - At most two arenas: each worker thread (grading, transcription, charts, SQLite) would
      otherwise get an arena of its own, each keeping its own free memory.
    Measured in docs/benchmarks.md ("Memory over 1,000 ended sessions"). Called first thing by
    `interview-bot run` (before any thread starts) and again by the bot; a value set in the
    environment (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_ARENA_MAX`) wins over ours.
    """
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    wanted = (
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_"),
        (_M_ARENA_MAX, ARENAS, "MALLOC_ARENA_MAX"),
    )
    return all(bool(mallopt(param, value)) for param, value, env in wanted if env not in os.environ)


def freeze_start_up() -> int:
    """Collect once, then keep every object alive now out of later collections; returns how
    many are frozen. Once a process: when start-up is done, before sessions begin (a second
    bot in the same process, as in the tests, freezes nothing more)."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()
    return gc.get_freeze_count()


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none."""
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


async def trim_forever(every: float = TRIM_SECONDS) -> None:
    """Give freed heap pages back every `every` seconds, in a worker thread, until cancelled."""
    trim = malloc_trim()
    if trim is None:
        log.debug("no malloc_trim in this C library: freed memory stays with the allocator")
        return
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(trim)
