"""One home for errors in the Discord layer: known ones get one ephemeral sentence."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import InterviewBotError

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side; the session is unchanged. Please try again."
FORBIDDEN = (
    "I am missing a permission here: I need View Channel, Send Messages, Create Public "
    "Threads and Send Messages in Threads."
)


class UserFacingError(InterviewBotError):
    """A Discord-side problem with a sentence for the user (wrong channel, missing permission)."""


def sentence_for(error: BaseException) -> str:
    """The one sentence a user sees for an error; unknown errors are logged with a traceback."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        cause: BaseException = error.__cause__ or getattr(error, "original", None) or error
        error = cause
    if isinstance(error, InterviewBotError):
        return str(error)
    if isinstance(error, discord.Forbidden):
        return FORBIDDEN
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use that command here."
    log.error("unexpected error in an interaction", exc_info=error)
    return APOLOGY


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """Send an ephemeral message, whether or not the interaction was answered already."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell a user about an error (interaction %s)", interaction.id)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """The command tree's error handler: one ephemeral sentence, never a traceback."""
    await reply_privately(interaction, sentence_for(error))
