"""Threads over many voice sessions: join, listen, hear someone, stop, leave; again and again.

The real bot (InterviewBot, DaveVoiceRecvClient) joins the fake Discord's voice channel over
its voice server (TLS websocket, UDP, xchacha20), listens while a member speaks, stops
listening and disconnects, as a voice session does. After each session, once its receive threads
have had a moment to end, it counts the process's threads. voice_recv's speaking timer and UDP
keep-alive used to stay behind, two per session, and discord.py's socket reader for 30 s.

Run: .venv/bin/python -m bench.voice_threads [--sessions 20]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
from pathlib import Path

import discord
import numpy as np
import yarl

from bot.app import build_app
from bot.discord.client import InterviewBot
from bot.discord.voice import DaveVoiceRecvClient, PcmSink, VoiceFrame, on_loop
from bot.settings import BankSettings, Settings, StoreSettings
from tests.harness import FakeDiscord
from tests.harness.fixtures import connect_bot, disconnect_bot

ROOT = Path(__file__).resolve().parents[1]
SETTLE_SECONDS = 1.0  # a stopped receive thread ends within this (voice_recv polls at 0.5 s)


def tone(seconds: float) -> bytes:
    """A 440 Hz tone as Discord PCM (48 kHz stereo s16le)."""
    t = np.arange(int(seconds * 48_000)) / 48_000
    mono = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    return np.repeat(mono, 2).tobytes()


def receive_threads() -> int:
    """voice_recv's per-session threads alive now."""
    names = ("speaking-timer", "voice-udp-keepalive", "audioreader", "sink-event-router")
    return sum(t.name.startswith(names) for t in threading.enumerate())


async def run(count: int) -> list[tuple[int, int]]:
    """(all threads, receive threads) after each of `count` voice sessions."""
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.rest_base  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    member = fake.add_member("ada")
    room = fake.add_voice_channel("interview room")
    fake.join_voice(member, room)
    counts: list[tuple[int, int]] = []
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            bank=BankSettings(paths=[ROOT / "question_bank"]),
            store=StoreSettings(data_dir=Path(data)),
        )
        app = await build_app(settings)
        bot = InterviewBot(app, connector=fake.voice_connector())
        await connect_bot(bot, fake)
        while bot.get_channel(room.id) is None:
            await asyncio.sleep(0.01)
        channel = bot.get_channel(room.id)
        assert isinstance(channel, discord.VoiceChannel)
        for _ in range(count):
            vc = await channel.connect(cls=DaveVoiceRecvClient, timeout=5)
            assert isinstance(vc, DaveVoiceRecvClient)
            await fake.wait_voice_ready()
            frames: list[VoiceFrame] = []
            vc.listen(PcmSink(on_loop(asyncio.get_running_loop(), frames.append)))
            await fake.voice_speak(member, tone(0.3))
            while not frames:
                await asyncio.sleep(0.01)
            vc.stop_listening()
            await vc.disconnect()
            await asyncio.sleep(SETTLE_SECONDS)
            counts.append((threading.active_count(), receive_threads()))
        await disconnect_bot(bot, fake)
        await app.close()
    await fake.close()
    return counts


def main() -> int:
    """Print the thread counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    counts = asyncio.run(run(args.sessions))
    totals = [total for total, _ in counts]
    print(f"{len(counts)} voice sessions (join, listen, hear 0.3 s, stop, leave)")
    print(f"threads after each: {' '.join(str(t) for t in totals)}")
    print(f"voice_recv receive threads after each: {' '.join(str(r) for _, r in counts)}")
    print(f"threads after the first: {totals[0]}, after the last: {totals[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
