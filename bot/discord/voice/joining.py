"""Joining a member's voice channel for a session, with one clear sentence for each failure."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.discord.errors import UserFacingError
from bot.discord.rooms import NO_PINGS, Room
from bot.discord.voice.consent import CONSENT_TEXT, ConsentView
from bot.discord.voice.receive import DaveVoiceRecvClient
from bot.discord.voice.stage import VoiceStage
from bot.errors import ModelUnavailable
from bot.speech.ears import Ears

if TYPE_CHECKING:
    from bot.bank.catalog import Bank
    from bot.discord.voice.services import VoiceServices

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 15.0


def voice_channel_of(
    interaction: discord.Interaction,
) -> discord.VoiceChannel | discord.StageChannel:
    """The caller's voice channel, checked before any thread is opened."""
    member = interaction.user
    voice = member.voice if isinstance(member, discord.Member) else None
    channel = voice.channel if voice is not None else None
    if channel is None:
        raise UserFacingError("Join a voice channel first, then start the voice session again.")
    guild = interaction.guild
    me = guild.me if guild is not None else None
    if me is None:
        raise UserFacingError("Voice sessions work in servers only.")
    allowed = channel.permissions_for(me)
    if not (allowed.connect and allowed.speak):
        raise UserFacingError(f"I need the Connect and Speak permissions in {channel.name}.")
    if guild is not None and guild.voice_client is not None:
        raise UserFacingError(
            "I am already in a voice channel in this server: one voice session at a time."
        )
    ensure_opus()
    return channel


def ensure_opus() -> None:
    """Load libopus, or one sentence saying it is missing."""
    if not discord.opus.is_loaded():
        try:
            discord.opus._load_default()
        except Exception:
            log.debug("libopus failed to load", exc_info=True)
        if not discord.opus.is_loaded():
            raise UserFacingError(
                "Voice needs the Opus library (libopus0) on the bot's machine; "
                "ask whoever runs the bot to install it."
            )


async def open_stage(
    services: VoiceServices,
    bank: Bank,
    channel: discord.VoiceChannel | discord.StageChannel,
    room: Room,
    *,
    short: bool = False,
) -> None:
    """Load speech, post the consent message, join the channel: the room's stage."""
    ensure_opus()  # checked at launch too; a restart's rejoin comes here directly
    try:
        await services.ready()
    except ModelUnavailable as error:
        raise UserFacingError(str(error)) from None
    assert services.pool is not None
    assert services.detector is not None
    ears = Ears(services.detector, services.pool, services.capture_options(short=short))
    consent = ConsentView(room, ears)
    await room.channel.send(CONSENT_TEXT, view=consent, allowed_mentions=NO_PINGS)
    try:
        client = await channel.connect(
            cls=DaveVoiceRecvClient, timeout=CONNECT_TIMEOUT, reconnect=False, self_deaf=False
        )
    except (TimeoutError, discord.DiscordException, OSError) as error:
        consent.stop()
        log.warning("could not join voice channel %s: %s", channel.id, error)
        raise UserFacingError(
            f"I could not connect to the voice channel {channel.name}; try again in a moment."
        ) from None
    room.stage = VoiceStage(room, client, services, ears, bank, views=[consent])
