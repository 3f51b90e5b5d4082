"""The results store: one DuckDB file holding every run, point, chunk and value.

Tables (schema version :data:`SCHEMA_VERSION`; ``docs/experiments.md`` describes each column):

* ``schema_version`` - versions applied, with dates;
* ``cases`` - the full content of every case used, by SHA-256;
* ``runs`` - one row per run: kind, case, replicates, chunk size, seed, spec, versions, command;
* ``points`` / ``point_values`` - each parameter point's lens and parameter values;
* ``sessions`` - each command execution on a run: executor, workers, host, status;
* ``dispatches`` - each time a chunk was sent to a worker (written with the next commit);
* ``chunks`` - the marker of a committed chunk, with its attempt number and timing;
* ``metrics`` - final-step value of every metric, per replicate;
* ``steps`` - per-step sufficient statistics per chunk (n, sum, m2, min, max);
* ``sensitivity`` - sensitivity indices with confidence intervals.

One process writes (the coordinator of a sweep); workers only compute. A chunk's ``metrics``
and ``steps`` rows and its ``chunks`` marker are written in one transaction; the marker's
primary key makes a second commit of the same chunk fail and roll back, so a table never
holds a partial or duplicated chunk. A process killed at any moment leaves the file usable:
DuckDB replays its write-ahead log on the next open.

A store damaged after the fact (rows deleted, a file edited or restored in part) is caught by
:meth:`Store.damaged_chunks`, which checks each committed chunk against its marker: one
``finals`` row per replicate of the chunk, one ``step_stats`` row per step of the run with
every replicate counted, and one value per cell in each. ``runs list`` and ``runs show``
report damaged chunks, and a resumed run drops and recomputes them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .._output import atomic_path
from ..errors import BadInput, Problem
from .chunks import ChunkResult
from .model import case_sha256
from .plan import Plan
from .schema import MIGRATIONS, SCHEMA_VERSION, V1_DDL

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TABLES",
    "Store",
    "StoreBusy",
    "interrupted",
    "package_versions",
]


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is Ctrl-C: a KeyboardInterrupt, or DuckDB's form of it when the signal
    arrives during a query (``InterruptException``, or a RuntimeError "Query interrupted")."""
    return isinstance(exc, KeyboardInterrupt | duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "Query interrupted" in str(exc)
    )


TABLES = (
    "metrics",
    "summary",
    "steps",
    "points",
    "chunks",
    "sessions",
    "sensitivity",
)
"""Tables ``dilemma runs export`` can write (``summary`` is derived from ``metrics``)."""


_DAMAGED_SQL = """
SELECT k.run_id, k.point, k.chunk
FROM (SELECT * FROM chunks {where}) k
LEFT JOIN (SELECT run_id, count(*) AS n FROM cells {where} GROUP BY run_id) w USING (run_id)
LEFT JOIN (SELECT run_id, point, chunk, count(*) AS n, count(DISTINCT replicate) AS distinct_n,
                  min(replicate) AS lo, max(replicate) AS hi,
                  min(len("values")) AS narrow, max(len("values")) AS wide
           FROM finals {where} GROUP BY ALL) f USING (run_id, point, chunk)
LEFT JOIN (SELECT run_id, point, chunk, count(*) AS n, count(DISTINCT step) AS distinct_n,
                  min(n) AS fewest, max(n) AS most,
                  least(min(len(sum)), min(len(m2))) AS narrow,
                  greatest(max(len(sum)), max(len(m2))) AS wide
           FROM step_stats {where} GROUP BY ALL) s USING (run_id, point, chunk)
LEFT JOIN (SELECT run_id, max(n) AS steps
           FROM (SELECT run_id, point, chunk, count(DISTINCT step) AS n
                 FROM step_stats {where} GROUP BY ALL) GROUP BY run_id) t USING (run_id)
WHERE f.n IS DISTINCT FROM k.replicates OR f.distinct_n IS DISTINCT FROM k.replicates
   OR f.lo IS DISTINCT FROM k.first_replicate
   OR f.hi IS DISTINCT FROM k.first_replicate + k.replicates - 1
   OR f.narrow IS DISTINCT FROM w.n OR f.wide IS DISTINCT FROM w.n
   OR s.n IS DISTINCT FROM t.steps OR s.distinct_n IS DISTINCT FROM t.steps
   OR s.fewest IS DISTINCT FROM k.replicates OR s.most IS DISTINCT FROM k.replicates
   OR s.narrow IS DISTINCT FROM w.n OR s.wide IS DISTINCT FROM w.n
"""
"""Committed chunks whose rows do not match their marker (``{where}`` selects runs)."""


