"""The fake gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with replay.

Dispatches are numbered per session and kept in a log; a RESUME replays every dispatch after the
sequence number the client sends, then RESUMED. Events are filtered by the intents the client
identified with, and message content is blanked without the message_content intent, as Discord
does.

Sharding: a client that IDENTIFYs with `shard: [id, count]` gets a session of that shard (READY
carries `shard`); it receives GUILD_CREATE only for its shard's guilds, and a guild's events go
only to its shard's connection (Discord's `(guild_id >> 22) % count`; DMs go to shard 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .world import Json, World

HEARTBEAT_INTERVAL_MS = 41_250

GUILDS, GUILD_MEMBERS, GUILD_MESSAGES = 1 << 0, 1 << 1, 1 << 9
GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 10, 1 << 12, 1 << 15
GUILD_VOICE_STATES = 1 << 7
EVENT_INTENTS = {
    "GUILD_CREATE": GUILDS,
    "GUILD_ROLE_CREATE": GUILDS,
    "CHANNEL_CREATE": GUILDS,
    "CHANNEL_UPDATE": GUILDS,
    "CHANNEL_DELETE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "THREAD_UPDATE": GUILDS,
    "THREAD_DELETE": GUILDS,
    "THREAD_MEMBER_UPDATE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    "MESSAGE_REACTION_ADD": GUILD_MESSAGE_REACTIONS,
    "VOICE_STATE_UPDATE": GUILD_VOICE_STATES,  # discord.py: "required to connect to voice"
}
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 8, 9, 10, 11
OP_VOICE_STATE = 4


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    queue: asyncio.Queue[Json | None] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] | None = None

    def send(self, payload: Json) -> None:
        self.queue.put_nowait(payload)

    async def write_loop(self) -> None:
        while (item := await self.queue.get()) is not None:
            if self.ws.closed:
                return
            await self.ws.send_str(json.dumps(item))


class Gateway:
    """One gateway session at a time over as many connections as it takes; or, for sharded
    clients, one session per shard in `shards` (each a Gateway with its `shard`)."""

    def __init__(
        self,
        world: World,
        resume_url: Callable[[], str],
        notify: Callable[[], None],
        shard: tuple[int, int] | None = None,
    ) -> None:
        self.world = world
        self.shard = shard  # (id, count) of a shard's session
        self.shards: dict[int, Gateway] = {}  # shard id -> its session, once clients shard
        self.recommended_shards = 1  # what GET /gateway/bot tells the bot to run
        self._resume_url = resume_url
        self._notify = notify
        self.session_id: str | None = None
        self.intents = 0
        self.seq = 0
        self.log: list[Json] = []
        self.received: list[Json] = []  # every payload the client sent, in order
        # op 4 (join/move/leave voice) goes to the fake voice server (tests/harness/voice.py)
        self.on_voice_state: Callable[[Json], None] | None = None
        self.connections = 0
        self.drops = 0
        self.resumed = 0
        self._live: _Connection | None = None
        self._all: set[_Connection] = set()

    @property
    def connected(self) -> bool:
        return self._live is not None or any(s.connected for s in self.shards.values())

    def ops(self, op: int) -> list[Json]:
        return [p for p in self.received if p.get("op") == op]

    # -- dispatching --------------------------------------------------------------------
    def _shape(self, event: str, data: Json) -> Json | None:
        """The event as this client may see it, or None if its intents exclude it."""
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"):
            needed = GUILD_MESSAGES if "guild_id" in data else DIRECT_MESSAGES
            data = self._hide_content(data)
        else:
            needed = EVENT_INTENTS.get(event, 0)
        if needed and not self.intents & needed:
            return None
        return data

    def _hide_content(self, data: Json) -> Json:
        """Without MESSAGE_CONTENT, guild messages from others arrive without content."""
        if "content" not in data or self.intents & MESSAGE_CONTENT or "guild_id" not in data:
            return data
        bot_id = str(self.world.bot_user.id)
        if data.get("author", {}).get("id") == bot_id:
            return data
        if any(m.get("id") == bot_id for m in data.get("mentions", [])):
            return data
        return data | {"content": "", "embeds": [], "attachments": [], "components": []}

    def dispatch(self, event: str, data: Json) -> int | None:
        """Send a DISPATCH to the identified client (or keep it for a RESUME if disconnected).

        Returns its sequence number, or None when there is no session or the intents drop it.
        Once clients shard, the event goes to the session of its guild's shard only.
        """
        if self.shards:
            target = self.shards.get(self._shard_of(event, data))
            return None if target is None else target.dispatch(event, data)
        if self.session_id is None:
            return None
        shaped = self._shape(event, data)
        if shaped is None:
            return None
        self.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": shaped}
        self.log.append(payload)
        if self._live is not None:
            self._live.send(payload)
        return self.seq

    # -- connection handling ------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _Connection(ws)
        conn.writer = asyncio.create_task(conn.write_loop())
        self._all.add(conn)
        self.connections += 1
        conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                self.received.append(payload)
                self._on_payload(conn, payload)
                self._notify()
        finally:
            for session in (self, *self.shards.values()):
                if session._live is conn:
                    session._live = None
            self._all.discard(conn)
            conn.send(None)
            with contextlib.suppress(Exception):
                await conn.writer
        return ws

    def _on_payload(self, conn: _Connection, payload: Json) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None})
        elif op == OP_IDENTIFY:
            self._session_for(data.get("shard"))._identify(conn, data)
        elif op == OP_RESUME:
            self._session_with(data.get("session_id"))._resume(conn, data)
        elif op == OP_REQUEST_MEMBERS:
            self._member_chunk(data)
        elif op == OP_VOICE_STATE and self.on_voice_state is not None:
            self.on_voice_state(data)

    def _identify(self, conn: _Connection, data: Json) -> None:
        self.session_id = uuid.uuid4().hex
        self.intents = int(data.get("intents", 0))
        self.seq, self.log = 0, []
        self._live = conn
        bot = self.world.bot_user
        guilds = [g for g in self.world.guilds if self._owns(g.id)]
        ready = {
            "v": 10,
            "user": bot.payload() | {"verified": True, "mfa_enabled": False, "bot": True},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": self.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_url(),
            "application": {"id": str(self.world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["fake-discord"],
        }
        if self.shard is not None:
            ready["shard"] = list(self.shard)
        self.dispatch("READY", ready)
        for guild in guilds:
            self.dispatch("GUILD_CREATE", guild.create_payload())

    # -- sharding -----------------------------------------------------------------------
    def _session_for(self, shard: list[int] | None) -> Gateway:
        """The session an IDENTIFY starts: this one, or (sharded) its shard's, made on demand."""
        if not shard or self.shard is not None:
            return self
        shard_id, count = int(shard[0]), int(shard[1])
        if shard_id not in self.shards:
            session = Gateway(self.world, self._resume_url, self._notify, (shard_id, count))
            self.shards[shard_id] = session
        return self.shards[shard_id]

    def _session_with(self, session_id: str | None) -> Gateway:
        """The session a RESUME names (a shard's, or this one)."""
        found = (s for s in self.shards.values() if s.session_id == session_id)
        return next(found, self)

    def _owns(self, guild_id: int) -> bool:
        """Whether this session receives the guild's events (always, when not sharded)."""
        return self.shard is None or (guild_id >> 22) % self.shard[1] == self.shard[0]

    def _shard_of(self, event: str, data: Json) -> int:
        """The shard an event goes to: its guild's (Discord's formula); shard 0 without one."""
        guild_id = data.get("guild_id")
        if guild_id is None and event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
            guild_id = data.get("id")
        if guild_id is None:
            return 0
        _, count = next(iter(self.shards.values())).shard or (0, 1)
        return (int(guild_id) >> 22) % count

    def _resume(self, conn: _Connection, data: Json) -> None:
        if data.get("session_id") != self.session_id or self.session_id is None:
            conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None})
            return
        last = int(data.get("seq") or 0)
        for payload in self.log:
            if payload["s"] > last:
                conn.send(payload)
        self._live = conn
        self.resumed += 1
        self.dispatch("RESUMED", {"_trace": ["fake-discord"]})

    def _member_chunk(self, data: Json) -> None:
        guild = next((g for g in self.world.guilds if str(g.id) == str(data["guild_id"])), None)
        if guild is None:
            return
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # -- faults and shutdown ------------------------------------------------------------
    async def drop(self, code: int = 4000) -> None:
        """Close the live connection as Discord does when it drops a client."""
        conn, self._live = self._live, None
        if conn is not None:
            self.drops += 1
            await conn.ws.close(code=code, message=b"fake discord dropped the connection")

    async def close(self) -> None:
        self._live = None
        for conn in list(self._all):
            await conn.ws.close(code=1001, message=b"fake discord shutting down")
