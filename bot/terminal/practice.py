"""The terminal practice loop: typed answers in, rendered engine events out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from bot.app import App
from bot.engine.answers import Answer
from bot.engine.base import Session
from bot.engine.events import Event, QuickFireAsked, QuickFireRevealed, SessionEnded
from bot.errors import InterviewBotError
from bot.tasks import spawn
from bot.terminal.render import render

HELP = (
    "Type your answer and press Enter. Commands: /hint /skip /repeat /done /quit"
    " (after a reveal: Enter for the next question)."
)


class TerminalPractice:
    """Runs one session in the terminal."""

    def __init__(self, app: App, user: str, out: Callable[[str], None] = print) -> None:
        self.app = app
        self.user = user
        self.out = out
        self.finished = asyncio.Event()
        self._item_open = asyncio.Event()
        self._countdown: asyncio.Task[None] | None = None

    async def recover(self) -> list[str]:
        """Mark this person's terminal sessions a killed process left running interrupted."""
        return await self.app.manager.recover_local(self.user)

    async def on_event(self, event: Event) -> None:
        """Print an event; manage the quick-fire countdown."""
        text = render(event)
        if text:
            self.out(text)
        if isinstance(event, QuickFireAsked):
            self._item_open.set()
            self._countdown = spawn(self._tick(event.seconds), "terminal-countdown")
        if isinstance(event, QuickFireRevealed | SessionEnded):
            self._item_open.clear()
            if self._countdown:
                self._countdown.cancel()
        if isinstance(event, SessionEnded):
            self.finished.set()

    async def _tick(self, seconds: float) -> None:
        clock = self.app.manager.services.clock
        for mark in (10, 5):
            if seconds > mark:
                await clock.sleep(seconds - mark)
                seconds = mark
                self.out(f"   ⏱ {mark} s left")

    async def run(self, session: Session, lines: AsyncIterator[str]) -> None:
        """Feed typed lines to the session until it ends or input runs out."""
        reader = spawn(self._consume(session, lines), "terminal-input")
        finished = spawn(self.finished.wait(), "terminal-finished")
        await asyncio.wait({reader, finished}, return_when=asyncio.FIRST_COMPLETED)
        reader.cancel()
        finished.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        if not session.ended:
            await session.end(self.user)

    async def _consume(self, session: Session, lines: AsyncIterator[str]) -> None:
        async for line in lines:
            if session.ended:
                return
            try:
                if await self._handle(session, line.strip()):
                    return
            except InterviewBotError as exc:
                self.out(f"⚠ {exc}")

    async def _until_item_open(self) -> None:
        opened = spawn(self._item_open.wait(), "terminal-item-open")
        over = spawn(self.finished.wait(), "terminal-over")
        await asyncio.wait({opened, over}, return_when=asyncio.FIRST_COMPLETED)
        opened.cancel()
        over.cancel()

    async def _handle(self, session: Session, line: str) -> bool:
        """Act on one line; True means quit."""
        if line in ("/quit", "/q", "/end"):
            await session.end(self.user)
            return True
        if session.advances_alone and line and session.waiting is None:
            await self._until_item_open()  # a line typed during the gap answers the next item
            if session.ended:
                return True
        commands = {
            "/hint": session.hint,
            "/skip": session.skip,
            "/repeat": session.repeat,
            "/done": session.done,
            "/next": session.next_question,
        }
        if line in commands:
            await commands[line](self.user)
        elif line.startswith("/"):
            self.out(HELP)
        elif session.waiting is None:
            if line in ("", "n") and not session.advances_alone:
                await session.next_question(self.user)
        elif line:
            await session.answer(Answer.typed(self.user, line))
        return False
