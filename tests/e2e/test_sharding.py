"""Sharding: bot processes each run some shards against one database; a session belongs to the
shard of its guild, and a restarted process resumes only its own shards' sessions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
import sqlalchemy as sa

from bot.app import build_app
from bot.discord.client import InterviewBot, ShardedInterviewBot, make_bot
from bot.settings import BankSettings, Settings, ShardSettings, StoreSettings
from bot.store.repository import SqlRepository
from bot.store.tables import sessions
from tests.conftest import DATA
from tests.e2e.bot_process import BotProcess
from tests.harness import Channel, FakeDiscord, Guild, Member
from tests.harness.fixtures import connect_bot, fake_discord

__all__ = ["fake_discord"]

SHARDS = 2
IDENTIFY, INTERACTION = 2, "INTERACTION_CREATE"
THREADS = "/channels/{channel_id}/threads"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


def shard_of(guild_id: int) -> int:
    """Discord's formula, written out independently of the bot's."""
    return (guild_id >> 22) % SHARDS


@dataclass
class Place:
    """A guild that hashes to one shard, its #general and a member."""

    shard: int
    guild: Guild
    general: Channel
    member: Member


def place_on_shard(fake: FakeDiscord, shard: int) -> Place:
    """A new guild whose id hashes to `shard` (its timestamp moved on by a few ms if needed)."""
    base = fake.world.ids.next()
    guild_id = base + (((shard - shard_of(base)) % SHARDS) << 22)
    guild = fake.world.add_guild(f"Guild on shard {shard}", guild_id=guild_id)
    general = fake.add_channel("general", guild=guild)
    member = fake.add_member(f"member{shard}", guild=guild)
    return Place(shard, guild, general, member)


Spawn = Callable[[int], Coroutine[Any, Any, BotProcess]]


@pytest.fixture
async def spawn_shard(
    fake_discord: FakeDiscord, db_url: str, tmp_path: Path
) -> AsyncIterator[Spawn]:
    """Start a bot process running shard k of SHARDS on the test database; all stop at the end."""
    started: list[BotProcess] = []

    async def spawn(shard: int) -> BotProcess:
        env = {
            "DISCORD_TOKEN": f"shard-{shard}-token",
            "INTERVIEW_BOT_SHARDS__COUNT": str(SHARDS),
            "INTERVIEW_BOT_SHARDS__IDS": json.dumps([shard]),
            "INTERVIEW_BOT_STORE__URL": db_url,
            "INTERVIEW_BOT_BANK__PATHS": json.dumps([str(DATA / "mini_bank.yaml")]),
            "INTERVIEW_BOT_LOGGING__LEVEL": "WARNING",
        }
        stderr = tmp_path / f"shard{shard}-{len(started)}.log"
        process = await BotProcess.spawn(
            fake_discord.rest_base, fake_discord.gateway_url, env, stderr
        )
        started.append(process)
        return process

    yield spawn
    for process in started:
        await process.stop()


async def session_rows(repository: SqlRepository) -> dict[str, dict[str, Any]]:
    """Every session row by guild id."""
    async with repository.engine.connect() as conn:
        rows = await conn.execute(sa.select(sessions))
        return {row.guild_id: dict(row._mapping) for row in rows}


async def start_interview(fake: FakeDiscord, place: Place) -> Any:
    """The member runs /interview in #general; returns the interaction once the thread is up."""
    inter = await fake.run_command(place.member, place.general, "interview")
    note = await inter.followup(timeout=10)
    assert "Your interview is ready" in note["content"], note
    return inter


def delivered_to(fake: FakeDiscord, interaction_id: int) -> list[int]:
    """The shards whose gateway connection received this INTERACTION_CREATE."""
    return [
        shard
        for shard, session in sorted(fake.gateway.shards.items())
        for payload in session.log
        if payload["t"] == INTERACTION and int(payload["d"]["id"]) == interaction_id
    ]


