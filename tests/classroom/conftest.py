"""Fixtures of the classroom tests: a database on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from .pg import postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server for this test process; its admin URL."""
    try:
        with postgres_server() as url:
            yield url
    except RuntimeError as exc:  # never skipped: CI must run these
        pytest.fail(str(exc))


def fresh_postgres_database(admin_url: str) -> str:
    """A new empty database on the server; its URL."""
    name = "t_" + secrets.token_hex(6)
    engine = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
    )
    with engine.connect() as con:
        con.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return admin_url.replace("/postgres?", f"/{name}?", 1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classroom.sqlite'}"
    admin: str = request.getfixturevalue("postgres")
    return fresh_postgres_database(admin)
