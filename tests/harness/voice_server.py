"""The machinery behind the fake voice server: gateway op 4, the TLS voice websocket, UDP.

See `tests/harness/voice.py` for the API a test uses. One `VoiceSession` per bot voice
connection (a guild), from the bot's op 4 until its voice websocket closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import secrets
import socket
from collections.abc import Callable
from typing import Literal

import discord.opus
from aiohttp import WSMsgType, web
from nacl.exceptions import CryptoError

from .rtp import (
    FRAME_SAMPLES,
    MODE,
    OPUS_SILENCE,
    RtpPacket,
    discovery_reply,
    discovery_ssrc,
    open_packet,
    pcm_frames,
    seal,
    ssrc_of,
)
from .tls import LOOPBACK, SelfSigned
from .voice_session import SPEAKING, Link, Stream, VoiceSession
from .world import Guild, Json, Member, World

# Ways to make joining voice fail: Discord never names a voice server (the bot waits for its
# own timeout), or it names one that refuses the connection (connect() fails at once).
VoiceFault = Literal["no_voice_server", "refuse"]

HELLO, IDENTIFY, SELECT_PROTOCOL, READY, HEARTBEAT = 8, 0, 1, 2, 3
SESSION_DESCRIPTION, HEARTBEAT_ACK = 4, 6
CLIENTS_CONNECT, CLIENT_DISCONNECT = 11, 13
CLOSE_AUTH_FAILED, CLOSE_UNKNOWN_MODE = 4004, 4016
MODES = [MODE, "aead_aes256_gcm_rtpsize"]  # discord.py picks the first one it supports
HEARTBEAT_INTERVAL_MS = 13_750.0
KEEPALIVE_SIZE = 8  # voice_recv's UDP keepalive: an 8-byte counter


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, tuple[str, int]], None]) -> None:
        self.on_datagram = on_datagram

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.on_datagram(data, addr)


class VoiceServer:
    """Voice for a FakeDiscord: answers op 4, runs the voice websocket (TLS) and the UDP port."""

    def __init__(
        self,
        world: World,
        dispatch: Callable[[str, Json], int | None],
        notify: Callable[[], None],
        gateway_session: Callable[[], str | None],
    ) -> None:
        self.world = world
        self._dispatch = dispatch
        self._notify = notify
        self._gateway_session = gateway_session
        self.tls = SelfSigned.for_loopback()
        self.ws_port = 0
        self.udp_port = 0
        self.requests: list[Json] = []  # every op 4 the bot sent (joins, moves, leaves)
        self.sessions: list[VoiceSession] = []
        self.fault: VoiceFault | None = None
        self.stray_packets = 0  # UDP packets for no known session
        self._pending: dict[str, VoiceSession] = {}
        self._by_ssrc: dict[int, VoiceSession] = {}
        self._streams: dict[int, Stream] = {}  # user id -> their injected RTP stream
        self._ssrcs = itertools.count(1000 + secrets.randbelow(1000))
        self._udp: asyncio.DatagramTransport | None = None
        self._runner: web.AppRunner | None = None
        self._links: set[tuple[Link, asyncio.Task[None]]] = set()

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, 0, ssl_context=self.tls.server_context())
        await site.start()
        self.ws_port = self._runner.addresses[0][1]
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self._on_datagram), local_addr=(LOOPBACK, 0)
        )
        self._udp = transport
        self.udp_port = transport.get_extra_info("sockname")[1]

    async def close(self) -> None:
        for link, _ in list(self._links):
            await link.ws.close(code=1001, message=b"fake discord shutting down")
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- voice states (gateway side) ----------------------------------------------------
    def set_voice_state(
        self,
        guild: Guild,
        member: Member,
        channel_id: int | None,
        *,
        session_id: str | None = None,
        self_mute: bool = False,
        self_deaf: bool = False,
    ) -> Json:
        """Record where a member is in voice and dispatch VOICE_STATE_UPDATE."""
        previous = guild.voice_states.get(member.id)
        state: Json = {
            "channel_id": None if channel_id is None else str(channel_id),
            "user_id": str(member.id),
            "session_id": session_id or (previous or {}).get("session_id") or secrets.token_hex(16),
            "deaf": False,
            "mute": False,
            "self_deaf": self_deaf,
            "self_mute": self_mute,
            "self_video": False,
            "self_stream": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
        }
        if channel_id is None:
            guild.voice_states.pop(member.id, None)
        else:
            guild.voice_states[member.id] = state
        event = state | {"guild_id": str(guild.id), "member": member.payload()}
        self._dispatch("VOICE_STATE_UPDATE", event)
        self._tell_bot_sessions(guild, member.id, previous, channel_id)
        self._notify()
        return event

    def _tell_bot_sessions(
        self, guild: Guild, user_id: int, previous: Json | None, channel_id: int | None
    ) -> None:
        """Voice op 11 / op 13 to the bot's voice connection when someone joins or leaves it."""
        before = int(previous["channel_id"]) if previous else None
        for session in self.live_sessions(guild.id):
            if user_id == session.user_id or session.link is None:
                continue
            if channel_id == session.channel_id != before:
                session.link.send(CLIENTS_CONNECT, {"user_ids": [str(user_id)]})
            elif before == session.channel_id != channel_id:
                session.link.send(CLIENT_DISCONNECT, {"user_id": str(user_id)})

    def on_voice_state_request(self, data: Json) -> None:
        """Gateway op 4 from the bot: join, move or leave a voice channel."""
        self.requests.append(data)
        guild = next((g for g in self.world.guilds if str(g.id) == str(data["guild_id"])), None)
        me = None if guild is None else guild.members.get(self.world.bot_user.id)
        if guild is None or me is None:
            return
        channel_id = None if data.get("channel_id") is None else int(data["channel_id"])
        session_id = self._gateway_session() or secrets.token_hex(16)
        mute, deaf = bool(data.get("self_mute")), bool(data.get("self_deaf"))
        live = next(iter(self.live_sessions(guild.id)), None)
        if channel_id is not None and live is not None:
            live.channel_id = channel_id  # a move: same voice server, nothing else to say
        elif live is not None:
            live.closed = True  # the bot left; a join from now on gets a new voice server
        self.set_voice_state(
            guild, me, channel_id, session_id=session_id, self_mute=mute, self_deaf=deaf
        )
        if channel_id is None or live is not None or self.fault == "no_voice_server":
            return
        token = secrets.token_hex(8)
        session = VoiceSession(guild.id, channel_id, me.id, session_id, token)
        self._pending[token] = session
        port = _closed_port() if self.fault == "refuse" else self.ws_port
        endpoint = f"{LOOPBACK}:{port}"
        event = {"token": token, "guild_id": str(guild.id), "endpoint": endpoint}
        self._dispatch("VOICE_SERVER_UPDATE", event)

    def live_sessions(self, guild_id: int | None = None) -> list[VoiceSession]:
        """Voice connections whose websocket is open, newest first."""
        return [
            s
            for s in reversed(self.sessions)
            if not s.closed and (guild_id is None or s.guild_id == guild_id)
        ]

    # -- the voice websocket ------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        link = Link(ws)
        writer = asyncio.create_task(link.write_loop())
        entry = (link, writer)
        self._links.add(entry)
        link.send(HELLO, {"v": 8, "heartbeat_interval": HEARTBEAT_INTERVAL_MS})
        session: VoiceSession | None = None
        try:
            async for msg in ws:
                if msg.type is WSMsgType.BINARY and session is not None:
                    session.received.append({"binary": bytes(msg.data)})
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                session = await self._on_payload(link, session, payload)
                if session is not None:
                    session.received.append(payload)
                self._notify()
        finally:
            if session is not None:
                session.closed, session.link = True, None
            self._links.discard(entry)
            link.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await writer
            self._notify()
        return ws

    async def _on_payload(
        self, link: Link, session: VoiceSession | None, payload: Json
    ) -> VoiceSession | None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == HEARTBEAT:
            link.send(HEARTBEAT_ACK, {"t": data.get("t")})
        elif op == IDENTIFY:
            session = self._identify(link, data)
            if session is None:
                await link.ws.close(code=CLOSE_AUTH_FAILED, message=b"Authentication failed")
        elif op == SELECT_PROTOCOL and session is not None:
            await self._select_protocol(link, session, data)
        return session

    def _identify(self, link: Link, data: Json) -> VoiceSession | None:
        session = self._pending.pop(str(data.get("token")), None)
        if session is None or data.get("session_id") != session.session_id:
            return None
        if (str(data.get("user_id")), str(data.get("server_id"))) != (
            str(session.user_id),
            str(session.guild_id),
        ):
            return None
        session.ssrc = next(self._ssrcs)
        session.max_dave_protocol_version = data.get("max_dave_protocol_version")
        session.link = link
        self.sessions.append(session)
        self._by_ssrc[session.ssrc] = session
        ready = {"ssrc": session.ssrc, "ip": LOOPBACK, "port": self.udp_port, "modes": MODES}
        link.send(READY, ready | {"experiments": [], "streams": []})
        return session

    async def _select_protocol(self, link: Link, session: VoiceSession, data: Json) -> None:
        mode = (data.get("data") or {}).get("mode")
        if mode != MODE:
            await link.ws.close(code=CLOSE_UNKNOWN_MODE, message=b"Unknown encryption mode")
            return
        session.mode = mode
        session.secret_key = os.urandom(32)
        description = {
            "mode": mode,
            "secret_key": list(session.secret_key),
            "dave_protocol_version": 0,  # the fake cannot be DAVE's MLS external sender
            "audio_codec": "opus",
            "video_codec": "H264",
            "media_session_id": secrets.token_hex(16),
        }
        link.send(SESSION_DESCRIPTION, description)
        guild = next(g for g in self.world.guilds if g.id == session.guild_id)
        here = [
            uid
            for uid, state in guild.voice_states.items()
            if state["channel_id"] == str(session.channel_id) and uid != session.user_id
        ]
        if here:
            link.send(CLIENTS_CONNECT, {"user_ids": [str(u) for u in here]})

    # -- UDP ----------------------------------------------------------------------------
    def _on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        ssrc = discovery_ssrc(data)
        if ssrc is not None:
            session = self._by_ssrc.get(ssrc)
            if session is not None and self._udp is not None:
                session.bot_address = addr
                self._udp.sendto(discovery_reply(ssrc, addr[0], addr[1]), addr)
                self._notify()
            return
        if len(data) == KEEPALIVE_SIZE:
            for session in self.sessions:
                if session.bot_address == addr:
                    session.keepalives += 1
            return
        session = self._by_ssrc.get(ssrc_of(data) or -1)
        if session is None or not session.secret_key:
            self.stray_packets += 1
            return
        try:
            packet = open_packet(session.secret_key, data)
        except (CryptoError, ValueError):
            session.undecryptable += 1
            return
        session.take_audio(packet)
        self._notify()

    # -- speaking into the bot's connection ---------------------------------------------
    async def speak(
        self,
        session: VoiceSession,
        user_id: int,
        pcm: bytes,
        *,
        interval: float,
        lead_in: float,
        trailing_silence: int,
        padding: int,
    ) -> int:
        """Op 5 for `user_id`, then `pcm` as paced, encrypted Opus RTP to the bot; frame count."""
        if not session.ready or session.link is None or self._udp is None:
            raise RuntimeError("the bot's voice connection is not ready (no key or address)")
        assert session.bot_address is not None
        stream = self._streams.get(user_id)
        if stream is None:
            stream = self._streams[user_id] = Stream(next(self._ssrcs))
        speaking = {"user_id": str(user_id), "ssrc": stream.ssrc, "speaking": 1}
        session.link.send(SPEAKING, speaking)
        encoder = discord.opus.Encoder()
        frames = [encoder.encode(f, FRAME_SAMPLES) for f in pcm_frames(pcm)]
        frames += [OPUS_SILENCE] * trailing_silence
        await asyncio.sleep(lead_in)  # real clients say op 5 before the audio, too
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index, opus in enumerate(frames):
            delay = start + index * interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            packet = RtpPacket(stream.sequence, stream.timestamp, stream.ssrc, opus, index == 0)
            data = seal(session.secret_key, packet, stream.nonce, padding=padding)
            self._udp.sendto(data, session.bot_address)
            stream.sequence = (stream.sequence + 1) & 0xFFFF
            stream.timestamp = (stream.timestamp + FRAME_SAMPLES) & 0xFFFFFFFF
            stream.nonce += 1
        return len(frames)


def _closed_port() -> int:
    """A loopback TCP port with nothing listening on it (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])
