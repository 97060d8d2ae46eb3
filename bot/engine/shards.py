"""Which shard owns a session: Discord's sharding as plain data (no discord import here)."""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int, count: int) -> int:
    """The shard that receives a guild's events: Discord's `(guild_id >> 22) % shard_count`."""
    return (guild_id >> 22) % count


@dataclass(frozen=True)
class ShardPlan:
    """The shards one process runs. `count` 0 means not sharded: one connection, shard 0 of 1."""

    count: int = 0
    ids: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        """How many shards the bot has in all (1 when not sharded)."""
        return max(self.count, 1)

    @property
    def owned(self) -> tuple[int, ...]:
        """The shards this process runs: its ids, or every shard when none are named."""
        return self.ids or tuple(range(self.total))

    def shard_for(self, guild_id: str | None, channel_id: str | None = None) -> int | None:
        """The shard owning a session in this guild; a channel without a guild (a DM) is shard
        0's, as Discord sends DMs to shard 0; None for neither (terminal practice)."""
        if guild_id is not None and guild_id.isdigit():
            return shard_of(int(guild_id), self.total)
        return 0 if channel_id is not None else None
