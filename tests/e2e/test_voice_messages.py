"""Voice messages as answers, end to end: ada practises in a text thread from her phone.

She records her answer as a Discord voice message (real Ogg Opus of pyttsx3 speech); the bot
downloads it from the fake CDN, transcribes it with the real offline Whisper model, posts the
transcript, grades it as a spoken answer, and the reveal carries her delivery line. Recordings
it cannot use get one sentence each, and the session goes on waiting for her answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from bot.discord.client import InterviewBot
from bot.errors import VoiceMessageRejected
from bot.settings import Settings, SpeechSettings, VoiceSettings
from bot.speech.audio import load_audio, write_wav
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.tts import Pyttsx3Speaker
from bot.store.tables import notices
from tests.conftest import DATA, ROOT
from tests.e2e.bot_process import BotProcess
from tests.e2e.conftest import Cast, text_of, title
from tests.harness import FakeDiscord
from tests.harness.recordings import ogg_opus, seconds_of, waveform
from tests.harness.world import Channel, Member

pytestmark = pytest.mark.model

VOICE = "gmw/en-us"
ANSWER = (
    "Overfitting is when the model memorizes the noise in the training data, "
    "um, so it fails on new data. You prevent it with regularization and early stopping."
)
PRIVACY = "Voice messages are transcribed on the bot's machine and never kept"


@pytest.fixture(scope="module")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Samples]]:
    """Text to 16 kHz mono speech, by pyttsx3 (espeak-ng): what ada says into her phone."""
    speaker = Pyttsx3Speaker(tmp_path_factory.mktemp("voices"), voice=VOICE, rate=160)
    yield lambda text: load_audio(speaker.render_sync(text))
    speaker.close()


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The e2e settings plus speech, and voice-message limits small enough to test."""
    speech = SpeechSettings(cache_dir=tmp_path / "cache", voice=VOICE, workers=1)
    voice = VoiceSettings(message_max_seconds=15, message_max_bytes=1024 * 1024)
    return settings.model_copy(update={"speech": speech, "voice": voice})


async def start_interview(fake: FakeDiscord, member: Member) -> tuple[Channel, dict[str, Any]]:
    """`member` runs /interview on fundamentals; the thread and its first question."""
    await fake.run_command(member, fake.general, "interview", {"topic": "fundamentals"})
    thread = await fake.wait_for_thread()
    question = await fake.wait_for_message(thread)
    assert "What is overfitting" in text_of(question)
    return thread, question


async def record(fake: FakeDiscord, member: Member, thread: Channel, speech: Samples) -> Any:
    """`member` sends `speech` as a voice message in the thread."""
    return await fake.user_sends_voice_message(
        member, thread, ogg_opus(speech), seconds_of(speech), waveform(speech)
    )


async def reply_to(fake: FakeDiscord, thread: Channel, sent: dict[str, Any]) -> dict[str, Any]:
    """The bot's next reply to `sent` in the thread, checked to ping no one."""
    message = await fake.wait_for_message(
        thread, lambda m: m.get("message_reference", {}).get("message_id") == sent["id"], 60
    )
    posted = next(
        r
        for r in reversed(fake.requests)
        if isinstance(r["json"], dict) and r["json"].get("content") == message["content"]
    )
    assert posted["json"]["allowed_mentions"] == {"parse": [], "replied_user": False}
    return message


async def test_a_voice_message_answer_is_transcribed_graded_and_dropped(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, speak: Callable[[str], Samples]
) -> None:
    fake = fake_discord
    thread, _question = await start_interview(fake, cast.ada)

    sent = await record(fake, cast.ada, thread, speak(ANSWER))
    assert sent["flags"] == 1 << 13
    assert sent["content"] == ""
    note = await reply_to(fake, thread, sent)
    assert PRIVACY in note["content"]
    transcript = await reply_to(fake, thread, sent)
    assert transcript["content"].startswith(f"🎙️ <@{cast.ada.id}> said (")
    heard = transcript["content"].lower()
    assert "noise" in heard
    assert "regularization" in heard
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: ")
    follow_up = await fake.wait_for_message(thread)
    assert title(follow_up) == "Follow-up"
    assert len(fake.cdn_downloads) == 1  # downloaded once, from the CDN

    # The follow-up, by voice again: no second privacy note, and the reveal has her delivery.
    sent = await record(fake, cast.ada, thread, speak("It has high variance."))
    transcript = await reply_to(fake, thread, sent)
    assert "variance" in transcript["content"].lower()
    await fake.wait_for_message(thread)  # the grade
    reveal = await fake.wait_for_message(thread, lambda m: title(m).startswith("Reveal"))
    assert "Delivery" in text_of(reveal)
    assert "words per minute" in text_of(reveal)
    assert PRIVACY not in "".join(m["content"] for m in fake.messages_in(thread)[3:])

    # What is kept: the transcript as her answer, and that she was told; never the audio.
    attempts = await bot.app.repository.attempts_for(str(cast.ada.id))
    assert any("noise" in a.answer_text.lower() for a in attempts)
    assert any(a.words_per_minute for a in attempts)
    async with bot.app.repository.engine.connect() as conn:
        told = (await conn.execute(select(notices))).all()
    assert [(r.user_id, r.notice) for r in told] == [(str(cast.ada.id), "voice-messages")]


