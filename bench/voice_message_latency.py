"""From a 20 s voice message arriving to its grade posted: the bot as it runs, on this machine.

The real InterviewBot (shipped bank, faster-whisper tiny.en, 1 worker, the question's vocabulary
prompt) runs against the fake Discord in this process. For each run a new member starts
/interview; the answer is the asked question's reference answer spoken by pyttsx3 (espeak-ng
en-us, 160 wpm), cut to exactly 20.0 s and encoded as a phone's voice message (Ogg Opus, 48 kHz,
IS_VOICE_MESSAGE flag, duration_secs, waveform). The clock starts when the fake dispatches
MESSAGE_CREATE and stops when the bot has posted the grade ("<@member>: NN% ..."): in between
are the privacy note (first run only, excluded), the download from the fake CDN, decoding,
transcription, the transcript reply and grading. A first run loads the model and is not counted.

Run: .venv/bin/python -m bench.voice_message_latency [--reps 7] [--json]
Each measurement first waits up to --patience seconds (600) for other processes to go quiet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import discord
import numpy as np
import yarl

from bench.speech_common import PROJECT_ROOT, OtherLoad, bank, speaker, wait_for_quiet
from bot.app import build_app
from bot.bank.models import Question
from bot.discord.client import InterviewBot
from bot.settings import BankSettings, Settings, SpeechSettings, StoreSettings
from bot.speech.audio import load_audio
from bot.speech.ports import SAMPLE_RATE
from tests.harness import FakeDiscord, Member
from tests.harness.fixtures import connect_bot, disconnect_bot
from tests.harness.recordings import ogg_opus, waveform

SECONDS = 20.0


def recording(text: str) -> tuple[bytes, float, str]:
    """`text` spoken, cut to 20 s: the Ogg Opus bytes, its length and its waveform."""
    samples = load_audio(speaker().render_sync(text))
    while samples.size < SECONDS * SAMPLE_RATE:  # a short reference answer: say it again
        samples = np.concatenate([samples, samples])
    samples = samples[: int(SECONDS * SAMPLE_RATE)]
    return ogg_opus(samples), samples.size / SAMPLE_RATE, waveform(samples)


def question_for(prompt_text: str) -> Question:
    """The question whose prompt the bot posted."""
    return next(q for q in bank().questions if q.prompt.strip() in prompt_text)


async def one_run(fake: FakeDiscord, member: Member) -> dict[str, Any]:
    """`member` starts an interview and answers by voice message; the timings of that answer."""
    before = {c.id for c in fake.world.channels.values() if c.is_thread}
    await fake.run_command(member, fake.general, "interview")
    thread = await fake.wait_for_thread(lambda c: int(c["id"]) not in before, timeout=30)
    asked = await fake.wait_for_message(thread, timeout=30)
    question = question_for(asked["embeds"][0]["description"])
    ogg, seconds, wave = recording(question.reference_answer)
    graded = f"<@{member.id}>: "
    with OtherLoad() as load:
        began = time.perf_counter()
        await fake.user_sends_voice_message(member, thread, ogg, seconds, wave)
        transcript = await fake.wait_for_message(
            thread, lambda m: m["content"].startswith("🎙️"), timeout=120
        )
        said = time.perf_counter()
        await fake.wait_for_message(thread, lambda m: m["content"].startswith(graded), 120)
        done = time.perf_counter()
    return {
        "question": question.id,
        "audio_s": seconds,
        "bytes": len(ogg),
        "to_transcript_s": said - began,
        "to_grade_s": done - began,
        "other_load_cores": load.cores,
        "transcript_words": len(transcript["content"].split("\n", 1)[-1].split()),
    }


async def measure(reps: int, patience: float) -> list[dict[str, Any]]:
    """A warm-up run (model loading), then `reps` measured runs, each by a new member."""
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.rest_base  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    members = [fake.add_member(f"phone{i}") for i in range(reps + 1)]
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            bank=BankSettings(paths=[PROJECT_ROOT / "question_bank"]),
            store=StoreSettings(data_dir=Path(data)),
            speech=SpeechSettings(cache_dir=PROJECT_ROOT / "data" / "cache", workers=1),
        )
        app = await build_app(settings)
        bot = InterviewBot(app)
        await connect_bot(bot, fake)
        try:
            await one_run(fake, members[0])  # loads Whisper; the privacy note goes to phone0
            runs = []
            for member in members[1:]:
                wait_for_quiet(patience)
                runs.append(await one_run(fake, member))
                print(json.dumps(runs[-1]), file=sys.stderr)
        finally:
            await disconnect_bot(bot, fake)
            await app.close()
            await fake.close()
    return runs


def main() -> None:
    """Measure and print the medians (and each run with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--patience", type=float, default=600)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = asyncio.run(measure(args.reps, args.patience))
    grade = [r["to_grade_s"] for r in runs]
    said = [r["to_transcript_s"] for r in runs]
    print(
        f"{len(runs)} runs of a {SECONDS:.0f} s voice message: to grade posted median "
        f"{statistics.median(grade):.2f} s (min {min(grade):.2f}, max {max(grade):.2f}; each "
        f"{', '.join(f'{g:.2f}' for g in grade)}); to transcript posted median "
        f"{statistics.median(said):.2f} s; other processes' load "
        f"{statistics.mean(r['other_load_cores'] for r in runs):.2f} cores"
    )
    if args.json:
        print(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
