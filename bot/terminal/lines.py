"""Read lines from stdin without blocking the event loop (pipes, terminals and files)."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterator


async def stdin_lines() -> AsyncIterator[str]:
    """Yield each line typed or piped into stdin, without its newline, until end of input."""
    fd = sys.stdin.fileno()
    if stat.S_ISREG(os.fstat(fd).st_mode):
        for line in sys.stdin.read().splitlines():
            yield line
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    try:
        while raw := await reader.readline():
            yield raw.decode("utf-8", errors="replace").rstrip("\r\n")
    finally:
        transport.close()
