"""Read lines from stdin without blocking the event loop (pipes, terminals, files, /dev/null)."""

from __future__ import annotations

import asyncio
import selectors
import sys
import threading
from collections.abc import AsyncIterator
from typing import TextIO


def _selectable(fd: int) -> bool:
    """Whether the event loop can watch `fd` (pipes, sockets, terminals: yes; regular files and
    /dev/null: no, epoll refuses them)."""
    with selectors.DefaultSelector() as probe:
        try:
            probe.register(fd, selectors.EVENT_READ)
        except (OSError, ValueError):
            return False
    return True


async def stdin_lines(stream: TextIO | None = None) -> AsyncIterator[str]:
    """Yield each line typed or piped into stdin, without its newline, until end of input."""
    stream = stream or sys.stdin
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation: a stream with no file behind it
        fd = -1
    if fd < 0 or not _selectable(fd):
        async for line in _threaded_lines(stream):
            yield line
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), stream
    )
    try:
        while raw := await reader.readline():
            yield raw.decode("utf-8", errors="replace").rstrip("\r\n")
    finally:
        transport.close()


async def _threaded_lines(stream: TextIO) -> AsyncIterator[str]:
    """Lines read by a daemon thread (it never holds up the process's exit)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
        except (OSError, ValueError, UnicodeDecodeError):
            pass  # unreadable input ends like end of input
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="stdin-lines", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line
