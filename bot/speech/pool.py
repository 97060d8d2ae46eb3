"""A bounded pool of transcription workers, so Whisper never runs on the event loop."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from bot.speech.ports import Samples, Transcriber, Transcript

log = logging.getLogger(__name__)


class TranscriptionPool:
    """Runs `Transcriber.transcribe` in worker threads (CTranslate2 and torch release the GIL).

    At most `workers` transcriptions run at once; the rest wait their turn without blocking.
    """

    def __init__(self, transcriber: Transcriber, workers: int = 1) -> None:
        self.transcriber = transcriber
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="whisper")
        self.completed = 0

    async def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Transcribe in a worker; the caller's loop stays free."""
        loop = asyncio.get_running_loop()
        transcript = await loop.run_in_executor(self._executor, self._run, audio, prompt)
        self.completed += 1
        return transcript

    def _run(self, audio: Samples, prompt: str | None) -> Transcript:
        return self.transcriber.transcribe(audio, prompt=prompt)

    def close(self) -> None:
        """Finish running work and stop the workers."""
        self._executor.shutdown(wait=True, cancel_futures=True)
