"""The store's layout: the DDL of schema version 1 and the migrations to the current version.

A new store is created at version 1 and migrated, so every migration runs on every new store.

* v1: one value per row in tables ``metrics`` and ``steps``.
* v2: values as arrays over cells (``cells``, ``finals``, ``step_stats``; ``metrics`` and
  ``steps`` become views with the same rows), ``dispatches``, ``chunks.attempt``, and
  ``sensitivity``.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "V1_DDL"]

SCHEMA_VERSION = 2
"""Version of the store layout written by this package."""

V1_DDL = """
CREATE TABLE schema_version (
  version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL, note VARCHAR NOT NULL);
CREATE TABLE cases (
  case_sha256 VARCHAR PRIMARY KEY, case_id VARCHAR NOT NULL, title VARCHAR,
  content VARCHAR NOT NULL);
CREATE TABLE runs (
  run_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
  case_id VARCHAR, case_sha256 VARCHAR, replicates INTEGER NOT NULL,
  chunk_size INTEGER NOT NULL, seed BIGINT NOT NULL, n_points INTEGER NOT NULL,
  n_chunks INTEGER NOT NULL, spec VARCHAR NOT NULL, identity VARCHAR NOT NULL,
  package_version VARCHAR NOT NULL, versions VARCHAR NOT NULL, command VARCHAR);
CREATE TABLE points (
  run_id VARCHAR NOT NULL, point INTEGER NOT NULL, lens VARCHAR NOT NULL,
  PRIMARY KEY (run_id, point));
CREATE TABLE point_values (
  run_id VARCHAR NOT NULL, point INTEGER NOT NULL, parameter VARCHAR NOT NULL,
  value DOUBLE NOT NULL, PRIMARY KEY (run_id, point, parameter));
CREATE TABLE sessions (
  session_id INTEGER PRIMARY KEY, run_id VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP, status VARCHAR NOT NULL, executor VARCHAR, workers INTEGER,
  host VARCHAR, pid INTEGER, versions VARCHAR, chunks_done INTEGER, message VARCHAR);
CREATE TABLE chunks (
  run_id VARCHAR NOT NULL, point INTEGER NOT NULL, chunk INTEGER NOT NULL,
  first_replicate INTEGER NOT NULL, replicates INTEGER NOT NULL,
  session_id INTEGER NOT NULL, committed_at TIMESTAMP NOT NULL, seconds DOUBLE,
  worker VARCHAR, PRIMARY KEY (run_id, point, chunk));
CREATE TABLE metrics (
  run_id VARCHAR NOT NULL, point INTEGER NOT NULL, chunk INTEGER NOT NULL,
  replicate BIGINT NOT NULL, actor VARCHAR NOT NULL, counterpart VARCHAR NOT NULL,
  metric VARCHAR NOT NULL, value DOUBLE);
CREATE TABLE steps (
  run_id VARCHAR NOT NULL, point INTEGER NOT NULL, chunk INTEGER NOT NULL,
  step INTEGER NOT NULL, date DATE, actor VARCHAR NOT NULL, counterpart VARCHAR NOT NULL,
  metric VARCHAR NOT NULL, n BIGINT NOT NULL, sum DOUBLE, m2 DOUBLE);
"""


def _v1_to_v2(con: duckdb.DuckDBPyConnection) -> None:
    """v2: values as arrays over cells (fast commits), attempts, sensitivity indices."""
    con.execute(
        """
        CREATE TABLE dispatches (
          run_id VARCHAR NOT NULL, point INTEGER NOT NULL, chunk INTEGER NOT NULL,
          session_id INTEGER NOT NULL, dispatched_at TIMESTAMP NOT NULL);
        ALTER TABLE chunks ADD COLUMN attempt INTEGER DEFAULT 1;
        CREATE TABLE sensitivity (
          run_id VARCHAR NOT NULL, output VARCHAR NOT NULL, method VARCHAR NOT NULL,
          "index" VARCHAR NOT NULL, parameter VARCHAR NOT NULL, parameter2 VARCHAR NOT NULL,
          value DOUBLE, conf DOUBLE, conf_level DOUBLE NOT NULL,
          analysed_at TIMESTAMP NOT NULL,
          PRIMARY KEY (run_id, output, "index", parameter, parameter2));
        CREATE TABLE cells (
          run_id VARCHAR NOT NULL, cell INTEGER NOT NULL, actor VARCHAR NOT NULL,
          counterpart VARCHAR NOT NULL, metric VARCHAR NOT NULL, PRIMARY KEY (run_id, cell));
        INSERT INTO cells
          SELECT run_id,
                 (row_number() OVER (PARTITION BY run_id ORDER BY actor, counterpart, metric)
                  - 1)::INTEGER,
                 actor, counterpart, metric
          FROM (SELECT run_id, actor, counterpart, metric FROM metrics
                UNION SELECT run_id, actor, counterpart, metric FROM steps);
        CREATE TABLE finals (
          run_id VARCHAR NOT NULL, point INTEGER NOT NULL, chunk INTEGER NOT NULL,
          replicate BIGINT NOT NULL, "values" DOUBLE[] NOT NULL);
        INSERT INTO finals
          SELECT m.run_id, m.point, m.chunk, m.replicate, list(m.value ORDER BY c.cell)
          FROM metrics m JOIN cells c USING (run_id, actor, counterpart, metric)
          GROUP BY m.run_id, m.point, m.chunk, m.replicate;
        CREATE TABLE step_stats (
          run_id VARCHAR NOT NULL, point INTEGER NOT NULL, chunk INTEGER NOT NULL,
          step INTEGER NOT NULL, date DATE, n INTEGER NOT NULL,
          sum DOUBLE[] NOT NULL, m2 DOUBLE[] NOT NULL);
        INSERT INTO step_stats
          SELECT s.run_id, s.point, s.chunk, s.step, any_value(s.date), max(s.n)::INTEGER,
                 list(s.sum ORDER BY c.cell), list(s.m2 ORDER BY c.cell)
          FROM steps s JOIN cells c USING (run_id, actor, counterpart, metric)
          GROUP BY s.run_id, s.point, s.chunk, s.step;
        """
    )
    row = con.execute(
        """
        SELECT count(*) FROM (
          SELECT run_id, len("values") AS k FROM finals
          UNION ALL SELECT run_id, len(sum) FROM step_stats) t
        JOIN (SELECT run_id, count(*) AS cells FROM cells GROUP BY run_id) c USING (run_id)
        WHERE t.k <> c.cells
        """
    ).fetchone()
    if row and row[0]:
        raise RuntimeError("cannot migrate: some replicates lack values for some cells")
    con.execute(
        """
        DROP TABLE metrics;
        DROP TABLE steps;
        CREATE VIEW metrics AS
          SELECT f.run_id, f.point, f.chunk, f.replicate, c.actor, c.counterpart, c.metric,
                 f."values"[c.cell + 1] AS value
          FROM finals f JOIN cells c ON c.run_id = f.run_id;
        CREATE VIEW steps AS
          SELECT s.run_id, s.point, s.chunk, s.step, s.date, c.actor, c.counterpart, c.metric,
                 s.n, s.sum[c.cell + 1] AS sum, s.m2[c.cell + 1] AS m2
          FROM step_stats s JOIN cells c ON c.run_id = s.run_id;
        """
    )


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _v1_to_v2}
"""``version -> function`` bringing a store from ``version`` to ``version + 1``."""