async def test_two_shard_processes_keep_their_sessions_apart(
    fake_discord: FakeDiscord, spawn_shard: Spawn, repository: SqlRepository
) -> None:
    fake = fake_discord
    places = [place_on_shard(fake, shard) for shard in range(SHARDS)]
    processes = await asyncio.gather(*(spawn_shard(shard) for shard in range(SHARDS)))
    ready = await asyncio.gather(*(p.ready() for p in processes))

    # Each process identified as its shard and was given only its shard's guilds.
    identified = {(p["d"]["token"], tuple(p["d"]["shard"])) for p in fake.gateway_ops(IDENTIFY)}
    assert identified == {("shard-0-token", (0, SHARDS)), ("shard-1-token", (1, SHARDS))}
    for place, line in zip(places, ready, strict=True):
        assert line["shards"] == [place.shard]
        assert str(place.guild.id) in line["guilds"]
        assert all(shard_of(int(guild)) == place.shard for guild in line["guilds"])
    syncs = fake.requests_to("PUT", "/applications/{application_id}/commands")
    assert [r["auth"] for r in syncs] == ["Bot shard-0-token"]  # the shard-0 process syncs

    # A member starts /interview in each guild; only the process of its shard answers.
    interactions = await asyncio.gather(*(start_interview(fake, p) for p in places))
    for place, inter in zip(places, interactions, strict=True):
        assert delivered_to(fake, inter.id) == [place.shard]
        assert len(inter.callbacks) == 1
        opened = [
            r for r in fake.requests_to("POST", THREADS) if str(place.general.id) in r["path"]
        ]
        assert [r["auth"] for r in opened] == [f"Bot shard-{place.shard}-token"]
    rows = await session_rows(repository)
    for place in places:
        row = rows[str(place.guild.id)]
        assert (row["shard_id"], row["status"]) == (place.shard, "running")

    # Process 0 crashes mid-session; its successor resumes that session at start and leaves
    # shard 1's running session alone.
    await processes[0].kill()
    successor = await spawn_shard(0)
    await successor.ready()
    rows = await session_rows(repository)
    crashed, other = rows[str(places[0].guild.id)], rows[str(places[1].guild.id)]
    assert (crashed["status"], crashed["shard_id"], crashed["ended_at"]) == ("running", 0, None)
    assert (other["status"], other["shard_id"], other["ended_at"]) == ("running", 1, None)
    said = {
        t["guild_id"]: [m["content"] for m in fake.bot_messages(t) if m["content"][:1] == "🔄"]
        for t in fake.threads
    }
    assert said == {
        str(places[0].guild.id): ["🔄 I restarted; here is where we were."],
        str(places[1].guild.id): [],
    }

    # The new process serves shard 0's guild again.
    newcomer = fake.add_member("newcomer", guild=places[0].guild)
    again = await start_interview(fake, Place(0, places[0].guild, places[0].general, newcomer))
    assert delivered_to(fake, again.id) == [0]


async def test_fake_gateway_bot_recommends_shards_and_splits_guilds(
    fake_discord: FakeDiscord,
) -> None:
    """An AutoShardedClient that asks GET /gateway/bot runs the shards the fake recommends."""
    fake = fake_discord
    places = [place_on_shard(fake, shard) for shard in range(SHARDS)]
    fake.gateway.recommended_shards = SHARDS

    class Client(discord.AutoShardedClient):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            """No 5 s wait between IDENTIFYs: the fake has no rate limit on them."""

    client = Client(intents=discord.Intents(guilds=True))
    await connect_bot(client, fake)
    assert [r["status"] for r in fake.requests_to("GET", "/gateway/bot")] == [200]
    assert client.shard_count == SHARDS
    for place in places:
        guild = client.get_guild(place.guild.id)
        assert guild is not None
        assert guild.shard_id == place.shard
    for shard, session in fake.gateway.shards.items():
        created = [int(p["d"]["id"]) for p in session.log if p["t"] == "GUILD_CREATE"]
        assert created
        assert all(shard_of(guild) == shard for guild in created)
        [ready] = [p["d"] for p in session.log if p["t"] == "READY"]
        assert ready["shard"] == [shard, SHARDS]


async def test_make_bot_follows_the_shard_settings(tmp_path: Path) -> None:
    """count 0: today's single connection; else the shards named, or all of them."""

    def settings(**shards: Any) -> Settings:
        return Settings(
            bank=BankSettings(paths=[DATA / "mini_bank.yaml"]),
            store=StoreSettings(data_dir=tmp_path),
            shards=ShardSettings(**shards),
        )

    app = await build_app(settings())
    single = make_bot(app)
    assert type(single) is InterviewBot
    assert single.shard_count is None
    await app.close()
    app = await build_app(settings(count=4))
    every = make_bot(app)
    assert isinstance(every, ShardedInterviewBot)
    assert (every.shard_count, every.shard_ids) == (4, [0, 1, 2, 3])
    await app.close()
    app = await build_app(settings(count=4, ids=[2, 3]))
    some = make_bot(app)
    assert isinstance(some, ShardedInterviewBot)
    assert (some.shard_count, some.shard_ids) == (4, [2, 3])
    await app.close()
