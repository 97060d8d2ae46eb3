"""Speech that may be wanted next, rendered in the background so it plays from the cache."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from bot.errors import SpeechError
from bot.speech.audio import read_wav, to_discord_pcm
from bot.tasks import spawn

log = logging.getLogger(__name__)


class BackgroundSpeaker(Protocol):
    """A speaker that can render at low priority ahead of need (Pyttsx3Speaker)."""

    async def render(self, text: str) -> Path:
        """The path of a WAV file speaking `text`."""
        ...

    async def prerender(self, text: str) -> Path:
        """`render`, at low priority, for speech that may be wanted soon."""
        ...


class Prerenderer:
    """Renders the texts that may be spoken next, one at a time, at most `limit` per call.

    `ahead` replaces what was waiting: only the latest question's follow-ups matter. A text
    that fails to render is skipped; speaking it later renders it then, as before.
    """

    def __init__(self, speaker: BackgroundSpeaker, limit: int) -> None:
        self._speaker = speaker
        self._limit = limit
        self._task: asyncio.Task[None] | None = None
        self.rendered = 0

    def ahead(self, texts: Sequence[str], name: str = "prerender") -> None:
        """Render these texts in the background (the first `limit` of them), in order."""
        self.stop()
        wanted = list(dict.fromkeys(t for t in texts if t.strip()))[: self._limit]
        if wanted:
            self._task = spawn(self._render_all(wanted), name)

    def stop(self) -> None:
        """Stop rendering ahead (what is already rendered stays in the cache)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def wait(self) -> None:
        """Until the texts asked for last are rendered (for tests and benchmarks)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _render_all(self, texts: list[str]) -> None:
        for text in texts:
            try:
                await self._speaker.prerender(text)
            except SpeechError as error:
                log.info("could not render a follow-up ahead: %s", error)
                continue
            self.rendered += 1


async def speech_pcm(speaker: BackgroundSpeaker, text: str) -> bytes:
    """`text` as Discord PCM: rendered or from the cache, read and resampled off the loop."""
    path = await speaker.render(text)
    return await asyncio.to_thread(_discord_pcm, path)


def _discord_pcm(wav: Path) -> bytes:
    samples, rate = read_wav(wav.read_bytes())
    return to_discord_pcm(samples, rate)
