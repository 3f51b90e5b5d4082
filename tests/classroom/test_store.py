"""The classroom database: one schema from the migrations on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from security_dilemma.classroom import schema
from security_dilemma.classroom.store import open_database, tables, upgrade
from security_dilemma.errors import BadInput


def test_migrations_make_the_schema(database_url: str) -> None:
    engine = open_database(database_url)
    try:
        with engine.connect() as con:
            diff = compare_metadata(MigrationContext.configure(con), schema.metadata)
        assert diff == []
        assert set(tables(engine)) == {*schema.metadata.tables, "alembic_version"}
        upgrade(engine)  # a second upgrade (a restart, another worker) changes nothing
        with engine.connect() as con:
            assert con.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
                ("0001",)
            ]
    finally:
        engine.dispose()


def test_a_turn_is_closed_once(database_url: str) -> None:
    """The unique (world, period) keys refuse a second state or log for one turn."""
    engine = open_database(database_url)
    try:
        with engine.begin() as con:
            con.execute(
                sa.insert(schema.sessions).values(
                    id="s1",
                    code="ABCDEF",
                    instructor_token="t" * 32,
                    title="t",
                    table_json="{}",
                    turn_seconds=60,
                    turns=2,
                    created_at=0.0,
                )
            )
            world = con.execute(
                sa.insert(schema.worlds).values(
                    session_id="s1",
                    group_no=1,
                    period=0,
                    deadline=None,
                    paused_left=None,
                    done=False,
                )
            ).inserted_primary_key[0]
            con.execute(sa.insert(schema.states).values(world_id=world, period=1, game_json="{}"))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as con:
            con.execute(sa.insert(schema.states).values(world_id=world, period=1, game_json="{}"))
        with engine.begin() as con:
            con.execute(
                sa.insert(schema.moves).values(
                    world_id=world, period=0, actor="USA", move_json="{}", submitted_at=0.0
                )
            )
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as con:
            con.execute(
                sa.insert(schema.moves).values(
                    world_id=world, period=0, actor="USA", move_json="{}", submitted_at=1.0
                )
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://x@y/z", "use sqlite:///PATH or postgresql://"),
        ("not a url", "not a database URL"),
        ("sqlite://", "SQLite needs a file"),
        ("postgresql://nobody@/none?host=/nonexistent-socket-dir", "cannot open"),
    ],
)
def test_a_bad_database_url_is_located(url: str, says: str) -> None:
    with pytest.raises(BadInput) as caught:
        open_database(url)
    (problem,) = caught.value.problems
    assert problem.path == "database"
    assert says in problem.message


def test_the_default_database_is_next_to_the_run_store(tmp_path: Path) -> None:
    from security_dilemma.classroom.store import database_for_store

    url = database_for_store(tmp_path / "lab.duckdb")
    engine = open_database(url)
    engine.dispose()
    assert (tmp_path / "lab.classroom.sqlite").is_file()
