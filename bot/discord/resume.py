"""After a restart: pick up the sessions an earlier process of our shards left running.

Every session stores where it is at each step (bot/engine/runs.py). At start, before the
gateway connects, each one with a thread is resumed: the thread gets one line, the open
question is asked again with working buttons, and the buttons and dialogs of messages from
before the restart reach it too (their custom_ids name the session and the node). A session
that cannot be resumed (its thread is gone, it has no stored state) is marked interrupted, and
its thread, if it still exists, is told so: nothing is left looking alive.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.discord.rooms import NO_PINGS
from bot.engine.ports import SessionRecord

if TYPE_CHECKING:
    from bot.discord.client import InterviewBot

log = logging.getLogger(__name__)

RESTARTED = "🔄 I restarted; here is where we were."
LOST = (
    "🔄 I restarted and could not pick this session up, so it has ended; "
    "your answers so far are kept. Start a new one when you like."
)


async def resume_sessions(bot: InterviewBot) -> list[str]:
    """Resume what can be resumed, mark the rest interrupted; the ids resumed."""
    manager = bot.app.manager
    services = manager.services
    left = await services.repository.running_sessions(services.shards.owned)
    resumed = []
    for record in await manager.resumable():
        if await _resume(bot, record):
            resumed.append(record.id)
    interrupted = set(await manager.recover())
    for record in left:
        if record.id in interrupted:
            await _tell(bot, record, LOST)
    if resumed:
        log.warning("resumed %d sessions left running by an earlier process", len(resumed))
    return resumed


async def _resume(bot: InterviewBot, record: SessionRecord) -> bool:
    thread = await _thread(bot, record)
    if thread is None:
        return False
    room, sink = bot.rooms.open(thread)
    try:
        await thread.send(RESTARTED, allowed_mentions=NO_PINGS)
        room.session = await bot.app.manager.resume(record, sink)
    except Exception:
        log.exception("could not resume session %s", record.id)
        bot.rooms.forget(thread.id)
        return False
    return True


async def _thread(bot: InterviewBot, record: SessionRecord) -> discord.Thread | None:
    if record.channel_id is None or not record.channel_id.isdigit():
        return None
    try:
        channel = await bot.fetch_channel(int(record.channel_id))
    except discord.HTTPException:
        log.info("the thread of session %s is gone", record.id)
        return None
    return channel if isinstance(channel, discord.Thread) else None


async def _tell(bot: InterviewBot, record: SessionRecord, text: str) -> None:
    thread = await _thread(bot, record)
    if thread is None:
        return
    try:
        await thread.send(text, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.info("could not tell the thread of session %s that it ended", record.id)
