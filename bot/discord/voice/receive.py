"""Receiving voice under DAVE: transport decryption, then the end-to-end (DAVE) layer.

discord-ext-voice-recv 0.5.2a179 removes only the transport encryption, so with DAVE active the
"Opus" it decodes is still end-to-end encrypted. `DaveAudioReader` takes over the socket
callback: RTP header, transport decryption (voice_recv's own decryptor), RTP padding (which
voice_recv leaves on), then `dave_session.decrypt(user_id, MediaType.audio, payload)` before the
packet goes on to voice_recv's jitter buffer and the sink. A frame that fails any step is
dropped and counted; nothing here raises into discord.py's socket thread.

Two of voice_recv's threads outlive the reader that started them, one pair per voice session:
`SpeakingTimer.run` goes back to waiting on its event after `stop()` has pulsed it, without
looking at its stop flag again, and `UDPKeepAlive` sleeps 5,000 s between packets with
`time.sleep`, so `stop()` reaches it only after that. `_SpeakingTimer` leaves its event set once
stopped (every later wait returns at once and the loop sees the flag); `_KeepAlive` sleeps on
its stop event, so it ends the moment it is stopped. discord.py's own socket reader is told to
stop on disconnect while it sits in a 30 s `select()` on the socket being closed, which does not
wake it; `DaveVoiceRecvClient.disconnect` stops it first and wakes it by shutting the socket's
reading side.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import davey
import discord
from discord.ext import voice_recv
from discord.ext.voice_recv import reader, rtp
from nacl.exceptions import CryptoError

log = logging.getLogger(__name__)

DAVE_MARKER = b"\xfa\xfa"  # every DAVE-encrypted frame ends with this magic marker
DISCOVERY_SIZE = 74  # an IP discovery answer, which may still arrive once listening starts
RTP_HEADER_SIZE = 12

AfterCallback = Callable[[Exception | None], Any]


class DaveDecryptor(Protocol):
    """The part of `davey.DaveSession` this module uses (tests pass a stand-in)."""

    def decrypt(self, user_id: int, media_type: davey.MediaType, packet: bytes) -> bytes: ...


@dataclass
class ReceiveStats:
    """What happened to received audio packets (written by the socket thread only)."""

    decrypted: int = 0  # DAVE frames decrypted
    passthrough: int = 0  # frames without DAVE encryption, let through while DAVE is on
    failed: int = 0  # DAVE frames that did not decrypt: dropped
    dropped: int = 0  # packets that failed transport decryption or were malformed


def strip_padding(payload: bytes) -> bytes | None:
    """Remove RTP padding (RFC 3550 5.1: the last byte counts the padding, itself included)."""
    count = payload[-1] if payload else 0
    if count == 0 or count > len(payload):
        return None
    return payload[:-count]


def dave_decrypt(
    session: DaveDecryptor, user_id: int | None, payload: bytes, stats: ReceiveStats
) -> bytes | None:
    """The DAVE step for one frame: its Opus payload, or None (counted) if it must be dropped.

    A frame without the DAVE marker is a passthrough frame (Discord sends a few unencrypted,
    e.g. Opus silence) and goes through unchanged.
    """
    if not payload.endswith(DAVE_MARKER):
        stats.passthrough += 1
        return payload
    if user_id is None:
        stats.failed += 1
        log.debug("DAVE frame from an ssrc not yet tied to a user: dropped")
        return None
    try:
        clear = session.decrypt(user_id, davey.MediaType.audio, payload)
    except Exception as exc:  # davey raises plain exceptions (no key yet, re-keying, ...)
        stats.failed += 1
        log.debug("DAVE decrypt failed for user %s: %s", user_id, exc)
        return None
    stats.decrypted += 1
    return bytes(clear)


class _SpeakingTimer(reader.SpeakingTimer):
    """voice_recv's speaking timer, which really ends when stopped."""

    def notify(self, ssrc: int | None = None) -> None:
        """Wake the timer; once stopped, keep it awake so it reaches its stop flag."""
        super().notify(ssrc)
        if self._end_thread.is_set():
            self.speaking_timer_event.set()

    def stop(self) -> None:
        """Set the stop flag and leave the event set: no later wait blocks."""
        self._end_thread.set()
        self.speaking_timer_event.set()


class _KeepAlive(reader.UDPKeepAlive):
    """voice_recv's UDP keep-alive, sleeping on its stop event instead of `time.sleep`."""

    def __init__(self, voice_client: voice_recv.VoiceRecvClient) -> None:
        super().__init__(voice_client)
        self.stopped = threading.Event()

    def run(self) -> None:
        """Send a keep-alive packet every `delay` seconds until stopped or disconnected."""
        vc = self.voice_client
        vc.wait_until_connected()
        while not self.stopped.is_set():
            self.counter = (self.counter + 1) % 2**64
            try:
                endpoint = (vc._connection.endpoint_ip, vc._connection.voice_port)
                vc._connection.socket.sendto(self.counter.to_bytes(8, "big"), endpoint)
            except Exception as error:
                log.debug("keep-alive not sent: %s", error)
                vc.wait_until_connected()
                if not vc.is_connected():
                    return
            self.stopped.wait(self.delay)

    def stop(self) -> None:
        """End the thread now."""
        self.stopped.set()
        super().stop()


