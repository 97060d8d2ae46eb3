"""REST routing and the core routes: identity, gateway, commands, channels, messages, threads.

Route templates are spelled exactly as in discord-openapi.json, so the spec check can look them up.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord

from .models import CREATE_PUBLIC_THREADS, SEND_MESSAGES
from .world import DM, EPHEMERAL, GROUP_DM, PRIVATE_THREAD, PUBLIC_THREAD, TEXT, Channel, Json

ATTACH_FILES = discord.Permissions(attach_files=True).value

if TYPE_CHECKING:
    from .server import FakeDiscord


@dataclass
class Call:
    method: str
    path: str
    template: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Reply:
    status: int
    body: Any = None


class RestError(Exception):
    """An error answer in Discord's shape: {"message": ..., "code": ...}."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message = status, code, message


Handler = Callable[[Call], Awaitable[Reply]]


class Router:
    """Matches METHOD + path to a spec template; literal segments beat parameters."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, re.Pattern[str], Handler]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.routes.append((method, template, re.compile(pattern + r"\Z"), handler))

    def templates(self) -> list[tuple[str, str]]:
        return [(m, t) for m, t, _, _ in self.routes]

    def match(self, method: str, path: str) -> tuple[str, dict[str, str], Handler] | None:
        best = None
        for m, template, pattern, handler in self.routes:
            found = pattern.match(path)
            if m == method and found:
                literal = template.count("/") - template.count("{")
                if best is None or literal > best[0]:
                    best = (literal, template, found.groupdict(), handler)
        return None if best is None else best[1:]


UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
MISSING_ACCESS = (403, 50001, "Missing Access")
DMS_CLOSED = (403, 50007, "Cannot send messages to this user")
MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")


class RestApi:
    """The bot-facing REST routes other than interaction callbacks and webhooks."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def register(self, r: Router) -> None:
        r.add("GET", "/users/@me", self.get_me)
        r.add("GET", "/users/{user_id}", self.get_user)
        r.add("POST", "/users/@me/channels", self.create_dm)
        r.add("GET", "/oauth2/applications/@me", self.get_application)
        r.add("GET", "/gateway", self.get_gateway)
        r.add("GET", "/gateway/bot", self.get_gateway_bot)
        r.add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        for base in (
            "/applications/{application_id}/commands",
            "/applications/{application_id}/guilds/{guild_id}/commands",
        ):
            r.add("PUT", base, self.put_commands)
            r.add("GET", base, self.get_commands)
        r.add("GET", "/channels/{channel_id}", self.get_channel)
        r.add("PATCH", "/channels/{channel_id}", self.patch_channel)
        r.add("DELETE", "/channels/{channel_id}", self.delete_channel)
        r.add("POST", "/channels/{channel_id}/typing", self.typing)
        r.add("GET", "/channels/{channel_id}/messages", self.list_messages)
        r.add("POST", "/channels/{channel_id}/messages", self.create_message)
        r.add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r.add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        r.add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        reaction = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"
        r.add("PUT", reaction, self.add_reaction)
        r.add("POST", "/channels/{channel_id}/threads", self.create_thread)
        r.add("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_msg)
        for who in ("@me", "{user_id}"):
            r.add("PUT", "/channels/{channel_id}/thread-members/" + who, self.join_thread)
            r.add("DELETE", "/channels/{channel_id}/thread-members/" + who, self.leave_thread)

    # -- lookups ------------------------------------------------------------------------
    def channel(self, call: Call) -> Channel:
        channel = self.world.channels.get(int(call.params["channel_id"]))
        if channel is None:
            raise RestError(*UNKNOWN_CHANNEL)
        if channel.type == GROUP_DM or (channel.guild and not self.world.has_bot(channel.guild)):
            raise RestError(*MISSING_ACCESS)  # a group DM, or a server the bot is not in
        return channel

    def stored(self, call: Call) -> Any:
        channel = self.channel(call)
        stored = self.world.messages.get(int(call.params["message_id"]))
        if stored is None or stored.deleted or stored.channel_id != channel.id:
            raise RestError(*UNKNOWN_MESSAGE)
        if stored.current["flags"] & EPHEMERAL:
            raise RestError(*UNKNOWN_MESSAGE)
        return stored

    def _user_id(self, call: Call) -> int:
        raw = call.params.get("user_id", "@me")
        return self.world.bot_user.id if raw == "@me" else int(raw)

    # -- identity and gateway -----------------------------------------------------------
    async def get_me(self, call: Call) -> Reply:
        extra = {"bot": True, "verified": True, "mfa_enabled": False, "locale": "en-US"}
        return Reply(200, self.world.bot_user.payload() | extra)

    async def get_user(self, call: Call) -> Reply:
        user = self.world.users.get(self._user_id(call))
        if user is None:
            raise RestError(404, 10013, "Unknown User")
        return Reply(200, user.payload())

    async def create_dm(self, call: Call) -> Reply:
        user = self.world.users.get(int(call.json["recipient_id"]))
        if user is None:
            raise RestError(400, 50035, "Invalid Form Body")
        return Reply(200, self.world.dm_channel(user).payload())

    async def get_application(self, call: Call) -> Reply:
        w = self.world
        return Reply(
            200,
            {
                "id": str(w.application_id),
                "name": w.bot_user.name,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": w.bot_user.payload(),
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "flags_new": "0",
                "redirect_uris": [],
                "rpc_origins": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "owner": w.owner.payload(),
                "team": None,
                "approximate_guild_count": len(w.guilds),
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "explicit_content_filter": 0,
                "eligible_oauth2_scopes": [],
                "tags": [],
            },
        )

    async def get_gateway(self, call: Call) -> Reply:
        return Reply(200, {"url": self.fake.gateway_url})

    async def get_gateway_bot(self, call: Call) -> Reply:
        """Where to connect, how many shards to run, and the IDENTIFYs left today."""
        gateway = self.fake.gateway
        left = max(0, 1000 - len(gateway.ops(2)))
        limit = {"total": 1000, "remaining": left, "reset_after": 0, "max_concurrency": 1}
        body = {"url": self.fake.gateway_url, "shards": gateway.recommended_shards}
        return Reply(200, body | {"session_start_limit": limit})

    async def get_member(self, call: Call) -> Reply:
        guild = next((g for g in self.world.guilds if g.id == int(call.params["guild_id"])), None)
        member = self.world.member(guild, int(call.params["user_id"]))
        if member is None:
            raise RestError(404, 10007, "Unknown Member")
        return Reply(200, member.payload())

    # -- application commands -----------------------------------------------------------
    def _command_list(self, call: Call) -> list[Json]:
        if int(call.params["application_id"]) != self.world.application_id:
            raise RestError(403, 50001, "Missing Access")
        if "guild_id" in call.params:
            return self.world.guild_commands.setdefault(int(call.params["guild_id"]), [])
        return self.world.global_commands

    async def put_commands(self, call: Call) -> Reply:
        current = self._command_list(call)
        previous = {(c["name"], c["type"]): c for c in current}
        stored = []
        for cmd in call.json or []:
            kind = cmd.get("type", 1)
            old = previous.get((cmd["name"], kind))
            entry = {
                "description": "",
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
                "type": kind,
                "id": old["id"] if old else str(self.world.ids.next()),
                "application_id": str(self.world.application_id),
                "version": str(self.world.ids.next()),
            }
            if entry.get("integration_types") is None:
                entry["integration_types"] = [0]  # what Discord fills in: guild install
            if "guild_id" in call.params:
                entry["guild_id"] = call.params["guild_id"]
            stored.append(entry)
        current[:] = stored
        return Reply(200, stored)

    async def get_commands(self, call: Call) -> Reply:
        return Reply(200, self._command_list(call))

    # -- channels and threads -----------------------------------------------------------
    async def get_channel(self, call: Call) -> Reply:
        return Reply(200, self.channel(call).payload())

    async def patch_channel(self, call: Call) -> Reply:
        channel = self.channel(call)
        body = call.json or {}
        for key in ("name", "archived", "locked", "auto_archive_duration"):
            if key in body and body[key] is not None:
                setattr(channel, key, body[key])
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.fake.dispatch(event, channel.payload())
        return Reply(200, channel.payload())

    async def delete_channel(self, call: Call) -> Reply:
        channel = self.channel(call)
        payload = channel.payload()
        del self.world.channels[channel.id]
        if channel.guild is not None:
            channel.guild.channels.remove(channel)
        if channel.is_thread:
            keys = ("id", "guild_id", "parent_id", "type")
            self.fake.dispatch("THREAD_DELETE", {k: payload[k] for k in keys})
        else:
            self.fake.dispatch("CHANNEL_DELETE", payload)
        return Reply(200, payload)

    async def typing(self, call: Call) -> Reply:
        self.channel(call)
        return Reply(204)

    def _new_thread(self, parent: Channel, body: Json, kind: int, thread_id: int | None) -> Reply:
        if parent.type != TEXT:
            raise RestError(400, 50024, "Cannot execute action on this channel type")
        if parent.denied.get(self.world.bot_user.id, 0) & CREATE_PUBLIC_THREADS:
            raise RestError(*MISSING_PERMISSIONS)
        thread = self.world.add_thread(
            parent,
            body["name"],
            self.world.bot_user.id,
            type=kind,
            thread_id=thread_id,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
        )
        member = thread.thread_member(self.world.bot_user.id)
        payload = thread.payload() | {"member": member}
        self.fake.dispatch("THREAD_CREATE", payload | {"newly_created": True})
        return Reply(201, payload)

    async def create_thread(self, call: Call) -> Reply:
        kind = int(call.json.get("type") or PRIVATE_THREAD)
        return self._new_thread(self.channel(call), call.json, kind, None)

    async def thread_from_msg(self, call: Call) -> Reply:
        stored = self.stored(call)
        if stored.id in self.world.channels:
            raise RestError(400, 160004, "A thread has already been created for this message")
        return self._new_thread(self.channel(call), call.json, PUBLIC_THREAD, stored.id)

    async def join_thread(self, call: Call) -> Reply:
        thread = self.channel(call)
        if not thread.is_thread:
            raise RestError(400, 50024, "Cannot execute action on this channel type")
        user_id = self._user_id(call)
        thread.member_ids.add(user_id)
        if user_id == self.world.bot_user.id:
            member = thread.thread_member(user_id)
            self.fake.dispatch("THREAD_MEMBER_UPDATE", member | {"guild_id": str(thread.guild.id)})
        return Reply(204)

    async def leave_thread(self, call: Call) -> Reply:
        thread = self.channel(call)
        thread.member_ids.discard(self._user_id(call))
        return Reply(204)

    # -- messages -----------------------------------------------------------------------
    async def list_messages(self, call: Call) -> Reply:
        channel = self.channel(call)
        limit = int(call.query.get("limit", 50))
        before = int(call.query.get("before", 0)) or None
        after = int(call.query.get("after", 0)) or None
        found = [
            m.current
            for m in self.world.messages.values()
            if m.channel_id == channel.id and not m.deleted and not m.current["flags"] & EPHEMERAL
            if (before is None or m.id < before) and (after is None or m.id > after)
        ]
        found.sort(key=lambda msg: int(msg["id"]), reverse=True)
        return Reply(200, found[:limit])

    async def create_message(self, call: Call) -> Reply:
        channel = self.channel(call)
        if channel.type == DM and not channel.recipients:
            raise RestError(*UNKNOWN_CHANNEL)
        if channel.type == DM and channel.recipients[0].dms_closed:
            raise RestError(*DMS_CLOSED)
        if channel.denied.get(self.world.bot_user.id, 0) & SEND_MESSAGES:
            raise RestError(*MISSING_PERMISSIONS)
        if call.files and not self._bot_may(channel, ATTACH_FILES):
            raise RestError(*MISSING_PERMISSIONS)
        message = self.fake.post_bot_message(channel, call.json or {}, call.files)
        return Reply(200, message)

    def _bot_may(self, channel: Channel, permission: int) -> bool:
        """Whether the bot has a guild-level permission where `channel` is (DMs: always)."""
        bot = channel.guild.members.get(self.world.bot_user.id) if channel.guild else None
        return bot is None or bool(bot.permissions & permission)

    async def get_message(self, call: Call) -> Reply:
        return Reply(200, self.stored(call).current)

    async def edit_message(self, call: Call) -> Reply:
        stored = self.stored(call)
        if not stored.by_bot:
            raise RestError(403, 50005, "Cannot edit a message authored by another user")
        return Reply(200, self.fake.edit_bot_message(stored, call.json or {}, call.files))

    async def delete_message(self, call: Call) -> Reply:
        self.fake.delete_message(self.stored(call))
        return Reply(204)

    async def add_reaction(self, call: Call) -> Reply:
        stored = self.stored(call)
        stored.reactions.append(call.params["emoji_name"])
        return Reply(204)
