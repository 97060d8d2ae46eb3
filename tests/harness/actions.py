"""What the people in the fake guild do: join, type, run slash commands, click, submit modals.

Each action builds the payload a real Discord client would cause and dispatches it over the
gateway to the bot. Mixed into `FakeDiscord`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .contexts import GUILD, check_offered, context_of
from .interactions import (
    AUTOCOMPLETE,
    COMMAND,
    COMPONENT,
    MODAL_SUBMIT,
    Interaction,
    base_payload,
    command_data,
    find_component,
    modal_submit_components,
)
from .world import PRIVATE_THREAD, PUBLIC_THREAD, Channel, Guild, Json, Member, User

IS_VOICE_MESSAGE = 1 << 13  # the message flag of a voice message

if TYPE_CHECKING:
    from .server import FakeDiscord

    _Base = FakeDiscord
else:
    _Base = object

SELECT_TYPES = (3, 5, 6, 7, 8)


def _message_id(message: Json | int | str) -> int:
    return int(message["id"]) if isinstance(message, dict) else int(message)


class ActionsMixin(_Base):
    # -- changing the world while the bot runs ------------------------------------------
    def add_member(
        self,
        name: str,
        *,
        manage_guild: bool = False,
        permissions: int | None = None,
        guild: Guild | None = None,
    ) -> Member:
        """A new user who joins the guild (GUILD_MEMBER_ADD if the bot is connected).

        `manage_guild=True` gives them a role with Manage Server; `permissions` adds any other
        permission bits through a role of their own.
        """
        guild = guild or self.guild
        user = self.world.add_user(name)
        member = self.world.add_member(
            guild, user, manage_guild=manage_guild, permissions=permissions
        )
        for role in guild.roles:
            if role.id in member.role_ids:
                event = {"guild_id": str(guild.id), "role": role.payload()}
                self.dispatch("GUILD_ROLE_CREATE", event)
        self.dispatch("GUILD_MEMBER_ADD", member.payload() | {"guild_id": str(guild.id)})
        return member

    def add_channel(self, name: str, *, guild: Guild | None = None, bot_denied: int = 0) -> Channel:
        """A new text channel (CHANNEL_CREATE if the bot is connected); `bot_denied`: the
        permissions a member overwrite takes from the bot there (the fake enforces them)."""
        channel = self.world.add_channel(guild or self.guild, name)
        if bot_denied:
            channel.denied[self.world.bot_user.id] = bot_denied
        self.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    def add_thread(
        self, parent: Channel, name: str, owner: Member, *, private: bool = False
    ) -> Channel:
        """A thread a user starts (THREAD_CREATE if the bot is connected)."""
        kind = PRIVATE_THREAD if private else PUBLIC_THREAD
        thread = self.world.add_thread(parent, name, owner.id, type=kind)
        self.dispatch("THREAD_CREATE", thread.payload() | {"newly_created": True})
        return thread

    def dm_channel(self, who: Member | User) -> Channel:
        """The DM channel between the bot and a user."""
        return self.world.dm_channel(who.user if isinstance(who, Member) else who)

    def install_app(self, who: Member | User, *, dms_closed: bool = False) -> User:
        """The user adds the app to their account (a user install); `dms_closed`: their
        privacy settings refuse DMs from the bot (sending there fails with 50007)."""
        user = who.user if isinstance(who, Member) else who
        user.app_installed = True
        user.dms_closed = dms_closed
        return user

    def add_foreign_guild(self, name: str, *members: Member | User) -> Channel:
        """A server the bot is not in, with these users in it: its #general (the bot hears
        nothing from it; only their user-installed commands reach it)."""
        guild = self.world.add_foreign_guild(name)
        for who in members:
            self.world.add_member(guild, who.user if isinstance(who, Member) else who)
        return self.world.add_channel(guild, "general")

    def group_dm(self, owner: Member | User, *others: Member | User) -> Channel:
        """A group DM between users, without the bot."""
        users = [w.user if isinstance(w, Member) else w for w in (owner, *others)]
        return self.world.group_dm(*users)

    # -- messages -----------------------------------------------------------------------
    async def user_types(
        self,
        member: Member | User,
        channel: Channel,
        content: str,
        *,
        reply_to: Json | None = None,
        files: list[tuple[str, bytes]] | None = None,
        flags: int = 0,
        file_fields: list[Json] | None = None,
    ) -> Json:
        """A user posts a message (MESSAGE_CREATE); returns the message payload.

        `files` are (filename, bytes) attachments; the bot can download them (Attachment.read).
        """
        user = member.user if isinstance(member, Member) else member
        if channel.is_thread:
            channel.member_ids.add(user.id)
        body: Json = {"content": content, "flags": flags}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to["id"]}
        attachments = self.attachments_for(channel, files or [], extra=file_fields)
        msg = self.world.build_message(channel, user, body, attachments=attachments)
        self.world.store(msg, by_bot=False, files=list(files or []))
        if channel.guild is None or self.world.has_bot(channel.guild):  # else the bot never hears
            self.dispatch("MESSAGE_CREATE", self.gateway_message(msg))
        self.notify()
        return msg

    async def user_sends_voice_message(
        self, member: Member | User, channel: Channel, ogg: bytes, seconds: float, waveform: str
    ) -> Json:
        """A user records a voice message in the app: as Discord posts one, a message with no
        text, the IS_VOICE_MESSAGE flag and one Ogg Opus attachment with its length and waveform
        (base64, one byte per ~100 ms, at most 256)."""
        if not ogg.startswith(b"OggS"):
            raise ValueError("a voice message is Ogg Opus")
        fields = {"content_type": "audio/ogg", "duration_secs": seconds, "waveform": waveform}
        return await self.user_types(
            member,
            channel,
            "",
            files=[("voice-message.ogg", ogg)],
            flags=IS_VOICE_MESSAGE,
            file_fields=[fields],
        )

    # -- interactions -------------------------------------------------------------------
    def _send_interaction(self, payload: Json, channel: Channel, member: Member) -> Interaction:
        inter = Interaction(self, payload, channel, member)
        self.interactions[inter.id] = inter
        self.by_token[inter.token] = inter
        self.dispatch("INTERACTION_CREATE", payload)
        return inter

    def find_command(self, name: str, guild: Guild | None) -> Json:
        """The registered chat-input command `name` (guild commands first, then global; only
        global ones outside a server of the bot)."""
        local = self.world.guild_commands.get(guild.id, []) if guild is not None else []
        everything = local + self.world.global_commands
        for cmd in everything:
            if cmd["name"] == name and cmd.get("type", 1) == 1:
                return cmd
        known = sorted(c["name"] for c in everything)
        raise LookupError(f"/{name} is not registered (did the bot sync its tree?); have {known}")

    async def run_command(
        self,
        member: Member,
        channel: Channel,
        name: str,
        options: dict[str, Any] | None = None,
        subcommand: str | None = None,
    ) -> Interaction:
        """`member` runs `/name [subcommand] options...` in `channel`: a channel or a thread,
        the bot's DM (`dm_channel`), a server without the bot or a group DM (after
        `install_app`). Only where the command's contexts and installs offer it.

        `subcommand` is "sub" or "group sub". Option values are plain Python values; user,
        channel and role options take Member/User, Channel and Role objects.
        """
        cmd = self.find_command(name, self._commands_guild(channel))
        data = command_data(cmd, options, subcommand, member)
        payload = base_payload(self.world, COMMAND, member, channel, data)
        check_offered(cmd, payload)
        return self._send_interaction(payload, channel, member)

    def _commands_guild(self, channel: Channel) -> Guild | None:
        """The server whose guild commands apply in `channel` (none outside the bot's)."""
        guild = channel.guild
        in_bots_server = context_of(channel) == GUILD and self.world.has_bot(guild)
        return guild if in_bots_server else None

    async def autocomplete(
        self,
        member: Member,
        channel: Channel,
        name: str,
        options: dict[str, Any],
        focused: str,
        subcommand: str | None = None,
    ) -> Interaction:
        """`member` is typing option `focused` of /name; the bot should answer with choices."""
        if focused not in options:
            raise ValueError(f"the focused option {focused!r} must be in options")
        cmd = self.find_command(name, self._commands_guild(channel))
        data = command_data(cmd, options, subcommand, member, focused=focused)
        payload = base_payload(self.world, AUTOCOMPLETE, member, channel, data)
        check_offered(cmd, payload)
        return self._send_interaction(payload, channel, member)

    async def click(
        self,
        member: Member,
        message: Json | int,
        custom_id: str,
        values: list[str] | None = None,
    ) -> Interaction:
        """`member` clicks the button (or picks `values` in the select) `custom_id`.

        Uses the message as it is now (after any edits); a missing or disabled component
        raises, as a real user could not click it.
        """
        stored = self.world.messages.get(_message_id(message))
        if stored is None or stored.deleted:
            raise LookupError(f"message {_message_id(message)} does not exist (or was deleted)")
        current = stored.current
        comp = find_component(current, custom_id)
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: Json = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp["type"] in SELECT_TYPES:
            data["values"] = list(values or [])
        elif values is not None:
            raise ValueError(f"component {custom_id!r} is not a select")
        channel = self.world.channels[stored.channel_id]
        payload = base_payload(self.world, COMPONENT, member, channel, data)
        payload["message"] = current
        return self._send_interaction(payload, channel, member)

    async def submit_modal(
        self, member: Member, channel: Channel, custom_id: str, values: dict[str, str]
    ) -> Interaction:
        """`member` fills in and submits the modal `custom_id` that the bot opened for them."""
        openers = [
            i
            for i in reversed(list(self.interactions.values()))
            if i.modal is not None and i.modal.get("custom_id") == custom_id
        ]
        if not openers:
            raise LookupError(f"the bot never opened a modal {custom_id!r}")
        # Discord shows a dialog to the one member it was opened for; several members may
        # each have one open with the same custom_id.
        opener = next((i for i in openers if i.member.id == member.id), openers[0])
        if opener.member.id != member.id:
            raise ValueError(f"modal {custom_id!r} was opened for {opener.member.user.name}")
        assert opener.modal is not None
        data = {
            "custom_id": custom_id,
            "components": modal_submit_components(opener.modal, values),
        }
        payload = base_payload(self.world, MODAL_SUBMIT, member, channel, data)
        if opener.type == COMPONENT:
            stored = self.world.messages[int(opener.payload["message"]["id"])]
            payload["message"] = stored.current
        inter = Interaction(self, payload, channel, member)
        inter.opened_by = opener
        self.interactions[inter.id] = inter
        self.by_token[inter.token] = inter
        self.dispatch("INTERACTION_CREATE", payload)
        return inter
