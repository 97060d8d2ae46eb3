"""Where one typed answer's time goes inside the bot: timestamps for `bench.discord_load --trace`.

Installed by bench/bot_process.py when BENCH_TRACE names a file. Every member's message gets a
trace: when its gateway frame was read, when discord.py dispatched it, when grading started
and ended (in whichever thread it ran), when the attempt's commit started and ended, when the
grade's POST entered discord.py's HTTP client and when aiohttp sent it. The clock is
`time.perf_counter()` (CLOCK_MONOTONIC on Linux, one clock for every process on the machine),
so the benchmark lines these up with its own send and receive times. A bench-only profiler:
it wraps methods of the running bot's objects, never the bot's code.
"""

from __future__ import annotations

import contextvars
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import discord

_TRACE: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "answer_trace", default=None
)
_TRACES: list[dict[str, Any]] = []
_LAST_FRAME = [0.0]


def _mark(name: str) -> None:
    trace = _TRACE.get()
    if trace is not None and name not in trace:
        trace[name] = time.perf_counter()


def install(bot: discord.Client, grader: Any, repository: Any) -> None:
    """Wrap the bot's gateway reader, dispatch, grader, repository and HTTP client."""
    ws_class = discord.gateway.DiscordWebSocket
    received = ws_class.received_message

    async def received_message(self: Any, msg: Any, /) -> None:
        _LAST_FRAME[0] = time.perf_counter()
        await received(self, msg)

    ws_class.received_message = received_message  # type: ignore[method-assign]

    dispatch = bot.dispatch

    def traced_dispatch(event: str, /, *args: Any, **kwargs: Any) -> None:
        if event == "message" and args and not args[0].author.bot:
            trace = {"channel": args[0].channel.id, "frame": _LAST_FRAME[0]}
            trace["dispatch"] = time.perf_counter()
            _TRACES.append(trace)
            token = _TRACE.set(trace)
            try:
                dispatch(event, *args, **kwargs)  # the listeners' tasks copy this context
            finally:
                _TRACE.reset(token)
            return
        dispatch(event, *args, **kwargs)

    bot.dispatch = traced_dispatch  # type: ignore[method-assign]
    bot._connection.dispatch = traced_dispatch  # the state keeps its own reference

    grade = grader.grade

    def traced_grade(*args: Any, **kwargs: Any) -> Any:
        _mark("grade_start")
        try:
            return grade(*args, **kwargs)
        finally:
            _mark("grade_end")

    grader.grade = traced_grade

    record = repository.record_attempt

    async def traced_record(*args: Any, **kwargs: Any) -> Any:
        _mark("commit_start")
        try:
            return await record(*args, **kwargs)
        finally:
            _mark("commit_end")

    repository.record_attempt = traced_record

    request = bot.http.request

    async def traced_request(route: discord.http.Route, **kwargs: Any) -> Any:
        if route.method == "POST" and route.path.endswith("/messages"):
            _mark("http_start")
        return await request(route, **kwargs)

    bot.http.request = traced_request  # type: ignore[method-assign]

    session_request = aiohttp.ClientSession.request

    def traced_session_request(self: Any, method: str, url: Any, **kwargs: Any) -> Any:
        if method == "POST" and str(url).endswith("/messages"):
            _mark("aiohttp_start")
        return session_request(self, method, url, **kwargs)

    aiohttp.ClientSession.request = traced_session_request  # type: ignore[method-assign]


def dump(path: str) -> None:
    """Write every trace as one JSON line."""
    Path(path).write_text("".join(json.dumps(t) + "\n" for t in _TRACES), encoding="utf-8")


STAGES = (
    ("gateway: the fake's frame to discord.py reading it", "sent", "frame"),
    ("discord.py parses MESSAGE_CREATE", "frame", "dispatch"),
    ("on_message, session lock, hand-off to the grading thread", "dispatch", "grade_start"),
    ("grading (CPU)", "grade_start", "grade_end"),
    ("back on the loop", "grade_end", "commit_start"),
    ("SQLite transaction + commit", "commit_start", "commit_end"),
    ("render the grade, enter discord.py's HTTP client", "commit_end", "http_start"),
    ("discord.py rate-limit bucket, request prep", "http_start", "aiohttp_start"),
    ("POST to the fake until the benchmark sees the reply", "aiohttp_start", "received"),
)


def breakdown(answers: list[dict[str, Any]], traces: list[dict[str, Any]]) -> list[str]:
    """Match the benchmark's answers to the bot's traces (by thread, in order) and return a
    Markdown table of each stage: median, p99 and mean in ms."""
    by_channel: dict[int, list[dict[str, Any]]] = {}
    for trace in traces:
        by_channel.setdefault(trace["channel"], []).append(trace)
    joined = []
    for answer in answers:
        queue = by_channel.get(answer["channel"], [])
        if queue:
            joined.append(queue.pop(0) | answer)
    complete = [j for j in joined if all(k in j for _, a, b in STAGES for k in (a, b))]
    lines = [
        f"{len(complete)} of {len(answers)} answers traced",
        "| stage | p50 ms | p99 ms | mean ms |",
        "| --- | --- | --- | --- |",
    ]
    for label, start, end in (*STAGES, ("total", "sent", "received")):
        values = sorted((j[end] - j[start]) * 1000 for j in complete)
        if values:
            p50 = values[len(values) // 2]
            p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
            mean = sum(values) / len(values)
            lines.append(f"| {label} | {p50:.1f} | {p99:.1f} | {mean:.1f} |")
    return lines
