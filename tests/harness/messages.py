"""Messages in the fake Discord: storage with full edit history, and Discord's echo of what the
bot sent (component ids and defaults, embed types, mentions, replies)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .layout import COMPONENTS_V2 as V2
from .layout import echo_media
from .models import Channel, Json, Snowflakes, User, now_iso


@dataclass
class StoredMessage:
    """One message and every version of it (index 0 is the original)."""

    id: int
    channel_id: int
    versions: list[Json]
    by_bot: bool
    files: list[tuple[str, bytes]] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)
    deleted: bool = False

    @property
    def current(self) -> Json:
        return self.versions[-1]


_SELECT = {"min_values": 1, "max_values": 1}
_DEFAULTS: dict[object, Json] = {
    3: _SELECT,
    5: _SELECT,
    6: _SELECT,
    7: _SELECT,
    8: _SELECT,
    11: {"description": None, "spoiler": False},
    14: {"spacing": 1, "divider": True},
    17: {"accent_color": None, "spoiler": False},
}


def _emoji(emoji: Json) -> Json:
    """A unicode emoji comes back without an id (the spec has no null id)."""
    return {k: v for k, v in emoji.items() if not (k == "id" and v is None)}


class MessageBook:
    """Every message in the world, in creation order. Mixed into `World`."""

    ids: Snowflakes
    users: dict[int, User]
    channels: dict[int, Channel]

    def _init_messages(self) -> None:
        self.messages: dict[int, StoredMessage] = {}
        self.order: list[int] = []  # message ids in creation order
        self.order_in: dict[int, list[int]] = {}  # the same, per channel id
        self._component_ids = itertools.count(1)

    def store(self, message: Json, *, by_bot: bool, files: list[tuple[str, bytes]]) -> Json:
        mid = int(message["id"])
        channel = self.channels[int(message["channel_id"])]
        channel.last_message_id = mid
        channel.message_count += 1
        self.messages[mid] = StoredMessage(mid, channel.id, [message], by_bot, files)
        self.order.append(mid)
        self.order_in.setdefault(channel.id, []).append(mid)
        return message

    def normalize_components(
        self, components: list[Json], attachments: list[Json] | None = None
    ) -> list[Json]:
        """What Discord echoes back: every component gets a numeric id and its defaults, and
        media naming an uploaded file (`attachment://NAME`) that attachment."""
        out = []
        for raw in components:
            comp = dict(raw)
            comp.setdefault("id", next(self._component_ids))
            kind = comp.get("type")
            if "components" in comp:
                comp["components"] = self.normalize_components(comp["components"], attachments)
            for key in ("accessory", "component"):
                if key in comp:
                    comp[key] = self.normalize_components([comp[key]], attachments)[0]
            echo_media(comp, attachments or [])
            if "emoji" in comp:
                comp["emoji"] = _emoji(comp["emoji"])
            if "options" in comp:
                comp["options"] = [
                    o | {"emoji": _emoji(o["emoji"])} if o.get("emoji") else o
                    for o in comp["options"]
                ]
            for key, value in _DEFAULTS.get(kind, {}).items():
                comp.setdefault(key, value)
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
            "components": self.normalize_components(body.get("components") or [], attachments),
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

    def edit_message(
        self, stored: StoredMessage, body: Json, attachments: list[Json] | None
    ) -> Json:
        new = dict(stored.current)
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in body:
                new[key] = body[key] if body[key] is not None else empty
        if body.get("flags") is not None:  # SUPPRESS_EMBEDS can change; V2 can only be added
            new["flags"] = (stored.current["flags"] & ~4) | (int(body["flags"]) & (4 | V2))
        new["embeds"] = [normalize_embed(e) for e in new["embeds"]]
        if attachments is not None:
            new["attachments"] = attachments
        if "components" in body:
            new["components"] = self.normalize_components(new["components"], new["attachments"])
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
