"""Choosing what to ask: filters, and not repeating what people just saw."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from typing import Protocol, TypeVar

from bot.errors import NoQuestionsAvailable


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


def pick(
    candidates: Sequence[T],
    count: int,
    recent: Sequence[str],
    rng: random.Random,
    *,
    topic: str | None = None,
    difficulty: str | None = None,
) -> list[T]:
    """Up to `count` items in random order, fresh ones first, then the least recently seen."""
    if not candidates:
        raise NoQuestionsAvailable(topic, difficulty)
    seen: Collection[str] = set(recent)
    fresh = [c for c in candidates if c.id not in seen]
    rng.shuffle(fresh)
    order = {item_id: rank for rank, item_id in enumerate(recent)}
    stale = sorted((c for c in candidates if c.id in seen), key=lambda c: -order[c.id])
    return (fresh + stale)[:count]
