"""RTP for the fake voice server: Discord's `aead_xchacha20_poly1305_rtpsize` transport mode,
IP discovery packets, and 20 ms Opus framing.

Layout of an rtpsize packet (what discord.py sends and what voice_recv expects back):

    header (12 bytes) [+ extension header 0xBEDE,len (4 bytes)]     <- authenticated, clear
    XChaCha20-Poly1305( [extension body] + payload [+ RTP padding] ) <- encrypted, 16-byte tag
    nonce counter (4 bytes, big endian; the 24-byte nonce is it followed by zeros)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import nacl.secret

MODE = "aead_xchacha20_poly1305_rtpsize"
PAYLOAD_TYPE = 0x78  # 120: Opus on Discord
SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms at 48 kHz
FRAME_BYTES = FRAME_SAMPLES * 2 * 2  # stereo, signed 16-bit
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
OPUS_SILENCE = b"\xf8\xff\xfe"  # the 3-byte frame Discord sends when a speaker stops
# One-byte header extension (RFC 5285) carrying an audio level, as Discord clients send.
AUDIO_LEVEL_EXTENSION = b"\x10\x7f\x00\x00"
DISCOVERY_SIZE = 74


@dataclass(frozen=True)
class RtpPacket:
    """An opened packet: the header fields and the clear payload (usually one Opus frame)."""

    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False


def ssrc_of(data: bytes) -> int | None:
    """The SSRC of an RTP packet, or None if `data` is not one."""
    if len(data) < 12 or data[0] >> 6 != 2 or 200 <= data[1] <= 204:
        return None
    return int.from_bytes(data[8:12], "big")


def seal(
    secret_key: bytes,
    packet: RtpPacket,
    nonce: int,
    *,
    extension: bytes | None = AUDIO_LEVEL_EXTENSION,
    padding: int = 0,
) -> bytes:
    """Encrypt a packet in rtpsize mode, optionally with a header extension and RTP padding."""
    if extension is not None and len(extension) % 4:
        raise ValueError("an RTP header extension body is a whole number of 32-bit words")
    first = 0x80 | (0x20 if padding else 0) | (0x10 if extension is not None else 0)
    second = PAYLOAD_TYPE | (0x80 if packet.marker else 0)
    header = bytes([first, second]) + struct.pack(
        ">HII", packet.sequence & 0xFFFF, packet.timestamp & 0xFFFFFFFF, packet.ssrc
    )
    body = packet.payload
    if extension is not None:
        header += b"\xbe\xde" + struct.pack(">H", len(extension) // 4)
        body = extension + body
    if padding:
        body += b"\0" * (padding - 1) + bytes([padding])
    counter = struct.pack(">I", nonce & 0xFFFFFFFF)
    box = nacl.secret.Aead(secret_key)
    sealed = box.encrypt(body, header, counter + b"\0" * 20).ciphertext
    return header + sealed + counter


def open_packet(secret_key: bytes, data: bytes) -> RtpPacket:
    """Decrypt an rtpsize packet (nacl.exceptions.CryptoError if the key or data is wrong)."""
    if ssrc_of(data) is None or len(data) < 12 + 16 + 4:
        raise ValueError("not an RTP packet")
    csrc_end = 12 + 4 * (data[0] & 0x0F)
    extended = bool(data[0] & 0x10)
    clear_end = csrc_end + (4 if extended else 0)
    header, sealed, counter = data[:clear_end], data[clear_end:-4], data[-4:]
    body = nacl.secret.Aead(secret_key).decrypt(sealed, header, counter + b"\0" * 20)
    if extended:
        words = struct.unpack_from(">H", header, csrc_end + 2)[0]
        body = body[4 * words :]
    if data[0] & 0x20 and body:
        body = body[: -body[-1]]
    sequence, timestamp, ssrc = struct.unpack_from(">HII", data, 2)
    return RtpPacket(sequence, timestamp, ssrc, bytes(body), marker=bool(data[1] & 0x80))


def discovery_ssrc(data: bytes) -> int | None:
    """The SSRC in an IP discovery request (type 1), or None if `data` is not one."""
    if len(data) != DISCOVERY_SIZE or data[:2] != b"\x00\x01":
        return None
    return int(struct.unpack_from(">I", data, 4)[0])


def discovery_reply(ssrc: int, ip: str, port: int) -> bytes:
    """The IP discovery answer (type 2): the address the request came from."""
    reply = bytearray(DISCOVERY_SIZE)
    struct.pack_into(">HHI", reply, 0, 2, 70, ssrc)
    address = ip.encode("ascii")
    reply[8 : 8 + len(address)] = address
    struct.pack_into(">H", reply, DISCOVERY_SIZE - 2, port)
    return bytes(reply)


def pcm_frames(pcm: bytes) -> list[bytes]:
    """48 kHz stereo s16le cut into 20 ms frames, the last one padded with silence."""
    frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm), FRAME_BYTES)]
    if frames and len(frames[-1]) < FRAME_BYTES:
        frames[-1] += b"\0" * (FRAME_BYTES - len(frames[-1]))
    return frames


def seconds_of(pcm: bytes) -> float:
    """How long 48 kHz stereo s16le lasts."""
    return len(pcm) / (SAMPLE_RATE * 4)
