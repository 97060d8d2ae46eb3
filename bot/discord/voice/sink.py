"""PcmSink: received voice as 20 ms PCM frames per user, handed to a callback.

The sink asks voice_recv for Opus and decodes it here, one decoder per stream: voice_recv's own
decoding runs on its router thread, and one corrupt frame there (an OpusError) ends that thread
and with it all receiving. Here a bad frame is dropped and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord.opus
from discord.ext import voice_recv

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceFrame:
    """20 ms of one user's voice: 48 kHz stereo signed 16-bit little-endian PCM."""

    user_id: int
    pcm: bytes
    concealed: bool = False  # made up by the decoder for a packet that never arrived


FrameHandler = Callable[[VoiceFrame], None]


def on_loop(loop: asyncio.AbstractEventLoop, handler: FrameHandler) -> FrameHandler:
    """A FrameHandler that runs `handler` on `loop` (the sink calls from a receive thread)."""

    def forward(frame: VoiceFrame) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
            loop.call_soon_threadsafe(handler, frame)

    return forward


class PcmSink(voice_recv.AudioSink):
    """Hands every user's decoded frames to `on_frame`; the bot's own voice is ignored.

    `on_frame` is called on voice_recv's router thread: it must be quick and thread-safe
    (wrap an event-loop handler with `on_loop`).
    """

    def __init__(self, on_frame: FrameHandler) -> None:
        super().__init__()
        self._on_frame = on_frame
        self._decoders: dict[int, discord.opus.Decoder] = {}
        self.undecodable = 0  # frames that were not valid Opus: dropped

    def wants_opus(self) -> bool:
        """Yes: decoding happens in write(), where a bad frame cannot stop the router."""
        return True

    def write(self, user: Any, data: Any) -> None:
        """One packet (or a lost one) from voice_recv's router thread."""
        user_id = self._user_id(user, data.packet.ssrc)
        if user_id is None:
            return
        pcm = self._decode(data.packet)
        if pcm is None:
            return
        try:
            self._on_frame(VoiceFrame(user_id, pcm, concealed=not data.packet))
        except Exception:
            log.exception("the voice frame handler failed")

    def cleanup(self) -> None:
        """Forget the decoders (voice_recv calls this when listening stops)."""
        self._decoders.clear()

    def _user_id(self, user: Any, ssrc: int) -> int | None:
        """Who sent this stream (None for the bot itself or an ssrc no SPEAKING named yet)."""
        client = self.voice_client
        if client is None:
            return None
        user_id = user.id if user is not None else client._get_id_from_ssrc(ssrc)
        me = client.user
        if user_id is None or (me is not None and user_id == me.id):
            return None
        return int(user_id)

    def _decode(self, packet: Any) -> bytes | None:
        decoder = self._decoders.get(packet.ssrc)
        if decoder is None:
            decoder = self._decoders[packet.ssrc] = discord.opus.Decoder()  # type: ignore[no-untyped-call]
        opus = packet.decrypted_data if packet else None  # a lost packet: conceal it
        try:
            return decoder.decode(opus, fec=False)
        except discord.opus.OpusError as exc:
            self.undecodable += 1
            log.debug("undecodable Opus frame from ssrc %s dropped: %s", packet.ssrc, exc)
            return None
