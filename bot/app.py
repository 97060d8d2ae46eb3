"""The composition root: settings in, a bank, grader, store and session manager out."""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.bank.catalog import Bank
from bot.bank.loader import load_bank
from bot.engine.base import Services
from bot.engine.clock import Clock, SystemClock
from bot.engine.interview import InterviewOptions
from bot.engine.manager import SessionManager
from bot.engine.quickfire import QuickFireOptions
from bot.engine.shards import ShardPlan
from bot.errors import SettingsError, StoreUnavailable
from bot.grading.grader import AnswerGrader, GraderConfig
from bot.settings import Settings
from bot.store.repository import SqlRepository
from bot.tasks import spawn


@dataclass
class App:
    """Everything the adapters need, built once at start."""

    settings: Settings
    bank: Bank
    repository: SqlRepository
    manager: SessionManager
    warming: asyncio.Task[int] | None = None  # the grader's vocabularies, in a worker thread
    stop_warming: threading.Event = field(default_factory=threading.Event)

    @property
    def shards(self) -> ShardPlan:
        """The shards this process runs (sessions in their guilds are ours)."""
        return self.manager.services.shards

    async def close(self) -> None:
        """End running sessions and close the store."""
        self.stop_warming.set()  # its thread stops after the node it is on
        await self.manager.shutdown()
        await self.repository.close()


def grader_for(settings: Settings) -> AnswerGrader:
    """The answer grader configured from [grading]."""
    g = settings.grading
    return AnswerGrader(GraderConfig(g.fuzzy_threshold / 100, g.good_score, g.pass_score))


def interview_options(settings: Settings) -> InterviewOptions:
    """Interview defaults from [engine]."""
    e = settings.engine
    return InterviewOptions(
        questions=e.questions_per_session,
        max_follow_ups=e.max_follow_ups,
        time_limit=e.time_limit_seconds or None,
        warning_seconds=e.time_warning_seconds,
        max_answer_chars=e.max_answer_chars,
        hint_penalty=e.hint_penalty,
        recent_window=e.recent_window,
    )


def quickfire_options(settings: Settings) -> QuickFireOptions:
    """Quick-fire defaults from [quickfire]."""
    q = settings.quickfire
    return QuickFireOptions(
        items=q.items,
        seconds_per_item=q.seconds_per_item,
        gap_seconds=q.gap_seconds,
        recent_window=settings.engine.recent_window,
    )


def shard_plan(settings: Settings) -> ShardPlan:
    """The shards this process runs, from [shards] (validated when the settings load)."""
    return ShardPlan(settings.shards.count, tuple(settings.shards.ids))


async def open_store(settings: Settings) -> SqlRepository:
    """The repository at `store.url`; a folder or database that cannot be opened is one
    sentence (SettingsError or StoreUnavailable) that never shows the password."""
    if "{data_dir}" in settings.store.url:
        folder = settings.resolve(settings.store.data_dir)
        key = settings.key_of("store", "data_dir")
        if folder.exists() and not folder.is_dir():
            raise SettingsError(key, f"{folder} is a file, not a folder")
        try:
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingsError(key, f"{folder} cannot be created ({exc.strerror})") from None
    url = settings.database_url()
    try:
        return await SqlRepository.open(url)
    except (OSError, SQLAlchemyError) as exc:
        parsed = make_url(url)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0] or type(exc).__name__
        if parsed.password:
            reason = reason.replace(str(parsed.password), "***")
        raise StoreUnavailable(parsed.render_as_string(hide_password=True), reason) from None


async def build_app(settings: Settings, clock: Clock | None = None) -> App:
    """Load the bank (off the event loop), open the store, wire the session manager."""
    bank = await asyncio.to_thread(load_bank, settings.bank_paths(), settings.bank_cache_dir())
    repository = await open_store(settings)
    grader = grader_for(settings)
    # every node's vocabulary, while the bot connects: a first answer to a node would otherwise
    # compute it on the event loop (about 5 ms a node, 265 nodes in the shipped bank)
    stop = threading.Event()
    warm_up = asyncio.to_thread(grader.warm_up, bank.trees.values(), stop)
    warming = spawn(warm_up, "grader-warm-up")
    services = Services(
        bank,
        grader,
        repository,
        clock or SystemClock(),
        random.Random(),  # noqa: S311 - picks questions
        shard_plan(settings),
        settings.grading.inline_max_chars,
    )
    manager = SessionManager(services, interview_options(settings), quickfire_options(settings))
    return App(settings, bank, repository, manager, warming, stop)
