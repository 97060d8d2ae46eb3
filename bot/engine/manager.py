"""The registry of running sessions: one running session per person, looked up by id."""

from __future__ import annotations

import logging
import uuid
from dataclasses import fields, replace
from typing import Any, TypeVar

from bot.engine.base import Place, Services, Session
from bot.engine.events import Event, Floor, Mode, SessionEnded
from bot.engine.interview import InterviewOptions, InterviewSession
from bot.engine.ports import EventSink, SessionRecord
from bot.engine.quickfire import QuickFireOptions, QuickFireSession
from bot.engine.review import schedule
from bot.errors import NothingDue, SessionAlreadyRunning, SessionNotFound

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Session)


class SessionManager:
    """Creates sessions, keeps them while they run, forgets them when they end."""

    def __init__(
        self,
        services: Services,
        interview: InterviewOptions | None = None,
        quickfire: QuickFireOptions | None = None,
    ) -> None:
        self.services = services
        self.interview_defaults = interview or InterviewOptions()
        self.quickfire_defaults = quickfire or QuickFireOptions()
        self._sessions: dict[str, Session] = {}

    def get(self, session_id: str) -> Session:
        """A running session by id."""
        try:
            return self._sessions[session_id]
        except KeyError:
            raise SessionNotFound(session_id) from None

    def session_of(self, participant: str) -> Session | None:
        """The running session this person takes part in, if any."""
        for session in self._sessions.values():
            if participant in session.participants and not session.ended:
                return session
        return None

    def running(self) -> list[Session]:
        """Every running session."""
        return list(self._sessions.values())

    async def start_solo(
        self,
        user: str,
        sink: EventSink,
        *,
        place: Place | None = None,
        session_id: str | None = None,
        **overrides: Any,
    ) -> InterviewSession:
        """Start a solo interview and ask its first question."""
        sink, new_id = self._admit(user, sink, session_id)
        options = replace(self.interview_defaults, **overrides)
        return await self._launch(
            InterviewSession(self.services, sink, new_id, user, options, place=place)
        )

    async def start_review(
        self,
        user: str,
        sink: EventSink,
        *,
        place: Place | None = None,
        session_id: str | None = None,
        **overrides: Any,
    ) -> InterviewSession:
        """A solo session of the questions FSRS says are due for this person."""
        self._refuse_second(user)
        bank = self.services.bank
        attempts = await self.services.repository.question_attempts(user)
        plan = [d for d in schedule(attempts) if bank.topic_of(d.question_id) is not None]
        due = [d.question_id for d in plan if d.due <= self.services.clock.utcnow()]
        if not due:
            raise NothingDue(plan[0].due if plan else None)
        overrides.setdefault("questions", min(len(due), self.interview_defaults.questions))
        return await self.start_solo(
            user, sink, place=place, session_id=session_id, question_ids=tuple(due), **overrides
        )

    async def open_group(
        self,
        host: str,
        sink: EventSink,
        *,
        floor: Floor = Floor.ROUND_ROBIN,
        place: Place | None = None,
        session_id: str | None = None,
        **overrides: Any,
    ) -> InterviewSession:
        """Open a group round that people can join; `start()` it when ready."""
        sink, new_id = self._admit(host, sink, session_id)
        options = replace(self.interview_defaults, floor=floor, **overrides)
        session = InterviewSession(
            self.services, sink, new_id, host, options, group=True, place=place
        )
        self._sessions[session.id] = session
        await session.save()
        return session

    async def start_quickfire(
        self,
        host: str,
        sink: EventSink,
        *,
        place: Place | None = None,
        session_id: str | None = None,
        **overrides: Any,
    ) -> QuickFireSession:
        """Start a quick-fire round and ask its first item."""
        sink, new_id = self._admit(host, sink, session_id)
        options = replace(self.quickfire_defaults, **overrides)
        return await self._launch(
            QuickFireSession(self.services, sink, new_id, host, options, place=place)
        )

    async def join(self, session_id: str, participant: str) -> Session:
        """Add someone to a running session (not while they run another)."""
        session = self.get(session_id)
        other = self.session_of(participant)
        if other is not None and other is not session:
            raise SessionAlreadyRunning(other.id)
        await session.join(participant)
        return session

    async def recover(self) -> list[str]:
        """At start: mark sessions a previous run of our shards left running "interrupted".

        Only sessions owned by this process's shards are touched (other processes run the
        rest), and never one this manager runs. Returns the ids marked.
        """
        services = self.services
        interrupted = await services.repository.interrupt_running(
            services.shards.owned, services.clock.utcnow(), keep=tuple(self._sessions)
        )
        if interrupted:
            log.warning(
                "marked %d sessions interrupted (left running on shards %s by an earlier run)",
                len(interrupted),
                list(services.shards.owned),
            )
        return interrupted

    async def recover_local(self, host: str) -> list[str]:
        """At a terminal start: this person's earlier terminal sessions that a killed process
        left running are marked "interrupted" (none of them is running here)."""
        mine = {s.id for s in self._sessions.values()}
        marked = await self.services.repository.interrupt_local(host, self.services.clock.utcnow())
        if set(marked) & mine:
            log.error("marked a running session interrupted: %s", sorted(set(marked) & mine))
        return marked

    async def resumable(self) -> list[SessionRecord]:
        """Sessions an earlier process of our shards left running, with a state to resume."""
        services = self.services
        records = await services.repository.running_sessions(services.shards.owned)
        return [r for r in records if r.state is not None and r.id not in self._sessions]

    async def resume(self, record: SessionRecord, sink: EventSink) -> Session:
        """Run a stored session again in this process and ask again what was open."""
        if record.state is None:
            raise SessionNotFound(record.id)
        place = Place(record.guild_id, record.channel_id)
        session: Session
        if record.mode is Mode.QUICKFIRE:
            quick = replace(self.quickfire_defaults, **_known(QuickFireOptions, record.options))
            session = QuickFireSession(
                self.services, self._wrap(sink), record.id, record.host, quick, place
            )
        else:
            values = _known(InterviewOptions, record.options)
            values["floor"] = Floor(values.get("floor", Floor.ROUND_ROBIN))
            values["question_ids"] = tuple(values.get("question_ids", ()))
            options = replace(self.interview_defaults, **values)
            group = record.mode is Mode.GROUP
            session = InterviewSession(
                self.services,
                self._wrap(sink),
                record.id,
                record.host,
                options,
                group=group,
                place=place,
            )
        session.participants = list(record.participants)
        session.started_at = record.started_at
        session.restore(record.state)
        self._sessions[session.id] = session
        try:
            await session.resume()
        except Exception:
            self._sessions.pop(session.id, None)
            raise
        return session

    async def shutdown(self) -> None:
        """End every running session (their attempts are already stored)."""
        for session in list(self._sessions.values()):
            await session.stop("shutdown")

    async def _launch(self, session: S) -> S:
        self._sessions[session.id] = session
        try:
            await session.start()
        except Exception:
            self._sessions.pop(session.id, None)
            raise
        return session

    def _refuse_second(self, participant: str) -> None:
        running = self.session_of(participant)
        if running is not None:
            raise SessionAlreadyRunning(running.id)

    def _admit(self, person: str, sink: EventSink, session_id: str | None) -> tuple[EventSink, str]:
        """One session per person; the sink that forgets the session when it ends; its id."""
        self._refuse_second(person)
        return self._wrap(sink), session_id or _new_id()

    def _wrap(self, sink: EventSink) -> EventSink:
        async def forward(event: Event) -> None:
            if isinstance(event, SessionEnded):
                self._sessions.pop(event.session_id, None)
            await sink(event)

        return forward


def _known(options: type, values: dict[str, object]) -> dict[str, Any]:
    """The stored option values this options dataclass still has (others are dropped)."""
    names = {f.name for f in fields(options)}
    return {k: v for k, v in values.items() if k in names}


def _new_id() -> str:
    return uuid.uuid4().hex[:12]
