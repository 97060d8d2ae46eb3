"""The SQL store: migrations, sessions, attempts, recent questions, durability."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.engine.events import Mode, Outcome, SessionStatus
from bot.engine.ports import AttemptRecord, SessionRecord
from bot.store.repository import SqlRepository
from tests.conftest import POSTGRES_URL

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def attempt(question: str, minutes: int, user: str = "ada") -> AttemptRecord:
    return AttemptRecord(
        session_id="s1",
        user_id=user,
        mode=Mode.SOLO,
        question_id=question,
        node_id=question,
        answer_text=f"answer to {question}",
        outcome=Outcome.ANSWERED,
        score=0.5,
        asked_at=T0 + timedelta(minutes=minutes),
        answered_at=T0 + timedelta(minutes=minutes, seconds=30),
        covered=("a",),
        missed=("b",),
        hints_used=1,
        guild_id="42",
        words_per_minute=120.0,
        filler_words=3,
    )


async def test_backend_is_the_one_asked_for(repository: SqlRepository) -> None:
    expected = "postgresql" if POSTGRES_URL else "sqlite"
    assert repository.engine.dialect.name == expected


async def test_open_migrates_a_new_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/nested/dir/new.db"
    repo = await SqlRepository.open(url)
    async with repo.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    await repo.close()
    assert {"sessions", "attempts", "alembic_version"} <= set(tables)


async def test_session_upsert(repository: SqlRepository) -> None:
    record = SessionRecord(
        id="s1",
        mode=Mode.GROUP,
        host="ada",
        started_at=T0,
        participants=("ada",),
        guild_id="42",
        options={"floor": "open"},
    )
    await repository.save_session(record)
    ended = SessionRecord(
        id="s1",
        mode=Mode.GROUP,
        host="bob",
        started_at=T0,
        participants=("ada", "bob"),
        ended_at=T0 + timedelta(hours=1),
        status=SessionStatus.COMPLETED,
    )
    await repository.save_session(ended)
    row = await repository.session_row("s1")
    assert row is not None
    assert (row.host, row.participants, row.status) == (
        "bob",
        ("ada", "bob"),
        SessionStatus.COMPLETED,
    )
    assert row.ended_at == T0 + timedelta(hours=1)


async def test_attempts_round_trip(repository: SqlRepository) -> None:
    await repository.save_session(SessionRecord(id="s1", mode=Mode.SOLO, host="ada", started_at=T0))
    await repository.record_attempt(attempt("q1", 0))
    [row] = await repository.attempts_for("ada")
    assert row.answer_text == "answer to q1"
    assert (row.covered, row.missed, row.hints_used) == (("a",), ("b",), 1)
    assert row.seconds == 30.0
    assert row.asked_at == T0
    assert (row.words_per_minute, row.filler_words, row.guild_id) == (120.0, 3, "42")


async def test_recent_question_ids_newest_first_and_distinct(repository: SqlRepository) -> None:
    await repository.save_session(SessionRecord(id="s1", mode=Mode.SOLO, host="ada", started_at=T0))
    for question, minute in [("q1", 0), ("q2", 1), ("q1", 2), ("q3", 3)]:
        await repository.record_attempt(attempt(question, minute))
    await repository.record_attempt(attempt("q9", 4, user="bob"))
    assert await repository.recent_question_ids("ada", 10) == ["q3", "q1", "q2"]
    assert await repository.recent_question_ids("ada", 2) == ["q3", "q1"]
    assert await repository.recent_question_ids("ada", 0) == []


async def test_attempt_is_durable_before_the_call_returns(
    repository: SqlRepository, db_url: str
) -> None:
    """A second connection sees the attempt at once: nothing waits in a buffer."""
    writer = repository
    reader = await SqlRepository.open(db_url)
    await writer.save_session(SessionRecord(id="s1", mode=Mode.SOLO, host="ada", started_at=T0))
    await writer.record_attempt(attempt("q1", 0))
    assert len(await reader.attempts_for("ada")) == 1
    await reader.close()


async def test_export_and_delete_leave_no_row_about_the_member(
    repository: SqlRepository,
) -> None:
    solo = SessionRecord(id="s1", mode=Mode.SOLO, host="ada", started_at=T0, participants=("ada",))
    shared = SessionRecord(
        id="g1", mode=Mode.GROUP, host="ada", started_at=T0, participants=("ada", "bob")
    )
    other = SessionRecord(id="b1", mode=Mode.SOLO, host="bob", started_at=T0, participants=("bob",))
    for record in (solo, shared, other):
        await repository.save_session(record)
    await repository.record_attempt(attempt("q1", 0))
    await repository.record_attempt(replace(attempt("q2", 1), session_id="g1"))
    await repository.record_attempt(replace(attempt("q3", 2, user="bob"), session_id="g1"))
    exported = await repository.export_user("ada")
    assert {s["id"] for s in exported["sessions"]} == {"s1", "g1"}
    assert [a["question_id"] for a in exported["attempts"]] == ["q1", "q2"]

    await repository.set_leaderboard("42", "ada", member=True)
    assert await repository.first_notice("ada", "voice-messages")
    assert await repository.delete_user("ada") == 2
    async with repository.engine.connect() as conn:
        for table in ("sessions", "attempts", "leaderboard_members", "notices"):
            rows = (await conn.execute(sa.text(f"SELECT * FROM {table}"))).all()
            assert not any("ada" in str(tuple(row)) for row in rows), (table, rows)
    shared_row = await repository.session_row("g1")
    assert shared_row is not None
    assert (shared_row.host, shared_row.participants) == ("bob", ("bob",))
    assert await repository.session_row("s1") is None
    assert [a.question_id for a in await repository.attempts_for("bob")] == ["q3"]
    assert await repository.export_user("ada") == {"user_id": "ada", "sessions": [], "attempts": []}


async def test_a_notice_is_given_once_per_person(repository: SqlRepository) -> None:
    assert await repository.first_notice("ada", "voice-messages")
    assert not await repository.first_notice("ada", "voice-messages")
    assert await repository.first_notice("bob", "voice-messages")
    assert await repository.first_notice("ada", "another-notice")


async def test_leaderboard_counts_only_members_who_opted_in(repository: SqlRepository) -> None:
    await repository.save_session(
        SessionRecord(id="q", mode=Mode.QUICKFIRE, host="ada", started_at=T0)
    )
    for user, outcome, mode, score in [
        ("ada", "correct", "quickfire", 1.0),
        ("ada", "correct", "quickfire", 1.0),
        ("ada", "wrong", "quickfire", 0.0),
        ("bob", "answered", "group", 0.75),
        ("cy", "correct", "quickfire", 1.0),
        ("ada", "answered", "solo", 1.0),
    ]:
        await repository.record_attempt(
            replace(
                attempt("q1", 0, user=user),
                session_id="q",
                outcome=Outcome(outcome),
                mode=Mode(mode),
                score=score,
            )
        )
    await repository.set_leaderboard("42", "ada", member=True)
    await repository.set_leaderboard("42", "bob", member=True)
    await repository.set_leaderboard("7", "cy", member=True)  # another server
    board = await repository.leaderboard("42")
    assert [(r.user_id, r.quickfire_correct, r.answers) for r in board] == [
        ("ada", 2, 3),
        ("bob", 0, 1),
    ]
    assert board[1].total == 0.75
    await repository.set_leaderboard("42", "ada", member=False)
    assert [r.user_id for r in await repository.leaderboard("42")] == ["bob"]
    await repository.set_leaderboard("42", "bob", member=True)  # twice is fine
    await repository.delete_user("bob")
    assert await repository.leaderboard("42") == []
