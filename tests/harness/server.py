"""`FakeDiscord`: an aiohttp server on 127.0.0.1 that plays Discord's REST API and gateway.

It records every request, answers unknown routes with 404 (listed in `unknown_routes`), checks
each JSON body and answer against Discord's OpenAPI spec (`spec_violations`), and can inject
faults (429 / 5xx on REST, a dropped gateway connection).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from .actions import ActionsMixin
from .callbacks import INITIAL_RESPONSE_DEADLINE, CallbackApi
from .gateway import Gateway
from .interactions import Interaction
from .layout import LayoutError, check_layout
from .observe import ObserveMixin
from .rest import Call, Reply, RestApi, RestError, Router
from .spec import SpecChecker
from .voice import VoiceMixin, VoiceServer
from .world import EPHEMERAL, LOADING, Channel, Json, StoredMessage, User, World

T = TypeVar("T")


@dataclass
class Fault:
    method: str
    path_pattern: str
    status: int
    retry_after: float | None
    times: int
    hits: int = 0

    def matches(self, method: str, path: str, template: str) -> bool:
        if self.hits >= self.times or self.method.upper() not in (method, "*"):
            return False
        if self.path_pattern in (path, template):
            return True
        try:
            return re.fullmatch(self.path_pattern, path) is not None
        except re.error:
            return False


class FakeDiscord(ActionsMixin, ObserveMixin, VoiceMixin):
    """A fake Discord for one test: one guild with a #general channel, the bot and its owner."""

    def __init__(
        self,
        *,
        guild_name: str = "Fake Guild",
        bot_name: str = "interview-bot",
        interaction_deadline: float = INITIAL_RESPONSE_DEADLINE,
        spec_path: Path | None = None,
    ) -> None:
        self.world = World(bot_name=bot_name)
        self.guild = self.world.add_guild(guild_name)
        self.general = self.world.add_channel(self.guild, "general")
        self.spec = SpecChecker(spec_path)
        self.gateway = Gateway(self.world, lambda: self.gateway_url, self.notify)
        self.voice = VoiceServer(
            self.world, self.dispatch, self.notify, lambda: self.gateway.session_id
        )
        self.gateway.on_voice_state = self.voice.on_voice_state_request
        self.interaction_deadline = interaction_deadline
        self.requests: list[Json] = []
        self.unknown_routes: list[str] = []
        self._violations: list[str] = []
        # bodies to check against the spec (kind, method, route, status, JSON text): every one
        # is checked before `spec_violations` is read, off the path of the request itself
        self._unchecked: list[tuple[str, str, str, int, str]] = []
        self.faults: list[Fault] = []
        self.faults_triggered: list[Json] = []
        self.interactions: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self.late_callbacks: list[Interaction] = []
        self.bots: list[Any] = []  # (bot, task) pairs started by connect_bot
        self.blobs: dict[int, bytes] = {}  # attachment id -> bytes, served by the CDN route
        self.blob_types: dict[int, str] = {}  # attachment id -> the content type it is served as
        self.cdn_faults: dict[int, int] = {}  # attachment id -> the status its download fails with
        self.cdn_downloads: list[int] = []  # attachment ids downloaded, in order
        self._failing_names: dict[str, int] = {}  # see fail_next_download
        self.router = Router()
        RestApi(self).register(self.router)
        CallbackApi(self).register(self.router)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._tick = asyncio.Event()
        self._init_observe()

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user(self) -> User:
        return self.world.bot_user

    async def start(self) -> None:
        self.spec.check_routes(self.router.templates())
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle_http)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{name}", self._attachment)
        app.router.add_route("*", "/{tail:.*}", self._not_api)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        await self.voice.start()

    async def close(self) -> None:
        await self.voice.close()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- HTTP plumbing ------------------------------------------------------------------
    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        data = None if body is None else json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        return web.Response(status=status, body=data, headers=hdrs | (headers or {}))

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        files: list[tuple[str, bytes]] = []
        if request.content_type == "multipart/form-data":
            body = None
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    name = part.filename or part.name or "file"  # type: ignore[union-attr]
                    files.append((name, bytes(await part.read())))  # type: ignore[union-attr]
            return body, files
        text = await request.text()
        if request.content_type == "application/json" and text:
            return json.loads(text), files
        return (text or None), files

    async def _handle_http(self, request: web.Request) -> web.Response:
        method, path = request.method, "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        query = dict(request.query)
        record: Json = {"method": method, "path": path, "query": query, "json": body}
        record["auth"] = request.headers.get("Authorization")  # which bot (process) called
        record["files"] = [name for name, _ in files]
        self.requests.append(record)
        found = self.router.match(method, path)
        if found is None:
            self.unknown_routes.append(f"{method} {path}")
            record["status"] = 404
            return self._json(404, {"message": "404: Not Found", "code": 0})
        template, params, handler = found
        record["route"] = template
        if isinstance(body, str):
            self._violations.append(f"{method} {template} request: body is not JSON")
        elif body is not None:
            self._unchecked.append(("request", method, template, 0, json.dumps(body)))
        fault = next((f for f in self.faults if f.matches(method, path, template)), None)
        if fault is not None:
            record["status"] = fault.status
            return self._fault_reply(fault, method, path)
        call = Call(method, path, template, params, query, body, files)
        try:
            reply = await handler(call)
        except RestError as exc:
            reply = Reply(exc.status, {"message": exc.message, "code": exc.code})
        record["status"] = reply.status
        answer = json.dumps(reply.body)
        self._unchecked.append(("response", method, template, reply.status, answer))
        return self._json(reply.status, reply.body)

    @property
    def spec_violations(self) -> list[str]:
        """Every way a request the bot sent or an answer the fake gave broke the spec so far.

        Validating a body against the spec takes milliseconds (85% of the load benchmark's own
        CPU when it was done inside each request), so bodies are kept as sent and checked here.
        """
        unchecked, self._unchecked = self._unchecked, []
        for kind, method, template, status, text in unchecked:
            body = None if text == "null" else json.loads(text)
            if kind == "request":
                self._violations += self.spec.request_errors(method, template, body)
            else:
                self._violations += self.spec.response_errors(method, template, status, body)
        return self._violations

    async def _attachment(self, request: web.Request) -> web.Response:
        """The CDN: bytes of a file uploaded by the bot or a user, on a signed URL as Discord's
        (`ex`, `is`, `hm`); a wrong signature or a fault set by `fail_download` is refused."""
        aid = int(request.match_info["attachment_id"])
        blob = self.blobs.get(aid)
        signed = request.query.get("hm") == _cdn_signature(aid, request.query.get("ex", ""))
        if blob is None or not signed:
            self.unknown_routes.append(f"GET {request.path}")
            return web.Response(status=404)
        if aid in self.cdn_faults:
            triggered = {"method": "GET", "path": request.path, "at": time.monotonic()}
            self.faults_triggered.append(triggered | {"status": self.cdn_faults[aid]})
            return web.Response(status=self.cdn_faults[aid], text="fake CDN failure")
        self.cdn_downloads.append(aid)
        return web.Response(body=blob, content_type=self.blob_types[aid])

    def fail_next_download(self, filename: str, status: int = 404) -> None:
        """Make every download of the next attachment named `filename` fail with `status`."""
        self._failing_names[filename] = status

    async def _not_api(self, request: web.Request) -> web.Response:
        self.unknown_routes.append(f"{request.method} {request.path}")
        return self._json(404, {"message": "404: Not Found", "code": 0})

    # -- faults -------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        path_pattern: str,
        status: int,
        retry_after: float | None = None,
        times: int = 1,
    ) -> Fault:
        """Make the next `times` matching REST calls fail with `status` (429, 500, ...).

        `path_pattern` is a spec template ("/channels/{channel_id}/messages"), a concrete path,
        or a regular expression matched against the whole path (after /api/v10).
        """
        fault = Fault(method.upper(), path_pattern, status, retry_after, times)
        self.faults.append(fault)
        return fault

    def _fault_reply(self, fault: Fault, method: str, path: str) -> web.Response:
        fault.hits += 1
        self.faults_triggered.append(
            {"method": method, "path": path, "status": fault.status, "at": time.monotonic()}
        )
        if fault.status != 429:
            return self._json(fault.status, {"message": f"{fault.status}: fake failure", "code": 0})
        wait = 0.1 if fault.retry_after is None else fault.retry_after
        headers = {
            "Retry-After": str(math.ceil(wait)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + wait:.3f}",
            "X-RateLimit-Reset-After": f"{wait:.3f}",
            "X-RateLimit-Bucket": "fake-bucket",
            "X-RateLimit-Scope": "user",
            "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
        }
        body = {"message": "You are being rate limited.", "retry_after": wait, "global": False}
        return self._json(429, body | {"code": 0}, headers)

    async def drop_gateway(self) -> None:
        """Close the bot's gateway connection; it should RESUME and get missed events replayed."""
        await self.gateway.drop()

    # -- events and waiting -------------------------------------------------------------
    def dispatch(self, event: str, data: Json) -> int | None:
        return self.gateway.dispatch(event, data)

    def notify(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()

    def loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    async def wait_until(
        self, check: Callable[[], T | None], timeout: float, describe: Callable[[], str]
    ) -> T:
        """Wait until check() returns something other than None; AssertionError on timeout."""
        try:
            async with asyncio.timeout(timeout):
                while (result := check()) is None:
                    await self._tick.wait()
                return result
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s: {describe()}") from None

    # -- messages the bot makes ---------------------------------------------------------
    def gateway_message(self, message: Json) -> Json:
        """A stored message as MESSAGE_CREATE/UPDATE carries it (guild_id, member)."""
        channel = self.world.channels[int(message["channel_id"])]
        if channel.guild is None:
            return message
        member = channel.guild.members.get(int(message["author"]["id"]))
        extra: Json = {"guild_id": str(channel.guild.id)}
        if member is not None and "webhook_id" not in message:
            extra["member"] = member.payload(with_user=False)
        return message | extra

    def attachments_for(
        self,
        channel: Channel,
        files: list[tuple[str, bytes]],
        body: Json | None = None,
        extra: list[Json] | None = None,
    ) -> list[Json]:
        """Attachment payloads for uploaded (filename, bytes), served back by the CDN route;
        `extra` adds fields per file (a voice message's duration_secs, waveform, content_type).
        Each payload is checked against the spec's AttachmentResponse."""
        described = {str(a.get("id")): a for a in (body or {}).get("attachments") or []}
        out = []
        for index, (name, data) in enumerate(files):
            aid = self.world.ids.next()
            expires = f"{int(time.time()) + 86_400:x}"
            query = f"ex={expires}&is={int(time.time()):x}&hm={_cdn_signature(aid, expires)}"
            url = f"http://127.0.0.1:{self.port}/attachments/{channel.id}/{aid}/{name}?{query}"
            item: Json = {
                "id": str(aid),
                "filename": name,
                "size": len(data),
                "url": url,
                "proxy_url": url,
                "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            }
            if described.get(str(index), {}).get("description"):
                item["description"] = described[str(index)]["description"]
            item |= (extra or [])[index] if index < len(extra or []) else {}
            self.blobs[aid] = data
            self.blob_types[aid] = item["content_type"]
            if name in self._failing_names:
                self.cdn_faults[aid] = self._failing_names.pop(name)
            self._violations += self.spec.schema_errors("AttachmentResponse", item)
            out.append(item)
        return out

    def post_bot_message(
        self,
        channel: Channel,
        body: Json,
        files: list[tuple[str, bytes]],
        *,
        extra: Json | None = None,
    ) -> Json:
        flags = int(body.get("flags") or 0)
        content = body.get("content") or ""
        has_payload = any(body.get(k) for k in ("embeds", "components", "sticker_ids", "poll"))
        if not (content or has_payload or files or flags & LOADING):
            raise RestError(400, 50006, "Cannot send an empty message")
        if len(content) > 2000:
            raise RestError(400, 50035, "Invalid Form Body: content: at most 2000 characters")
        if channel.is_thread and channel.archived:
            if channel.locked:
                raise RestError(400, 50083, "Thread is archived")
            channel.archived = False
            self.dispatch("THREAD_UPDATE", channel.payload())
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            for stored in self.world.messages.values():  # Discord dedups a repeated nonce
                same = stored.versions[0].get("nonce") == body["nonce"]
                if same and stored.by_bot and stored.channel_id == channel.id:
                    return stored.current
        try:
            check_layout(body, {name for name, _ in files})
        except LayoutError as error:
            raise RestError(400, 50035, f"Invalid Form Body: {error}") from None
        attachments = self.attachments_for(channel, files, body)
        msg = self.world.build_message(
            channel, self.world.bot_user, body, attachments=attachments, extra=extra
        )
        self.world.store(msg, by_bot=True, files=files)
        if not flags & EPHEMERAL:
            self.dispatch("MESSAGE_CREATE", self.gateway_message(msg))
        self.notify()
        return msg

    def edit_bot_message(
        self,
        stored: StoredMessage,
        body: Json,
        files: list[tuple[str, bytes]],
        *,
        finish_loading: bool = False,
    ) -> Json:
        uploaded = {name for name, _ in stored.files + files}
        try:
            flags = stored.current["flags"] | int(body.get("flags") or 0)
            check_layout(body | {"flags": flags}, uploaded)
        except LayoutError as error:
            raise RestError(400, 50035, f"Invalid Form Body: {error}") from None
        attachments = None
        if files or "attachments" in body:
            keep = {str(a.get("id")) for a in body.get("attachments") or []}
            old = [a for a in stored.current["attachments"] if a["id"] in keep]
            channel = self.world.channels[stored.channel_id]
            attachments = old + self.attachments_for(channel, files, body)
            stored.files.extend(files)
        new = self.world.edit_message(stored, body, attachments)
        if finish_loading:
            new["flags"] &= ~LOADING
        if not new["flags"] & EPHEMERAL:
            self.dispatch("MESSAGE_UPDATE", self.gateway_message(new))
        self.notify()
        return new

    def delete_message(self, stored: StoredMessage) -> None:
        stored.deleted = True
        channel = self.world.channels[stored.channel_id]
        if not stored.current["flags"] & EPHEMERAL:
            event: Json = {"id": str(stored.id), "channel_id": str(channel.id)}
            if channel.guild is not None:
                event["guild_id"] = str(channel.guild.id)
            self.dispatch("MESSAGE_DELETE", event)
        self.notify()


def _cdn_signature(attachment_id: int, expires: str) -> str:
    """The `hm` of a CDN URL: a keyed hash of the attachment and its expiry (Discord's is HMAC)."""
    key = f"fake-cdn:{attachment_id}:{expires}".encode()
    return hashlib.sha256(key).hexdigest()
