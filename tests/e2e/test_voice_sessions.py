"""Voice sessions end to end: the real bot joins the fake's voice channel, speaks the question,
hears a consenting participant (speech injected as Opus RTP), and posts transcript and grade."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.discord.client import InterviewBot
from bot.discord.voice.stage import VoiceStage
from bot.settings import (
    Settings,
    SpeechSettings,
    VoiceSettings,
)
from bot.speech.audio import from_discord_pcm, load_audio, to_discord_pcm
from bot.speech.faster_whisper_engine import FasterWhisperTranscriber
from bot.speech.tts import Pyttsx3Speaker
from tests.e2e.conftest import Cast, button, eventually, private_answer, text_of, title
from tests.harness import FakeDiscord
from tests.harness.world import Channel, Member

pytestmark = pytest.mark.model

VOICE = "gmw/en-us"


@pytest.fixture(scope="module")
def whisper() -> FasterWhisperTranscriber:
    """The offline model, to check what the bot said."""
    return FasterWhisperTranscriber("tiny.en", threads=2).load()


@pytest.fixture(scope="module")
def say(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Callable[[str], bytes]]:
    """Text to Discord PCM, spoken by pyttsx3: what a participant says into the channel."""
    speaker = Pyttsx3Speaker(tmp_path_factory.mktemp("voices"), voice=VOICE, rate=160)

    def say(text: str) -> bytes:
        return to_discord_pcm(load_audio(speaker.render_sync(text)), 16_000)

    yield say  # type: ignore[misc]
    speaker.close()


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The e2e settings plus speech: a cache of its own, a clear voice, quick endings."""
    speech = SpeechSettings(cache_dir=tmp_path / "cache", voice=VOICE, rate=160, workers=2)
    voice = VoiceSettings(end_silence_seconds=0.8, leave_when_empty_seconds=0.3)
    return settings.model_copy(update={"speech": speech, "voice": voice})


@pytest.fixture
def room(fake_discord: FakeDiscord) -> Channel:
    """A voice channel in the fake guild."""
    return fake_discord.add_voice_channel("study room")


async def start_voice(
    fake: FakeDiscord,
    bot: InterviewBot,
    member: Member,
    room: Channel,
    command: str = "interview",
    options: dict[str, Any] | None = None,
    subcommand: str | None = None,
) -> tuple[Channel, dict[str, Any]]:
    """`member` joins the voice channel and starts a voice session; the thread and consent note."""
    fake.join_voice(member, room)
    await eventually(lambda: _in_voice(bot, member))
    await fake.run_command(
        member, fake.general, command, {**(options or {}), "voice": True}, subcommand
    )
    thread = await fake.wait_for_thread()
    consent = await fake.wait_for_message(thread)
    assert "Nobody is transcribed without opting in" in consent["content"]
    return thread, consent


def _in_voice(bot: InterviewBot, member: Member) -> bool:
    guild = bot.guilds[0]
    found = guild.get_member(member.id)
    return found is not None and found.voice is not None


async def bot_finished_speaking(fake: FakeDiscord, at_least: float = 1.0) -> bytes:
    """Everything the bot has said so far, once it has said something and stopped."""
    await fake.wait_for_audio(at_least, timeout=20)
    size = -1
    while size != len(fake.captured_pcm()):
        size = len(fake.captured_pcm())
        await asyncio.sleep(0.6)
    return fake.captured_pcm()


async def opt_in(fake: FakeDiscord, member: Member, consent: dict[str, Any]) -> None:
    """`member` presses "Transcribe me" and is told so privately."""
    click = await fake.click(member, consent, button(consent, "Transcribe me"))
    assert "I will transcribe your answers" in await private_answer(click)


