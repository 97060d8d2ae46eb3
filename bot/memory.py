"""Freed memory goes back to the operating system.

glibc's malloc keeps the pages Python frees inside its heap arenas and reuses them, but a page
with one live allocation left on it stays resident, so a long-running bot creeps up with every
session it has ended (measured in docs/benchmarks.md, "Memory over 1,000 ended sessions").
`malloc_trim(0)` hands every wholly free page back (glibc >= 2.8 trims inside the arenas, not
only at their top). It is a glibc function: elsewhere (musl, macOS) there is nothing to call,
and nothing is done.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

TRIM_SECONDS = 60.0  # a trim takes a few milliseconds of a worker thread


def malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
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
