"""The consent message of a voice session: opt in, opt out, and "done speaking"."""

from __future__ import annotations

import discord

from bot.discord.errors import reply_privately, sentence_for
from bot.discord.rooms import Room
from bot.discord.views import is_moderator
from bot.errors import NotAParticipant, SessionOver
from bot.speech.ears import Ears

CONSENT_TEXT = (
    "🎙️ **Voice session.** I speak each question in the voice channel and listen for answers. "
    "Speech is transcribed on this bot's own machine with Whisper; no audio leaves it and none "
    "is kept: the audio of an answer is discarded as soon as it is transcribed, and only the "
    "text is posted here and graded. **Nobody is transcribed without opting in:** press "
    "*Transcribe me* to answer by voice, *Stop transcribing me* to opt out again. You can always "
    "type answers instead."
)


class RoomView(discord.ui.View):
    """A view bound to one room while it lives; only its participants may press its buttons.
    The voice stage stops it when it leaves, so discord.py's view store lets go of it."""

    def __init__(self, room: Room) -> None:
        super().__init__(timeout=None)
        self.room = room

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Refuse strangers with one ephemeral sentence; nothing changes."""
        session = self.room.session
        user = str(interaction.user.id)
        if session is None or session.ended:
            await reply_privately(interaction, str(SessionOver(str(self.room.channel.id))))
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


class ConsentView(RoomView):
    """Opt in, opt out, and end your spoken answer now; only participants may press them."""

    def __init__(self, room: Room, ears: Ears) -> None:
        super().__init__(room)
        self.ears = ears

    @discord.ui.button(label="Transcribe me", style=discord.ButtonStyle.success, emoji="🎙️")
    async def opt_in(
        self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]
    ) -> None:
        """Agree to be transcribed in this session."""
        self.ears.consent(str(interaction.user.id))
        await reply_privately(
            interaction, "I will transcribe your answers in this session; your audio is not kept."
        )

    @discord.ui.button(
        label="Stop transcribing me", style=discord.ButtonStyle.secondary, emoji="🔇"
    )
    async def opt_out(
        self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]
    ) -> None:
        """Withdraw consent: nothing more of yours is transcribed, what was heard is dropped."""
        self.ears.withdraw(str(interaction.user.id))
        await reply_privately(interaction, "I will not transcribe you any more; type to answer.")

    @discord.ui.button(label="Done speaking", style=discord.ButtonStyle.primary, emoji="✅")
    async def done(self, interaction: discord.Interaction, _: discord.ui.Button[RoomView]) -> None:
        """End your spoken answer now instead of waiting for the silence."""
        self.ears.done(str(interaction.user.id))
        await reply_privately(interaction, "Got it: transcribing what you said.")
