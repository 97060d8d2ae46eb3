"""Listening in voice leaves no thread behind once the bot stops listening and leaves."""

from __future__ import annotations

import asyncio
import threading

import discord

from bot.discord.client import InterviewBot
from bot.discord.voice import DaveVoiceRecvClient, PcmSink, VoiceFrame, on_loop
from tests.e2e.conftest import Cast, eventually
from tests.e2e.test_voice_harness import tone
from tests.harness import FakeDiscord

ROUNDS = 4
RECEIVE_THREADS = (
    "speaking-timer",
    "voice-udp-keepalive",
    "audioreader",
    "sink-event-router",
    "voice-socket-reader",
)
POOLED = ("asyncio_", "ThreadPoolExecutor")


def receive_threads() -> list[str]:
    """voice_recv's threads alive now."""
    return [t.name for t in threading.enumerate() if t.name.startswith(RECEIVE_THREADS)]


async def test_joining_listening_and_leaving_again_and_again_keeps_threads_flat(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    room = fake_discord.add_voice_channel("interview room")
    fake_discord.join_voice(cast.ada, room)
    await eventually(lambda: bot.get_channel(room.id) is not None)
    channel = bot.get_channel(room.id)
    assert isinstance(channel, discord.VoiceChannel)
    before = {t.name for t in threading.enumerate()}
    for _ in range(ROUNDS):
        vc = await channel.connect(cls=DaveVoiceRecvClient, timeout=5)
        assert isinstance(vc, DaveVoiceRecvClient)
        await fake_discord.wait_voice_ready()
        frames: list[VoiceFrame] = []
        vc.listen(PcmSink(on_loop(asyncio.get_running_loop(), frames.append)))
        assert len(receive_threads()) >= 2  # the timer and the keep-alive are running
        await fake_discord.voice_speak(cast.ada, tone(0.3, 440))
        await eventually(frames.__len__)  # heard: the speaking timer has had work
        vc.stop_listening()
        await vc.disconnect()
        await eventually(lambda: fake_discord.voice_session() is None)
        await eventually(lambda: receive_threads() == [], timeout=5)
    await eventually(lambda: new_threads(before) == set(), timeout=5)


def new_threads(before: set[str]) -> set[str]:
    """Threads started since `before`, apart from asyncio's pooled workers (bounded)."""
    now = {t.name for t in threading.enumerate()}
    fresh = {name.split(":")[0] for name in now - before}
    return {name for name in fresh if not name.startswith(POOLED)}
