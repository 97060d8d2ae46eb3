"""The bot under load, in its own process: `python -m bench.bot_process REST_BASE GATEWAY DATA`.

Runs the real InterviewBot against the given (fake) Discord URLs until SIGTERM, sampling its
event-loop lag every 10 ms; on exit prints the lag samples' summary as one JSON line, with the
CPU time it used since SIGUSR2 (the load benchmark sends it when the load starts). On SIGUSR1
it prints one JSON line about its memory (after a full collection): resident size, live
session objects, views in discord.py's view store, cached threads and messages.
BENCH_CPUS="1" (or "2,3") pins the process, every thread included, to those cores;
BENCH_SWITCH_INTERVAL="0.0005" sets the interpreter's GIL switch interval (default 0.005 s).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import json
import os
import resource
import signal
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import discord
import yarl

from bench import answer_trace
from bot.app import build_app
from bot.discord.client import InterviewBot
from bot.engine.base import Session
from bot.logging_setup import setup_logging
from bot.settings import BankSettings, EngineSettings, Settings, StoreSettings

ROOT = Path(__file__).resolve().parents[1]


async def main(rest_base: str, gateway: str, data: str, questions: int, lag: bool = True) -> None:
    """Serve until SIGTERM; then print the lag summary (`lag=False`: no lag samples are kept,
    for the memory benchmark, whose figures they would otherwise grow)."""
    setup_logging("WARNING")
    discord.http.Route.BASE = rest_base  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    settings = Settings(
        bank=BankSettings(paths=[ROOT / "question_bank"]),
        store=StoreSettings(data_dir=Path(data)),
        engine=EngineSettings(questions_per_session=questions),
    )
    app = await build_app(settings)
    bot = InterviewBot(app, guild_ready_timeout=0.05)
    trace = os.environ.get("BENCH_TRACE")
    if trace:
        answer_trace.install(bot, app.manager.services.grader, app.repository)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, lambda: print(json.dumps(memory(bot)), flush=True))
    load_started = [0.0]  # CPU seconds used before the load began (start-up)
    pauses = GcPauses()

    waited = [0.0]  # seconds the main thread was runnable but waited for a core, before the load

    def load_starts() -> None:
        load_started[0] = _cpu_seconds()
        waited[0] = _waited_for_a_core()
        pauses.start()

    loop.add_signal_handler(signal.SIGUSR2, load_starts)
    lags: list[float] = []
    woke: list[float] = []  # when each lag sample was taken (perf_counter: one clock machine-wide)
    stalls: list[
        tuple[float, float]
    ] = []  # lags over 50 ms: (lag, CPU this process used meanwhile)

    async def monitor() -> None:
        while lag and not stop.is_set():
            start, cpu = time.perf_counter(), time.process_time()
            await asyncio.sleep(0.01)
            woke.append(time.perf_counter())
            lags.append((woke[-1] - start - 0.01) * 1000)
            if lags[-1] > 50:
                stalls.append((round(lags[-1]), round((time.process_time() - cpu) * 1000)))

    runner = asyncio.create_task(bot.start("fake-token"))
    watcher = asyncio.create_task(monitor())
    await stop.wait()
    await watcher
    await bot.close()
    await runner
    await app.close()
    if trace:
        answer_trace.dump(trace)
    ordered = sorted(lags) or [0.0]
    samples = zip(woke, lags, strict=True)
    print(
        json.dumps(
            {
                "lag_p50_ms": statistics.median(ordered),
                "lag_p99_ms": ordered[round(0.99 * (len(ordered) - 1))],
                "lag_max_ms": ordered[-1],
                "samples": len(ordered),
                "stalls": stalls,
                "lag_samples": [[round(t, 4), round(v, 2)] for t, v in samples],
                # CPU the whole bot process used (start-up included): user + system seconds
                "cpu_seconds": _cpu_seconds(),
                "load_cpu_seconds": _cpu_seconds() - load_started[0],
                "load_waited_seconds": _waited_for_a_core() - waited[0],
                "gc": pauses.summary(),
                "cpus": ",".join(str(c) for c in sorted(os.sched_getaffinity(0))),
            }
        ),
        flush=True,
    )


class GcPauses:
    """How long the garbage collector held the process, per generation, once started."""

    def __init__(self) -> None:
        self.pauses: list[list[float]] = [[], [], []]
        self._began = 0.0

    def start(self) -> None:
        """Time every collection from now on."""
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._began) * 1000)

    def summary(self) -> dict[str, list[float]]:
        """Per generation 0, 1, 2: collections, total ms, longest ms."""
        return {
            "collections": [len(p) for p in self.pauses],
            "total_ms": [round(sum(p), 1) for p in self.pauses],
            "max_ms": [round(max(p, default=0.0), 1) for p in self.pauses],
        }


def _waited_for_a_core() -> float:
    """Seconds the main thread (the event loop) has spent runnable but not running, waiting on
    a run queue for a core (Linux schedstat), since it started."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _cpu_seconds() -> float:
    """User + system CPU seconds of the whole process, every thread included."""
    return sum(resource.getrusage(resource.RUSAGE_SELF)[:2])