async def test_recordings_that_cannot_be_answers_get_one_sentence_each(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, speak: Callable[[str], Samples]
) -> None:
    fake = fake_discord
    thread, _question = await start_interview(fake, cast.ada)
    speech = speak("Overfitting memorizes the noise.")

    diagram = await fake.user_types(cast.ada, thread, "", files=[("diagram.png", b"\x89PNG..")])
    assert "diagram.png is not audio" in (await reply_to(fake, thread, diagram))["content"]

    too_long = await record(fake, cast.ada, thread, np.tile(speech, 12))
    assert PRIVACY in (await reply_to(fake, thread, too_long))["content"]  # the first recording
    assert "answers can be at most 15 s" in (await reply_to(fake, thread, too_long))["content"]

    big = write_wav(np.zeros(SAMPLE_RATE * 40, dtype=np.float32), SAMPLE_RATE)  # 1.3 MB
    too_big = await fake.user_types(cast.ada, thread, "", files=[("answer.wav", big)])
    assert "larger than 1 MB" in (await reply_to(fake, thread, too_big))["content"]

    garbage = b"OggS" + bytes(range(256)) * 20
    broken = await fake.user_sends_voice_message(cast.ada, thread, garbage, 4.0, "AAAA")
    assert "could not decode" in (await reply_to(fake, thread, broken))["content"]

    fake.fail_next_download("voice-message.ogg", 500)
    lost = await record(fake, cast.ada, thread, speech)
    assert "could not download" in (await reply_to(fake, thread, lost))["content"]

    silent = await record(fake, cast.ada, thread, np.zeros(SAMPLE_RATE * 3, dtype=np.float32))
    assert "could not hear anything" in (await reply_to(fake, thread, silent))["content"]

    # Nothing of these reached the session: it still waits, and a typed answer is graded.
    assert len(fake.cdn_downloads) == 2  # the two refused after decoding; the rest never were
    await fake.user_types(cast.ada, thread, "It memorizes the noise and fails on new data.")
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: ")


async def test_any_audio_attachment_is_an_answer(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, speak: Callable[[str], Samples]
) -> None:
    fake = fake_discord
    thread, _question = await start_interview(fake, cast.ada)
    wav = write_wav(speak(ANSWER), SAMPLE_RATE)
    sent = await fake.user_types(cast.ada, thread, "my answer", files=[("answer.wav", wav)])
    assert sent["attachments"][0]["content_type"].startswith("audio/")
    assert PRIVACY in (await reply_to(fake, thread, sent))["content"]
    transcript = await reply_to(fake, thread, sent)
    assert "noise" in transcript["content"].lower()
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: ")


WITHOUT_VOICE_EXTRA = ("av", "faster_whisper", "pyttsx3")  # what the voice extra installs


async def test_without_the_voice_extra_a_voice_message_is_one_sentence(
    fake_discord: FakeDiscord, db_url: str, tmp_path: Path, speak: Callable[[str], Samples]
) -> None:
    """The bot in its own process, where the voice extra's packages cannot be imported (as on
    a machine that installed interview-bot without [voice]): one sentence, the session goes on."""
    fake = fake_discord
    ada = fake.add_member("ada")
    hidden = tmp_path / "without-voice"
    for name in WITHOUT_VOICE_EXTRA:
        (hidden / name).mkdir(parents=True)
        (hidden / name / "__init__.py").write_text(
            f"raise ModuleNotFoundError(\"No module named '{name}'\", name={name!r})\n"
        )
    env = {
        "DISCORD_TOKEN": "no-voice-token",
        "INTERVIEW_BOT_STORE__URL": db_url,
        "INTERVIEW_BOT_BANK__PATHS": json.dumps([str(DATA / "mini_bank.yaml")]),
        "INTERVIEW_BOT_LOGGING__LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(hidden), str(ROOT)]),
    }
    process = await BotProcess.spawn(fake.rest_base, fake.gateway_url, env, tmp_path / "bot.log")
    try:
        await process.ready()
        thread, _question = await start_interview(fake, ada)
        sent = await record(fake, ada, thread, speak("It memorizes the noise."))
        assert PRIVACY in (await reply_to(fake, thread, sent))["content"]
        refused = await reply_to(fake, thread, sent)
        assert refused["content"] == str(VoiceMessageRejected.no_speech_engine())
        assert fake.cdn_downloads == []  # refused before downloading
        await fake.user_types(ada, thread, "It memorizes the noise and fails on new data.")
        graded = await fake.wait_for_message(thread, timeout=10)
        assert graded["content"].startswith(f"<@{ada.id}>: ")
        assert "faster_whisper is not installed" not in refused["content"]  # no operator detail
    finally:
        await process.stop()
    assert "Traceback" not in process.errors()


async def test_in_a_round_robin_only_the_person_whose_turn_it_is_is_heard(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, speak: Callable[[str], Samples]
) -> None:
    fake = fake_discord
    await fake.run_command(cast.ada, fake.general, "group", {"floor": "round_robin"}, "create")
    thread = await fake.wait_for_thread()
    await fake.wait_for_message(thread)  # the "Group round by ..." note
    await (await fake.run_command(cast.bob, thread, "group", subcommand="join")).response()
    await (await fake.run_command(cast.ada, thread, "group", subcommand="start")).response()
    first = await fake.wait_for_message(thread, lambda m: bool(m.get("embeds")), timeout=10)
    turn = cast.ada if f"Your turn, <@{cast.ada.id}>" in text_of(first) else cast.bob
    other = cast.bob if turn is cast.ada else cast.ada

    early = await record(fake, other, thread, speak("It memorizes the noise."))
    assert "not your turn" in (await reply_to(fake, thread, early))["content"]
    assert fake.cdn_downloads == []  # not downloaded, not transcribed
    sent = await record(fake, turn, thread, speak("It memorizes the noise."))
    assert PRIVACY in (await reply_to(fake, thread, sent))["content"]
    transcript = await reply_to(fake, thread, sent)
    assert transcript["content"].startswith(f"🎙️ <@{turn.id}> said")