async def test_the_bot_speaks_the_question_and_grades_a_spoken_answer(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    room: Channel,
    whisper: FasterWhisperTranscriber,
    say: Callable[[str], bytes],
) -> None:
    fake = fake_discord
    thread, consent = await start_voice(
        fake, bot, cast.ada, room, options={"topic": "fundamentals"}
    )
    question = await fake.wait_for_message(thread)
    assert "What is overfitting" in text_of(question)
    spoken = await bot_finished_speaking(fake)
    heard = whisper.transcribe(from_discord_pcm(spoken)).text.lower()
    assert "overfitting" in heard
    assert "prevent" in heard
    # While the person answers, the follow-ups that can come next are rendered ahead.
    speaker = stage_of(bot, thread).services.speaker
    assert speaker is not None
    ahead = speaker.cache_path("Name two ways to prevent overfitting.")
    await eventually(ahead.is_file, timeout=20)

    await opt_in(fake, cast.ada, consent)
    await fake.voice_speak(cast.ada, say("The model memorizes the noise and fails on new data."))
    transcript = await fake.wait_for_message(thread, timeout=20)
    assert transcript["content"].startswith(f"🎙️ <@{cast.ada.id}> said")
    assert "noise" in transcript["content"].lower()
    posted = next(
        r
        for r in fake.requests
        if isinstance(r["json"], dict) and r["json"].get("content") == transcript["content"]
    )
    assert posted["json"]["allowed_mentions"] == {"parse": []}  # a transcript never pings
    graded = await fake.wait_for_message(thread)
    assert graded["content"].startswith(f"<@{cast.ada.id}>: ")
    follow_up = await fake.wait_for_message(thread)
    assert title(follow_up) == "Follow-up"
    assert "Name two ways to prevent overfitting." in text_of(follow_up)
    # The follow-up is spoken too: more audio after the first question.
    before = len(spoken)
    await eventually(lambda: len(fake.captured_pcm()) > before + 48_000 * 4, timeout=20)
    stage = stage_of(bot, thread)
    assert "Name two ways to prevent overfitting." in stage.spoken


async def test_people_who_did_not_opt_in_are_never_transcribed(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    room: Channel,
    say: Callable[[str], bytes],
) -> None:
    fake = fake_discord
    thread, _consent = await start_voice(fake, bot, cast.ada, room)
    await fake.wait_for_message(thread)  # the question
    await bot_finished_speaking(fake)
    fake.join_voice(cast.bob, room)
    await fake.voice_speak(cast.ada, say("Regularization and early stopping."))  # no consent
    await fake.voice_speak(cast.bob, say("Dropout and weight decay."))  # not even a participant
    await asyncio.sleep(1.5)  # longer than the end-of-answer silence
    assert [m for m in fake.messages_in(thread) if "said" in (m.get("content") or "")] == []
    ears = stage_of(bot, thread).ears
    assert ears.frames_ignored > 100
    assert ears._ears == {}  # no capture, so no audio, was ever made for them


async def test_a_group_round_attributes_each_spoken_answer(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    room: Channel,
    say: Callable[[str], bytes],
) -> None:
    fake = fake_discord
    thread, consent = await start_voice(
        fake, bot, cast.ada, room, "group", {"floor": "round_robin"}, "create"
    )
    fake.join_voice(cast.bob, room)
    await fake.wait_for_message(thread)  # the "Group round by ..." note
    joined = await fake.run_command(cast.bob, thread, "group", subcommand="join")
    await joined.response()
    await opt_in(fake, cast.ada, consent)
    await opt_in(fake, cast.bob, consent)
    started = await fake.run_command(cast.ada, thread, "group", subcommand="start")
    await started.response()
    first = await fake.wait_for_message(thread, lambda m: bool(m.get("embeds")), timeout=10)
    turn = cast.ada if f"<@{cast.ada.id}>" in text_of(first) else cast.bob
    other = cast.bob if turn is cast.ada else cast.ada
    await bot_finished_speaking(fake)
    # Both talk at once; only the person whose turn it is is heard, as themselves.
    await asyncio.gather(
        fake.voice_speak(turn, say("I would like to talk about the weather.")),
        fake.voice_speak(other, say("My answer is about music.")),
    )
    said = await fake.wait_for_message(thread, lambda m: "said" in (m.get("content") or ""), 20)
    assert said["content"].startswith(f"🎙️ <@{turn.id}> said")
    assert "would like to talk" in said["content"].lower()
    assert "music" not in said["content"].lower()
    graded = await fake.wait_for_message(
        thread, lambda m: (m.get("content") or "").startswith("<@")
    )
    assert graded["content"].startswith(f"<@{turn.id}>: ")


