"""The real bot in its own OS process against the fake Discord, configured as in production.

Child: `python -m tests.e2e.bot_process REST_BASE GATEWAY_URL`, with every setting from the
environment (DISCORD_TOKEN, INTERVIEW_BOT_SHARDS__COUNT, INTERVIEW_BOT_STORE__URL, ...). It runs
the production start-up (`bot.discord.runner.prepare`: open the store, mark sessions a crash left
running on its shards interrupted, build the bot for [shards]), prints one JSON line on stdout
when discord.py is ready, and serves until SIGTERM (a clean stop) or SIGKILL (a crash).

Parent: `BotProcess.spawn()` starts one; `ready()` waits for that line. Like bench/bot_process.py,
only the two discord.py globals (REST base, gateway URL) are pointed at the fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import ssl
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import discord
import yarl

from bot.discord.runner import prepare
from bot.logging_setup import setup_logging
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 0.05  # guild_ready_timeout, as the in-process harness uses
VOICE_CA = "FAKE_VOICE_CA_FILE"  # test only: a PEM file the bot trusts for the fake voice server


class BotProcess:
    """One bot process started by a test: its environment, output, and ready line."""

    def __init__(self, proc: asyncio.subprocess.Process, spawned: float, stderr: Path) -> None:
        self.proc = proc
        self.spawned = spawned  # time.monotonic() just before the spawn
        self.stderr = stderr
        self.ready_line: dict[str, Any] | None = None

    @classmethod
    async def spawn(
        cls, rest_base: str, gateway: str, env: dict[str, str], stderr: Path
    ) -> BotProcess:
        """Start `python -m tests.e2e.bot_process` with settings from `env` only."""
        ours = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("INTERVIEW_BOT_", "DISCORD", VOICE_CA))
        }
        spawned = time.monotonic()
        with stderr.open("wb") as errors:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.e2e.bot_process",
                rest_base,
                gateway,
                stdout=asyncio.subprocess.PIPE,
                stderr=errors,
                cwd=ROOT,
                env=ours | env,
                start_new_session=True,  # its own process group: a kill takes its workers too
            )
        return cls(proc, spawned, stderr)

    async def ready(self, timeout: float = 20) -> dict[str, Any]:
        """Wait for the ready line; its `seconds` is the time from spawn to ready."""
        assert self.proc.stdout is not None
        try:
            async with asyncio.timeout(timeout):
                while self.ready_line is None:
                    line = await self.proc.stdout.readline()
                    if not line:
                        await self.proc.wait()
                        raise AssertionError(f"the bot process exited: {self.errors()}")
                    found = json.loads(line)
                    if found.get("event") == "ready":
                        self.ready_line = found | {"seconds": found["ready"] - self.spawned}
        except TimeoutError:
            raise AssertionError(f"no ready after {timeout}s: {self.errors()}") from None
        return self.ready_line

    def errors(self) -> str:
        """The end of what the process wrote on stderr."""
        return self.stderr.read_text(errors="replace")[-3000:]

    def freeze(self) -> None:
        """SIGSTOP: the process stays connected but handles nothing (what reaches its socket
        now is received and never acted on, as when it is killed in the middle of grading)."""
        self.proc.send_signal(signal.SIGSTOP)

    async def kill(self) -> None:
        """SIGKILL to the process and its speech workers (a crash, as a container is killed);
        nothing is cleaned up."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()

    async def stop(self, timeout: float = 10) -> int:
        """SIGTERM: a clean stop (running sessions end); the exit code."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                return await self.proc.wait()
        except TimeoutError:
            await self.kill()
            raise AssertionError(f"the bot did not stop on SIGTERM: {self.errors()}") from None


async def main(rest_base: str, gateway: str) -> None:
    """Serve until SIGTERM; print the ready line once discord.py is ready."""
    setup_logging("WARNING")
    discord.http.Route.BASE = rest_base  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    settings = Settings.load()
    assert settings.discord_token is not None, "set DISCORD_TOKEN"
    began = time.monotonic()
    options: dict[str, Any] = {"guild_ready_timeout": READY_TIMEOUT}
    trust = os.environ.get(VOICE_CA)
    if trust:  # the fake voice server's certificate (discord.py hard-codes wss://)
        context = ssl.create_default_context(cafile=trust)
        options["connector"] = aiohttp.TCPConnector(ssl=context)
    app, bot = await prepare(settings, **options)
    prepared = time.monotonic()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def on_ready() -> None:
        line = {
            "event": "ready",
            "began": began,
            "prepared": prepared,
            "ready": time.monotonic(),
            "guilds": sorted(str(g.id) for g in bot.guilds),
            "shards": sorted({g.shard_id for g in bot.guilds}),
        }
        print(json.dumps(line), flush=True)

    bot.add_listener(on_ready, "on_ready")
    try:
        runner = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({runner, stopping}, return_when=asyncio.FIRST_COMPLETED)
        await bot.close()
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopping
        await runner
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
