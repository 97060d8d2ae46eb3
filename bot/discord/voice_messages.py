"""Voice messages (and other audio attachments) as answers: the Discord side of it.

This module only turns a message's attachment into what it declares and a way to download it,
then hands both to `bot.speech.voice_message.hear_voice_message` (checks, decoding,
transcription) and the transcript to the one spoken-answer path (`bot.discord.spoken`). The
recording lives in local variables of the speech layer while it is heard; it is never stored,
logged or re-posted. The speech modules need the voice extra, so they are imported on use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import aiohttp
import discord

from bot.bank.catalog import Bank
from bot.discord.errors import sentence_for
from bot.discord.rooms import NO_PINGS
from bot.discord.spoken import answer_spoken, transcript_text
from bot.errors import (
    InterviewBotError,
    NothingToAnswer,
    NotYourTurn,
    SpeechError,
    VoiceMessageRejected,
)
from bot.settings import Settings
from bot.speech.vocabulary import vocabulary_for

if TYPE_CHECKING:
    from bot.discord.voice.services import VoiceServices
    from bot.engine.base import Session
    from bot.speech.pool import TranscriptionPool
    from bot.speech.ports import Transcript

log = logging.getLogger(__name__)

VOICE_MESSAGE_FLAG = 1 << 13  # Discord's IS_VOICE_MESSAGE message flag
NOTICE = "voice-messages"
PRIVACY_NOTE = (
    "🔒 Voice messages are transcribed on the bot's machine and never kept: the recording is "
    "dropped as soon as it is transcribed, and only the text is graded and stored, like a typed "
    "answer."
)
REMOTE_PRIVACY_NOTE = (
    "🔒 Voice messages are transcribed by the speech server this bot's operator set up, and "
    "never kept by the bot: the recording is dropped as soon as it is transcribed, and only the "
    "text is graded and stored, like a typed answer."
)


def privacy_note(settings: Settings) -> str:
    """What a person is told the first time: where their recording is heard, and that it goes."""
    return REMOTE_PRIVACY_NOTE if settings.speech.engine == "remote" else PRIVACY_NOTE


class Notices(Protocol):
    """Where the bot remembers what it has told a person once (the repository)."""

    async def first_notice(self, user_id: str, notice: str) -> bool:
        """Record the notice; True only the first time."""
        ...


def recording_of(message: discord.Message) -> discord.Attachment | None:
    """The attachment to hear, if the message is a recording rather than typed text.

    A voice message is one; so is any audio attachment. Attachments with no text at all are
    taken too, so a file that is not audio gets its one sentence instead of an empty answer.
    """
    if not message.attachments:
        return None
    if message.flags.value & VOICE_MESSAGE_FLAG:
        return message.attachments[0]
    for attachment in message.attachments:
        if _sounds_like_audio(message, attachment):
            return attachment
    return None if message.content.strip() else message.attachments[0]


class VoiceMessages:
    """Hears recordings posted in a session's room and answers with them."""

    def __init__(
        self, voice: Callable[[], VoiceServices], bank: Bank, settings: Settings, notices: Notices
    ) -> None:
        self.voice = voice  # the shared speech services (Whisper), made on first use
        self.bank = bank
        self.settings = settings
        self.notices = notices

    async def answer(
        self, message: discord.Message, attachment: discord.Attachment, session: Session
    ) -> None:
        """Transcribe the recording, post the transcript, grade it as spoken; else one sentence."""
        person = str(message.author.id)
        waiting = session.waiting
        node_id = waiting.node_id if waiting is not None else None
        try:
            if waiting is not None and not waiting.accepts(person):  # not heard out of turn
                raise NotYourTurn(session.id, person, min(waiting.answerers, default=""))
            transcript = await self.transcribe(message, attachment, node_id)
            await answer_spoken(session, person, transcript, node_id)
        except NothingToAnswer:
            return
        except InterviewBotError as error:
            await _reply(message, str(error))
        except Exception as error:
            await _reply(message, sentence_for(error))

    async def transcribe(
        self, message: discord.Message, attachment: discord.Attachment, node_id: str | None
    ) -> Transcript:
        """The privacy note the first time, then the recording heard and its transcript posted
        under it; raises the error whose sentence says why it cannot be heard."""
        person = str(message.author.id)
        if _sounds_like_audio(message, attachment) and await self.notices.first_notice(
            person, NOTICE
        ):
            await _reply(message, privacy_note(self.settings))
        transcript = await self._hear(attachment, node_id)
        await _reply(message, transcript_text(person, transcript))
        return transcript

    async def _hear(self, attachment: discord.Attachment, node_id: str | None) -> Transcript:
        try:
            from bot.speech import voice_message as speech  # noqa: PLC0415 - the voice extra
        except ModuleNotFoundError as error:
            log.warning("voice message refused: %s is not installed", error.name)
            raise VoiceMessageRejected.no_speech_engine() from None
        declared = speech.Attachment(
            size=attachment.size,
            content_type=attachment.content_type,
            filename=attachment.filename,
            declared_seconds=attachment.duration,
        )
        limits = speech.VoiceMessageLimits(
            max_seconds=self.settings.voice.message_max_seconds,
            max_bytes=self.settings.voice.message_max_bytes,
        )

        async def download() -> bytes:
            try:
                return await attachment.read()
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as error:
                log.warning("could not download a recording: %s", type(error).__name__)
                raise VoiceMessageRejected(speech.DOWNLOAD_FAILED) from None

        return await speech.hear_voice_message(
            declared, download, self._transcription, limits, prompt=self._prompt(node_id)
        )

    async def _transcription(self) -> TranscriptionPool:
        try:
            services = self.voice()
        except ModuleNotFoundError as error:
            raise SpeechError(f"{error.name} is not installed") from None
        return await services.transcription()

    def _prompt(self, node_id: str | None) -> str | None:
        if node_id is None or not self.settings.speech.vocabulary_prompt:
            return None
        return vocabulary_for(self.bank, node_id)


def _sounds_like_audio(message: discord.Message, attachment: discord.Attachment) -> bool:
    return bool(message.flags.value & VOICE_MESSAGE_FLAG) or (
        attachment.content_type or ""
    ).lower().startswith("audio/")


async def _reply(message: discord.Message, text: str) -> None:
    await message.reply(text, mention_author=False, allowed_mentions=NO_PINGS)