class StoreBusy(RuntimeError):
    """Another process holds the store open for writing."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def package_versions() -> dict[str, str]:
    """Versions of Python and of the libraries that shape results, for provenance."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for name in (
        "security-dilemma",
        "numpy",
        "scipy",
        "pandas",
        "pydantic",
        "duckdb",
        "pyarrow",
        "SALib",
        "dask",
        "distributed",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - all are dependencies
            out[name] = "missing"
    return out


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Store:
    """An open results store. Use :meth:`open` and close it (or use it as a context manager)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        self._cells: dict[str, tuple[tuple[str, str, str], ...]] = {}
        self._dispatches: list[tuple[str, int, int, int, dt.datetime]] = []

    # --- opening, schema and migrations --------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        read_only: bool = False,
        schema_version: int = SCHEMA_VERSION,
    ) -> Store:
        """Open (and create or migrate) the store at ``path``.

        ``create=False`` refuses a missing file (:class:`BadInput`). A file that is not a
        DuckDB database, or a DuckDB database that is not a store, or a store written by a
        newer version of this package, is :class:`BadInput`. An older store is migrated (a
        read-only open migrates through a short read-write open first).
        ``schema_version`` creates an *older* layout (for testing migrations).
        """
        path = Path(path)
        if str(path) != ":memory:" and not path.exists():
            if not create or read_only:
                raise BadInput(
                    Problem(f"no results store at '{path}' (run a sweep first)", path="path")
                )
            if path.parent and not path.parent.exists():
                raise BadInput(Problem(f"directory '{path.parent}' does not exist", path="path"))
        con = cls._connect(path, read_only)
        try:
            version = cls._version(con, path)
            if version is None:
                if read_only:
                    raise BadInput(
                        Problem(f"'{path}' is a DuckDB file but not a results store", path="path")
                    )
                cls._create(con, schema_version)
            elif version > SCHEMA_VERSION:
                raise BadInput(
                    Problem(
                        f"'{path}' has store schema version {version}, newer than this "
                        f"security-dilemma understands ({SCHEMA_VERSION}); upgrade the package",
                        path="path",
                    )
                )
            elif version < SCHEMA_VERSION:
                if read_only:
                    con.close()
                    cls.open(path, create=False).close()
                    con = cls._connect(path, True)
                else:
                    cls._migrate(con, version)
        except BaseException:
            con.close()
            raise
        return cls(con, path, read_only)

    @staticmethod
    def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreBusy(
                    f"the store '{path}' is in use by another process (a sweep still "
                    f"running?): {exc}"
                ) from None
            raise BadInput(
                Problem(f"cannot open '{path}' as a DuckDB store: {exc}", path="path")
            ) from None
        except duckdb.Error as exc:
            raise BadInput(
                Problem(f"cannot open '{path}' as a DuckDB store: {exc}", path="path")
            ) from None

    @staticmethod
    def _version(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "schema_version" not in tables:
            if tables:
                raise BadInput(
                    Problem(
                        f"'{path}' is a DuckDB database but not a results store "
                        f"(it has tables {', '.join(sorted(tables)[:5])})",
                        path="path",
                    )
                )
            return None
        row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    @staticmethod
    def _create(con: duckdb.DuckDBPyConnection, version: int) -> None:
        con.begin()
        con.execute(V1_DDL)
        con.execute("INSERT INTO schema_version VALUES (1, ?, 'created')", [_now()])
        con.commit()
        Store._migrate(con, 1, target=version)

    @staticmethod
    def _migrate(
        con: duckdb.DuckDBPyConnection, version: int, target: int = SCHEMA_VERSION
    ) -> None:
        while version < target:
            step = MIGRATIONS[version]
            con.begin()
            try:
                step(con)
                con.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    [version + 1, _now(), (step.__doc__ or "").strip()],
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise
            version += 1

    @property
    def schema_version(self) -> int:
        """The store's schema version."""
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        """Close the connection (committed work is already on disk)."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction: committed on success, rolled back on any exception."""
        self.con.begin()
        try:
            yield self.con
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    # --- writing -------------------------------------------------------------------------

    def ensure_run(self, plan: Plan, *, command: str = "") -> bool:
        """Record ``plan`` as a run (with its case and points) unless it exists; True if new."""
        run_id = plan.run_id
        if self.con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone():
            return False
        identity = plan.identity()
        model = identity["model"]
        case = getattr(plan.model, "case", None)
        versions = package_versions()
        with self.transaction() as con:
            if case is not None:
                con.execute(
                    "INSERT INTO cases SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM cases WHERE case_sha256 = ?)",
                    [
                        case_sha256(case),
                        case.id,
                        case.title,
                        case.model_dump_json(by_alias=True),
                        case_sha256(case),
                    ],
                )
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    plan.kind,
                    _now(),
                    model.get("case"),
                    model.get("case_sha256"),
                    plan.replicates,
                    plan.chunk_size,
                    plan.seed,
                    len(plan.points),
                    plan.n_chunks,
                    json.dumps(dict(plan.spec), sort_keys=True),
                    json.dumps(identity, sort_keys=True),
                    versions["security-dilemma"],
                    json.dumps(versions, sort_keys=True),
                    command,
                ],
            )
            points = pd.DataFrame(
                {
                    "run_id": run_id,
                    "point": range(len(plan.points)),
                    "lens": [p.lens for p in plan.points],
                }
            )
            values = pd.DataFrame(
                [(run_id, i, k, v) for i, p in enumerate(plan.points) for k, v in p.values],
                columns=["run_id", "point", "parameter", "value"],
            ).astype({"point": "int64", "value": "float64"})
            con.register("new_points", points)
            con.register("new_values", values)
            con.execute("INSERT INTO points SELECT run_id, point, lens FROM new_points")
            con.execute(
                "INSERT INTO point_values SELECT run_id, point, parameter, value FROM new_values"
            )
            con.unregister("new_points")
            con.unregister("new_values")
        return True

    def done_chunks(self, run_id: str) -> set[tuple[int, int]]:
        """``(point, chunk)`` of every committed chunk of the run."""
        rows = self.con.execute(
            "SELECT point, chunk FROM chunks WHERE run_id = ?", [run_id]
        ).fetchall()
        return {(int(p), int(c)) for p, c in rows}

    def damaged_chunks(self, run_id: str | None = None) -> set[tuple[str, int, int]]:
        """``(run_id, point, chunk)`` of every committed chunk (of ``run_id``, or of every
        run) whose rows do not match its marker (see the module's description)."""
        where = "" if run_id is None else "WHERE run_id = $run"
        rows = self.con.execute(
            _DAMAGED_SQL.format(where=where), {} if run_id is None else {"run": run_id}
        ).fetchall()
        return {(str(r), int(p), int(c)) for r, p, c in rows}

    def check_intact(self, run_id: str) -> None:
        """Refuse (:class:`BadInput`) to read the values of a run with damaged chunks."""
        damaged = self.damaged_chunks(run_id)
        if damaged:
            raise BadInput(
                Problem(
                    f"run {run_id} has {len(damaged)} damaged chunk(s) in '{self.path}' (rows "
                    "lost or altered since they were committed): run the command that made it "
                    "again to recompute them (`dilemma runs show` lists the command)",
                    path="run",
                )
            )

    def drop_chunks(self, chunks: set[tuple[str, int, int]]) -> None:
        """Remove chunks (marker and rows) so that the next resume computes them again."""
        if not chunks:
            return
        with self.transaction() as con:
            for table in ("chunks", "finals", "step_stats"):
                con.executemany(
                    f"DELETE FROM {table} WHERE run_id = ? AND point = ? AND chunk = ?",
                    [list(key) for key in sorted(chunks)],
                )

    def start_session(self, run_id: str, *, executor: str, workers: int) -> int:
        """Record a new session on the run; earlier sessions still 'running' died unfinished."""
        with self.transaction() as con:
            con.execute(
                "UPDATE sessions SET status = 'ended without finishing' "
                "WHERE run_id = ? AND status = 'running'",
                [run_id],
            )
            row = con.execute("SELECT coalesce(max(session_id), 0) + 1 FROM sessions").fetchone()
            assert row is not None
            session = int(row[0])
            con.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, NULL, 'running', ?, ?, ?, ?, ?, 0, NULL)",
                [
                    session,
                    run_id,
                    _now(),
                    executor,
                    workers,
                    socket.gethostname(),
                    os.getpid(),
                    json.dumps(package_versions(), sort_keys=True),
                ],
            )
        return session

    def record_dispatch(self, run_id: str, session: int, point: int, chunk: int) -> None:
        """Note that a chunk was sent to a worker.

        The note is written with the next chunk commit (or :meth:`flush_dispatches`), which
        saves a commit per chunk: a chunk sent out after the last commit before a crash is
        not counted as an attempt.
        """
        self._dispatches.append((run_id, point, chunk, session, _now()))

    def _write_dispatches(self, con: duckdb.DuckDBPyConnection) -> None:
        if self._dispatches:
            con.executemany("INSERT INTO dispatches VALUES (?, ?, ?, ?, ?)", self._dispatches)

    def flush_dispatches(self) -> None:
        """Write the dispatch notes not yet committed."""
        with self.transaction() as con:
            self._write_dispatches(con)
        self._dispatches.clear()

    def cells(self, run_id: str) -> tuple[tuple[str, str, str], ...]:
        """The run's ``(actor, counterpart, metric)`` per cell, in array order (may be empty)."""
        if run_id not in self._cells:
            rows = self.con.execute(
                "SELECT actor, counterpart, metric FROM cells WHERE run_id = ? ORDER BY cell",
                [run_id],
            ).fetchall()
            if not rows:
                return ()
            self._cells[run_id] = tuple((str(a), str(c), str(m)) for a, c, m in rows)
        return self._cells[run_id]

    def commit_chunk(self, run_id: str, session: int, result: ChunkResult) -> None:
        """Write a chunk's values, statistics and marker in one transaction.

        The first chunk of a run also writes the run's cells; later chunks must have the same.
        """
        spec = result.spec
        key = [run_id, spec.point, spec.chunk]
        known = self.cells(run_id)
        if known and known != result.cells:
            raise RuntimeError(
                f"chunk (point {spec.point}, chunk {spec.chunk}) reports different cells from "
                "the run's earlier chunks; the model is not deterministic in its layout"
            )
        with self.transaction() as con:
            self._write_dispatches(con)
            if not known:
                labels = pd.DataFrame(
                    list(result.cells), columns=["actor", "counterpart", "metric"]
                )
                labels.insert(0, "cell", range(len(labels)))
                con.register("new_cells", labels)
                con.execute(
                    "INSERT INTO cells SELECT ?, cell, actor, counterpart, metric FROM new_cells",
                    [run_id],
                )
                con.unregister("new_cells")
            con.register("chunk_finals", result.finals)
            con.register("chunk_steps", result.steps)
            con.execute(
                'INSERT INTO finals SELECT ?, ?, ?, replicate, "values" FROM chunk_finals', key
            )
            con.execute(
                "INSERT INTO step_stats SELECT ?, ?, ?, step, date, n, sum, m2 FROM chunk_steps",
                key,
            )
            con.unregister("chunk_finals")
            con.unregister("chunk_steps")
            con.execute(
                "INSERT INTO chunks (run_id, point, chunk, first_replicate, replicates, "
                "session_id, committed_at, seconds, worker, attempt) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "(SELECT greatest(count(*), 1) FROM dispatches "
                " WHERE run_id = ? AND point = ? AND chunk = ?))",
                [
                    *key,
                    spec.first_replicate,
                    spec.replicates,
                    session,
                    _now(),
                    result.seconds,
                    result.worker,
                    *key,
                ],
            )
        self._dispatches.clear()
        if not known:
            self._cells[run_id] = result.cells

    def finish_session(self, session: int, *, status: str, chunks_done: int, message: str) -> None:
        """Close a session with its outcome (writing pending dispatch notes)."""
        self.flush_dispatches()
        self.con.execute(
            "UPDATE sessions SET finished_at = ?, status = ?, chunks_done = ?, message = ? "
            "WHERE session_id = ?",
            [_now(), status, chunks_done, message, session],
        )

    def save_indices(
        self, run_id: str, output: str, method: str, indices: pd.DataFrame, conf_level: float
    ) -> None:
        """Replace the sensitivity indices of ``output`` for the run."""
        frame = indices.assign(run_id=run_id, output=output, method=method)
        frame = frame[
            ["run_id", "output", "method", "index", "parameter", "parameter2", "value", "conf"]
        ]
        with self.transaction() as con:
            con.execute("DELETE FROM sensitivity WHERE run_id = ? AND output = ?", [run_id, output])
            con.register("new_indices", frame)
            con.execute(
                'INSERT INTO sensitivity SELECT run_id, output, method, "index", parameter, '
                "parameter2, value, conf, ?, ? FROM new_indices",
                [conf_level, _now()],
            )
            con.unregister("new_indices")

    # --- reading -------------------------------------------------------------------------

    def _df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        frame: pd.DataFrame = self.con.execute(sql, list(params)).df()
        return frame

    def runs(self) -> pd.DataFrame:
        """Every run with its progress: chunks done of total, newest first."""
        return self._df(
            """
            WITH damaged AS ({damaged}),
                 done AS (SELECT run_id, count(*) AS n FROM chunks GROUP BY run_id),
                 bad AS (SELECT run_id, count(*) AS n FROM damaged GROUP BY run_id)
            SELECT r.run_id, r.kind, r.case_id, r.created_at, r.n_points, r.replicates,
                   r.chunk_size, r.seed,
                   (coalesce(done.n, 0) - coalesce(bad.n, 0))::BIGINT AS chunks_done,
                   r.n_chunks, coalesce(bad.n, 0)::BIGINT AS chunks_damaged,
                   CASE WHEN coalesce(bad.n, 0) > 0 THEN 'damaged'
                        WHEN coalesce(done.n, 0) = r.n_chunks THEN 'complete'
                        ELSE 'incomplete' END AS status,
                   r.package_version, r.command
            FROM runs r LEFT JOIN done USING (run_id) LEFT JOIN bad USING (run_id)
            ORDER BY r.created_at DESC, r.run_id
            """.format(damaged=_DAMAGED_SQL.format(where=""))
        )

    def resolve(self, prefix: str) -> str:
        """The run id starting with ``prefix`` (unique), or the newest run for ``last``;
        otherwise :class:`BadInput`."""
        if prefix.strip() == "last":
            row = self.con.execute(
                "SELECT run_id FROM runs ORDER BY created_at DESC, run_id LIMIT 1"
            ).fetchone()
            if row is None:
                raise BadInput(Problem(f"'{self.path}' holds no runs yet", path="prefix"))
            return str(row[0])
        ids = [r[0] for r in self.con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()]
        hits = [i for i in ids if i.startswith(prefix.strip())] if prefix.strip() else []
        if len(hits) == 1:
            return str(hits[0])
        if not hits:
            from ..errors import did_you_mean

            raise BadInput(
                Problem(
                    f"no run '{prefix}' in '{self.path}'{did_you_mean(prefix, ids)}"
                    + ("" if ids else " (the store holds no runs)"),
                    path="prefix",
                )
            )
        raise BadInput(
            Problem(f"'{prefix}' matches {len(hits)} runs; give more of the id", path="prefix")
        )

    def run_info(self, run_id: str) -> dict[str, Any]:
        """Everything recorded about a run except its values."""
        row: dict[str, Any] = {
            str(k): v
            for k, v in self._df("SELECT * FROM runs WHERE run_id = ?", [run_id]).iloc[0].items()
        }
        for key in ("spec", "identity", "versions"):
            row[key] = json.loads(row[key])
        done = self.con.execute(
            "SELECT count(*), coalesce(sum(replicates), 0) FROM chunks WHERE run_id = ?", [run_id]
        ).fetchone()
        assert done is not None
        damaged = self.damaged_chunks(run_id)
        row["chunks_done"] = int(done[0]) - len(damaged)
        row["chunks_damaged"] = len(damaged)
        row["replicates_done"] = int(done[1])
        row["status"] = (
            "damaged"
            if damaged
            else "complete"
            if row["chunks_done"] == row["n_chunks"]
            else "incomplete"
        )
        row["parameters"] = self.parameters(run_id)
        row["metrics"] = sorted({m for _, _, m in self.cells(run_id)})
        row["sessions"] = self._df(
            "SELECT session_id, started_at, finished_at, status, executor, workers, host, "
            "chunks_done, message FROM sessions WHERE run_id = ? ORDER BY session_id",
            [run_id],
        ).to_dict(orient="records")
        row["outputs_analysed"] = [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT output FROM sensitivity WHERE run_id = ? ORDER BY output",
                [run_id],
            ).fetchall()
        ]
        return row

    def parameters(self, run_id: str) -> list[str]:
        """Names of the parameters varied in the run, sorted."""
        return [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT parameter FROM point_values WHERE run_id = ? ORDER BY parameter",
                [run_id],
            ).fetchall()
        ]

    def _points_sql(self, run_id: str) -> str:
        """SQL for the run's points as ``point, lens, <one column per parameter>``."""
        cols = "".join(
            f", max(v.value) FILTER (WHERE v.parameter = {_quote(p)}) AS {_ident(p)}"
            for p in self.parameters(run_id)
        )
        return (
            f"SELECT p.point, p.lens{cols} FROM points p "
            "LEFT JOIN point_values v ON v.run_id = p.run_id AND v.point = p.point "
            f"WHERE p.run_id = {_quote(run_id)} GROUP BY p.point, p.lens"
        )

    def table_sql(self, run_id: str, table: str) -> str:
        """SQL for one exportable table of a run (see :data:`TABLES`), in key order."""
        rid = _quote(run_id)
        pts = self._points_sql(run_id)
        if table in ("metrics", "summary", "steps"):
            self.check_intact(run_id)
        if table == "points":
            return f"SELECT * FROM ({pts}) ORDER BY point"
        if table == "metrics":
            return (
                f"SELECT pts.*, m.replicate, m.actor, m.counterpart, m.metric, m.value "
                f"FROM metrics m JOIN ({pts}) pts USING (point) WHERE m.run_id = {rid} "
                "ORDER BY m.point, m.replicate, m.actor, m.counterpart, m.metric"
            )
        if table == "summary":
            return (
                "SELECT pts.*, s.actor, s.counterpart, s.metric, s.n, s.mean, s.sd, "
                "s.q[1] AS q05, s.q[2] AS q50, s.q[3] AS q95 FROM ("
                "  SELECT point, actor, counterpart, metric, count(value) AS n, "
                "  avg(value) AS mean, stddev_samp(value) AS sd, "
                "  quantile_cont(value, [0.05, 0.5, 0.95]) AS q "
                f"  FROM metrics WHERE run_id = {rid} "
                "  GROUP BY point, actor, counterpart, metric) s "
                f"JOIN ({pts}) pts USING (point) "
                "ORDER BY s.point, s.actor, s.counterpart, s.metric"
            )
        if table == "steps":
            return (
                "WITH g AS (SELECT point, step, date, actor, counterpart, metric, "
                "  sum(n) AS n, sum(sum) / sum(n) AS mean "
                f"  FROM steps WHERE run_id = {rid} "
                "  GROUP BY point, step, date, actor, counterpart, metric), "
                "v AS (SELECT s.point, s.step, s.actor, s.counterpart, s.metric, "
                "  sum(s.m2 + s.n * (s.sum / s.n - g.mean) ^ 2) AS m2 FROM steps s "
                "  JOIN g USING (point, step, actor, counterpart, metric) "
                f"  WHERE s.run_id = {rid} GROUP BY ALL) "
                "SELECT pts.*, g.step, g.date, g.actor, g.counterpart, g.metric, g.n, g.mean, "
                "  CASE WHEN g.n > 1 THEN sqrt(v.m2 / (g.n - 1)) END AS sd "
                "FROM g JOIN v USING (point, step, actor, counterpart, metric) "
                f"JOIN ({pts}) pts USING (point) "
                "ORDER BY g.point, g.step, g.actor, g.counterpart, g.metric"
            )
        if table == "chunks":
            return (
                f"SELECT * EXCLUDE (run_id) FROM chunks WHERE run_id = {rid} ORDER BY point, chunk"
            )
        if table == "sessions":
            return f"SELECT * FROM sessions WHERE run_id = {rid} ORDER BY session_id"
        if table == "sensitivity":
            return (
                f"SELECT * EXCLUDE (run_id) FROM sensitivity WHERE run_id = {rid} "
                'ORDER BY output, "index", parameter, parameter2'
            )
        from ..errors import did_you_mean

        raise BadInput(
            Problem(
                f"unknown table '{table}'{did_you_mean(table, TABLES)}; tables: "
                + ", ".join(TABLES),
                path="table",
            )
        )

    def table(self, run_id: str, table: str) -> pd.DataFrame:
        """One exportable table of a run as a DataFrame."""
        return self._df(self.table_sql(run_id, table))

    def export(self, run_id: str, table: str, out: Path, fmt: str) -> int:
        """Write a table to ``out`` as Parquet or CSV; return the number of rows."""
        sql = self.table_sql(run_id, table)
        options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
        with atomic_path(out) as tmp:
            self.con.execute(f"COPY ({sql}) TO {_quote(str(tmp))} ({options})")
        row = self.con.execute(f"SELECT count(*) FROM ({sql})").fetchone()
        assert row is not None
        return int(row[0])

    def output_means(self, run_id: str, metric: str, actor: str, counterpart: str) -> pd.DataFrame:
        """Per point: number of replicates and mean final value of one output (``n`` is 0 at
        every point when the run has no such cell).

        The mean is taken in replicate order in numpy (not by a parallel SQL sum), so it is
        bitwise reproducible.
        """
        self.check_intact(run_id)
        points = self._df("SELECT point FROM points WHERE run_id = ? ORDER BY point", [run_id])
        try:
            cell = self.cells(run_id).index((actor, counterpart, metric))
        except ValueError:
            return points.assign(n=0, mean=float("nan"))
        values = self._df(
            'SELECT point, replicate, "values"[?] AS value FROM finals WHERE run_id = ? '
            "ORDER BY point, replicate",
            [cell + 1, run_id],
        )
        stats = values.groupby("point", sort=True)["value"].agg(["count", "mean"])
        out = points.join(stats, on="point").rename(columns={"count": "n"})
        out["n"] = out["n"].fillna(0).astype("int64")
        return out.reset_index(drop=True)

    def outputs(self, run_id: str) -> pd.DataFrame:
        """The run's cells as ``metric, actor, counterpart``, sorted."""
        frame = pd.DataFrame(list(self.cells(run_id)), columns=["actor", "counterpart", "metric"])
        return frame[["metric", "actor", "counterpart"]].sort_values(
            ["metric", "actor", "counterpart"], ignore_index=True
        )
