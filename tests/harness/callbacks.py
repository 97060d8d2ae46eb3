"""Interaction callbacks and the interaction webhooks (original response, follow-ups)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .interactions import COMMAND, COMPONENT, MODAL_SUBMIT, Interaction, interaction_metadata
from .layout import COMPONENTS_V2
from .rest import Call, Reply, RestError, Router
from .world import EPHEMERAL, LOADING, Json, StoredMessage

if TYPE_CHECKING:
    from .server import FakeDiscord

# Interaction callback types
PONG, MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ALLOWED = {
    COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
    COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    4: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}
INITIAL_RESPONSE_DEADLINE = 3.0  # seconds Discord gives for the first callback
UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")


class CallbackApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def register(self, r: Router) -> None:
        r.add("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback)
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        r.add("POST", hook, self.followup)
        for which in ("@original", "{message_id}"):
            r.add("GET", f"{hook}/messages/{which}", self.get_message)
            r.add("PATCH", f"{hook}/messages/{which}", self.edit_message)
            r.add("DELETE", f"{hook}/messages/{which}", self.delete_message)

    # -- POST /interactions/{id}/{token}/callback ---------------------------------------
    async def callback(self, call: Call) -> Reply:
        inter = self.fake.interactions.get(int(call.params["interaction_id"]))
        if inter is None or inter.token != call.params["interaction_token"]:
            raise RestError(*UNKNOWN_INTERACTION)
        late = self.fake.loop_time() - inter.created > self.fake.interaction_deadline
        if late:
            self.fake.late_callbacks.append(inter)
            raise RestError(*UNKNOWN_INTERACTION)
        if inter.callbacks:
            raise RestError(400, 40060, "Interaction has already been acknowledged.")
        body = call.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        if kind not in ALLOWED.get(inter.type, set()):
            raise RestError(400, 50035, f"Invalid Form Body: callback {kind} for {inter.type}")
        answer: Json = {"id": str(inter.id), "type": inter.type}
        resource: Json | None = None
        if kind in (MESSAGE, DEFERRED_MESSAGE):
            flags = int(data.get("flags") or 0)
            if kind == DEFERRED_MESSAGE:
                data = {"content": "", "flags": (flags & EPHEMERAL) | LOADING}
            msg = self._answer_message(inter, data, call.files)
            inter.original_id = int(msg["id"])
            answer |= {
                "response_message_id": msg["id"],
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(msg["flags"] & EPHEMERAL),
            }
            if kind == MESSAGE:
                resource = {"type": kind, "message": msg}
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            if "message" not in inter.payload:
                raise RestError(400, 50035, "Invalid Form Body: no message to update")
            stored = self.world.messages[int(inter.payload["message"]["id"])]
            inter.original_id = stored.id
            answer["response_message_id"] = str(stored.id)
            if kind == UPDATE_MESSAGE:
                msg = self.fake.edit_bot_message(stored, data, call.files)
                resource = {"type": kind, "message": msg}
        inter.callbacks.append(body)
        self.fake.notify()
        if call.query.get("with_response") not in ("1", "true", "True"):
            return Reply(204)
        out: Json = {"interaction": answer}
        if resource is not None:
            out["resource"] = resource
        return Reply(200, out)

    def _answer_message(self, inter: Interaction, data: Json, files: list) -> Json:
        extra = {
            "type": 20 if inter.type == COMMAND else 0,
            "webhook_id": str(self.world.application_id),
            "application_id": str(self.world.application_id),
            "interaction_metadata": interaction_metadata(inter),
        }
        return self.fake.post_bot_message(inter.channel, data, files, extra=extra)

    # -- webhooks: follow-ups and the original response ---------------------------------
    def _interaction(self, call: Call) -> Interaction:
        inter = self.fake.by_token.get(call.params["webhook_token"])
        if inter is None or int(call.params["webhook_id"]) != self.world.application_id:
            raise RestError(*UNKNOWN_WEBHOOK)
        if not inter.callbacks:
            raise RestError(*UNKNOWN_WEBHOOK)
        return inter

    def _stored(self, call: Call) -> tuple[Interaction, StoredMessage]:
        inter = self._interaction(call)
        raw = call.params.get("message_id")
        if raw is None:  # the @original route
            mid = inter.original_id
        else:
            mid = int(raw)
            if mid not in inter.followup_ids and mid != inter.original_id:
                mid = None
        stored = self.world.messages.get(mid) if mid is not None else None
        if stored is None or stored.deleted:
            raise RestError(404, 10008, "Unknown Message")
        return inter, stored

    async def followup(self, call: Call) -> Reply:
        inter = self._interaction(call)
        channel = inter.channel
        if call.query.get("thread_id"):
            channel = self.world.channels[int(call.query["thread_id"])]
        extra = {
            "webhook_id": str(self.world.application_id),
            "application_id": str(self.world.application_id),
            "interaction_metadata": interaction_metadata(inter),
        }
        original = self.world.messages.get(inter.original_id or 0)
        if original is not None and original.current["flags"] & LOADING and not original.deleted:
            # After a "thinking" defer, the first follow-up replaces the loading message (same
            # id, the defer's ephemerality; it may turn it into a components V2 message)
            # instead of posting a new one.
            body = {k: v for k, v in (call.json or {}).items() if k != "flags"}
            if int((call.json or {}).get("flags") or 0) & COMPONENTS_V2:
                body["flags"] = COMPONENTS_V2
            msg = self.fake.edit_bot_message(original, body, call.files, finish_loading=True)
        else:
            msg = self.fake.post_bot_message(channel, call.json or {}, call.files, extra=extra)
        inter.followup_ids.append(int(msg["id"]))
        self.fake.notify()
        if call.query.get("wait") in ("1", "true", "True"):
            return Reply(200, msg)
        return Reply(204)

    async def get_message(self, call: Call) -> Reply:
        return Reply(200, self._stored(call)[1].current)

    async def edit_message(self, call: Call) -> Reply:
        _, stored = self._stored(call)
        msg = self.fake.edit_bot_message(stored, call.json or {}, call.files, finish_loading=True)
        return Reply(200, msg)

    async def delete_message(self, call: Call) -> Reply:
        _, stored = self._stored(call)
        self.fake.delete_message(stored)
        return Reply(204)
