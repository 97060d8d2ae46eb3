"""The terminal practice loop: typed answers in, rendered engine events out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.app import App
from bot.engine.base import Session
from bot.engine.events import (
    Asked,
    Event,
    QuickFireAsked,
    QuickFireRevealed,
    Revealed,
    SessionEnded,
)
from bot.engine.interview import InterviewSession
from bot.engine.quickfire import QuickFireSession
from bot.errors import InterviewBotError
from bot.tasks import spawn
from bot.terminal.console import RichScreen, Screen
from bot.terminal.render import render, summary

HELP = (
    "Type your answer and press Enter. Commands: /hint /skip /repeat /done /quit"
    " (after a reveal: Enter for the next question)."
)
QUICKFIRE_HELP = "Type the short answer and press Enter. Commands: /skip /repeat /quit."
NO_HINTS = "Quick-fire has no hints: type your answer, or /skip."
IN_THE_GAP = "No item is open right now; the next one comes in a moment."


class TerminalPractice:
    """Runs one session in the terminal."""

    def __init__(
        self, app: App, user: str, screen: Screen | None = None, *, quickfire: bool = False
    ) -> None:
        self.app = app
        self.user = user
        self.screen = screen or RichScreen()
        self.banner = QUICKFIRE_HELP if quickfire else HELP
        self.finished = asyncio.Event()
        self._item_open = asyncio.Event()
        self._countdown: asyncio.Task[None] | None = None
        self._reveals: list[Revealed] = []
        self._last_item: QuickFireAsked | None = None

    def notice(self, text: str) -> None:
        """A side note on stderr."""
        self.screen.notice(text)

    async def on_event(self, event: Event) -> None:
        """Print an event; manage the quick-fire countdown."""
        if self.banner:
            self.screen.show(self.banner)
            self.banner = ""
        if isinstance(event, QuickFireRevealed | SessionEnded):
            self._item_open.clear()
            if self._countdown:
                self._countdown.cancel()
            self.screen.countdown(None)
        if isinstance(event, Revealed):
            self._reveals.append(event)
        text = summary(event, tuple(self._reveals)) if isinstance(event, SessionEnded) else None
        text = text or render(event)
        if text:
            self.screen.show(text)
        if isinstance(event, QuickFireAsked):
            self._last_item = event
            self._item_open.set()
            self._countdown = spawn(self._tick(event.seconds), "terminal-countdown")
        if isinstance(event, Asked | Revealed):
            self.screen.prompt()
        if isinstance(event, SessionEnded):
            self.finished.set()

    async def _tick(self, seconds: float) -> None:
        """Count the item's seconds down, one a second."""
        clock = self.app.manager.services.clock
        left = seconds
        while left > 0:
            self.screen.countdown(left)
            step = min(1.0, left)
            await clock.sleep(step)
            left -= step

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
                self.screen.show(f"⚠ {exc}")
        if not session.ended:
            self.notice("Input ended, so the session ends here.")

    async def _quickfire(self, session: QuickFireSession, line: str) -> None:
        """A command acts on the open item only; an answer typed in the gap waits for the next."""
        if not line:
            return
        if line.startswith("/"):
            if line == "/hint":
                self.screen.show(NO_HINTS)
            elif not self._item_open.is_set():
                self.screen.show(IN_THE_GAP)
            elif line == "/skip":
                await session.skip(self.user)
            elif line == "/repeat" and self._last_item is not None:
                self.screen.show(render(self._last_item) or "")
            else:
                self.screen.show(QUICKFIRE_HELP)
            return
        await self._until_item_open()
        if not session.ended:
            await session.answer(self.user, line)

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
        if isinstance(session, QuickFireSession):
            await self._quickfire(session, line)
            return session.ended
        assert isinstance(session, InterviewSession)
        if not session.waiting_for_answer:
            if line in ("", "/next", "n"):
                await session.next_question(self.user)
            return False
        commands = {
            "/hint": session.hint,
            "/skip": session.skip,
            "/repeat": session.repeat,
            "/done": session.done,
        }
        if line in commands:
            await commands[line](self.user)
        elif line.startswith("/"):
            self.screen.show(HELP)
        elif line:
            await session.answer(self.user, line)
        return False
