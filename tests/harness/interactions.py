"""Test-side interactions: the payloads a Discord client would produce, and what the bot answered.

`Interaction` is the test's handle on one INTERACTION_CREATE: the callback(s) the bot posted, the
original response message and the follow-ups, with waits for each.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

from .contexts import place_fields
from .world import EPHEMERAL, LOADING, Channel, Json, Member, Role, User, World, walk_components

if TYPE_CHECKING:
    from .server import FakeDiscord

COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10


class Interaction:
    """One interaction the test sent, and the bot's answers to it."""

    def __init__(self, fake: FakeDiscord, payload: Json, channel: Channel, member: Member) -> None:
        self.fake = fake
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.channel = channel
        self.member = member
        self.created = asyncio.get_running_loop().time()
        self.callbacks: list[Json] = []  # every callback body the bot posted (normally one)
        self.original_id: int | None = None
        self.followup_ids: list[int] = []
        self.opened_by: Interaction | None = None  # for a modal submit: who opened the modal
        self._followup_cursor = 0

    def __repr__(self) -> str:
        return f"<Interaction id={self.id} type={self.type} responded={self.responded}>"

    # -- the callback -------------------------------------------------------------------
    @property
    def responded(self) -> bool:
        return bool(self.callbacks)

    async def response(self, timeout: float = 5) -> Json:
        """The callback body ({"type": ..., "data": ...}) the bot posted for this interaction."""
        await self.fake.wait_until(
            lambda: self.callbacks[0] if self.callbacks else None,
            timeout,
            lambda: (
                f"the bot never answered {self!r}"
                + (" in time (see fake.late_callbacks)" if self in self.fake.late_callbacks else "")
            ),
        )
        return self.callbacks[0]

    @property
    def modal(self) -> Json | None:
        """The modal the bot opened (callback type 9 data), if any."""
        return next((c.get("data") for c in self.callbacks if c["type"] == 9), None)

    @property
    def choices(self) -> list[Json] | None:
        """The autocomplete choices the bot offered (callback type 8), if any."""
        found = next((c.get("data") for c in self.callbacks if c["type"] == 8), None)
        return None if found is None else found.get("choices", [])

    # -- messages -----------------------------------------------------------------------
    @property
    def original(self) -> Json | None:
        """The current version of the original response (or the clicked message for 6/7)."""
        if self.original_id is None:
            return None
        return self.fake.world.messages[self.original_id].current

    def _reply_message(self) -> Json:
        msg = self.original
        if msg is None:
            raise AssertionError(f"{self!r} has no reply message yet (await reply() first)")
        return msg

    @property
    def content(self) -> str:
        """Content of the reply message as it is now."""
        return str(self._reply_message()["content"])

    @property
    def embeds(self) -> list[Json]:
        return list(self._reply_message()["embeds"])

    @property
    def components(self) -> list[Json]:
        return list(self._reply_message()["components"])

    @property
    def flags(self) -> int:
        return int(self._reply_message()["flags"])

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def followups(self) -> list[Json]:
        return [self.fake.world.messages[m].current for m in self.followup_ids]

    async def reply(self, timeout: float = 5) -> Json:
        """The bot's reply message: the one created by type 4, the deferred one once edited
        (type 5, no longer loading), or the updated component message (type 7)."""
        await self.response(timeout)

        def ready() -> Json | None:
            msg = self.original
            if msg is None or msg["flags"] & LOADING:
                return None
            return msg

        return await self.fake.wait_until(
            ready, timeout, lambda: f"{self!r} has no finished reply; callbacks={self.callbacks}"
        )

    async def followup(self, timeout: float = 5) -> Json:
        """The next follow-up message the bot sent (each returned once, in order)."""
        index = self._followup_cursor
        msg = await self.fake.wait_until(
            lambda: self.followups[index] if len(self.followup_ids) > index else None,
            timeout,
            lambda: f"{self!r} has only {len(self.followup_ids)} follow-ups",
        )
        self._followup_cursor += 1
        return msg


# -- reading messages -----------------------------------------------------------------------
def is_ephemeral(message: Json) -> bool:
    return bool(message.get("flags", 0) & EPHEMERAL)


def components_of(message: Json) -> list[Json]:
    """Every component in a message, flattened."""
    return walk_components(message.get("components", []))


def custom_ids(message: Json) -> list[str]:
    return [c["custom_id"] for c in components_of(message) if "custom_id" in c]


def find_component(message: Json, custom_id: str) -> Json:
    for comp in components_of(message):
        if comp.get("custom_id") == custom_id:
            return comp
    raise LookupError(f"no component {custom_id!r} in message; it has {custom_ids(message)}")


# -- building interaction payloads ------------------------------------------------------------
def channel_payload(channel: Channel, member: Member) -> Json:
    return channel.payload() | {"permissions": str(member.permissions)}


def base_payload(world: World, kind: int, member: Member, channel: Channel, data: Json) -> Json:
    """An interaction payload of `kind` by `member` in `channel` (a server channel or thread,
    the bot's DM, a group DM: see contexts.py for what each place carries)."""
    return {
        "id": str(world.ids.next()),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "token": "itoken-" + secrets.token_urlsafe(24),
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    } | place_fields(world, member, channel)


