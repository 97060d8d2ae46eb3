"""A session's voice side: it speaks each question, hears consenting people, hands answers on."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from typing import TYPE_CHECKING

import discord

from bot.discord import render
from bot.discord.errors import sentence_for
from bot.discord.rooms import NO_PINGS, Room
from bot.discord.spoken import answer_spoken, transcript_text
from bot.discord.voice.receive import DaveVoiceRecvClient
from bot.discord.voice.services import VoiceServices
from bot.discord.voice.sink import PcmSink, VoiceFrame
from bot.engine.events import (
    Asked,
    Event,
    QuickFireAsked,
    QuickFireRevealed,
    Revealed,
    SessionEnded,
)
from bot.errors import InterviewBotError
from bot.speech.ears import Ears
from bot.speech.listen import HeardAnswer
from bot.speech.prerender import Prerenderer, speech_pcm
from bot.speech.vocabulary import vocabulary_prompt
from bot.tasks import spawn

if TYPE_CHECKING:
    from bot.bank.catalog import Bank
    from bot.bank.models import Node, QuickFireItem

log = logging.getLogger(__name__)


class VoiceStage:
    """Speaks the engine's questions in a voice channel and feeds it what people answer.

    Events reach the stage after the thread shows them, through a queue, so speaking never
    holds up the engine. Audio from people who did not opt in is dropped in the receive thread.
    """

    def __init__(
        self,
        room: Room,
        client: DaveVoiceRecvClient,
        services: VoiceServices,
        ears: Ears,
        bank: Bank,
        *,
        views: list[discord.ui.View] | None = None,
    ) -> None:
        self.room = room
        self.views = views or []  # stopped when the stage leaves, so discord.py lets them go
        self.client = client
        self.services = services
        self.ears = ears
        self.bank = bank
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._tasks = [
            spawn(self._follow_events(), f"voice-events:{room.channel.id}"),
            spawn(self._follow_answers(), f"voice-answers:{room.channel.id}"),
        ]
        self.closed = False
        self.spoken: list[str] = []  # what the bot said, in order (for the transcript of a session)
        self._listening_for: str | None = None  # the node a heard answer answers
        self._ahead: Prerenderer | None = None  # the follow-ups that may come next, rendered
        client.listen(PcmSink(self._on_frame))

    @property
    def channel_id(self) -> int | None:
        """The voice channel the stage is connected to, if any."""
        channel = self.client.channel
        return channel.id if channel is not None else None

    def hear(self, event: Event) -> None:
        """Take an event the thread has shown; it is spoken in turn, never holding the engine."""
        if not self.closed:
            self._events.put_nowait(event)

    def _on_frame(self, frame: VoiceFrame) -> None:
        """Called on the receive thread: hand the frame to the ears (they drop what is not ours)."""
        self.ears.push(str(frame.user_id), frame.pcm)

    async def _follow_events(self) -> None:
        while True:
            event = await self._events.get()
            try:
                await self._on_event(event)
            except Exception:
                log.exception("voice could not follow %s", type(event).__name__)

    async def _on_event(self, event: Event) -> None:
        match event:
            case Asked():
                _question, node = self.bank.node(event.node_id)
                self._render_ahead(event.question_id, node)
                await self._ask(event.prompt, node, self._speakers(event.turn))
            case QuickFireAsked():
                item = self.bank.quickfire_item(event.item_id)
                await self._ask(event.prompt, item, self._speakers(None))
            case Revealed():
                self.ears.stop()
                await self.say(
                    f"That question is done. Score: {event.score:.0%}. Details are in the thread."
                )
            case QuickFireRevealed():
                self.ears.stop()
                await self.say(f"The answer: {event.answer}.")
            case SessionEnded():
                await self.room.close_stage()

    async def _ask(
        self, prompt: str, asked: Node | QuickFireItem, speakers: frozenset[str]
    ) -> None:
        """Say the prompt, then listen to these speakers, primed with what was asked."""
        self.ears.stop()
        self._listening_for = asked.id
        await self.say(prompt)
        self.ears.listen(speakers, self._prompt_for(asked))

    def _render_ahead(self, question_id: str, node: Node) -> None:
        """Render the follow-ups that can come after this node while the person answers."""
        limit = self.services.settings.voice.prerender_follow_ups
        speaker = self.services.speaker
        if not limit or speaker is None:
            return
        if self._ahead is None:
            self._ahead = Prerenderer(speaker, limit)
        children = self.bank.trees[question_id].children(node.id)
        self._ahead.ahead([child.prompt for _when, child in children], f"ahead:{node.id}")

    def _speakers(self, turn: str | None) -> frozenset[str]:
        session = self.room.session
        if turn is not None:
            return frozenset({turn})
        return frozenset(session.participants if session is not None else ())

    def _prompt_for(self, node: Node | QuickFireItem) -> str | None:
        if not self.services.settings.speech.vocabulary_prompt:
            return None
        return vocabulary_prompt(node)

    async def _follow_answers(self) -> None:
        async for person, heard in self.ears.answers():
            try:
                await self._hand_on(person, heard)
            except Exception:
                log.exception("a spoken answer could not be handed on")

    async def _hand_on(self, person: str, heard: HeardAnswer) -> None:
        transcript = heard.transcript
        text = transcript.text.strip()
        thread = self.room.channel
        if not text:
            await thread.send(
                f"🎙️ I heard {render.mention(person)} but could not make out any words.",
                allowed_mentions=NO_PINGS,
            )
            return
        await thread.send(transcript_text(person, transcript), allowed_mentions=NO_PINGS)
        session = self.room.session
        if session is None:
            return
        try:
            if not session.advances_alone:
                self.ears.stop()  # one answer per question: the follow-up opens a new round
            await answer_spoken(session, person, transcript, self._listening_for)
        except InterviewBotError as error:
            await thread.send(sentence_for(error), allowed_mentions=NO_PINGS)

    async def say(self, text: str) -> None:
        """Speak `text` in the channel and return when it has been played."""
        speaker = self.services.speaker
        if speaker is None or not self.client.is_connected():
            return
        pcm = await speech_pcm(speaker, text)  # from the cache when rendered ahead
        finished = asyncio.get_running_loop().create_future()

        def after(error: Exception | None) -> None:
            if error is not None:
                log.warning("playback failed: %s", error)
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits
                finished.get_loop().call_soon_threadsafe(_settle, finished)

        if self.client.is_playing():
            self.client.stop()
        self.client.play(discord.PCMAudio(io.BytesIO(pcm)), after=after)
        self.spoken.append(text)
        await finished

    async def leave(self) -> None:
        """Stop listening, forget all audio, and leave the channel (the room calls this when it
        closes its stage; use `room.close_stage()`)."""
        if self.closed:
            return
        self.closed = True
        if self._ahead is not None:
            self._ahead.stop()
        for view in self.views:
            view.stop()
        await self.ears.close()
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        if self.client.is_connected():
            with contextlib.suppress(Exception):
                self.client.stop_listening()
            await self.client.disconnect(force=True)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
