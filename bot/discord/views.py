"""Buttons and the answer modal. Each click checks who clicked, then calls the engine."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.discord.errors import reply_privately, sentence_for
from bot.discord.rooms import Room
from bot.engine.interview import InterviewSession
from bot.engine.quickfire import QuickFireSession
from bot.errors import NotAParticipant, SessionOver

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 4000


def is_moderator(interaction: discord.Interaction) -> bool:
    """Members with Manage Server may skip or end for everyone."""
    return bool(interaction.permissions.manage_guild)


async def act(interaction: discord.Interaction, action: Callable[[], Awaitable[object]]) -> None:
    """Acknowledge a click quietly, run the engine action, turn errors into one sentence."""
    try:
        if not interaction.response.is_done():
            await interaction.response.defer()
        await action()
    except Exception as error:
        await reply_privately(interaction, sentence_for(error))


class RoomView(discord.ui.View):
    """A view bound to one room; only its participants may press its buttons."""

    def __init__(self, room: Room) -> None:
        super().__init__(timeout=None)
        self.room = room

    @property
    def interview(self) -> InterviewSession:
        """The room's interview session (solo or group)."""
        session = self.room.session
        if not isinstance(session, InterviewSession):
            raise SessionOver(str(self.room.thread.id))
        return session

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Refuse strangers with one ephemeral sentence; nothing changes."""
        session = self.room.session
        user = str(interaction.user.id)
        if session is None or session.ended:
            await reply_privately(interaction, str(SessionOver(str(self.room.thread.id))))
            return False
        if user not in session.participants and not is_moderator(interaction):
            await reply_privately(interaction, str(NotAParticipant(session.id, user)))
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[RoomView]
    ) -> None:
        """Never a traceback for the user."""
        await reply_privately(interaction, sentence_for(error))


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """A long-form answer typed in a dialog."""

    text: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Answer", style=discord.TextStyle.paragraph, max_length=MAX_ANSWER_CHARS
    )

    def __init__(self, room: Room) -> None:
        super().__init__(timeout=900)
        self.room = room

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Hand the answer to the engine; the grade and next step appear in the thread."""
        session = self.room.session
        user = str(interaction.user.id)

        async def answer() -> None:
            if session is None:
                raise SessionOver(str(self.room.thread.id))
            await session.answer(user, self.text.value)  # type: ignore[attr-defined]

        await act(interaction, answer)

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        """Never a traceback for the user."""
        await reply_privately(interaction, sentence_for(error))


class QuestionView(RoomView):
    """Answer, Hint, Skip and Done under a question."""

    @discord.ui.button(label="Answer", style=discord.ButtonStyle.primary, emoji="✍️")
    async def answer(
        self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]
    ) -> None:
        """Open the answer dialog."""
        await interaction.response.send_modal(AnswerModal(self.room))

    @discord.ui.button(label="Hint", style=discord.ButtonStyle.secondary, emoji="💡")
    async def hint(self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]) -> None:
        """Show one key point (costs a little score)."""
        await act(interaction, lambda: self.interview.hint(str(interaction.user.id)))

    @discord.ui.button(label="Skip", style=discord.ButtonStyle.secondary, emoji="⏭️")
    async def skip(self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]) -> None:
        """Reveal the answer and move on."""
        session, user = self.room.session, str(interaction.user.id)
        moderator = is_moderator(interaction)
        if isinstance(session, QuickFireSession):
            await act(interaction, lambda: session.skip(user, moderator=moderator))
        else:
            await act(interaction, lambda: self.interview.skip(user, moderator=moderator))

    @discord.ui.button(label="Done", style=discord.ButtonStyle.success, emoji="✅")
    async def done(self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]) -> None:
        """Stop the follow-ups and reveal now."""
        moderator = is_moderator(interaction)
        await act(
            interaction, lambda: self.interview.done(str(interaction.user.id), moderator=moderator)
        )


class NextView(RoomView):
    """Next question or End under a reveal."""

    @discord.ui.button(label="Next question", style=discord.ButtonStyle.primary, emoji="➡️")
    async def next_question(
        self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]
    ) -> None:
        """Ask the next question."""
        await act(interaction, lambda: self.interview.next_question(str(interaction.user.id)))

    @discord.ui.button(label="End", style=discord.ButtonStyle.danger, emoji="🛑")
    async def end(self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]) -> None:
        """End the session and show the scoreboard."""
        moderator = is_moderator(interaction)
        await act(
            interaction, lambda: self.interview.end(str(interaction.user.id), moderator=moderator)
        )


class Views:
    """The ViewFactory the rooms use."""

    def question(self, room: Room) -> discord.ui.View:
        """Buttons under a question (quick-fire items get none: people just type)."""
        if isinstance(room.session, QuickFireSession):
            return discord.ui.View()
        return QuestionView(room)

    def next(self, room: Room) -> discord.ui.View:
        """Buttons under a reveal."""
        return NextView(room)
