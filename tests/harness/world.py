"""The fake Discord's world: users, one or more guilds, channels, threads, members and messages.

Everything here is plain data plus builders that turn it into the JSON payloads Discord sends
(gateway events and REST answers). Nothing here does I/O.
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

TEXT, DM, PUBLIC_THREAD, PRIVATE_THREAD = 0, 1, 11, 12
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
    """A guild text channel, a thread (type 11/12) or a DM channel (type 1)."""

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

    @property
    def is_thread(self) -> bool:
        return self.type in (PUBLIC_THREAD, PRIVATE_THREAD)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def payload(self, *, in_guild_create: bool = False) -> Json:
        last = str(self.last_message_id) if self.last_message_id else None
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "flags": 0,
                "last_message_id": last,
                "recipients": [u.payload() for u in self.recipients],
            }
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
                "permission_overwrites": [],
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
            "voice_states": [],
            "members": [m.payload() for m in self.members.values()],
            "channels": [
                c.payload(in_guild_create=True) for c in self.channels if not c.is_thread
            ],
            "threads": [c.payload() for c in self.channels if c.is_thread and not c.archived],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class StoredMessage:
    """One message and every version of it (index 0 is the original)."""

    id: int
    channel_id: int
    versions: list[Json]
    by_bot: bool
    files: list[tuple[str, bytes]] = field(default_factory=list)
    deleted: bool = False

    @property
    def current(self) -> Json:
        return self.versions[-1]


class World:
    """Everything the fake Discord knows about."""

    def __init__(self, *, bot_name: str = "interview-bot") -> None:
        self.ids = Snowflakes()
        self.application_id = self.ids.next()
        self.bot_user = User(self.application_id, bot_name, bot=True)
        self.owner = User(self.ids.next(), "owner")
        self.users: dict[int, User] = {u.id: u for u in (self.bot_user, self.owner)}
        self.guilds: list[Guild] = []
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.order: list[int] = []  # message ids in creation order
        self.global_commands: list[Json] = []
        self.guild_commands: dict[int, list[Json]] = {}
        self._component_ids = itertools.count(1)

    # -- building the world -------------------------------------------------------------
    def add_guild(self, name: str = "Fake Guild") -> Guild:
        guild = Guild(self.ids.next(), name, self.owner.id)
        guild.roles.append(Role(guild.id, "@everyone", EVERYONE_PERMISSIONS))
        bot_role = Role(self.ids.next(), self.bot_user.name, BOT_PERMISSIONS, position=1)
        guild.roles.append(bot_role)
        self.guilds.append(guild)
        self.add_member(guild, self.owner, role_ids=[])
        self.add_member(guild, self.bot_user, role_ids=[bot_role.id])
        return guild

    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(self.ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_member(
        self,
        guild: Guild,
        user: User,
        *,
        role_ids: list[int] | None = None,
        manage_guild: bool = False,
        permissions: int | None = None,
    ) -> Member:
        roles = list(role_ids or [])
        if manage_guild or permissions is not None:
            value = (permissions or 0) | (MANAGE_GUILD if manage_guild else 0)
            role = Role(self.ids.next(), f"perm-{value}", value, position=len(guild.roles))
            guild.roles.append(role)
            roles.append(role.id)
        member = Member(user, guild, roles)
        guild.members[user.id] = member
        return member

    def add_channel(self, guild: Guild, name: str) -> Channel:
        position = len([c for c in guild.channels if not c.is_thread])
        channel = Channel(self.ids.next(), name, TEXT, guild, position=position)
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def add_thread(
        self,
        parent: Channel,
        name: str,
        owner_id: int,
        *,
        type: int = PUBLIC_THREAD,
        thread_id: int | None = None,
        auto_archive_duration: int = 1440,
    ) -> Channel:
        assert parent.guild is not None
        thread = Channel(
            thread_id or self.ids.next(),
            name,
            type,
            parent.guild,
            parent_id=parent.id,
            owner_id=owner_id,
            auto_archive_duration=auto_archive_duration,
            member_ids={owner_id},
        )
        parent.guild.channels.append(thread)
        self.channels[thread.id] = thread
        return thread

    def dm_channel(self, user: User) -> Channel:
        for channel in self.channels.values():
            if channel.type == DM and channel.recipients[0].id == user.id:
                return channel
        channel = Channel(self.ids.next(), user.name, DM, recipients=[user])
        self.channels[channel.id] = channel
        return channel

    def member(self, guild: Guild | None, user_id: int) -> Member | None:
        return guild.members.get(user_id) if guild is not None else None

    # -- messages -----------------------------------------------------------------------
    def store(self, message: Json, *, by_bot: bool, files: list[tuple[str, bytes]]) -> Json:
        mid = int(message["id"])
        channel = self.channels[int(message["channel_id"])]
        channel.last_message_id = mid
        channel.message_count += 1
        self.messages[mid] = StoredMessage(mid, channel.id, [message], by_bot, files)
        self.order.append(mid)
        return message

    def normalize_components(self, components: list[Json]) -> list[Json]:
        """What Discord echoes back: every component gets a numeric id and its defaults."""
        out = []
        for raw in components:
            comp = dict(raw)
            comp.setdefault("id", next(self._component_ids))
            kind = comp.get("type")
            if "components" in comp:
                comp["components"] = self.normalize_components(comp["components"])
            if "accessory" in comp:
                comp["accessory"] = self.normalize_components([comp["accessory"]])[0]
            if "component" in comp:
                comp["component"] = self.normalize_components([comp["component"]])[0]
            if kind in (3, 5, 6, 7, 8):
                comp.setdefault("min_values", 1)
                comp.setdefault("max_values", 1)
            if kind == 17:
                comp.setdefault("accent_color", None)
                comp.setdefault("spoiler", False)
            if kind == 14:
                comp.setdefault("spacing", 1)
                comp.setdefault("divider", True)
            if kind == 11:
                comp.setdefault("description", None)
                comp.setdefault("spoiler", False)
            out.append(comp)
        return out

    def build_message(
        self,
        channel: Channel,
        author: User,
        body: Json,
        *,
        attachments: list[Json] | None = None,
        extra: Json | None = None,
    ) -> Json:
        """A message payload from a create body (MessageCreateRequest-like)."""
        content = body.get("content") or ""
        mentioned = [u.payload() for u in self.users.values() if f"<@{u.id}>" in content]
        message: Json = {
            "id": str(self.ids.next()),
            "channel_id": str(channel.id),
            "type": 0,
            "author": author.payload(),
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": mentioned,
            "mention_roles": [],
            "attachments": attachments or [],
            "embeds": [normalize_embed(e) for e in body.get("embeds") or []],
            "components": self.normalize_components(body.get("components") or []),
            "pinned": False,
            "flags": int(body.get("flags") or 0),
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        ref = body.get("message_reference")
        if ref:
            message["type"] = 19
            target = ref.get("message_id")
            message["message_reference"] = {
                "type": 0,
                "channel_id": str(ref.get("channel_id") or channel.id),
                "message_id": str(target),
            }
            if channel.guild is not None:
                message["message_reference"]["guild_id"] = str(channel.guild.id)
            if target and int(target) in self.messages:
                message["referenced_message"] = self.messages[int(target)].current
        message.update(extra or {})
        return message

    def edit_message(self, stored: StoredMessage, body: Json, attachments: list[Json] | None) -> Json:
        new = dict(stored.current)
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in body:
                new[key] = body[key] if body[key] is not None else empty
        if body.get("flags") is not None:  # only SUPPRESS_EMBEDS can change on an edit
            new["flags"] = (stored.current["flags"] & ~4) | (int(body["flags"]) & 4)
        new["embeds"] = [normalize_embed(e) for e in new["embeds"]]
        if "components" in body:
            new["components"] = self.normalize_components(new["components"])
        if attachments is not None:
            new["attachments"] = attachments
        new["edited_timestamp"] = now_iso()
        stored.versions.append(new)
        return new


def normalize_embed(embed: Json) -> Json:
    """Discord's echo of an embed: type 'rich' and explicit inline flags on fields."""
    out = dict(embed)
    out.setdefault("type", "rich")
    if "fields" in out:
        out["fields"] = [{"inline": False, **f} for f in out["fields"]]
    return out


def walk_components(components: list[Json]) -> list[Json]:
    """Every component in a message, depth first (rows, sections, containers, labels)."""
    out: list[Json] = []
    for comp in components:
        out.append(comp)
        out.extend(walk_components(comp.get("components", [])))
        for key in ("accessory", "component"):
            if key in comp:
                out.extend(walk_components([comp[key]]))
    return out