_SNAPSHOTS: list[tracemalloc.Snapshot] = []


_LIBC = ctypes.CDLL("libc.so.6")
_SQLITE = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
_SQLITE.sqlite3_memory_used.restype = ctypes.c_int64


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


_LIBC.mallinfo2.restype = _MallInfo2


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _native() -> dict[str, float]:
    """Memory outside Python's objects: SQLite's own allocations, glibc malloc's heap."""
    info = _LIBC.mallinfo2()
    return {
        "sqlite_mb": _SQLITE.sqlite3_memory_used() / 2**20,
        "malloc_in_use_mb": (info.uordblks + info.hblkhd) / 2**20,
        "malloc_free_mb": info.fordblks / 2**20,
        "malloc_arena_mb": info.arena / 2**20,
    }


def memory(bot: InterviewBot) -> dict[str, object]:
    """What the process holds now, after a full garbage collection (with BENCH_TRACEMALLOC=1
    set, the biggest growth since the last call goes to stderr, by line)."""
    gc.collect()
    if tracemalloc.is_tracing():
        _SNAPSHOTS.append(tracemalloc.take_snapshot())
        if len(_SNAPSHOTS) > 1:
            for stat in _SNAPSHOTS[-1].compare_to(_SNAPSHOTS[-2], "traceback")[:15]:
                print(stat, *stat.traceback.format()[-6:], sep="\n", file=sys.stderr)
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    store = bot._connection._view_store
    native = _native()
    if os.environ.get("BENCH_MALLOC_TRIM"):
        _LIBC.malloc_trim(0)
        native["rss_after_trim_mb"] = _rss_mb()
    return native | {
        "rss_mb": pages * os.sysconf("SC_PAGE_SIZE") / 2**20,
        "threads": threading.active_count(),
        "pool": bot.app.repository.engine.pool.status(),
        "blocks": sys.getallocatedblocks(),
        "ratelimit_buckets": len(bot.http._buckets),
        "sessions_alive": sum(isinstance(o, Session) for o in gc.get_objects()),
        "running": len(bot.app.manager.running()),
        "views": sum(len(items) for items in store._views.values()) + len(store._modals),
        "threads_cached": sum(len(g.threads) for g in bot.guilds),
        "messages_cached": len(bot.cached_messages),
    }


if __name__ == "__main__":
    if os.environ.get("BENCH_CPUS"):  # before any thread starts: each inherits it
        os.sched_setaffinity(0, {int(c) for c in os.environ["BENCH_CPUS"].split(",")})
    if os.environ.get("BENCH_TRACEMALLOC"):
        tracemalloc.start(6)
    if os.environ.get("BENCH_SWITCH_INTERVAL"):  # an experiment: how often threads trade the GIL
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    quiet = sys.argv[5:] == ["no-lag"]
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), lag=not quiet))
