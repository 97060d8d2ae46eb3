"""The real bot in voice on the fake Discord: it plays audio the fake hears, it hears a user the
fake speaks as (through DaveVoiceRecvClient and PcmSink), and joining can fail."""

from __future__ import annotations

import asyncio
import io
import subprocess
from pathlib import Path

import aiohttp
import discord
import numpy as np
import pytest

from bot.app import App
from bot.discord.client import InterviewBot
from bot.discord.voice import DaveVoiceRecvClient, PcmSink, VoiceFrame, on_loop
from bot.speech.audio import load_audio, to_discord_pcm
from tests.e2e.conftest import Cast, eventually
from tests.harness import FakeDiscord
from tests.harness.fixtures import connect_bot, disconnect_bot
from tests.harness.rtp import FRAME_SECONDS, SAMPLE_RATE, seconds_of

TRAILING_SILENCE = 5  # Opus silence frames voice_speak sends after the speech


def tone(seconds: float, hz: float) -> bytes:
    """A sine tone as Discord PCM (48 kHz stereo s16le)."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    mono = (0.5 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    return np.repeat(mono, 2).tobytes()


def dominant_hz(pcm: bytes) -> float:
    """The strongest frequency in Discord PCM (channels averaged)."""
    stereo = np.frombuffer(pcm, dtype="<i2").reshape(-1, 2).astype(np.float64)
    mono = stereo.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.argmax(spectrum) * SAMPLE_RATE / len(mono))


def spoken(tmp_path: Path, sentence: str) -> bytes:
    """`sentence` said by espeak-ng, as Discord PCM."""
    wav = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), sentence], check=True, capture_output=True)
    return to_discord_pcm(load_audio(wav), 16_000)


async def join(bot: InterviewBot, room_id: int) -> DaveVoiceRecvClient:
    """What a cog would do: connect to the voice channel with our receive client."""
    await eventually(lambda: bot.get_channel(room_id) is not None)  # its CHANNEL_CREATE
    channel = bot.get_channel(room_id)
    assert isinstance(channel, discord.VoiceChannel)
    vc = await channel.connect(cls=DaveVoiceRecvClient, timeout=5)
    assert isinstance(vc, DaveVoiceRecvClient)
    return vc


async def test_the_fake_hears_what_the_bot_plays(
    fake_discord: FakeDiscord, bot: InterviewBot
) -> None:
    room = fake_discord.add_voice_channel("interview room")
    vc = await join(bot, room.id)
    session = await fake_discord.wait_voice_ready()
    assert session.mode == "aead_xchacha20_poly1305_rtpsize"
    assert session.max_dave_protocol_version == 1  # discord.py offers DAVE; the fake says 0
    assert str(fake_discord.voice.requests[0]["channel_id"]) == str(room.id)

    vc.play(discord.PCMAudio(io.BytesIO(tone(1.0, 440))))
    heard = await fake_discord.wait_for_audio(1.0)
    await eventually(lambda: session.silence_frames >= 5)  # discord.py's end-of-speech frames

    assert seconds_of(fake_discord.captured_pcm()) == pytest.approx(1.0, abs=0.03)
    assert dominant_hz(heard) == pytest.approx(440, abs=3)
    assert any(s["speaking"] for s in session.speaking())  # op 5 before the audio
    await vc.disconnect()
    await eventually(lambda: session.closed)
    assert fake_discord.voice.requests[-1]["channel_id"] is None
    assert fake_discord.voice_session() is None


async def test_the_bot_hears_a_user_and_not_itself(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, tmp_path: Path
) -> None:
    room = fake_discord.add_voice_channel("interview room")
    fake_discord.join_voice(cast.ada, room)
    vc = await join(bot, room.id)
    await fake_discord.wait_voice_ready()
    frames: list[VoiceFrame] = []
    vc.listen(PcmSink(on_loop(asyncio.get_running_loop(), frames.append)))
    speech = spoken(tmp_path, "Regularisation trades a little bias for less variance.")

    sent = await fake_discord.voice_speak(cast.ada, speech)
    expected = sent * FRAME_SECONDS
    await eventually(lambda: len(frames) * FRAME_SECONDS >= expected - 0.1)
    assert bot.user is not None
    await fake_discord.voice_speak(bot.user.id, tone(0.3, 440))  # as if the bot spoke
    await asyncio.sleep(0.2)

    assert {f.user_id for f in frames} == {cast.ada.id}
    real = [f for f in frames if not f.concealed]
    assert len(real) * FRAME_SECONDS == pytest.approx(expected, abs=0.1)
    heard = b"".join(f.pcm for f in real)[: len(speech)]
    assert np.corrcoef(_envelope(heard), _envelope(speech))[0, 1] > 0.9
    assert vc.receive_stats.dropped == 0
    await vc.disconnect()


async def test_a_speaker_leaving_before_the_bot_listens_does_not_deafen_it(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    room = fake_discord.add_voice_channel("interview room")
    fake_discord.join_voice(cast.ada, room)
    vc = await join(bot, room.id)
    await fake_discord.wait_voice_ready()
    await fake_discord.voice_speak(cast.ada, tone(0.1, 300))  # op 5 ties ada to an ssrc
    fake_discord.leave_voice(cast.ada)  # voice op 13 while nobody listens
    await eventually(lambda: vc._get_ssrc_from_id(cast.ada.id) is None)  # the bot read it

    fake_discord.join_voice(cast.bob, room)
    frames: list[VoiceFrame] = []
    vc.listen(PcmSink(on_loop(asyncio.get_running_loop(), frames.append)))
    await fake_discord.voice_speak(cast.bob, tone(0.3, 300))  # bob's op 5 must still be read
    await eventually(lambda: len(frames) >= 15)
    assert {f.user_id for f in frames} == {cast.bob.id}  # ada's queued audio: no longer hers
    await vc.disconnect()


def _envelope(pcm: bytes) -> np.ndarray:
    """Loudness per 20 ms frame, to compare speech before and after Opus."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    frames = samples[: len(samples) // 1920 * 1920].reshape(-1, 1920)
    return np.sqrt((frames**2).mean(axis=1))


