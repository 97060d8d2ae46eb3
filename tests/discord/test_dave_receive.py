"""The DAVE step of voice receive, on real packets through the real voice_recv reader.

A fake Discord cannot run DAVE's MLS group, so a stand-in plays `davey.DaveSession.decrypt`:
it "decrypts" frames made by `dave_wrap` for the users it has keys for and raises otherwise.
Everything else is real: packets sealed in Discord's rtpsize mode, voice_recv's RTP parsing,
transport decryption, jitter buffer and router threads, and libopus.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import davey
import discord
import discord.opus
import numpy as np
import pytest

from bot.discord.voice import DaveAudioReader, DaveVoiceRecvClient, PcmSink, VoiceFrame
from bot.discord.voice.receive import DAVE_MARKER, ReceiveStats, dave_decrypt, strip_padding
from tests.harness.rtp import (
    FRAME_SAMPLES,
    MODE,
    OPUS_SILENCE,
    SAMPLE_RATE,
    RtpPacket,
    discovery_reply,
    pcm_frames,
    seal,
)
from tests.harness.voice import VOICE, VoiceChannel
from tests.harness.world import World

ADA, BOB = 101, 102  # users in the channel
TAG = b"E2E"


def dave_wrap(opus: bytes) -> bytes:
    """A frame as the stand-in session expects it: tag, scrambled Opus, size byte, marker."""
    return TAG + bytes(b ^ 0x5A for b in opus) + b"\x03" + DAVE_MARKER


class StandInDave:
    """Plays davey.DaveSession.decrypt for the users it holds keys for."""

    def __init__(self, users: set[int]) -> None:
        self.users = users
        self.calls: list[tuple[int, davey.MediaType]] = []

    def decrypt(self, user_id: int, media_type: davey.MediaType, packet: bytes) -> bytes:
        self.calls.append((user_id, media_type))
        if user_id not in self.users or not packet.startswith(TAG):
            raise ValueError("DecryptionFailed(NoValidCryptorFound)")
        return bytes(b ^ 0x5A for b in packet[len(TAG) : -len(DAVE_MARKER) - 1])


def tone_opus(frames: int, hz: float = 440) -> list[bytes]:
    """`frames` 20 ms Opus frames of a sine tone."""
    t = np.arange(frames * FRAME_SAMPLES) / SAMPLE_RATE
    mono = (0.5 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    encoder = discord.opus.Encoder()
    return [encoder.encode(f, FRAME_SAMPLES) for f in pcm_frames(np.repeat(mono, 2).tobytes())]


def dominant_hz(pcm: bytes) -> float:
    mono = np.frombuffer(pcm, dtype="<i2").reshape(-1, 2).mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.argmax(spectrum) * SAMPLE_RATE / len(mono))


class Sender:
    """One user's RTP stream into the bot, sealed with the connection's secret key."""

    def __init__(self, key: bytes, ssrc: int) -> None:
        self.key, self.ssrc = key, ssrc
        self.sequence, self.timestamp, self.nonce = 40_000, 123_456, 7

    def packet(self, payload: bytes, *, padding: int = 0) -> bytes:
        packet = RtpPacket(self.sequence, self.timestamp, self.ssrc, payload)
        self.sequence, self.timestamp = self.sequence + 1, self.timestamp + FRAME_SAMPLES
        self.nonce += 1
        return seal(self.key, packet, self.nonce, padding=padding)


# -- the DAVE step alone ----------------------------------------------------------------------


def test_a_dave_frame_is_decrypted_to_opus_that_decodes() -> None:
    opus = tone_opus(1)[0]
    session, stats = StandInDave({ADA}), ReceiveStats()

    clear = dave_decrypt(session, ADA, dave_wrap(opus), stats)

    assert clear == opus
    assert session.calls == [(ADA, davey.MediaType.audio)]
    assert clear is not None
    assert len(discord.opus.Decoder().decode(clear, fec=False)) == FRAME_SAMPLES * 4
    assert stats == ReceiveStats(decrypted=1)


def test_a_frame_without_the_dave_marker_passes_through() -> None:
    session, stats = StandInDave({ADA}), ReceiveStats()

    assert dave_decrypt(session, ADA, OPUS_SILENCE, stats) == OPUS_SILENCE
    assert session.calls == []
    assert stats == ReceiveStats(passthrough=1)


def test_a_failed_decrypt_is_counted_and_dropped() -> None:
    session, stats = StandInDave({ADA}), ReceiveStats()
    frame = dave_wrap(b"\x78\x01\x02")

    assert dave_decrypt(session, BOB, frame, stats) is None  # no key for bob
    assert dave_decrypt(session, None, frame, stats) is None  # ssrc not tied to a user yet
    assert stats == ReceiveStats(failed=2)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [(b"opus\x00\x00\x03", b"opus"), (b"opus\x01", b"opus"), (b"opus\x00", None), (b"\x09", None)],
)
def test_rtp_padding(payload: bytes, expected: bytes | None) -> None:
    assert strip_padding(payload) == expected


# -- the reader, on a voice client as the handshake leaves it -----------------------------------


class Received:
    """A PcmSink handler that collects frames from the router thread."""

    def __init__(self) -> None:
        self.frames: list[VoiceFrame] = []
        self._lock = threading.Lock()

    def __call__(self, frame: VoiceFrame) -> None:
        with self._lock:
            self.frames.append(frame)

    def wait_for(self, count: int, timeout: float = 3) -> list[VoiceFrame]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.frames) >= count:
                    return list(self.frames)
            time.sleep(0.01)
        raise AssertionError(f"{len(self.frames)} frames arrived, wanted {count}")


@pytest.fixture
def voice_client() -> Iterator[DaveVoiceRecvClient]:
    """A real DaveVoiceRecvClient on a guild built from the fake's payloads, state as after a
    handshake with DAVE on: secret key, mode, a DAVE session, ada's and bob's ssrcs."""
    world = World()
    guild = world.add_guild()
    room = VoiceChannel(world.ids.next(), "room", VOICE, guild)
    guild.channels.append(room)
    client = discord.Client(intents=discord.Intents(guilds=True, voice_states=True))
    state = client._connection
    state.user = discord.ClientUser(state=state, data=world.bot_user.payload())  # type: ignore[arg-type]
    channel = discord.Guild(data=guild.create_payload(), state=state).get_channel(room.id)  # type: ignore[arg-type]
    assert isinstance(channel, discord.VoiceChannel)
    vc = DaveVoiceRecvClient(client, channel)
    connection = vc._connection
    connection.secret_key = list(os.urandom(32))
    connection.mode = MODE
    connection.dave_protocol_version = 1
    connection.dave_session = StandInDave({ADA, BOB})  # type: ignore[assignment]
    vc._add_ssrc(ADA, 5001)
    vc._add_ssrc(BOB, 5002)
    vc._add_ssrc(world.bot_user.id, 5003)
    yield vc
    connection._socket_reader.stop()


@pytest.fixture
def received(voice_client: DaveVoiceRecvClient) -> Iterator[tuple[DaveAudioReader, Received]]:
    """A started DaveAudioReader feeding a PcmSink; stopped afterwards."""
    handler = Received()
    reader = DaveAudioReader(PcmSink(handler), voice_client, stats=voice_client.receive_stats)
    reader.start()
    yield reader, handler
    reader.stop()


def feed(reader: DaveAudioReader, packets: list[bytes]) -> None:
    """Hand datagrams to the reader as discord.py's socket thread does, ~1 per 3 ms."""
    for data in packets:
        reader.callback(data)
        time.sleep(0.003)