def _resolve(value: Any, kind: int, member: Member, resolved: Json) -> str:
    """An option value as its id, adding the object to `resolved` as Discord does."""
    guild = member.guild
    if kind in (USER, MENTIONABLE) and isinstance(value, Member | User):
        user = value.user if isinstance(value, Member) else value
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        target = guild.members.get(user.id)
        if target is not None:
            entry = target.payload(with_user=False, with_permissions=True)
            resolved.setdefault("members", {})[str(user.id)] = entry
        return str(user.id)
    if kind in (ROLE, MENTIONABLE) and isinstance(value, Role):
        resolved.setdefault("roles", {})[str(value.id)] = value.payload()
        return str(value.id)
    if kind == CHANNEL and isinstance(value, Channel):
        resolved.setdefault("channels", {})[str(value.id)] = channel_payload(value, member)
        return str(value.id)
    raise TypeError(f"option of type {kind} needs a Member/User/Role/Channel, got {value!r}")


def build_options(
    defs: list[Json],
    values: dict[str, Any],
    member: Member,
    resolved: Json,
    focused: str | None = None,
) -> list[Json]:
    """Option values as Discord sends them, typed by the registered option definitions."""
    by_name = {d["name"]: d for d in defs}
    out = []
    for name, value in values.items():
        if name not in by_name:
            raise LookupError(f"no option {name!r}; the command has {sorted(by_name)}")
        spec = by_name[name]
        kind = spec["type"]
        option: Json = {"name": name, "type": kind}
        if name == focused:
            option |= {"value": str(value), "focused": True}
        else:
            if kind in (USER, CHANNEL, ROLE, MENTIONABLE):
                option["value"] = _resolve(value, kind, member, resolved)
            else:
                caster = {INTEGER: int, NUMBER: float, BOOLEAN: bool}.get(kind, str)
                option["value"] = caster(value)
            allowed = [c["value"] for c in spec.get("choices") or []]
            if allowed and option["value"] not in allowed:
                raise ValueError(f"{option['value']!r} is not a choice of {name!r}: {allowed}")
        out.append(option)
    if focused is None:
        missing = [d["name"] for d in defs if d.get("required") and d["name"] not in values]
        if missing:
            raise ValueError(f"required options missing: {missing}")
    return out


def command_data(
    command: Json,
    options: dict[str, Any] | None,
    subcommand: str | None,
    member: Member,
    focused: str | None = None,
) -> Json:
    """`data` of a type 2 (or 4) interaction, with subcommand/group nesting."""
    resolved: Json = {}
    defs: list[Json] = command.get("options") or []
    path = subcommand.split() if subcommand else []
    chain: list[Json] = []
    for part in path:
        spec = next(
            (
                d
                for d in defs
                if d["name"] == part and d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ),
            None,
        )
        if spec is None:
            raise LookupError(f"/{command['name']} has no subcommand {part!r}")
        chain.append({"name": part, "type": spec["type"]})
        defs = spec.get("options") or []
    leaf = build_options(defs, options or {}, member, resolved, focused)
    for level in reversed(chain):
        level["options"] = leaf
        leaf = [level]
    data: Json = {
        "id": command["id"],
        "name": command["name"],
        "type": command.get("type", 1),
        "options": leaf,
    }
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data


def modal_submit_components(modal: Json, values: dict[str, str]) -> list[Json]:
    """What the client sends back for a modal: its text inputs, shaped as the modal was."""
    known: list[str] = []
    required: list[str] = []
    out: list[Json] = []
    for top in modal.get("components", []):
        inputs = [c for c in walk_components([top]) if c.get("type") == 4]
        for comp in inputs:
            known.append(comp["custom_id"])
            if comp.get("required", True) and comp["custom_id"] not in values:
                required.append(comp["custom_id"])
        answers = [
            {"type": 4, "custom_id": c["custom_id"], "value": values.get(c["custom_id"], "")}
            for c in inputs
        ]
        if top.get("type") == 18 and answers:
            out.append({"type": 18, "id": top.get("id", 0), "component": answers[0]})
        elif answers:
            out.append({"type": 1, "components": answers})
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise LookupError(f"modal {modal.get('custom_id')!r} has no inputs {unknown}; has {known}")
    if required:
        raise ValueError(f"modal {modal.get('custom_id')!r}: required inputs empty: {required}")
    return out


def interaction_metadata(inter: Interaction) -> Json:
    """`interaction_metadata` for a message that answers `inter`."""
    meta: Json = {
        "id": str(inter.id),
        "type": inter.type,
        "user": inter.member.user.payload(),
        "authorizing_integration_owners": inter.payload["authorizing_integration_owners"],
    }
    if inter.type == COMMAND:
        meta["name"] = inter.payload["data"]["name"]
        meta["command_type"] = inter.payload["data"].get("type", 1)
    if inter.type == COMPONENT:
        meta["interacted_message_id"] = inter.payload["message"]["id"]
    if inter.type == MODAL_SUBMIT and inter.opened_by is not None:
        meta["triggering_interaction_metadata"] = interaction_metadata(inter.opened_by)
    return meta
