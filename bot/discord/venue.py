"""Where an interaction happens, and so where its session can live.

The app installs to servers and to users, and its commands can be used in servers, in the
bot's DM and in other private channels. A session's room is a thread in a server the bot is
in, or the DM channel between the bot and the member: in the bot's DM the DM itself, and from
anywhere the bot cannot post (a user-installed command in a server without the bot, a group
DM) the member's DM, after an ephemeral pointer there.
"""

from __future__ import annotations

import logging
from enum import Enum

import discord
from discord import app_commands

from bot.discord.errors import UserFacingError

log = logging.getLogger(__name__)

# every command is offered everywhere; the ones that need a server say so in one sentence
EVERY_CONTEXT = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
EVERY_INSTALL = app_commands.AppInstallationType(guild=True, user=True)

RoomChannel = discord.Thread | discord.DMChannel  # the channel a session lives in

MOVED_TO_DM = "📨 You started this where I cannot post, so we go on here in our DMs."
DMS_CLOSED = (
    "I cannot send you direct messages: allow them under User Settings › Content & Social "
    "(or this server's Privacy Settings › Direct Messages) and run the command again."
)


class Venue(Enum):
    """Where a command was used, as far as a session is concerned."""

    SERVER = "server"  # a server the bot is in: sessions get a thread
    BOT_DM = "bot_dm"  # the DM with the bot: the DM is the room
    ELSEWHERE = "elsewhere"  # user-installed where the bot cannot post: the session moves to DMs


class ServerOnly(UserFacingError, app_commands.CheckFailure):
    """A server-only feature (group rounds, voice, leaderboards) used outside a server the bot
    is in; its str() is the one sentence the user sees."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} work only in a server I am in; add me to one to use them there.")


def venue_of(interaction: discord.Interaction) -> Venue:
    """The venue of an interaction: a server of the bot, the bot's DM, or elsewhere."""
    if interaction.guild_id is not None and interaction.is_guild_integration():
        return Venue.SERVER
    if interaction.guild_id is None and interaction.context.dm_channel:
        return Venue.BOT_DM
    return Venue.ELSEWHERE


def require_server(interaction: discord.Interaction, what: str) -> None:
    """Raise the one sentence for `what` unless the interaction is in a server the bot is in."""
    if venue_of(interaction) is not Venue.SERVER:
        raise ServerOnly(what)


async def open_dm(interaction: discord.Interaction) -> discord.DMChannel:
    """The member's DM with the bot as a session's room. Coming from elsewhere, it gets a line
    first, which is also the test that DMs are open: if not, one sentence and no session."""
    channel = await interaction.user.create_dm()
    if venue_of(interaction) is Venue.ELSEWHERE:
        try:
            await channel.send(MOVED_TO_DM, allowed_mentions=discord.AllowedMentions.none())
        except discord.Forbidden:
            log.info("user %s does not take DMs from the bot", interaction.user.id)
            raise UserFacingError(DMS_CLOSED) from None
    return channel


def guild_id_of(channel: RoomChannel) -> str | None:
    """The server of a room's channel, None for a DM (as the engine's `Place` stores it)."""
    return str(channel.guild.id) if isinstance(channel, discord.Thread) else None


def where(channel: RoomChannel) -> str:
    """How an ephemeral reply points to a room: the thread's mention, or the DM."""
    if isinstance(channel, discord.Thread):
        return channel.mention
    return f"your DMs with me ({channel.jump_url})"
