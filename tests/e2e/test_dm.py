"""Private practice in direct messages, through the real discord.py and the fake Discord.

In the bot's DM the DM itself is the session's room (no thread). A user-installed command in a
server without the bot, or in a group DM, answers ephemerally and goes on in the member's DM;
closed DMs get one sentence and no session. Group rounds, voice and leaderboards need a server.
"""

from __future__ import annotations

import pytest

from bot.discord.client import InterviewBot
from bot.discord.venue import DMS_CLOSED, MOVED_TO_DM
from bot.engine.clock import ManualClock
from bot.store.repository import SqlRepository
from tests.e2e.conftest import Cast, button, eventually, private_answer, text_of, title
from tests.e2e.test_report_card import is_card
from tests.harness import FakeDiscord, is_ephemeral
from tests.harness.world import Channel

BACKPROP = "The chain rule gives the gradients of the loss."
VANISHING = "Saturating activations have small derivatives that multiply to almost nothing."
SERVER_ONLY = "work only in a server I am in; add me to one to use them there."


def posted(fake: FakeDiscord, channel: Channel) -> list[dict[str, object]]:
    """What the bot posted in a channel for everyone to see (not ephemeral replies)."""
    return [m for m in fake.bot_messages(channel) if not is_ephemeral(m)]


def repository_of(bot: InterviewBot) -> SqlRepository:
    repo = bot.app.repository
    assert isinstance(repo, SqlRepository)
    return repo


async def test_every_command_is_offered_in_dms_and_to_user_installs(
    fake_discord: FakeDiscord, bot: InterviewBot
) -> None:
    for command in fake_discord.world.global_commands:
        assert sorted(command["contexts"]) == [0, 1, 2], command["name"]
        assert sorted(command["integration_types"]) == [0, 1], command["name"]
    assert fake_discord.gateway.intents & (1 << 12)  # DIRECT_MESSAGES, not privileged
    sync = fake_discord.requests_to("PUT", "/applications/{application_id}/commands")
    assert sync  # the body was checked against the spec like every request
    assert not fake_discord.spec_violations