class DaveAudioReader(voice_recv.AudioReader):
    """voice_recv's AudioReader with the DAVE step after transport decryption."""

    def __init__(
        self,
        sink: voice_recv.AudioSink,
        voice_client: voice_recv.VoiceRecvClient,
        *,
        stats: ReceiveStats,
        after: AfterCallback | None = None,
    ) -> None:
        super().__init__(sink, voice_client, after=after)
        self.stats = stats
        self.speaking_timer = _SpeakingTimer(self)
        self.keepalive = _KeepAlive(voice_client)

    def callback(self, packet_data: bytes) -> None:
        """Handle one UDP datagram (called on discord.py's socket reader thread)."""
        if self.error:  # another receive thread failed; stop as voice_recv does
            self.stop()
            return
        if len(packet_data) < RTP_HEADER_SIZE:
            self.stats.dropped += 1
            return
        if len(packet_data) == DISCOVERY_SIZE and packet_data[1] == 0x02:
            return
        if rtp.is_rtcp(packet_data):
            super().callback(packet_data)  # RTCP carries no DAVE layer
            return
        packet = self._open(packet_data)
        if packet is not None:
            self._route(packet)

    def _open(self, packet_data: bytes) -> Any:
        """The RTP packet with `decrypted_data` set to its Opus payload, or None (counted)."""
        try:
            packet = rtp.decode_rtp(packet_data)
            payload = bytes(self.decryptor.decrypt_rtp(packet))
        except CryptoError:
            self.stats.dropped += 1
            log.debug("packet failed transport decryption: dropped")
            return None
        except Exception:
            self.stats.dropped += 1
            log.debug("malformed packet dropped", exc_info=True)
            return None
        if packet.padding:
            unpadded = strip_padding(payload)
            if unpadded is None:
                self.stats.dropped += 1
                log.debug("bad RTP padding: dropped")
                return None
            payload = unpadded
        if not payload:  # padding only: nothing to decode
            self.stats.dropped += 1
            return None
        clear = self._dave(packet.ssrc, payload)
        if clear is None:
            return None  # counted by the DAVE step
        packet.decrypted_data = clear
        return packet

    def _dave(self, ssrc: int, payload: bytes) -> bytes | None:
        connection = self.voice_client._connection
        session = connection.dave_session
        if session is None or connection.dave_protocol_version <= 0:
            return payload
        user_id = self.voice_client._get_id_from_ssrc(ssrc)
        return dave_decrypt(session, user_id, payload, self.stats)

    def _route(self, packet: Any) -> None:
        """On to the speaking timer and voice_recv's jitter buffer, as the library does."""
        ssrc = packet.ssrc
        if ssrc not in self.voice_client._ssrc_to_id and packet.is_silence():
            return
        self.speaking_timer.notify(ssrc)
        try:
            self.packet_router.feed_rtp(packet)
        except Exception:
            self.stats.dropped += 1
            log.exception("could not route an RTP packet; receive goes on")


class DaveVoiceRecvClient(voice_recv.VoiceRecvClient):
    """A VoiceRecvClient that receives through `DaveAudioReader`: `channel.connect(cls=...)`."""

    def __init__(self, client: discord.Client, channel: discord.abc.Connectable) -> None:
        super().__init__(client, channel)
        self.receive_stats = ReceiveStats()  # kept across listen() calls

    def listen(self, sink: voice_recv.AudioSink, *, after: AfterCallback | None = None) -> None:
        """Receive audio into `sink` (voice_recv's listen, with the DAVE-aware reader)."""
        if not self.is_connected():
            raise discord.ClientException("Not connected to voice.")
        if not isinstance(sink, voice_recv.AudioSink):
            raise TypeError(f"sink must be an AudioSink, not {type(sink).__name__}")
        if self.is_listening():
            raise discord.ClientException("Already receiving audio.")
        self._reader = DaveAudioReader(sink, self, stats=self.receive_stats, after=after)
        self._reader.start()

    async def disconnect(self, *, force: bool = False) -> None:
        """Leave the channel; discord.py's socket reader thread ends now, not 30 s later."""
        self._wake_socket_reader()
        await super().disconnect(force=force)

    def _wake_socket_reader(self) -> None:
        connection = self._connection
        reader, sock = getattr(connection, "_socket_reader", None), connection.socket
        if reader is None or sock is None:
            return
        reader.stop()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RD)  # select() sees the socket readable and returns

    def _remove_ssrc(self, *, user_id: int) -> None:
        """Forget a user's ssrc (voice op 13). voice_recv's own version reaches for the reader
        even when not listening, and the AttributeError kills discord.py's voice websocket
        poller: a user who spoke and then left would leave the connection deaf."""
        ssrc = self._id_to_ssrc.pop(user_id, None)
        if ssrc is None:
            return
        self._ssrc_to_id.pop(ssrc, None)
        if self._reader:
            self._reader.speaking_timer.drop_ssrc(ssrc)