def key_of(vc: DaveVoiceRecvClient) -> bytes:
    return bytes(vc._connection.secret_key)


def test_dave_frames_reach_the_sink_as_ada_speaking(
    voice_client: DaveVoiceRecvClient, received: tuple[DaveAudioReader, Received]
) -> None:
    reader, handler = received
    ada = Sender(key_of(voice_client), 5001)
    frames = tone_opus(25)

    feed(reader, [ada.packet(dave_wrap(f), padding=4 * (i % 3 == 0)) for i, f in enumerate(frames)])
    feed(reader, [ada.packet(OPUS_SILENCE)])  # the jitter buffer holds the newest packet back

    heard = handler.wait_for(25)
    assert {f.user_id for f in heard} == {ADA}
    assert not any(f.concealed for f in heard)
    assert dominant_hz(b"".join(f.pcm for f in heard[5:25])) == pytest.approx(440, abs=5)
    assert voice_client.receive_stats == ReceiveStats(decrypted=25, passthrough=1)


def test_failures_and_garbage_are_dropped_and_receive_goes_on(
    voice_client: DaveVoiceRecvClient, received: tuple[DaveAudioReader, Received]
) -> None:
    reader, handler = received
    key = key_of(voice_client)
    ada, bob = Sender(key, 5001), Sender(key, 5002)
    stranger, wrong_key = Sender(key, 5999), Sender(os.urandom(32), 5001)
    opus = tone_opus(10)
    garbage = [
        b"",
        b"\x80",
        os.urandom(11),
        discovery_reply(5001, "127.0.0.1", 50000),
        b"\x80\xc8" + os.urandom(30),  # RTCP-shaped, fails transport decryption
        b"\x80\x78" + os.urandom(60),  # RTP-shaped, fails transport decryption
        wrong_key.packet(dave_wrap(opus[0])),
        stranger.packet(dave_wrap(opus[0])),  # no user for this ssrc: DAVE cannot decrypt
        bob.packet(b"E2X" + opus[0] + b"\x03" + DAVE_MARKER),  # the session rejects it
        ada.packet(dave_wrap(b"\x03")),  # decrypts, but is not Opus: the sink drops it
    ]
    feed(reader, garbage)
    feed(reader, [ada.packet(dave_wrap(f)) for f in opus] + [ada.packet(OPUS_SILENCE)])

    heard = [f for f in handler.wait_for(10) if not f.concealed]
    assert len(heard) >= 10
    assert {f.user_id for f in heard} == {ADA}
    stats = voice_client.receive_stats
    assert (stats.decrypted, stats.failed) == (11, 2)
    assert stats.dropped == 5  # three too short, the RTP-shaped noise, the wrong key
    assert reader.sink.undecodable == 1  # the frame that was not Opus
    assert reader.is_listening()


def test_the_bots_own_ssrc_is_not_heard(
    voice_client: DaveVoiceRecvClient, received: tuple[DaveAudioReader, Received]
) -> None:
    reader, handler = received
    key = key_of(voice_client)
    me, bob = Sender(key, 5003), Sender(key, 5002)
    opus = tone_opus(5)

    feed(reader, [me.packet(f) for f in opus] + [bob.packet(dave_wrap(f)) for f in opus])
    feed(reader, [bob.packet(OPUS_SILENCE)])

    assert {f.user_id for f in handler.wait_for(5)} == {BOB}


def test_without_dave_frames_skip_the_dave_step(
    voice_client: DaveVoiceRecvClient, received: tuple[DaveAudioReader, Received]
) -> None:
    reader, handler = received
    voice_client._connection.dave_protocol_version = 0  # as against the fake Discord
    ada = Sender(key_of(voice_client), 5001)

    feed(reader, [ada.packet(f) for f in [*tone_opus(5), OPUS_SILENCE]])

    assert len(handler.wait_for(5)) >= 5
    assert voice_client.receive_stats == ReceiveStats()
