"""Looking at what the bot did: its messages (stepped through with cursors), edits, threads and
gateway traffic. Mixed into `FakeDiscord`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .world import EPHEMERAL, LOADING, Channel, Json

if TYPE_CHECKING:
    from .server import FakeDiscord

    _Base = FakeDiscord
else:
    _Base = object

Predicate = Callable[[Json], bool]


def _id(thing: Channel | Json | int | str | None) -> int | None:
    if thing is None:
        return None
    if isinstance(thing, Channel):
        return thing.id
    if isinstance(thing, dict):
        return int(thing["id"])
    return int(thing)


class MessageCursor:
    """Steps through the bot's messages in the order it created them; each is returned once."""

    def __init__(
        self, fake: FakeDiscord, channel_id: int | None, *, ephemeral: bool = False
    ) -> None:
        self.fake = fake
        self.channel_id = channel_id
        self.ephemeral = ephemeral  # also step through ephemeral messages
        self.seen: set[int] = set()

    def _scan(self, predicate: Predicate | None) -> Json | None:
        world = self.fake.world
        # one channel's messages only: 100 waiting members each scanning the whole world on
        # every event made the load benchmark's own process the bottleneck
        mids = world.order if self.channel_id is None else world.order_in.get(self.channel_id, ())
        for mid in mids:
            stored = world.messages[mid]
            if not stored.by_bot or mid in self.seen:
                continue
            if stored.current["flags"] & LOADING and not stored.deleted:
                continue  # a deferred "thinking" message counts once it has its content
            if stored.current["flags"] & EPHEMERAL and not self.ephemeral:
                continue
            if predicate is None or predicate(stored.current):
                self.seen.add(mid)
                return stored.current
        return None

    async def next(self, predicate: Predicate | None = None, timeout: float = 5) -> Json:
        """The next bot message (its current version) not yet returned by this cursor."""

        def describe() -> str:
            posted = self.fake.bot_messages(self.channel_id)
            summary = [(m["id"], m["content"][:60], m["flags"]) for m in posted]
            return f"no new bot message in channel {self.channel_id}; bot posted {summary}"

        return await self.fake.wait_until(lambda: self._scan(predicate), timeout, describe)


class ObserveMixin(_Base):
    def _init_observe(self) -> None:
        self._cursors: dict[tuple[int | None, bool], MessageCursor] = {}
        self._edits_seen: dict[int, set[int]] = {}

    # -- messages -----------------------------------------------------------------------
    def cursor(
        self, channel: Channel | Json | int | None = None, *, ephemeral: bool = False
    ) -> MessageCursor:
        """A fresh, independent cursor over the bot's messages (in one channel, or all)."""
        return MessageCursor(self, _id(channel), ephemeral=ephemeral)

    async def wait_for_message(
        self,
        channel_id: Channel | Json | int | None = None,
        predicate: Predicate | None = None,
        timeout: float = 5,
        *,
        ephemeral: bool = False,
    ) -> Json:
        """The next message the bot created (in `channel_id`, or anywhere) that matches.

        One default cursor per (channel_id, ephemeral): successive calls step through what the
        bot posted, each message returned once. Interaction replies and follow-ups count; with
        ephemeral=False (default) only messages everyone sees, with ephemeral=True ephemeral
        ones too. A deferred "thinking" message counts once it is filled in.
        """
        key = (_id(channel_id), ephemeral)
        if key not in self._cursors:
            self._cursors[key] = MessageCursor(self, key[0], ephemeral=ephemeral)
        return await self._cursors[key].next(predicate, timeout)

    async def wait_for_edit(
        self,
        message_id: Json | int | str,
        predicate: Predicate | None = None,
        timeout: float = 5,
    ) -> Json:
        """The next edited version of a message (each version returned once) that matches."""
        mid = _id(message_id)
        assert mid is not None
        seen = self._edits_seen.setdefault(mid, set())

        def check() -> Json | None:
            stored = self.world.messages.get(mid)
            if stored is None:
                return None
            for index, version in enumerate(stored.versions[1:], start=1):
                if index not in seen and (predicate is None or predicate(version)):
                    seen.add(index)
                    return version
            return None

        def describe() -> str:
            stored = self.world.messages.get(mid)
            versions = [] if stored is None else [v["content"][:60] for v in stored.versions]
            return f"no matching edit of message {mid}; versions: {versions}"

        return await self.wait_until(check, timeout, describe)

    def messages_in(
        self, channel_id: Channel | Json | int, *, bot_only: bool = False
    ) -> list[Json]:
        """Current versions of the (not deleted) messages in a channel or thread, oldest first."""
        cid = _id(channel_id)
        return [
            stored.current
            for mid in self.world.order_in.get(cid or 0, ())
            if not (stored := self.world.messages[mid]).deleted and (stored.by_bot or not bot_only)
        ]

    def bot_messages(self, channel_id: Channel | Json | int | None = None) -> list[Json]:
        """Everything the bot posted (current versions, deleted ones too), oldest first."""
        cid = _id(channel_id)
        return [
            stored.current
            for mid in self.world.order
            if (stored := self.world.messages[mid]).by_bot
            and (cid is None or stored.channel_id == cid)
        ]

    def history(self, message_id: Json | int | str) -> list[Json]:
        """Every version of a message, original first."""
        return list(self.world.messages[_id(message_id) or 0].versions)

    def message(self, message_id: Json | int | str) -> Json:
        return self.world.messages[_id(message_id) or 0].current

    def files_of(self, message_id: Json | int | str) -> list[tuple[str, bytes]]:
        """The files uploaded with a message (and its edits): (filename, bytes)."""
        return list(self.world.messages[_id(message_id) or 0].files)

    # -- threads and channels -----------------------------------------------------------
    @property
    def threads(self) -> list[Json]:
        """Every thread that exists now (payloads), oldest first."""
        return [c.payload() for c in self.world.channels.values() if c.is_thread]

    def channel(self, channel_id: Channel | Json | int) -> Channel:
        return self.world.channels[_id(channel_id) or 0]

    async def wait_for_thread(
        self, predicate: Predicate | None = None, timeout: float = 5
    ) -> Channel:
        """The newest thread (as a Channel the actions accept) that matches."""

        def check() -> Channel | None:
            found = [c for c in self.world.channels.values() if c.is_thread]
            return next(
                (c for c in reversed(found) if not predicate or predicate(c.payload())), None
            )

        return await self.wait_until(check, timeout, lambda: f"no such thread in {self.threads}")

    # -- traffic ------------------------------------------------------------------------
    def requests_to(self, method: str, template: str) -> list[Json]:
        """Recorded requests that matched a route template, e.g. ("POST", "/channels/...")."""
        return [r for r in self.requests if r["method"] == method and r.get("route") == template]

    def gateway_ops(self, op: int) -> list[Json]:
        """Every payload the bot sent on the gateway with this opcode (2 IDENTIFY, 6 RESUME)."""
        return [p for p in self.gateway.received if p.get("op") == op]

    async def wait_for_resume(self, timeout: float = 5) -> Json:
        """Wait until the bot has RESUMED after every drop_gateway(); the last RESUME payload."""

        def check() -> Any:
            done = self.gateway.resumed >= self.gateway.drops and self.gateway.connected
            return self.gateway_ops(6)[-1] if done and self.gateway_ops(6) else None

        return await self.wait_until(check, timeout, lambda: "the bot did not RESUME")