async def test_voice_problems_get_one_sentence_and_leave_no_thread(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, room: Channel
) -> None:
    fake = fake_discord
    reply = await fake.run_command(cast.ada, fake.general, "interview", {"voice": True})
    assert await private_answer(reply) == (
        "Join a voice channel first, then start the voice session again."
    )
    fake.break_voice("refuse")
    fake.join_voice(cast.ada, room)
    await eventually(lambda: _in_voice(bot, cast.ada))
    failed = await fake.run_command(cast.ada, fake.general, "interview", {"voice": True})
    sentence = await private_answer(failed)
    assert sentence == "I could not connect to the voice channel study room; try again in a moment."
    await eventually(lambda: fake.requests_to("DELETE", "/channels/{channel_id}") != [])
    assert fake.threads == []  # the thread opened for the session was deleted again
    assert bot.rooms.all() == []


async def test_the_bot_leaves_when_the_session_ends_or_the_channel_empties(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, room: Channel
) -> None:
    fake = fake_discord
    thread, _consent = await start_voice(fake, bot, cast.ada, room)
    await fake.wait_for_message(thread)
    await fake.wait_voice_ready()
    fake.leave_voice(cast.ada)
    left = await fake.wait_for_message(
        thread, lambda m: "Everyone left" in (m.get("content") or "")
    )
    assert "go on by typing" in left["content"]
    assert fake.voice.requests[-1]["channel_id"] is None
    room_left = bot.rooms.by_channel(thread.id)
    assert room_left is not None
    assert room_left.stage is None  # the session goes on as text


async def test_quick_fire_by_voice(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    room: Channel,
    say: Callable[[str], bytes],
) -> None:
    fake = fake_discord
    options = {"count": 1, "topic": "fundamentals"}
    thread, consent = await start_voice(fake, bot, cast.ada, room, "quickfire", options)
    item = await fake.wait_for_message(thread, lambda m: "⚡" in (m.get("content") or ""))
    await bot_finished_speaking(fake, at_least=0.8)
    await opt_in(fake, cast.ada, consent)
    answer = "Air." if "breathe" in item["content"] else "Lasso."
    await fake.voice_speak(cast.ada, say(answer))
    said = await fake.wait_for_message(thread, lambda m: "said" in (m.get("content") or ""), 20)
    assert said["content"].startswith(f"🎙️ <@{cast.ada.id}> said")
    verdict = await fake.wait_for_message(thread, lambda m: "streak" in (m.get("content") or ""))
    assert verdict["content"] == f"<@{cast.ada.id}>: ✅ streak 1"


async def test_the_bot_leaves_the_channel_when_the_session_ends(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, room: Channel
) -> None:
    fake = fake_discord
    thread, _consent = await start_voice(fake, bot, cast.ada, room)
    await fake.wait_for_message(thread)
    await fake.wait_voice_ready()
    stage = stage_of(bot, thread)
    ended = await fake.run_command(cast.ada, thread, "end")
    await ended.response()
    await fake.wait_for_message(thread, lambda m: "Scoreboard" in title(m))
    await eventually(lambda: fake.voice.requests[-1]["channel_id"] is None, timeout=10)
    await eventually(lambda: stage.closed)
    assert bot.rooms.all() == []


def stage_of(bot: InterviewBot, thread: Channel) -> VoiceStage:
    """The voice stage of the room in this thread."""
    room = bot.rooms.by_channel(thread.id)
    assert room is not None
    assert isinstance(room.stage, VoiceStage)
    return room.stage
