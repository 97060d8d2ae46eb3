"""One bot voice connection in the fake voice server: its websocket link, its handshake
state, the audio it sent (decoded), and the RTP streams of users speaking into it."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import discord.opus
from aiohttp import web

from .rtp import OPUS_SILENCE, RtpPacket
from .world import Json

SPEAKING = 5


@dataclass(eq=False)
class Link:
    """One voice websocket; payloads go out in order through a writer task."""

    ws: web.WebSocketResponse
    queue: asyncio.Queue[Json | None] = field(default_factory=asyncio.Queue)
    seq: int = 0

    def send(self, op: int, data: Any) -> None:
        self.seq += 1
        self.queue.put_nowait({"op": op, "d": data, "seq": self.seq})

    async def write_loop(self) -> None:
        while (item := await self.queue.get()) is not None:
            if self.ws.closed:
                return
            await self.ws.send_str(json.dumps(item))


@dataclass(eq=False)
class Stream:
    """RTP state of one user's injected audio (kept across utterances, as a client does)."""

    ssrc: int
    sequence: int = field(default_factory=lambda: secrets.randbelow(1 << 16))
    timestamp: int = field(default_factory=lambda: secrets.randbelow(1 << 32))
    nonce: int = 0


@dataclass(eq=False)
class VoiceSession:
    """One bot voice connection: its handshake, its audio in, and the websocket to speak on."""

    guild_id: int
    channel_id: int
    user_id: int
    session_id: str
    token: str
    ssrc: int = 0
    mode: str | None = None
    secret_key: bytes = b""
    max_dave_protocol_version: int | None = None
    bot_address: tuple[str, int] | None = None
    received: list[Json] = field(default_factory=list)  # every payload the bot sent on the ws
    opus: list[bytes] = field(default_factory=list)  # every audio payload, decrypted
    pcm: bytearray = field(default_factory=bytearray)  # decoded audio, silence frames left out
    silence_frames: int = 0
    undecryptable: int = 0
    keepalives: int = 0
    closed: bool = False
    link: Link | None = None
    _decoder: discord.opus.Decoder | None = None

    @property
    def ready(self) -> bool:
        """Handshake done: the bot has its key and the fake knows where to send audio."""
        return bool(self.secret_key) and self.bot_address is not None and not self.closed

    def speaking(self) -> list[Json]:
        """The bot's op 5 SPEAKING payloads."""
        return [p["d"] for p in self.received if p.get("op") == SPEAKING]

    def take_audio(self, packet: RtpPacket) -> None:
        self.opus.append(packet.payload)
        if packet.payload == OPUS_SILENCE:
            self.silence_frames += 1
            return
        if self._decoder is None:
            self._decoder = discord.opus.Decoder()
        try:
            self.pcm += self._decoder.decode(packet.payload, fec=False)
        except discord.opus.OpusError:
            self.undecryptable += 1
