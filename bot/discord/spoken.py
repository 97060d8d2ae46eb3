"""Spoken answers, whichever way they came (voice channel or voice message): one path to grading.

The voice stage and voice messages both show a transcript the same way and hand it to the
session as a heard answer with its timed words, so the grade and the reveal's delivery line
(pace, fillers, pauses) are the ones a voice session gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord import render
from bot.engine.answers import Answer, Answered

if TYPE_CHECKING:
    from bot.engine.base import Session
    from bot.speech.ports import Transcript

TRANSCRIPT_LIMIT = 1800


def transcript_text(person: str, transcript: Transcript) -> str:
    """What the room sees of a spoken answer: who said it, how long, and the words, quoted."""
    text = render.chunks(transcript.text.strip(), TRANSCRIPT_LIMIT)[0]
    return f"🎙️ {render.mention(person)} said ({transcript.audio_seconds:.0f} s):\n" + "\n".join(
        f"> {line}" for line in text.splitlines()
    )


async def answer_spoken(
    session: Session, person: str, transcript: Transcript, node_id: str | None
) -> Answered:
    """Grade a transcript as a spoken answer to `node_id` (None: whatever is open)."""
    return await session.answer(
        Answer.heard(person, transcript.text.strip(), transcript.words, node_id)
    )
