"""A DM session survives a SIGKILL: the new process finds its DM (no guild, shard 0), says it
restarted there, grades what was typed while it was down, and goes on to the scoreboard."""

from __future__ import annotations

from bot.engine.events import SessionStatus
from bot.store.repository import SqlRepository
from tests.e2e.conftest import text_of, title
from tests.e2e.test_restart import BACKPROP, RESTARTED, VANISHING, Spawn, command, spawn_bot
from tests.harness import FakeDiscord
from tests.harness.fixtures import fake_discord

__all__ = ["fake_discord", "spawn_bot"]


async def test_a_dm_session_goes_on_after_sigkill_with_what_was_typed_meanwhile(
    fake_discord: FakeDiscord, spawn_bot: Spawn, repository: SqlRepository
) -> None:
    fake = fake_discord
    ada = fake.add_member("ada")
    dm = fake.dm_channel(ada)
    first = await spawn_bot()
    note = await command(fake, ada, dm, "interview", options={"topic": "deep-learning"})
    assert note.startswith("Your interview is ready in your DMs with me")
    question = await fake.wait_for_message(dm, lambda m: title(m).startswith("Question"))

    await first.kill()
    await fake.user_types(ada, dm, BACKPROP)  # typed while no process listens
    await spawn_bot()
    await fake.wait_for_message(dm, lambda m: m["content"] == RESTARTED, timeout=10)
    graded = await fake.wait_for_message(dm, lambda m: m["content"].startswith("<@"), timeout=10)
    assert graded["content"].startswith(f"<@{ada.id}>: 100%")  # read back from the DM
    follow = await fake.wait_for_message(dm, lambda m: title(m) == "Follow-up", timeout=10)
    assert "Why do gradients vanish?" in text_of(follow)
    await fake.user_types(ada, dm, VANISHING)
    await fake.wait_for_message(dm, lambda m: "Scoreboard" in title(m), timeout=10)

    rows = await repository.attempts_for(str(ada.id))
    assert [r.node_id for r in rows] == ["t-backprop", "t-backprop-vanishing"]
    ended = await repository.session_row(rows[0].session_id)
    assert ended is not None
    assert ended.status is SessionStatus.COMPLETED
    assert (ended.guild_id, ended.channel_id) == (None, str(dm.id))
    assert question["channel_id"] == str(dm.id)
    assert fake.threads == []
    assert await repository.running_sessions([0]) == []
