"""A voice session after a SIGKILL: the new process rejoins the voice channel when the session's
people are still in it, and otherwise goes on as text, saying so in its restart line.

The bot runs in its own process (tests/e2e/bot_process.py) with speech, trusting the fake voice
server's certificate; the fake keeps the members' voice states across the restart.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.engine.events import SessionStatus
from bot.store.repository import SqlRepository
from tests.conftest import DATA
from tests.e2e.bot_process import VOICE_CA, BotProcess
from tests.e2e.conftest import eventually, title
from tests.harness import FakeDiscord, Member
from tests.harness.fixtures import fake_discord
from tests.harness.world import Channel

__all__ = ["fake_discord"]

pytestmark = pytest.mark.model

BACK = (
    "🔄 I restarted; here is where we were. "
    "I am back in the voice channel; opt in again to be heard."
)
TEXT = (
    "🔄 I restarted; here is where we were. Nobody from this session is in its voice channel "
    "now, so we go on by typing here."
)
BACKPROP = "The chain rule gives the gradients of the loss."

Spawn = Callable[[], Coroutine[Any, Any, BotProcess]]


@pytest.fixture
async def spawn_bot(fake_discord: FakeDiscord, db_url: str, tmp_path: Path) -> AsyncIterator[Spawn]:
    """Start a bot process with speech on the test's store (each call a new process)."""
    started: list[BotProcess] = []
    ca = tmp_path / "voice-ca.pem"
    ca.write_bytes(fake_discord.voice.tls.cert_pem)

    async def spawn() -> BotProcess:
        env = {
            "DISCORD_TOKEN": "voice-restart-token",
            "INTERVIEW_BOT_STORE__URL": db_url,
            "INTERVIEW_BOT_BANK__PATHS": json.dumps([str(DATA / "mini_bank.yaml")]),
            "INTERVIEW_BOT_LOGGING__LEVEL": "WARNING",
            "INTERVIEW_BOT_SPEECH__CACHE_DIR": str(tmp_path / "cache"),
            "INTERVIEW_BOT_SPEECH__VOICE": "gmw/en-us",
            VOICE_CA: str(ca),
        }
        stderr = tmp_path / f"bot{len(started)}.log"
        process = await BotProcess.spawn(
            fake_discord.rest_base, fake_discord.gateway_url, env, stderr
        )
        started.append(process)
        await process.ready(timeout=60)
        return process

    yield spawn
    for process in started:
        await process.stop()


async def voice_interview(fake: FakeDiscord, ada: Member, room: Channel, spawn: Spawn) -> Any:
    """Ada, in the voice channel, starts a voice interview; the bot process and the thread."""
    fake.join_voice(ada, room)
    first = await spawn()
    sent = await fake.run_command(
        ada, fake.general, "interview", {"voice": True, "topic": "deep-learning"}
    )
    await sent.response(timeout=30)
    thread = await fake.wait_for_thread(timeout=30)
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"), timeout=60)
    await fake.wait_for_audio(1.0, timeout=30)  # the question was spoken
    return first, thread


async def test_a_voice_session_rejoins_its_channel_when_its_people_are_still_there(
    fake_discord: FakeDiscord, spawn_bot: Spawn, repository: SqlRepository
) -> None:
    fake = fake_discord
    ada, room = fake.add_member("ada"), fake.add_voice_channel("study room")
    first, thread = await voice_interview(fake, ada, room, spawn_bot)
    joins = len([r for r in fake.voice.requests if str(r["channel_id"]) == str(room.id)])

    await first.kill()
    await spawn_bot()
    await fake.wait_for_message(thread, lambda m: m["content"] == BACK, timeout=30)
    consent = await fake.wait_for_message(thread, timeout=30)
    assert "Nobody is transcribed without opting in" in consent["content"]
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"), timeout=30)
    rejoined = [r for r in fake.voice.requests if str(r["channel_id"]) == str(room.id)]
    assert len(rejoined) == joins + 1  # the new process joined the channel again
    spoken = len(fake.captured_pcm())
    await eventually(lambda: len(fake.captured_pcm()) > spoken + 48_000 * 2, timeout=30)
    [record] = await repository.running_sessions([0])
    assert record.voice_channel_id == str(room.id)


async def test_a_voice_session_goes_on_as_text_when_its_people_have_left_the_channel(
    fake_discord: FakeDiscord, spawn_bot: Spawn, repository: SqlRepository
) -> None:
    fake = fake_discord
    ada, room = fake.add_member("ada"), fake.add_voice_channel("study room")
    first, thread = await voice_interview(fake, ada, room, spawn_bot)

    await first.kill()
    fake.leave_voice(ada)  # while the bot is down
    requests = len(fake.voice.requests)
    await spawn_bot()
    await fake.wait_for_message(thread, lambda m: m["content"] == TEXT, timeout=30)
    await fake.wait_for_message(thread, lambda m: title(m).startswith("Question"), timeout=30)
    assert fake.voice.requests[requests:] == []  # no attempt to join an empty channel
    await fake.user_types(ada, thread, BACKPROP)
    graded = await fake.wait_for_message(thread, lambda m: m["content"].startswith("<@"))
    assert graded["content"].startswith(f"<@{ada.id}>: ")
    [row] = await repository.attempts_for(str(ada.id))
    assert row.node_id == "t-backprop"
    session = await repository.session_row(row.session_id)
    assert session is not None
    assert session.status is SessionStatus.RUNNING
    assert session.voice_channel_id is None  # a text session from now on
