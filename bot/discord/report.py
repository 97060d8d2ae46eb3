"""The report card in Discord: one message when a solo session ends, Export and My report.

The card is one components V2 message (bot/discord/report_layout.py: its text, its chart in a
media gallery and its Export button in one container).

The card is built from the store (bot/engine/report.py), so both buttons are `DynamicItem`s
naming only their session: pressed on a message from before a restart, the new process builds
the same card again. Only the session's owner gets the Export file; in a group round each member
gets their own card. Everything else is one ephemeral sentence.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.discord import render
from bot.discord.errors import UserFacingError, reply_privately, sentence_for
from bot.discord.report_layout import card_layout
from bot.engine.events import SessionEnded
from bot.engine.ports import SessionRecord
from bot.engine.report import AttemptSource, ReportCard, ReportMaker, ReportOffer, offered
from bot.errors import NotAParticipant
from bot.progress import report_chart, report_text
from bot.tasks import spawn

if TYPE_CHECKING:
    from bot.engine.base import Session
    from bot.engine.clock import Clock

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
REPORT_PATTERN = r"iv:report:(?P<action>export|mine):(?P<session>[A-Za-z0-9_-]{1,32})"
CHART_FILE = "report.png"
SETTLE_SECONDS = 10.0
LOOKS = {
    "export": ("Export", discord.ButtonStyle.secondary, "📄"),
    "mine": ("My report", discord.ButtonStyle.primary, "📋"),
}


class NotYourReport(UserFacingError):
    """Someone pressed Export on another person's report card."""

    def __init__(self) -> None:
        super().__init__("This report card is not yours; end a session of your own for one.")


class NothingToReport(UserFacingError):
    """A member pressed My report on a round in which they answered nothing."""

    def __init__(self) -> None:
        super().__init__("You answered nothing in this session, so there is no report card.")


class SessionRows(AttemptSource, Protocol):
    """The store as the buttons need it: attempts, and a session's row (its owner, members)."""

    async def session_row(self, session_id: str) -> SessionRecord | None:
        """One session's stored record, or None."""
        ...


class ReportCards:
    """Builds report cards from the store and shows them: in the room, or to one person.

    A room's card is drawn in the background (the session that ended is not held up by the
    chart); `settle()` waits for the cards still on their way, so a bot that stops right after
    a session ended still posts its card before the store and the connection close."""

    def __init__(self, maker: ReportMaker, clock: Clock) -> None:
        self.maker = maker
        self.clock = clock
        self._posting: set[asyncio.Task[None]] = set()

    async def on_end(
        self, room: discord.abc.Messageable, session: Session | None, event: SessionEnded
    ) -> None:
        """The end of a session in its room: the scoreboard (with My report in a group round),
        then, for a solo session, its owner's card."""
        offer = offered(event)
        board = render.scoreboard_embed(event)
        if offer is ReportOffer.ON_REQUEST:
            view = report_view("mine", event.session_id)
            await room.send(embed=board, view=view, allowed_mentions=NO_PINGS)
        else:
            await room.send(embed=board, allowed_mentions=NO_PINGS)
        if offer is ReportOffer.CARD and session is not None:
            task = spawn(self.post(room, event.session_id, session.host), f"report:{session.id}")
            self._posting.add(task)
            task.add_done_callback(self._posting.discard)

    async def settle(self) -> None:
        """Wait (at most SETTLE_SECONDS) for the cards still being drawn and posted."""
        if self._posting:
            await asyncio.wait(set(self._posting), timeout=SETTLE_SECONDS)

    async def post(self, room: discord.abc.Messageable, session_id: str, user_id: str) -> None:
        """The card of `user_id` on `session_id`, its chart and an Export button, in the room
        (nothing when they answered nothing)."""
        card = await self.card(session_id, user_id)
        if card.empty:
            return
        chart = await self._chart(card)
        export = ReportButton("export", session_id)
        layout = card_layout(card, chart=CHART_FILE, button=export)
        try:
            await room.send(view=layout, file=chart, allowed_mentions=NO_PINGS)
        except discord.Forbidden:  # no Attach Files here: the card goes without its chart
            log.info("report card of session %s posted without its chart", session_id)
            layout = card_layout(card, button=ReportButton("export", session_id))
            await room.send(view=layout, allowed_mentions=NO_PINGS)

    async def card(self, session_id: str, user_id: str) -> ReportCard:
        """`user_id`'s card on `session_id`, from the store, as of now."""
        return await self.maker.card(session_id, user_id, self.clock.utcnow())

    async def send_export(self, interaction: discord.Interaction, card: ReportCard) -> None:
        """The card as a Markdown file, to the person who pressed (ephemeral)."""
        text = report_text.markdown(card, interaction.user.display_name)
        file = discord.File(io.BytesIO(text.encode()), filename=f"report-{card.session_id}.md")
        await interaction.followup.send(
            "Your report card, as Markdown.", file=file, ephemeral=True, allowed_mentions=NO_PINGS
        )

    async def send_mine(self, interaction: discord.Interaction, card: ReportCard) -> None:
        """The card, its chart and its Markdown file, to the person who pressed (ephemeral)."""
        chart = await self._chart(card)
        name = f"report-{card.session_id}.md"
        text = report_text.markdown(card, interaction.user.display_name)
        export = discord.File(io.BytesIO(text.encode()), filename=name)
        layout = card_layout(card, chart=CHART_FILE, markdown=name)
        await interaction.followup.send(
            view=layout, files=[chart, export], ephemeral=True, allowed_mentions=NO_PINGS
        )

    async def _chart(self, card: ReportCard) -> discord.File:
        """The card's chart as a file to upload (drawn in a worker thread)."""
        drawn = await asyncio.to_thread(report_chart.render, card, "This session")
        return discord.File(io.BytesIO(drawn.png), filename=CHART_FILE)


def report_view(action: str, session_id: str) -> discord.ui.View:
    """Export (under a solo card) or My report (under a group scoreboard); nothing kept."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReportButton(action, session_id))
    view.stop()
    return view


def cards_of(interaction: discord.Interaction) -> tuple[ReportCards, SessionRows]:
    """The report cards and store of the bot that received this interaction."""
    app = interaction.client.app  # type: ignore[attr-defined]
    services = app.manager.services
    cards = ReportCards(ReportMaker(app.repository, app.bank, services.grader), services.clock)
    return cards, app.repository


class ReportButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=REPORT_PATTERN):
    """Export (the owner's card as Markdown) or My report (a group member's own card)."""

    def __init__(self, action: str, session_id: str) -> None:
        label, style, emoji = LOOKS[action]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                emoji=emoji,
                custom_id=f"iv:report:{action}:{session_id}",
            )
        )
        self.action = action
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReportButton:
        """Rebuild the button from its custom_id (any message, before or after a restart)."""
        return cls(match["action"], match["session"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Check who pressed, build their card from the store, send it to them only."""
        try:
            cards, rows = cards_of(interaction)
            user = str(interaction.user.id)
            row = await rows.session_row(self.session_id)
            export = self.action == "export"
            if export and (row is None or row.host != user):
                raise NotYourReport
            await interaction.response.defer(ephemeral=True, thinking=True)
            card = await cards.card(self.session_id, user)
            if card.empty and (row is None or user not in (row.host, *row.participants)):
                raise NotAParticipant(self.session_id, user)
            if card.empty:
                raise NothingToReport
            if export:
                await cards.send_export(interaction, card)
            else:
                await cards.send_mine(interaction, card)
        except Exception as error:
            await reply_privately(interaction, sentence_for(error))
