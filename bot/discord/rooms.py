"""Rooms: a running session and the channel it lives in (a server thread or a DM); engine
events become messages there."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

import discord

from bot.discord import render
from bot.discord.report import ReportCards
from bot.discord.venue import RoomChannel
from bot.discord.views import next_view, question_view
from bot.engine.base import Session
from bot.engine.events import (
    Asked,
    Event,
    Graded,
    HintGiven,
    ParticipantsChanged,
    QuickFireAnswered,
    QuickFireAsked,
    QuickFireRevealed,
    Revealed,
    SessionEnded,
    TimedOut,
    TimeWarning,
)
from bot.engine.manager import SessionManager
from bot.engine.ports import EventSink
from bot.engine.report import ReportMaker
from bot.tasks import spawn

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
COUNTDOWN_TICK_SECONDS = 5.0


class Stage(Protocol):
    """A room's voice side (bot/discord/voice/stage.py): it hears the room's events after the
    channel shows them, and leaves its channel once, when the room closes it."""

    closed: bool

    @property
    def channel_id(self) -> int | None:
        """The voice channel it is connected to, if any."""

    def hear(self, event: Event) -> None:
        """Take an event the channel has shown (never blocks)."""

    async def leave(self) -> None:
        """Stop listening, forget all audio, leave the channel (idempotent)."""


@dataclass
class Room:
    """A session, its channel (a thread, or a DM), its optional voice stage, and the messages
    whose buttons or countdown belong to it."""

    channel: RoomChannel
    session: Session | None = None
    stage: Stage | None = None
    buttons_on: discord.Message | None = None
    countdown: asyncio.Task[None] | None = None
    countdown_message: discord.Message | None = None
    asked: QuickFireAsked | None = None
    closed: bool = False

    async def close_stage(self) -> None:
        """The one way a voice stage ends: detached from the room, then it leaves its channel."""
        stage, self.stage = self.stage, None
        if stage is not None:
            await stage.leave()


class Rooms:
    """Every room by its channel's id, and the sink that renders a room's events."""

    def __init__(self, manager: SessionManager, tick: float = COUNTDOWN_TICK_SECONDS) -> None:
        self.manager = manager
        self.clock = manager.services.clock
        self.tick = tick
        services = manager.services
        maker = ReportMaker(services.repository, services.bank, services.grader)
        self.report_cards = ReportCards(maker, services.clock)
        self._by_channel: dict[int, Room] = {}
        self.starting: dict[str, asyncio.Event] = {}  # people whose session is being set up

    def open(self, channel: RoomChannel) -> tuple[Room, EventSink]:
        """A new room in `channel` and the event sink its session should use."""
        room = Room(channel)
        self._by_channel[channel.id] = room

        async def sink(event: Event) -> None:
            await self._render(room, event)

        return room, sink

    def all(self) -> list[Room]:
        """Every open room."""
        return list(self._by_channel.values())

    def by_channel(self, channel_id: int) -> Room | None:
        """The room living in this channel (thread or DM), if any."""
        return self._by_channel.get(channel_id)

    def of_session(self, session: Session) -> Room | None:
        """The room of a session, if any."""
        return next((r for r in self._by_channel.values() if r.session is session), None)

    def forget(self, channel_id: int) -> Room | None:
        """Drop a room (its thread was deleted or its session ended)."""
        room = self._by_channel.pop(channel_id, None)
        if room is not None and room.countdown is not None:
            room.countdown.cancel()
        return room

    async def _render(self, room: Room, event: Event) -> None:
        """Show the event in the room's channel, then hand it to the room's voice stage, if any."""
        if room.closed:
            return
        await self._show(room, event)
        if room.stage is not None and not room.stage.closed:
            room.stage.hear(event)

    async def _show(self, room: Room, event: Event) -> None:  # noqa: PLR0912 - a dispatch
        channel = room.channel
        if room.session is None:
            room.session = self.manager.get(event.session_id)
        match event:
            case Asked():
                await self._retire_buttons(room)
                view = question_view(event.session_id, event.node_id)
                room.buttons_on = await channel.send(
                    embed=render.asked_embed(event), view=view, allowed_mentions=NO_PINGS
                )
            case Graded():
                who = render.mention(event.participant)
                await channel.send(
                    f"{who}: {event.score:.0%} ({event.grade.verdict.value.replace('_', ' ')})"
                    + "".join(f"\n> {line}" for line in event.grade.feedback),
                    allowed_mentions=NO_PINGS,
                )
            case HintGiven():
                await channel.send(f"💡 {event.text}", allowed_mentions=NO_PINGS)
            case Revealed():
                await self._retire_buttons(room)
                last = event.number >= event.total
                embeds = render.reveal_embeds(event)[:10]
                if last:
                    message = await channel.send(embeds=embeds, allowed_mentions=NO_PINGS)
                else:
                    message = await channel.send(
                        embeds=embeds, view=next_view(event.session_id), allowed_mentions=NO_PINGS
                    )
                room.buttons_on = None if last else message
            case TimeWarning():
                await channel.send(f"⏳ {event.seconds_left:.0f} seconds left.")
            case TimedOut() if room.asked is None:  # quick-fire shows it in the countdown
                await channel.send("⌛ Time is up.")
            case QuickFireAsked():
                room.asked = event
                room.countdown_message = await channel.send(
                    render.quickfire_text(event, event.seconds), allowed_mentions=NO_PINGS
                )
                room.countdown = spawn(self._count_down(room, event), f"countdown:{channel.id}")
            case QuickFireAnswered():
                mark = f"✅ streak {event.streak}" if event.correct else "❌ not quite"
                await channel.send(
                    f"{render.mention(event.participant)}: {mark}", allowed_mentions=NO_PINGS
                )
            case QuickFireRevealed():
                await self._stop_countdown(room, event)
            case ParticipantsChanged():
                names = ", ".join(render.mention(p) for p in event.participants) or "nobody"
                await channel.send(f"👥 Players: {names}", allowed_mentions=NO_PINGS)
            case SessionEnded():
                await self._retire_buttons(room)
                if room.countdown is not None:
                    room.countdown.cancel()
                self._by_channel.pop(channel.id, None)
                await self.report_cards.on_end(channel, room.session, event)

    async def _retire_buttons(self, room: Room) -> None:
        """Take the buttons off the previous message so old clicks cannot act on a new question."""
        message, room.buttons_on = room.buttons_on, None
        if message is not None:
            try:
                await message.edit(view=None)
            except discord.HTTPException:
                log.debug("could not remove buttons from message %s", message.id)

    async def _count_down(self, room: Room, event: QuickFireAsked) -> None:
        """Edit one message in place as time passes (one edit per tick, well inside rate limits)."""
        left = event.seconds
        while left > self.tick and room.countdown_message is not None:
            await self.clock.sleep(self.tick)
            left -= self.tick
            if room.asked is event and room.countdown_message is not None:
                await room.countdown_message.edit(content=render.quickfire_text(event, left))

    async def _stop_countdown(self, room: Room, event: QuickFireRevealed) -> None:
        if room.countdown is not None:
            room.countdown.cancel()
        asked, message = room.asked, room.countdown_message
        room.countdown_message = None
        if asked is not None and message is not None:
            await message.edit(
                content=render.quickfire_result_text(asked, event), allowed_mentions=NO_PINGS
            )
