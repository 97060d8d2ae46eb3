"""Voice in the fake Discord: voice channels, people joining them, speech in and audio out.

Discord's voice path, played on loopback: the bot's gateway op 4 is answered with
VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE (endpoint `127.0.0.1:PORT`); the voice websocket is
TLS (discord.py hard-codes `wss://`) with a certificate made for this test; then HELLO, IDENTIFY,
READY (mode `aead_xchacha20_poly1305_rtpsize`), UDP IP discovery, SELECT_PROTOCOL, and
SESSION_DESCRIPTION with `dave_protocol_version: 0` (a fake cannot run DAVE's MLS group).

    fake = fake_discord                                   # the fixture
    bot = InterviewBot(app, connector=fake.voice_connector())   # trust the fake's certificate
    await connect_bot(bot, fake)
    room = fake.add_voice_channel("interview room")       # type 2, CHANNEL_CREATE
    fake.join_voice(ada, room)                            # VOICE_STATE_UPDATE for ada
    vc = await bot.get_channel(room.id).connect(cls=DaveVoiceRecvClient)  # once it has it
    session = await fake.wait_voice_ready()               # handshake done
    vc.play(discord.PCMAudio(io.BytesIO(pcm)))
    heard = await fake.wait_for_audio(1.0)                # 48 kHz stereo s16le the bot sent
    await fake.voice_speak(ada, pcm)                      # op 5, then paced Opus RTP to the bot
    fake.leave_voice(ada)

API (methods of FakeDiscord; `fake.voice` is the VoiceServer underneath):
- `voice_connector() -> aiohttp.TCPConnector`: pass as `connector=` to the bot (discord.py's
  HTTP client, which also opens the voice websocket, then trusts the fake's certificate).
- `add_voice_channel(name, *, guild=None) -> Channel`
- `join_voice(who, channel, *, self_mute=False, self_deaf=False) -> Json` and
  `leave_voice(who, *, guild=None) -> Json`: a member's VOICE_STATE_UPDATE (and voice op 11 /
  op 13 to the bot's voice connection in that channel). States are in GUILD_CREATE too.
- `voice_session(guild=None) -> VoiceSession | None`: the bot's live voice connection;
  `await wait_voice_ready(guild=None, timeout=5) -> VoiceSession`.
- `await voice_speak(who, pcm, *, guild=None, interval=0.02, lead_in=0.05,
  trailing_silence=5, padding=0) -> int`: `who` (Member, User or id) speaks `pcm` (48 kHz stereo
  s16le) into the bot's connection, paced in real time; returns the frames sent.
- `captured_pcm(guild=None) -> bytes`: what the bot played (Opus silence frames left out);
  `await wait_for_audio(seconds, *, guild=None, timeout=None) -> bytes`.
- `break_voice(fault="refuse" | "no_voice_server" | None)`: later joins fail at once
  (connection refused) or never hear of a voice server (the bot's own timeout); None heals.
- `fake.voice.requests`: every op 4 the bot sent (joins, moves, leaves with channel_id None);
  `VoiceSession.received`, `.speaking()`, `.opus`, `.silence_frames`, `.keepalives`.

Voice states need the bot's `voice_states` intent (the gateway filters VOICE_STATE_UPDATE by it,
as Discord does): without it the bot never hears its own state and connect() times out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp

from .rtp import seconds_of
from .voice_server import VoiceFault, VoiceServer
from .voice_session import VoiceSession
from .world import Channel, Guild, Json, Member, User

if TYPE_CHECKING:
    from .server import FakeDiscord

    _Base = FakeDiscord
else:
    _Base = object

VOICE = 2

__all__ = ["VOICE", "VoiceChannel", "VoiceFault", "VoiceMixin", "VoiceServer", "VoiceSession"]


@dataclass
class VoiceChannel(Channel):
    """A guild voice channel (type 2)."""

    bitrate: int = 64_000
    user_limit: int = 0

    def payload(self, *, in_guild_create: bool = False) -> Json:
        data = super().payload(in_guild_create=in_guild_create)
        for text_only in ("topic", "default_auto_archive_duration"):
            data.pop(text_only, None)
        extra = {"rtc_region": None, "video_quality_mode": 1}
        return data | extra | {"bitrate": self.bitrate, "user_limit": self.user_limit}


class VoiceMixin(_Base):
    voice: VoiceServer

    def voice_connector(self) -> aiohttp.TCPConnector:
        """A connector for the bot that trusts the fake voice server's certificate."""
        return aiohttp.TCPConnector(ssl=self.voice.tls.client_context())

    def add_voice_channel(self, name: str, *, guild: Guild | None = None) -> Channel:
        """A new voice channel (CHANNEL_CREATE if the bot is connected)."""
        guild = guild or self.guild
        position = len([c for c in guild.channels if not c.is_thread])
        channel = VoiceChannel(self.world.ids.next(), name, VOICE, guild, position=position)
        guild.channels.append(channel)
        self.world.channels[channel.id] = channel
        self.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    def join_voice(
        self,
        who: Member | User,
        channel: Channel,
        *,
        self_mute: bool = False,
        self_deaf: bool = False,
    ) -> Json:
        """`who` joins (or moves to) a voice channel; returns the VOICE_STATE_UPDATE."""
        if channel.type != VOICE or channel.guild is None:
            raise ValueError(f"#{channel.name} is not a guild voice channel")
        member = self._voice_member(who, channel.guild)
        return self.voice.set_voice_state(
            channel.guild, member, channel.id, self_mute=self_mute, self_deaf=self_deaf
        )

    def leave_voice(self, who: Member | User, *, guild: Guild | None = None) -> Json:
        """`who` leaves voice in the guild; returns the VOICE_STATE_UPDATE (channel_id null)."""
        guild = guild or (who.guild if isinstance(who, Member) else self.guild)
        return self.voice.set_voice_state(guild, self._voice_member(who, guild), None)

    def break_voice(self, fault: VoiceFault | None = "refuse") -> None:
        """Make later voice joins fail ("refuse": at once; "no_voice_server": by timeout)."""
        self.voice.fault = fault

    def voice_session(self, guild: Guild | None = None) -> VoiceSession | None:
        """The bot's live voice connection in the guild (newest), if any."""
        sessions = self.voice.live_sessions((guild or self.guild).id)
        return sessions[0] if sessions else None

    async def wait_voice_ready(
        self, guild: Guild | None = None, timeout: float = 5
    ) -> VoiceSession:
        """Wait until the bot has finished its voice handshake in the guild."""

        def ready() -> VoiceSession | None:
            session = self.voice_session(guild)
            return session if session is not None and session.ready else None

        return await self.wait_until(ready, timeout, lambda: "the bot's voice handshake")

    async def voice_speak(
        self,
        who: Member | User | int,
        pcm: bytes,
        *,
        guild: Guild | None = None,
        interval: float = 0.02,
        lead_in: float = 0.05,
        trailing_silence: int = 5,
        padding: int = 0,
    ) -> int:
        """`who` speaks 48 kHz stereo s16le `pcm` into the bot's voice connection.

        Sends voice op 5 SPEAKING (user id, ssrc), waits `lead_in`, then one encrypted Opus RTP
        packet per 20 ms frame every `interval` seconds (real time: bursts get dropped by the
        receiver), then `trailing_silence` Opus silence frames. `padding` adds that many bytes of
        RTP padding to every packet (Discord clients sometimes do). Returns the frames sent.
        """
        session = self.voice_session(guild) or await self.wait_voice_ready(guild)
        user_id = who if isinstance(who, int) else who.id
        return await self.voice.speak(
            session,
            user_id,
            pcm,
            interval=interval,
            lead_in=lead_in,
            trailing_silence=trailing_silence,
            padding=padding,
        )

    def captured_pcm(self, guild: Guild | None = None) -> bytes:
        """All audio the bot has played in the guild, decoded (48 kHz stereo s16le)."""
        guild_id = (guild or self.guild).id
        return b"".join(bytes(s.pcm) for s in self.voice.sessions if s.guild_id == guild_id)

    async def wait_for_audio(
        self, seconds: float, *, guild: Guild | None = None, timeout: float | None = None
    ) -> bytes:
        """Wait until the bot has played at least `seconds` of audio; returns all of it."""

        def enough() -> bytes | None:
            pcm = self.captured_pcm(guild)
            return pcm if seconds_of(pcm) >= seconds else None

        def describe() -> str:
            return f"{seconds}s of audio from the bot (have {seconds_of(self.captured_pcm())}s)"

        return await self.wait_until(enough, timeout or seconds + 5, describe)

    def _voice_member(self, who: Member | User, guild: Guild) -> Member:
        member = guild.members.get(who.id)
        if member is None:
            raise LookupError(f"{who.id} is not a member of {guild.name}")
        return member
