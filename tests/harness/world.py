"""The fake Discord's world: the bot, its application, guilds, channels, members and messages."""

from __future__ import annotations

from .messages import MessageBook, StoredMessage, normalize_embed, walk_components
from .models import (
    BOT_PERMISSIONS,
    DM,
    DM_PERMISSIONS,
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    GROUP_DM,
    LOADING,
    MANAGE_GUILD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    USER_APP_PERMISSIONS,
    Channel,
    Guild,
    Json,
    Member,
    Role,
    Snowflakes,
    User,
    now_iso,
)

__all__ = [
    "DM",
    "DM_PERMISSIONS",
    "EPHEMERAL",
    "GROUP_DM",
    "LOADING",
    "PRIVATE_THREAD",
    "PUBLIC_THREAD",
    "TEXT",
    "USER_APP_PERMISSIONS",
    "Channel",
    "Guild",
    "Json",
    "Member",
    "Role",
    "StoredMessage",
    "User",
    "World",
    "normalize_embed",
    "now_iso",
    "walk_components",
]


class World(MessageBook):
    """Everything the fake Discord knows about."""

    def __init__(self, *, bot_name: str = "interview-bot") -> None:
        self.ids = Snowflakes()
        self.application_id = self.ids.next()
        self.bot_user = User(self.application_id, bot_name, bot=True)
        self.owner = User(self.ids.next(), "owner")
        self.users: dict[int, User] = {u.id: u for u in (self.bot_user, self.owner)}
        self.guilds: list[Guild] = []
        self.foreign_guilds: list[Guild] = []  # servers without the bot (user installs only)
        self.channels: dict[int, Channel] = {}
        self.global_commands: list[Json] = []
        self.guild_commands: dict[int, list[Json]] = {}
        self._init_messages()

    # -- building the world -------------------------------------------------------------
    def add_guild(self, name: str = "Fake Guild", *, guild_id: int | None = None) -> Guild:
        guild = Guild(guild_id or self.ids.next(), name, self.owner.id)
        guild.roles.append(Role(guild.id, "@everyone", EVERYONE_PERMISSIONS))
        bot_role = Role(self.ids.next(), self.bot_user.name, BOT_PERMISSIONS, position=1)
        guild.roles.append(bot_role)
        self.guilds.append(guild)
        self.add_member(guild, self.owner, role_ids=[])
        self.add_member(guild, self.bot_user, role_ids=[bot_role.id])
        return guild

    def add_foreign_guild(self, name: str) -> Guild:
        """A server the bot is not in: it never hears of it, but a member's user-installed
        commands work there."""
        guild = Guild(self.ids.next(), name, self.owner.id)
        guild.roles.append(Role(guild.id, "@everyone", EVERYONE_PERMISSIONS))
        self.foreign_guilds.append(guild)
        return guild

    def has_bot(self, guild: Guild | None) -> bool:
        """Whether the bot is in this server (False for no server)."""
        return guild is not None and self.bot_user.id in guild.members

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

    def group_dm(self, owner: User, *others: User) -> Channel:
        """A group DM between users; the bot is not in it."""
        recipients = [owner, *others]
        name = ", ".join(u.name for u in recipients)
        channel = Channel(self.ids.next(), name, GROUP_DM, recipients=recipients, owner_id=owner.id)
        self.channels[channel.id] = channel
        return channel

    def dm_channel(self, user: User) -> Channel:
        for channel in self.channels.values():
            if channel.type == DM and channel.recipients[0].id == user.id:
                return channel
        channel = Channel(self.ids.next(), user.name, DM, recipients=[user])
        self.channels[channel.id] = channel
        return channel

    def member(self, guild: Guild | None, user_id: int) -> Member | None:
        return guild.members.get(user_id) if guild is not None else None
