"""Buttons and the answer dialog. Each names its session and node in its custom_id.

The buttons are `DynamicItem`s: discord.py finds them by their custom_id pattern, so nothing is
kept per message (no view stays in discord.py's view store, nothing keeps a session alive) and a
button on a message sent before a restart still reaches its session. The dialog is the same:
its custom_id `iv:dialog:<session>:<node>` is read when it is submitted, and an answer for a
node that is no longer open is handed back to its author instead of graded against another.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.errors import reply_privately, sentence_for
from bot.engine.answers import Answer
from bot.engine.base import Session
from bot.errors import NothingToAnswer, NotYourTurn, StaleAnswer

if TYPE_CHECKING:
    from bot.engine.manager import SessionManager

log = logging.getLogger(__name__)

DISCORD_TEXT_INPUT_LIMIT = 4000  # Discord's cap on a text input, whatever our own limit is
ANSWER_FIELD = "answer"
_IDS = r"(?P<session>[A-Za-z0-9_-]{1,32}):(?P<node>[a-z0-9-]{0,64})"
BUTTON_PATTERN = rf"iv:(?P<action>answer|hint|skip|done|next|end):{_IDS}"
DIALOG_PATTERN = re.compile(rf"iv:dialog:{_IDS}")


@dataclass(frozen=True)
class _Look:
    label: str
    style: discord.ButtonStyle
    emoji: str


LOOKS: Mapping[str, _Look] = {
    "answer": _Look("Answer", discord.ButtonStyle.primary, "✍️"),
    "hint": _Look("Hint", discord.ButtonStyle.secondary, "💡"),
    "skip": _Look("Skip", discord.ButtonStyle.secondary, "⏭️"),
    "done": _Look("Done", discord.ButtonStyle.success, "✅"),
    "next": _Look("Next question", discord.ButtonStyle.primary, "➡️"),
    "end": _Look("End", discord.ButtonStyle.danger, "🛑"),
}


def is_moderator(interaction: discord.Interaction) -> bool:
    """Members with Manage Server may skip or end for everyone."""
    return bool(interaction.permissions.manage_guild)


def manager_of(interaction: discord.Interaction) -> SessionManager:
    """The session manager of the bot that received this interaction."""
    return interaction.client.app.manager  # type: ignore[attr-defined, no-any-return]


async def act(interaction: discord.Interaction, action: Callable[[], Awaitable[object]]) -> None:
    """Acknowledge a click quietly, run the engine action, turn errors into one sentence."""
    try:
        if not interaction.response.is_done():
            await interaction.response.defer()
        await action()
    except Exception as error:
        await reply_privately(interaction, sentence_for(error))


def require_open_node(session: Session, node_id: str) -> None:
    """Raise NothingToAnswer unless `node_id` is the node the session has open."""
    waiting = session.waiting
    if waiting is None or waiting.node_id != node_id:
        raise NothingToAnswer(session.id)


def require_answerer(session: Session, node_id: str, user: str) -> None:
    """Raise unless `node_id` is open and `user` may answer it now (before a dialog opens)."""
    session.require_participant(user)
    require_open_node(session, node_id)
    waiting = session.waiting
    if waiting is not None and not waiting.accepts(user):
        raise NotYourTurn(session.id, user, next(iter(waiting.answerers), ""))


class SessionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=BUTTON_PATTERN
):
    """One button of one session's node (Answer, Hint, Skip, Done) or reveal (Next, End)."""

    def __init__(self, action: str, session_id: str, node_id: str = "") -> None:
        look = LOOKS[action]
        super().__init__(
            discord.ui.Button(
                label=look.label,
                style=look.style,
                emoji=look.emoji,
                custom_id=f"iv:{action}:{session_id}:{node_id}",
            )
        )
        self.action = action
        self.session_id = session_id
        self.node_id = node_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SessionButton:
        """Rebuild the button from its custom_id (any message, before or after a restart)."""
        return cls(match["action"], match["session"], match["node"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Find the session, check the node is still open, and act; errors are one sentence."""
        try:
            session = manager_of(interaction).get(self.session_id)
            if self.action == "answer":
                require_answerer(session, self.node_id, str(interaction.user.id))
                await interaction.response.send_modal(self._dialog(session))
                return
            if not is_moderator(interaction):
                session.require_participant(str(interaction.user.id))
            if self.action in ("hint", "skip", "done"):
                require_open_node(session, self.node_id)
            await act(interaction, lambda: self._run(session, interaction))
        except Exception as error:
            await reply_privately(interaction, sentence_for(error))

    def _dialog(self, session: Session) -> AnswerModal:
        limit = min(session.options.max_answer_chars, DISCORD_TEXT_INPUT_LIMIT)
        return AnswerModal(session.id, self.node_id, limit)

    async def _run(self, session: Session, interaction: discord.Interaction) -> None:
        user, moderator = str(interaction.user.id), is_moderator(interaction)
        match self.action:
            case "hint":
                await session.hint(user)
            case "skip":
                await session.skip(user, moderator=moderator)
            case "done":
                await session.done(user, moderator=moderator)
            case "next":
                await session.next_question(user)
            case "end":
                await session.end(user, moderator=moderator)


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """A long-form answer typed in a dialog for one node; submitted through `on_dialog`."""

    def __init__(self, session_id: str, node_id: str, limit: int) -> None:
        super().__init__(timeout=None, custom_id=f"iv:dialog:{session_id}:{node_id}")
        self.add_item(
            discord.ui.TextInput(
                label="Answer",
                style=discord.TextStyle.paragraph,
                max_length=limit,
                custom_id=ANSWER_FIELD,
            )
        )
        self.stop()  # nothing kept in discord.py's store: the submission is read by its id


async def on_dialog(interaction: discord.Interaction) -> None:
    """A submitted answer dialog: grade it for its own node, or hand the text back."""
    data: Mapping[str, Any] = interaction.data or {}
    match = DIALOG_PATTERN.fullmatch(str(data.get("custom_id", "")))
    if interaction.type is not discord.InteractionType.modal_submit or match is None:
        return
    text = _field_value(data.get("components") or [], ANSWER_FIELD) or ""
    answer = Answer.typed(str(interaction.user.id), text, match["node"])
    try:
        await interaction.response.defer()
        await manager_of(interaction).get(match["session"]).answer(answer)
    except Exception as error:
        await _hand_back(interaction, error, text)


async def _hand_back(interaction: discord.Interaction, error: Exception, text: str) -> None:
    """One ephemeral sentence, with the member's own text echoed so nothing typed is lost."""
    sentence = sentence_for(error)
    if not isinstance(error, StaleAnswer) and text.strip():
        sentence += " Here is what you wrote."
    embed = discord.Embed(description=text[:4096]) if text.strip() else None
    try:
        if embed is None:
            await interaction.followup.send(sentence, ephemeral=True)
        else:
            await interaction.followup.send(sentence, embed=embed, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not hand an answer back (interaction %s)", interaction.id)


def _field_value(components: list[Any], custom_id: str) -> str | None:
    """The value of the text input `custom_id` in a submitted dialog (rows or labels)."""
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == custom_id and "value" in component:
            return str(component["value"])
        nested = component.get("components") or (
            [component["component"]] if "component" in component else []
        )
        found = _field_value(nested, custom_id)
        if found is not None:
            return found
    return None


def question_view(session_id: str, node_id: str) -> discord.ui.View:
    """Answer, Hint, Skip and Done for one node (a stopped view: discord.py keeps nothing)."""
    return _stopped(
        SessionButton(a, session_id, node_id) for a in ("answer", "hint", "skip", "done")
    )


def next_view(session_id: str) -> discord.ui.View:
    """Next question and End under a reveal."""
    return _stopped(SessionButton(a, session_id) for a in ("next", "end"))


def _stopped(items: Any) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view
