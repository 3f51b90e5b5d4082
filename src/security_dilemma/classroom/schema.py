"""The classroom's tables (SQLAlchemy Core), one schema for SQLite and PostgreSQL.

The migrations in ``classroom/migrations`` create exactly these tables (a test compares
them); :mod:`.store` reads and writes them. Times are seconds since the epoch (UTC), JSON
documents are text: both backends store them the same way.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "audit",
    "injects",
    "members",
    "messages",
    "metadata",
    "moves",
    "proposals",
    "seats",
    "sessions",
    "states",
    "turns",
    "worlds",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("instructor_token", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("table_json", Text, nullable=False),  # the play.Table every world starts from
    Column("turn_seconds", Integer, nullable=False),
    Column("turns", Integer, nullable=False),  # periods to play (the game may end earlier)
    Column("created_at", Float, nullable=False),
)

worlds = Table(  # one parallel group's world
    "worlds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", ForeignKey("sessions.id"), nullable=False),
    Column("group_no", Integer, nullable=False),
    Column("period", Integer, nullable=False),  # the open turn
    Column("deadline", Float, nullable=True),  # None while paused or done
    Column("paused_left", Float, nullable=True),  # seconds left when paused
    Column("done", Boolean, nullable=False),
    UniqueConstraint("session_id", "group_no"),
)

seats = Table(
    "seats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("world_id", ForeignKey("worlds.id"), nullable=False),
    Column("actor", String(64), nullable=False),
    UniqueConstraint("world_id", "actor"),
)

members = Table(  # a student: one capability token, one seat (several members make a team)
    "members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seat_id", ForeignKey("seats.id"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("joined_at", Float, nullable=False),
)

states = Table(  # the stored game after each period (period 0: the start)
    "states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("world_id", ForeignKey("worlds.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("game_json", Text, nullable=False),
    UniqueConstraint("world_id", "period"),  # a period is advanced once
)

turns = Table(  # the log of a closed turn: the moves and injects that were played
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("world_id", ForeignKey("worlds.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("moves_json", Text, nullable=False),
    Column("injects_json", Text, nullable=False),
    Column("closed_at", Float, nullable=False),
    UniqueConstraint("world_id", "period"),
)

moves = Table(  # a seat's submitted move for the open turn (a resubmission replaces it)
    "moves",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("world_id", ForeignKey("worlds.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("move_json", Text, nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=True),
    Column("submitted_at", Float, nullable=False),
    UniqueConstraint("world_id", "period", "actor"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("world_id", ForeignKey("worlds.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("sender", String(64), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=True),
    Column("sent_at", Float, nullable=False),
    Index("ix_messages_world_sender_sent", "world_id", "sender", "sent_at"),
)

proposals = Table(
    "proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("world_id", ForeignKey("worlds.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("sender", String(64), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),  # open, accepted, rejected, expired
    Column("member_id", ForeignKey("members.id"), nullable=True),
    Column("sent_at", Float, nullable=False),
    Column("decided_at", Float, nullable=True),
)

injects = Table(  # an instructor's event, played with the turn of ``period``
    "injects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("world_id", ForeignKey("worlds.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("inject_json", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

audit = Table(  # every action with its time and seat
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", ForeignKey("sessions.id"), nullable=False),
    Column("world_id", ForeignKey("worlds.id"), nullable=True),
    Column("period", Integer, nullable=True),
    Column("actor", String(64), nullable=True),
    Column("member_id", ForeignKey("members.id"), nullable=True),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("at", Float, nullable=False),
)
