"""After a restart: pick up the sessions an earlier process of our shards left running.

Every session stores where it is at each step (bot/engine/runs.py). At start, before the
gateway connects, each one with a room (its thread, or the DM of a DM session) is taken back
(its buttons and dialogs, from before the restart too, reach it: their custom_ids name the
session and the node), and a text session goes on at once: the room gets one line and the
open question is asked again. An answer typed while no process was listening, or that the
killed process was still grading, is read from the room (messages after the open node was
asked, from whoever may answer it) and graded once: an answer already stored moved the
session past that node, so it is not re-read.

A voice session waits for the gateway (voice states come with it): if any of its participants
is still in its voice channel the bot rejoins it, otherwise the session goes on as text; the
restart line says which.

A session that cannot be resumed (its room is gone, it has no stored state) is marked
interrupted, and its room, if it still exists, is told so: nothing is left looking alive.
The host's clock is taken to be in step with Discord's (message ids carry Discord's time).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import discord

from bot.discord.rooms import NO_PINGS, Room
from bot.discord.venue import RoomChannel
from bot.engine.answers import Answer, Waiting
from bot.engine.ports import SessionRecord

if TYPE_CHECKING:
    from bot.discord.client import InterviewBot

log = logging.getLogger(__name__)

RESTARTED = "🔄 I restarted; here is where we were."
BACK_IN_VOICE = RESTARTED + " I am back in the voice channel; opt in again to be heard."
NOW_TEXT = (
    RESTARTED + " Nobody from this session is in its voice channel now, so we go on by typing here."
)
LOST = (
    "🔄 I restarted and could not pick this session up, so it has ended; "
    "your answers so far are kept. Start a new one when you like."
)
PENDING_LIMIT = 50  # messages read after the open question; answers come first in a thread


async def resume_sessions(bot: InterviewBot) -> list[Room]:
    """Take back what can be resumed (text sessions go on now), mark the rest interrupted;
    the rooms of voice sessions, to go on once the gateway is ready (`resume_voice`)."""
    manager = bot.app.manager
    services = manager.services
    left = await services.repository.running_sessions(services.shards.owned)
    later: list[Room] = []
    for record in await manager.resumable():
        room = await _adopt(bot, record)
        if room is None:
            continue
        if record.voice_channel_id is not None:
            later.append(room)
        else:
            await _go_on(bot, room, RESTARTED)
    interrupted = set(await manager.recover())
    for record in left:
        if record.id in interrupted:
            await _tell(bot, record, LOST)
    if len(left) > len(interrupted):
        count = len(left) - len(interrupted)
        log.warning("resumed %d sessions left running by an earlier process", count)
    return later


async def resume_voice(bot: InterviewBot, rooms: list[Room]) -> None:
    """Once voice states are known: rejoin each session's voice channel if its people are
    there, else go on as text; then ask the open question again."""
    for room in rooms:
        line = BACK_IN_VOICE if await _rejoin(bot, room) else NOW_TEXT
        await _go_on(bot, room, line)


async def typed_since(channel: RoomChannel, waiting: Waiting) -> list[Answer]:
    """The answers people allowed to answer typed in the room after the open node was asked,
    oldest first (what the killed process never graded, or the bot was down for)."""
    answers = []
    try:
        async for message in channel.history(
            limit=PENDING_LIMIT, after=waiting.asked_at, oldest_first=True
        ):
            person = str(message.author.id)
            if not message.author.bot and waiting.accepts(person) and message.content.strip():
                answers.append(Answer.typed(person, message.content))
    except discord.HTTPException:
        log.warning("could not read the room of session %s since its question", channel.id)
    return answers


async def _adopt(bot: InterviewBot, record: SessionRecord) -> Room | None:
    channel = await _room_channel(bot, record)
    if channel is None:
        return None
    room, sink = bot.rooms.open(channel)
    try:
        room.session = bot.app.manager.adopt(record, sink)
    except Exception:
        log.exception("could not resume session %s", record.id)
        bot.rooms.forget(channel.id)
        return None
    return room


async def _go_on(bot: InterviewBot, room: Room, line: str) -> None:
    """Post the restart line, then grade what was typed meanwhile or ask the open node again."""
    channel, session = room.channel, room.session
    assert session is not None

    async def pending(waiting: Waiting) -> list[Answer]:
        return await typed_since(channel, waiting)

    try:
        await channel.send(line, allowed_mentions=NO_PINGS)
        await bot.app.manager.pick_up(session, pending)
    except Exception:
        log.exception("could not resume session %s", session.id)
        await room.close_stage()
        await session.stop("could not resume")


async def _rejoin(bot: InterviewBot, room: Room) -> bool:
    """Rejoin the session's voice channel when one of its participants is in it; else the
    session forgets its voice channel (it is a text session from now on)."""
    session = room.session
    assert session is not None
    place = session.place
    guild = bot.get_guild(int(place.guild_id)) if place.guild_id else None
    voice_id = place.voice_channel_id
    channel = guild.get_channel(int(voice_id)) if guild is not None and voice_id else None
    if isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        present = {str(user_id) for user_id in channel.voice_states} & set(session.participants)
        if present:
            try:
                await bot.launcher.open_stage(channel, room, short=session.advances_alone)
                return True
            except Exception as error:
                log.warning("could not rejoin voice for session %s: %s", session.id, error)
                await room.close_stage()
    session.place = dataclasses.replace(place, voice_channel_id=None)
    return False


async def _room_channel(bot: InterviewBot, record: SessionRecord) -> RoomChannel | None:
    """The session's thread, or its DM channel (a DM session has no guild)."""
    if record.channel_id is None or not record.channel_id.isdigit():
        return None
    try:
        channel = await bot.fetch_channel(int(record.channel_id))
    except discord.HTTPException:
        log.info("the room of session %s is gone", record.id)
        return None
    return channel if isinstance(channel, discord.Thread | discord.DMChannel) else None


async def _tell(bot: InterviewBot, record: SessionRecord, text: str) -> None:
    channel = await _room_channel(bot, record)
    if channel is None:
        return
    try:
        await channel.send(text, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.info("could not tell the room of session %s that it ended", record.id)