async def test_voice_states_reach_the_bots_cache(
    fake_discord: FakeDiscord, cast: Cast, app: App
) -> None:
    room = fake_discord.add_voice_channel("interview room")
    fake_discord.join_voice(cast.ada, room)  # before the bot connects: in GUILD_CREATE
    bot = InterviewBot(app, connector=fake_discord.voice_connector())
    await connect_bot(bot, fake_discord)
    channel = bot.get_channel(room.id)
    assert isinstance(channel, discord.VoiceChannel)
    assert set(channel.voice_states) == {cast.ada.id}

    fake_discord.join_voice(cast.bob, room)
    await eventually(lambda: set(channel.voice_states) == {cast.ada.id, cast.bob.id})
    fake_discord.leave_voice(cast.ada)
    await eventually(lambda: set(channel.voice_states) == {cast.bob.id})
    assert [m.id for m in channel.members] == [cast.bob.id]
    await disconnect_bot(bot, fake_discord)


async def test_joining_fails_at_once_when_the_voice_server_refuses(
    fake_discord: FakeDiscord, bot: InterviewBot
) -> None:
    room = fake_discord.add_voice_channel("interview room")
    fake_discord.break_voice("refuse")
    with pytest.raises(aiohttp.ClientConnectorError):  # discord.py lets aiohttp's error out
        await join(bot, room.id)
    assert bot.voice_clients == []


async def test_joining_times_out_without_a_voice_server(
    fake_discord: FakeDiscord, bot: InterviewBot
) -> None:
    room = fake_discord.add_voice_channel("interview room")
    fake_discord.break_voice("no_voice_server")
    await eventually(lambda: bot.get_channel(room.id) is not None)
    channel = bot.get_channel(room.id)
    assert isinstance(channel, discord.VoiceChannel)
    with pytest.raises(TimeoutError):
        await channel.connect(cls=DaveVoiceRecvClient, timeout=0.5)
    assert bot.voice_clients == []
