"""The classroom database: an SQLAlchemy engine on SQLite or PostgreSQL, migrated by Alembic.

``sqlite:///PATH`` is the embedded default (a file next to the run store, so that
``dilemma serve`` needs nothing else); ``postgresql://...`` (psycopg 3) serves a department's
many classes from several app workers. Both get the same schema (:mod:`.schema`) from the same
migrations, run on every :func:`open_database`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from ..errors import BadInput, Problem

__all__ = ["database_for_store", "open_database", "upgrade"]


def database_for_store(store: Path) -> str:
    """The embedded database's URL: a SQLite file next to the run store.

    >>> database_for_store(Path("runs.duckdb"))
    'sqlite:///runs.classroom.sqlite'
    """
    return f"sqlite:///{store.with_name(store.stem + '.classroom.sqlite')}"


def _sqlite_serialised(engine: Engine) -> None:
    """SQLite: WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for every
    transaction, so that two writers (two workers) queue instead of failing on upgrade."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` (``sqlite:///PATH`` or ``postgresql://...``), migrated to head.

    Raises :class:`BadInput` (path ``database``) for a URL of another kind or a database
    that cannot be reached.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadInput(Problem(f"not a database URL: '{url}'", path="database")) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise BadInput(Problem("SQLite needs a file: sqlite:///PATH", path="database"))
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, poolclass=NullPool)
        _sqlite_serialised(engine)
    elif backend == "postgresql":
        engine = create_engine(
            parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True, pool_size=5
        )
    else:
        raise BadInput(
            Problem(f"use sqlite:///PATH or postgresql://..., not '{backend}'", path="database")
        )
    if migrate:
        try:
            upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            where = parsed.render_as_string(hide_password=True)
            raise BadInput(Problem(f"cannot open {where}: {reason}", path="database")) from None
    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the package's Alembic migrations on ``engine`` up to ``revision``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("security_dilemma.classroom") / "migrations")
    )
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # two workers starting at once: one migrates
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(1717)")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def tables(engine: Engine) -> list[str]:
    """The table names in the database (for checks)."""
    return sorted(inspect(engine).get_table_names())
