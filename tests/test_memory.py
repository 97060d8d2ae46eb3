"""Freed memory back to the operating system (bot/memory.py), on this machine's glibc."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.memory import malloc_trim, trim_forever


def resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_a_trim_gives_back_pages_freed_around_live_allocations() -> None:
    trim = malloc_trim()
    assert trim is not None, "glibc has malloc_trim"
    trim()
    junk = [bytearray(1000) for _ in range(100_000)]  # ~100 MB from malloc, not pymalloc
    survivors = junk[::200]  # a live allocation every few pages: the heap cannot shrink
    del junk
    before = resident_mb()
    trim()
    assert resident_mb() < before - 20
    assert len(survivors) == 500


async def test_the_trim_loop_runs_until_cancelled() -> None:
    task = asyncio.create_task(trim_forever(every=0.01))
    await asyncio.sleep(0.1)
    assert not task.done()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()


_LARGE_BLOCKS = """
from bot.memory import tune_allocator
from tests.test_memory import resident_mb
tuned = tune_allocator()
del bytearray(300 << 10)[:]  # freeing a mapped block raises glibc's threshold above its size
before = resident_mb()
blocks, pins = [], []
for _ in range(200):  # 200 KiB canvases, each with a small live allocation after it
    blocks.append(bytearray(200 << 10))
    pins.append(bytearray(2000))
peak = resident_mb()
del blocks
print(tuned, peak - before, resident_mb() - before)
"""


def test_large_blocks_go_back_to_the_os_when_freed() -> None:
    """In a fresh process (an old heap would serve them from its free chunks)."""
    out = subprocess.run(
        [sys.executable, "-c", _LARGE_BLOCKS], capture_output=True, text=True, check=True
    ).stdout.split()
    tuned, grown, kept = out[0] == "True", float(out[1]), float(out[2])
    assert tuned
    assert grown > 30
    assert kept < 5


_FREEZE = """
import gc, weakref
from bot.memory import freeze_start_up
class Node:
    pass
kept = [Node() for _ in range(50_000)]  # what start-up leaves alive
ring = Node(); ring.me = ring; old = weakref.ref(ring); del ring  # start-up garbage, a cycle
first = freeze_start_up()
later = [Node() for _ in range(10)]
again = freeze_start_up()
walked = len(gc.get_objects())  # what a collection still walks: generations 0 to 2
ring = Node(); ring.me = ring; new = weakref.ref(ring); del ring  # a session's garbage
gc.collect()
print(first >= 50_000, again == first, walked < 1_000, old() is None, new() is None)
"""


def test_start_up_objects_are_frozen_once_and_later_ones_still_collected() -> None:
    """In a fresh process (freezing the test process would change every test after it)."""
    out = subprocess.run(
        [sys.executable, "-c", _FREEZE], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True"] * 5
