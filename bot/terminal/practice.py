"""The terminal practice loop: typed answers in, rendered engine events out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from bot.app import App
from bot.engine.answers import Answer
from bot.engine.base import Session
from bot.engine.events import (
    Asked,
    Event,
    QuickFireAsked,
    QuickFireRevealed,
    Revealed,
    SessionEnded,
)
from bot.engine.report import ReportMaker, ReportOffer, offered
from bot.errors import InterviewBotError
from bot.progress import report_text
from bot.tasks import spawn
from bot.terminal.console import RichScreen, Screen
from bot.terminal.render import render, summary

HELP = (
    "Type your answer and press Enter. Commands: /hint /skip /repeat /done /quit"
    " (after a reveal: Enter for the next question)."
)
QUICKFIRE_HELP = "Type the short answer and press Enter. Commands: /skip /quit."
IN_THE_GAP = "No item is open right now; the next one comes in a moment."


class TerminalPractice:
    """Runs one session in the terminal."""

    def __init__(
        self,
        app: App,
        user: str,
        screen: Screen | None = None,
        *,
        quickfire: bool = False,
        report_file: Path | None = None,
    ) -> None:
        self.app = app
        self.user = user
        self.report_file = report_file
        self.screen = screen or RichScreen()
        self.banner = QUICKFIRE_HELP if quickfire else HELP
        self.finished = asyncio.Event()
        self._item_open = asyncio.Event()
        self._countdown: asyncio.Task[None] | None = None
        self._reveals: list[Revealed] = []

    def notice(self, text: str) -> None:
        """A side note on stderr."""
        self.screen.notice(text)

    async def recover(self) -> list[str]:
        """Mark this person's terminal sessions a killed process left running interrupted."""
        return await self.app.manager.recover_local(self.user)

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
            self._item_open.set()
            self._countdown = spawn(self._tick(event.seconds), "terminal-countdown")
        if isinstance(event, Asked | Revealed):
            self.screen.prompt()
        if isinstance(event, SessionEnded):
            await self._report(event)
            self.finished.set()

    async def _report(self, event: SessionEnded) -> None:
        """The report card after the summary, and as Markdown in `report_file` if asked."""
        if offered(event) is ReportOffer.NONE:
            return
        app, services = self.app, self.app.manager.services
        maker = ReportMaker(app.repository, app.bank, services.grader)
        card = await maker.card(event.session_id, self.user, services.clock.utcnow())
        if card.empty:
            return
        self.screen.show(report_text.plain(card))
        if self.report_file is not None:
            text = report_text.markdown(card, self.user)
            try:
                await asyncio.to_thread(self.report_file.write_text, text, encoding="utf-8")
            except OSError as error:
                reason = error.strerror or type(error).__name__
                self.notice(f"Could not write the report card to {self.report_file} ({reason});")
                self.notice("it is shown above.")
                return
            self.notice(f"Your report card is in {self.report_file}.")

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
        between_items = session.advances_alone and session.waiting is None
        if between_items and line.startswith("/"):
            self.screen.show(IN_THE_GAP)  # a command is never kept for the next item
            return False
        if between_items and line:
            await self._until_item_open()  # an answer typed during the gap answers the next item
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
            self.screen.show(QUICKFIRE_HELP if session.advances_alone else HELP)
        elif session.waiting is None:
            if line in ("", "n") and not session.advances_alone:
                await session.next_question(self.user)
        elif line:
            await session.answer(Answer.typed(self.user, line))
        return False
