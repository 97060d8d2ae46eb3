"""Sharding as plain data: Discord's formula, the shards a process owns, the session's shard."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine.base import Place, Services
from bot.engine.manager import SessionManager
from bot.engine.shards import ShardPlan, shard_of
from bot.store.repository import SqlRepository
from tests.conftest import EventLog

# The snowflake in Discord's documentation: its timestamp (>> 22) is 41944705796 ms.
DOCS_GUILD = 175928847299117063


@pytest.mark.parametrize(
    ("guild_id", "count", "shard"),
    [
        (0, 1, 0),
        (DOCS_GUILD, 1, 0),
        (DOCS_GUILD, 2, (DOCS_GUILD >> 22) % 2),
        (1 << 22, 2, 1),
        ((1 << 22) - 1, 2, 0),  # the low 22 bits (worker, process, increment) never count
        ((7 << 22) | 0x3FFFFF, 4, 3),
        ((4096 << 22) + (5 << 22), 4096, 5),
    ],
)
def test_shard_of_is_discords_formula(guild_id: int, count: int, shard: int) -> None:
    assert shard_of(guild_id, count) == shard


def test_docs_guild_lands_on_its_shard() -> None:
    assert DOCS_GUILD >> 22 == 41944705796
    assert shard_of(DOCS_GUILD, 16) == 4
    assert shard_of(DOCS_GUILD, 2) == 0


def test_plan_owns_its_ids_or_every_shard() -> None:
    assert ShardPlan().owned == (0,)  # not sharded: one connection is shard 0 of 1
    assert ShardPlan(3).owned == (0, 1, 2)
    assert ShardPlan(4, (3, 1)).owned == (3, 1)
    assert ShardPlan(4, (3, 1)).total == 4


def test_plan_shard_for_a_place() -> None:
    plan = ShardPlan(2, (1,))
    assert plan.shard_for(str(1 << 22)) == 1
    assert plan.shard_for(str(2 << 22)) == 0
    assert plan.shard_for(None) is None  # terminal practice has no guild
    assert plan.shard_for("None") is None
    assert plan.shard_for(None, "123") == 0  # a DM session: Discord sends DMs to shard 0
    assert ShardPlan().shard_for(str(DOCS_GUILD)) == 0


async def test_session_row_carries_its_guilds_shard(
    services: Services, repository: SqlRepository, log: EventLog
) -> None:
    manager = SessionManager(replace(services, shards=ShardPlan(2, (1,))))
    in_guild = await manager.start_solo("ada", log, place=Place(str(3 << 22), "9"))
    in_terminal = await manager.start_solo("bob", log)
    row = await repository.session_row(in_guild.id)
    assert row is not None
    assert (row.shard_id, row.status) == (1, "running")
    terminal_row = await repository.session_row(in_terminal.id)
    assert terminal_row is not None
    assert terminal_row.shard_id is None


async def test_recover_marks_only_this_process_shards(
    services: Services, repository: SqlRepository, log: EventLog
) -> None:
    """Sessions left running by shard 0 are interrupted by shard 0's next run, not by shard 1's;
    sessions without a shard (terminal) and this run's own sessions are never touched."""
    earlier = SessionManager(replace(services, shards=ShardPlan(2)))
    on_0 = await earlier.start_solo("ada", log, place=Place(str(2 << 22), "1"))
    on_1 = await earlier.start_solo("bob", log, place=Place(str(3 << 22), "2"))
    terminal = await earlier.start_solo("cy", log)
    # `earlier` crashes here: nothing is ended.
    shard_1 = SessionManager(replace(services, shards=ShardPlan(2, (1,))))
    mine = await shard_1.start_solo("dee", log, place=Place(str(5 << 22), "3"))
    assert await shard_1.recover() == [on_1.id]
    shard_0 = SessionManager(replace(services, shards=ShardPlan(2, (0,))))
    assert await shard_0.recover() == [on_0.id]
    assert await shard_0.recover() == []
    statuses = {}
    for session in (on_0, on_1, terminal, mine):
        row = await repository.session_row(session.id)
        assert row is not None
        statuses[session.id] = (row.status, row.ended_at is not None)
    assert statuses == {
        on_0.id: ("interrupted", True),
        on_1.id: ("interrupted", True),
        terminal.id: ("running", False),
        mine.id: ("running", False),
    }
