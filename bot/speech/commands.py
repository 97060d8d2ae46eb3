"""The `interview-bot say` and `interview-bot transcribe` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bot.bank.catalog import Bank
from bot.grading.speech_metrics import SpeechMetrics
from bot.settings import Settings
from bot.speech.audio import load_audio
from bot.speech.factory import speaker_from, transcriber_from
from bot.speech.vocabulary import vocabulary_prompt


def say(settings: Settings, text: str, out: Path) -> int:
    """Speak `text` into a 22,050 Hz mono WAV file at `out`."""
    speaker = speaker_from(settings)
    try:
        rendered = speaker.render_sync(text)
    finally:
        speaker.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(rendered, out)
    print(out)
    return 0


def transcribe(
    settings: Settings,
    audio_path: Path,
    *,
    engine: str | None,
    model: str | None,
    prompt: str | None,
    question: str | None,
    bank: Bank | None,
    as_json: bool,
) -> int:
    """Transcribe an audio file (WAV/FLAC/OGG/MP3, any rate) and print text or JSON."""
    if question and bank is not None:
        prompt = vocabulary_prompt(bank.node(question)[1])
    audio = load_audio(audio_path)
    transcript = transcriber_from(settings, engine, model).transcribe(audio, prompt=prompt)
    metrics = SpeechMetrics.of(transcript.text, transcript.words)
    if not as_json:
        print(transcript.text)
        return 0
    row = {
        "text": transcript.text,
        "audio_seconds": transcript.audio_seconds,
        "processing_seconds": transcript.processing_seconds,
        "engine": transcript.engine,
        "model": transcript.model,
        "words_per_minute": metrics.words_per_minute,
        "filler_words": metrics.filler_words,
        "words": [{"word": w.text, "start": w.start, "end": w.end} for w in transcript.words],
    }
    print(json.dumps(row, ensure_ascii=False, indent=2))
    return 0
