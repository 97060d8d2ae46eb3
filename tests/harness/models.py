"""The fake Discord's entities: users, roles, members, channels/threads/DMs and guilds.

Plain data plus the builders that turn it into the JSON payloads Discord sends (gateway events
and REST answers). Nothing here does I/O.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

DISCORD_EPOCH_MS = 1_420_070_400_000
Json = dict[str, Any]

TEXT, DM, GROUP_DM, PUBLIC_THREAD, PRIVATE_THREAD = 0, 1, 3, 11, 12
EPHEMERAL, LOADING = 64, 128

EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_application_commands=True,
    connect=True,
    speak=True,
).value
BOT_PERMISSIONS = discord.Permissions.text().value | discord.Permissions.voice().value
MANAGE_GUILD = discord.Permissions(manage_guild=True).value
# app_permissions outside a server of the bot: in its DM, and for a user-installed app where the
# bot is not (only what interaction responses can use)
DM_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,
    use_external_emojis=True,
).value
USER_APP_PERMISSIONS = discord.Permissions(
    send_messages=True, embed_links=True, attach_files=True, use_external_emojis=True
).value
SEND_MESSAGES = discord.Permissions(send_messages=True).value
CREATE_PUBLIC_THREADS = discord.Permissions(create_public_threads=True).value


def now_iso() -> str:
    """The current time as Discord writes it."""
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Real-looking, strictly increasing snowflake ids."""

    def __init__(self) -> None:
        self._last = 0
        self._inc = itertools.count()

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (1 << 17) | (next(self._inc) & 0xFFF)
        self._last = value = max(value, self._last + 1)
        return value


@dataclass
class User:
    id: int
    name: str
    bot: bool = False
    global_name: str | None = None
    app_installed: bool = False  # added the app to their account (a user install)
    dms_closed: bool = False  # refuses DMs from the bot: sending there fails with 50007

    def payload(self) -> Json:
        data: Json = {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0

    def payload(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Member:
    user: User
    guild: Guild
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    flags: int = 0
    joined_at: str = field(default_factory=now_iso)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def permissions(self) -> int:
        """Guild-level permissions from @everyone and the member's roles (no overwrites)."""
        value = self.guild.everyone.permissions
        for role in self.guild.roles:
            if role.id in self.role_ids:
                value |= role.permissions
        if value & discord.Permissions(administrator=True).value:
            value = discord.Permissions.all().value
        return value

    def payload(self, *, with_user: bool = True, with_permissions: bool = False) -> Json:
        data: Json = {
            "roles": [str(r) for r in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "communication_disabled_until": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": self.flags,
        }
        if with_user:
            data["user"] = self.user.payload()
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


@dataclass
class Channel:
    """A guild text channel, a thread (type 11/12), a DM channel with the bot (type 1) or a
    group DM between users (type 3, the bot not in it)."""

    id: int
    name: str
    type: int = TEXT
    guild: Guild | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    position: int = 0
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    created_at: str = field(default_factory=now_iso)
    member_ids: set[int] = field(default_factory=set)
    recipients: list[User] = field(default_factory=list)
    message_count: int = 0
    last_message_id: int | None = None
    denied: dict[int, int] = field(default_factory=dict)  # user id -> permissions denied here

    @property
    def is_thread(self) -> bool:
        return self.type in (PUBLIC_THREAD, PRIVATE_THREAD)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def payload(self, *, in_guild_create: bool = False) -> Json:
        last = str(self.last_message_id) if self.last_message_id else None
        if self.type in (DM, GROUP_DM):
            data = {
                "id": str(self.id),
                "type": self.type,
                "flags": 0,
                "last_message_id": last,
                "recipients": [u.payload() for u in self.recipients],
            }
            if self.type == GROUP_DM:
                data |= {"name": self.name, "icon": None, "owner_id": str(self.owner_id)}
            return data
        assert self.guild is not None
        data: Json = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "flags": 0,
            "last_message_id": last,
            "rate_limit_per_user": 0,
        }
        if not in_guild_create:
            data["guild_id"] = str(self.guild.id)
        if self.is_thread:
            data |= {
                "parent_id": str(self.parent_id),
                "owner_id": str(self.owner_id),
                "message_count": self.message_count,
                "total_message_sent": self.message_count,
                "member_count": len(self.member_ids),
                "thread_metadata": {
                    "archived": self.archived,
                    "archive_timestamp": self.created_at,
                    "auto_archive_duration": self.auto_archive_duration,
                    "locked": self.locked,
                    "create_timestamp": self.created_at,
                    "invitable": self.type == PUBLIC_THREAD,
                },
            }
        else:
            data |= {
                "parent_id": None,
                "position": self.position,
                "topic": None,
                "nsfw": False,
                "permission_overwrites": [
                    {"id": str(user), "type": 1, "allow": "0", "deny": str(bits)}
                    for user, bits in self.denied.items()
                ],
                "default_auto_archive_duration": 1440,
            }
        return data

    def thread_member(self, user_id: int) -> Json:
        return {
            "id": str(self.id),
            "user_id": str(user_id),
            "join_timestamp": now_iso(),
            "flags": 0,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: list[Role] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    channels: list[Channel] = field(default_factory=list)
    voice_states: dict[int, Json] = field(default_factory=dict)  # user id -> state (voice.py)

    @property
    def everyone(self) -> Role:
        return next(r for r in self.roles if r.id == self.id)

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.channels if c.is_thread]

    def partial(self) -> Json:
        return {"id": str(self.id), "locale": "en-US", "features": []}

    def create_payload(self) -> Json:
        """The GUILD_CREATE payload: the guild with its roles, channels, threads and members."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "max_members": 500000,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [r.payload() for r in self.roles],
            "joined_at": now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": list(self.voice_states.values()),
            "members": [m.payload() for m in self.members.values()],
            "channels": [c.payload(in_guild_create=True) for c in self.channels if not c.is_thread],
            "threads": [c.payload() for c in self.channels if c.is_thread and not c.archived],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