async def test_an_interview_in_the_bots_dm_from_command_to_scoreboard(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    dm = fake.dm_channel(cast.ada)
    started = await fake.run_command(cast.ada, dm, "interview", {"topic": "deep-learning"})
    note = await private_answer(started)
    assert note.startswith("Your interview is ready in your DMs with me")
    question = await fake.wait_for_message(dm, lambda m: title(m).startswith("Question"))
    assert "backpropagation" in text_of(question).lower()

    await fake.user_types(cast.ada, dm, BACKPROP)  # typed in the DM: an answer
    graded = await fake.wait_for_message(dm, lambda m: m["content"].startswith("<@"))
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 100%")
    follow = await fake.wait_for_message(dm, lambda m: title(m) == "Follow-up")
    assert "Why do gradients vanish?" in text_of(follow)
    hint = await fake.click(cast.ada, follow, button(follow, "Hint"))  # a button in the DM
    assert (await hint.response())["type"] == 6
    await fake.wait_for_message(dm, lambda m: m["content"].startswith("💡"))
    await fake.user_types(cast.ada, dm, VANISHING)
    reveal = await fake.wait_for_message(dm, lambda m: title(m).startswith("Reveal"))
    assert "The chain rule computes the gradient" in text_of(reveal)
    board = await fake.wait_for_message(dm, lambda m: "Scoreboard" in title(m))
    assert f"<@{cast.ada.id}>" in text_of(board)
    card = await fake.wait_for_message(dm, is_card, timeout=15)  # the report card, in the DM
    assert [name for name, _ in fake.files_of(card["id"])] == ["report.png"]
    export = await fake.click(cast.ada, card, button(card, "Export"))
    await export.response()
    [(filename, markdown)] = fake.files_of((await export.followup(timeout=10))["id"])
    assert filename.endswith(".md")
    assert markdown.decode().startswith("# Report card")

    assert fake.threads == []  # the DM is the room: no thread anywhere
    await eventually(lambda: bot.rooms.by_channel(dm.id) is None)  # closed with the session
    rows = await repository_of(bot).attempts_for(str(cast.ada.id))
    assert [r.node_id for r in rows] == ["t-backprop", "t-backprop-vanishing"]
    assert {r.guild_id for r in rows} == {None}
    session = await repository_of(bot).session_row(rows[0].session_id)
    assert session is not None
    assert session.guild_id is None
    assert session.channel_id == str(dm.id)
    assert session.shard_id == 0  # DMs come to shard 0: a restart there picks it up


async def test_end_and_stray_messages_in_a_dm_session(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    dm = fake.dm_channel(cast.bob)
    await private_answer(await fake.run_command(cast.bob, dm, "interview"))
    await fake.wait_for_message(dm, lambda m: title(m).startswith("Question"))
    other = fake.dm_channel(cast.cy)
    await fake.user_types(cast.cy, other, "chain rule")  # another DM without a session: ignored
    ended = await fake.run_command(cast.bob, dm, "end")
    assert "Session ended" in await private_answer(ended)
    await fake.wait_for_message(dm, lambda m: "Scoreboard" in title(m))
    assert bot.app.manager.session_of(str(cast.bob.id)) is None
    assert posted(fake, other) == []


async def test_a_dm_session_is_ones_session_in_a_server_too(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    dm = fake.dm_channel(cast.ada)
    await private_answer(await fake.run_command(cast.ada, dm, "interview"))
    await fake.wait_for_message(dm, lambda m: title(m).startswith("Question"))
    second = await fake.run_command(cast.ada, fake.general, "interview")
    refused = await private_answer(second)
    assert refused.startswith("You already have a session running in your DMs with me")
    assert f"/channels/@me/{dm.id}" in refused
    assert fake.threads == []
    hinted = await fake.run_command(cast.ada, fake.general, "hint")  # acts on her DM session
    assert await private_answer(hinted) == "💡 Hint posted in the session."
    await fake.wait_for_message(dm, lambda m: m["content"].startswith("💡"))


async def test_quickfire_in_the_bots_dm(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast, clock: ManualClock
) -> None:
    fake = fake_discord
    dm = fake.dm_channel(cast.ada)
    started = await fake.run_command(
        cast.ada, dm, "quickfire", {"count": 1, "topic": "classic-algorithms"}
    )
    assert "Quick-fire is on in your DMs with me" in await private_answer(started)
    item = await fake.wait_for_message(dm, lambda m: "[1/1]" in m["content"])
    assert "Name a boosting library." in item["content"]
    await clock.advance(1)
    await fake.user_types(cast.ada, dm, "lightgbm")
    right = await fake.wait_for_message(dm, lambda m: m["content"].startswith("<@"))
    assert right["content"] == f"<@{cast.ada.id}>: ✅ streak 1"
    await fake.wait_for_edit(item["id"], lambda m: "got it" in m["content"])
    board = await fake.wait_for_message(dm, lambda m: "Leaderboard" in title(m))
    assert f"<@{cast.ada.id}>: 1 correct" in text_of(board)
    assert fake.threads == []


async def test_stats_tips_topics_and_privacy_in_the_bots_dm(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    dm = fake.dm_channel(cast.ada)
    stats = await fake.run_command(cast.ada, dm, "stats")
    shown = await stats.reply()
    assert title(shown) == "Progress · ada"
    assert shown["attachments"][0]["filename"] == "progress.png"
    tips = await (await fake.run_command(cast.ada, dm, "tips")).reply()
    assert is_ephemeral(tips)
    assert "Start with the big picture." in text_of(tips)
    topics = await (await fake.run_command(cast.ada, dm, "topics")).reply()
    assert is_ephemeral(topics)
    assert "**deep-learning**" in topics["content"]
    export = await fake.run_command(cast.ada, dm, "privacy", subcommand="export")
    assert "0 answers in 0 sessions." in await private_answer(export)


@pytest.mark.parametrize(
    ("name", "subcommand", "options", "what"),
    [
        ("group", "create", {}, "Group rounds"),
        ("group", "join", {}, "Group rounds"),
        ("interview", None, {"voice": True}, "Voice sessions"),
        ("quickfire", None, {"voice": True}, "Voice sessions"),
        ("leaderboard", "show", {}, "Leaderboards"),
    ],
)
async def test_server_only_features_say_so_in_one_sentence_in_a_dm(
    fake_discord: FakeDiscord,
    bot: InterviewBot,
    cast: Cast,
    name: str,
    subcommand: str | None,
    options: dict[str, object],
    what: str,
) -> None:
    fake = fake_discord
    dm = fake.dm_channel(cast.ada)
    used = await fake.run_command(cast.ada, dm, name, options, subcommand=subcommand)
    assert await private_answer(used) == f"{what} {SERVER_ONLY}"
    assert bot.app.manager.session_of(str(cast.ada.id)) is None
    assert posted(fake, dm) == []  # nothing but the ephemeral sentence


async def foreign_server(fake: FakeDiscord, cast: Cast, *, dms_closed: bool = False) -> Channel:
    """ada installed the app to her account and is in a server the bot is not in."""
    fake.install_app(cast.ada, dms_closed=dms_closed)
    return fake.add_foreign_guild("Study Club", cast.ada)


async def test_a_user_installed_interview_in_a_server_without_the_bot_goes_on_in_dm(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    elsewhere = await foreign_server(fake, cast)
    started = await fake.run_command(cast.ada, elsewhere, "interview", {"topic": "deep-learning"})
    assert started.payload["authorizing_integration_owners"] == {"1": str(cast.ada.id)}
    note = await private_answer(started)
    assert note.startswith("Your interview is ready in your DMs with me")

    dm = fake.dm_channel(cast.ada)
    moved = await fake.wait_for_message(dm)
    assert moved["content"] == MOVED_TO_DM
    assert fake.requests_to("POST", "/users/@me/channels")  # the DM was opened for her
    question = await fake.wait_for_message(dm, lambda m: title(m).startswith("Question"))
    await fake.user_types(cast.ada, elsewhere, BACKPROP)  # the bot never hears that server
    await fake.user_types(cast.ada, dm, BACKPROP)
    graded = await fake.wait_for_message(dm, lambda m: m["content"].startswith("<@"))
    assert graded["content"].startswith(f"<@{cast.ada.id}>: 100%")
    assert question["channel_id"] == str(dm.id)

    assert posted(fake, elsewhere) == []
    assert fake.threads == []
    assert not fake.requests_to("POST", "/channels/{channel_id}/threads")
    [row] = await repository_of(bot).attempts_for(str(cast.ada.id))
    assert row.guild_id is None  # the session is the DM's, not the foreign server's


async def test_a_user_installed_quickfire_in_a_group_dm_goes_on_in_dm(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    fake.install_app(cast.ada)
    group = fake.group_dm(cast.ada, cast.bob)
    started = await fake.run_command(cast.ada, group, "quickfire", {"count": 1})
    assert started.payload["context"] == 2
    assert "Quick-fire is on in your DMs with me" in await private_answer(started)
    dm = fake.dm_channel(cast.ada)
    await fake.wait_for_message(dm, lambda m: "[1/1]" in m["content"])
    session = bot.app.manager.session_of(str(cast.ada.id))
    assert session is not None
    assert session.place.channel_id == str(dm.id)


async def test_closed_dms_get_one_sentence_and_no_session(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    elsewhere = await foreign_server(fake, cast, dms_closed=True)
    started = await fake.run_command(cast.ada, elsewhere, "interview")
    assert await private_answer(started) == DMS_CLOSED
    assert bot.app.manager.session_of(str(cast.ada.id)) is None
    assert bot.rooms.all() == []
    assert await repository_of(bot).running_sessions([0]) == []
    dm = fake.dm_channel(cast.ada)
    assert posted(fake, dm) == []
    refused = [r for r in fake.requests if r.get("status") == 403]
    assert [r["route"] for r in refused] == ["/channels/{channel_id}/messages"]

    cast.ada.user.dms_closed = False  # she opens her DMs and tries again
    again = await fake.run_command(cast.ada, elsewhere, "interview")
    assert "your DMs with me" in await private_answer(again)
    await fake.wait_for_message(dm, lambda m: title(m).startswith("Question"))


async def test_no_command_reaches_a_server_without_the_bot_unless_installed(
    fake_discord: FakeDiscord, bot: InterviewBot, cast: Cast
) -> None:
    fake = fake_discord
    elsewhere = fake.add_foreign_guild("Study Club", cast.bob)
    with pytest.raises(LookupError, match="has not installed the app"):
        await fake.run_command(cast.bob, elsewhere, "interview")
