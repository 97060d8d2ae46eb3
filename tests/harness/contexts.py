"""Where an interaction happens: its context, who authorised the app, and what Discord puts in
the payload for that place.

- GUILD (0) in a server the bot is in: `guild`, `member`, `authorizing_integration_owners`
  {"0": guild id}, the bot member's `app_permissions`.
- GUILD (0) in a server without the bot (the member installed the app to their account):
  the same shape, owners {"1": user id}, and the narrow permissions of a user-installed app.
- BOT_DM (1) in the DM with the bot: `user` instead of `member`, no guild; owners {"0": "0"}
  (reached through a shared server) or {"1": user id} (a user install).
- PRIVATE_CHANNEL (2), a group DM between users: `user`, no guild, owners {"1": user id}.

Discord offers a command only where its registered `contexts` and `integration_types` allow,
so `check_offered` refuses to build an interaction a real client could not send.
"""

from __future__ import annotations

from .world import (
    DM,
    DM_PERMISSIONS,
    GROUP_DM,
    USER_APP_PERMISSIONS,
    Channel,
    Json,
    Member,
    World,
)

GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2  # InteractionContextType
GUILD_INSTALL, USER_INSTALL = "0", "1"  # ApplicationIntegrationType, as owner keys


def context_of(channel: Channel) -> int:
    """The interaction context of a command used in `channel`."""
    if channel.type == DM:  # the fake's DM channels are all DMs with the bot
        return BOT_DM
    if channel.type == GROUP_DM:
        return PRIVATE_CHANNEL
    return GUILD


def integration_owners(world: World, member: Member, channel: Channel) -> Json:
    """`authorizing_integration_owners`: the server where the bot is, else the user's install."""
    user = member.user
    context = context_of(channel)
    if context == GUILD and world.has_bot(channel.guild):
        assert channel.guild is not None
        return {GUILD_INSTALL: str(channel.guild.id)}
    if context == BOT_DM and not user.app_installed:
        return {GUILD_INSTALL: "0"}
    if not user.app_installed:
        raise LookupError(
            f"{user.name} has not installed the app to their account, so no client offers "
            f"its commands in {channel.name!r}"
        )
    return {USER_INSTALL: str(user.id)}


def place_fields(world: World, member: Member, channel: Channel) -> Json:
    """The payload fields that depend on where the interaction happens."""
    context = context_of(channel)
    owners = integration_owners(world, member, channel)
    common: Json = {
        "channel_id": str(channel.id),
        "authorizing_integration_owners": owners,
        "context": context,
    }
    if context != GUILD:
        permissions = DM_PERMISSIONS if context == BOT_DM else USER_APP_PERMISSIONS
        return common | {
            "channel": channel.payload() | {"permissions": str(permissions)},
            "user": member.user.payload(),
            "app_permissions": str(permissions),
        }
    guild = channel.guild
    assert guild is not None
    here = guild.members.get(member.id)
    if here is None:
        raise LookupError(f"{member.user.name} is not a member of {guild.name!r}")
    bot = guild.members.get(world.bot_user.id)
    app_permissions = bot.permissions if bot is not None else USER_APP_PERMISSIONS
    return common | {
        "guild": guild.partial(),
        "guild_id": str(guild.id),
        "guild_locale": "en-US",
        "channel": channel.payload() | {"permissions": str(here.permissions)},
        "member": here.payload(with_permissions=True),
        "app_permissions": str(app_permissions),
    }


def check_offered(command: Json, payload: Json) -> None:
    """Raise unless Discord would offer `command` where `payload` happens."""
    contexts = command.get("contexts")
    if contexts is None:  # no contexts registered: servers, and DMs unless dm_permission is off
        contexts = [GUILD] if command.get("dm_permission") is False else [GUILD, BOT_DM]
    installs = {int(key) for key in payload["authorizing_integration_owners"]}
    offered = set(command.get("integration_types") or [0])
    if payload["context"] not in contexts or not installs & offered:
        raise LookupError(
            f"/{command['name']} is not offered in context {payload['context']} for installs "
            f"{sorted(installs)} (it registered contexts {contexts}, installs {sorted(offered)})"
        )
