"""The database tables (SQLAlchemy 2 Core metadata, portable across SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("host", String(64), nullable=False),
    Column("guild_id", String(32)),
    Column("channel_id", String(32)),
    Column("participants", JSON, nullable=False),
    Column("options", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("shard_id", Integer),  # the shard of its guild (Discord's formula); None: no guild
    Column("state", JSON),  # where a running session is, to resume it after a restart
    Column("voice_channel_id", String(32)),  # the voice channel it speaks in, to rejoin it
)

leaderboard_members = Table(
    "leaderboard_members",
    metadata,
    Column("guild_id", String(32), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("joined_at", DateTime(timezone=True), nullable=False),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id"), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("guild_id", String(32)),
    Column("mode", String(16), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("answer_text", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("covered", JSON, nullable=False),
    Column("missed", JSON, nullable=False),
    Column("hints_used", Integer, nullable=False),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("words_per_minute", Float),
    Column("filler_words", Integer),
    Index("ix_attempts_user_id_answered_at", "user_id", "answered_at"),
    Index("ix_attempts_session_id", "session_id"),
)

daily_schedules = Table(
    "daily_schedules",
    metadata,
    Column("guild_id", String(32), primary_key=True),
    Column("channel_id", String(32), nullable=False),
    Column("at", String(5), nullable=False),  # HH:MM, local to `zone`
    Column("zone", String(64), nullable=False),  # an IANA time-zone name
    Column("topic", String(64)),
    Column("difficulty", String(16)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per server and local day: the primary key is what makes "exactly one post a day"
# hold across restarts and shard processes (a process posts only after inserting the row).
daily_posts = Table(
    "daily_posts",
    metadata,
    Column("guild_id", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("question_id", String(64), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("thread_id", String(32)),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Column("revealed_at", DateTime(timezone=True)),
)

# Practice reminders: who wants one and when; `last_day` (local to `zone`) is claimed with a
# conditional update before sending, so a person gets at most one reminder a day.
reminders = Table(
    "reminders",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("at", String(5), nullable=False),
    Column("zone", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_day", Date),
)

# Notices a person has been given once (e.g. how voice messages are handled), so they are not
# repeated; a row, not a flag on some other table, so a new notice needs no migration.
notices = Table(
    "notices",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("notice", String(32), primary_key=True),
    Column("told_at", DateTime(timezone=True), nullable=False),
)
