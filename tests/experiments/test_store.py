"""The DuckDB store: schema, migrations, refusals, atomic chunk commits, crash recovery."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from security_dilemma.errors import BadInput
from security_dilemma.experiments.chunks import ChunkResult, ChunkValues, reduce_values
from security_dilemma.experiments.params import Point
from security_dilemma.experiments.plan import ChunkSpec, FixedIdentity, Plan
from security_dilemma.experiments.store import SCHEMA_VERSION, Store, StoreBusy

from .conftest import held

CELLS = (("USA", "", "security"), ("USA", "RUS", "crisis_prob"), ("*", "", "world"))


def chunk_values(first: int, n: int, steps: int = 3) -> ChunkValues:
    """Values shaped like the engine's, reproducible per replicate (whatever the chunking)."""
    values = np.empty((steps, len(CELLS), n))
    for k, r in enumerate(range(first, first + n)):
        rng = np.random.default_rng([7, r])
        values[:, 0, k] = rng.normal(5, 2, steps)
        values[:, 1, k] = rng.uniform(size=steps)
        values[:, 2, k] = rng.normal(size=steps)
    actor, counterpart, metric = (tuple(c[i] for c in CELLS) for i in range(3))
    dates = tuple(dt.date(2001 + s, 1, 1) for s in range(steps))
    return ChunkValues(values, dates, actor, counterpart, metric, first)


def replicates_frame(first: int, n: int, steps: int = 3) -> pd.DataFrame:
    """The same values as a long frame, as the engine's ``replicates_frame`` gives them."""
    v = chunk_values(first, n, steps)
    rows = [
        (first + r, s, v.dates[s], *CELLS[c], v.values[s, c, r])
        for r in range(n)
        for s in range(steps)
        for c in range(len(CELLS))
    ]
    cols = ["replicate", "step", "date", "actor", "counterpart", "metric", "value"]
    return pd.DataFrame(rows, columns=cols)


def chunk_result(point: int, chunk: int, first: int, n: int) -> ChunkResult:
    finals, steps = reduce_values(chunk_values(first, n))
    return ChunkResult(ChunkSpec(point, chunk, first, n), CELLS, finals, steps, 0.01, "test:1")


def test_long_frames_give_the_same_chunk() -> None:
    a, b = chunk_values(5, 4), ChunkValues.from_frame(replicates_frame(5, 4))
    assert np.array_equal(a.values, b.values) and a.dates == b.dates
    assert (a.actor, a.counterpart, a.metric, a.first_replicate) == (
        b.actor,
        b.counterpart,
        b.metric,
        b.first_replicate,
    )


def demo_plan(replicates: int = 10, chunk_size: int = 4) -> Plan:
    points = (Point((("k", 0.5),)), Point((("k", 1.5),), "realism"))
    return Plan(FixedIdentity({"demo": 1}), points, replicates, seed=3, chunk_size=chunk_size)


def fill(store: Store, plan: Plan) -> None:
    store.ensure_run(plan)
    session = store.start_session(plan.run_id, executor="test", workers=1)
    for c in plan.chunks():
        store.commit_chunk(
            plan.run_id, session, chunk_result(c.point, c.chunk, c.first_replicate, c.replicates)
        )


def test_new_store_has_current_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.schema_version == SCHEMA_VERSION == 2
        tables = {
            r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        views = {r[0] for r in store.con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    assert {"runs", "points", "point_values", "cells", "chunks", "finals", "step_stats"} <= tables
    assert {"sessions", "dispatches", "sensitivity"} <= tables
    assert {"metrics", "steps"} <= views


def test_v1_store_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    """v1 kept one value per row; v2 keeps arrays over cells: the same values either way."""
    path = tmp_path / "old.duckdb"
    values = replicates_frame(0, 5)
    stats = values.groupby(["step", "date", "actor", "counterpart", "metric"])["value"]
    v1_steps = stats.agg(n="count", sum="sum").reset_index()
    v1_steps["m2"] = (stats.var(ddof=0) * 5).to_numpy()
    v1_finals = values[values["step"] == 2].drop(columns=["step", "date"])
    order = {
        "metrics": "replicate, actor, counterpart, metric",
        "steps": "step, actor, counterpart, metric",
    }
    with Store.open(path, schema_version=1) as old:
        assert old.schema_version == 1
        cols = [r[0] for r in old.con.execute("DESCRIBE chunks").fetchall()]
        assert "attempt" not in cols
        old.con.execute(
            "INSERT INTO chunks VALUES ('r1', 0, 0, 0, 5, 1, TIMESTAMP '2020-01-01', 0.5, 'w')"
        )
        old.con.register("f", v1_finals)
        old.con.register("s", v1_steps)
        old.con.execute(
            "INSERT INTO metrics SELECT 'r1', 0, 0, replicate, actor, counterpart, metric, value "
            "FROM f"
        )
        old.con.execute(
            "INSERT INTO steps SELECT 'r1', 0, 0, step, date, actor, counterpart, metric, n, "
            "sum, m2 FROM s"
        )
        before = {
            t: old.con.execute(f"SELECT * FROM {t} ORDER BY {o}").df() for t, o in order.items()
        }
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.con.execute("SELECT attempt, seconds FROM chunks").fetchall() == [(1, 0.5)]
        after = {
            t: store.con.execute(f"SELECT * FROM {t} ORDER BY {o}").df() for t, o in order.items()
        }
        assert store.cells("r1") == tuple(sorted(CELLS))
        assert store.con.execute("SELECT count(*) FROM finals").fetchall() == [(5,)]
        versions = store.con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
        assert versions == [(1,), (2,)]
        assert store.con.execute("SELECT count(*) FROM sensitivity").fetchall() == [(0,)]
    assert len(after["metrics"]) == 5 * 3 and len(after["steps"]) == 3 * 3
    for t in order:
        pd.testing.assert_frame_equal(after[t], before[t], check_exact=True, check_dtype=False)


def test_read_only_open_migrates_an_old_store(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    Store.open(path, schema_version=1).close()
    with Store.open(path, create=False, read_only=True) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with Store.open(path) as store:
        store.con.execute("INSERT INTO schema_version VALUES (99, TIMESTAMP '2030-01-01', 'x')")
    with pytest.raises(BadInput, match="schema version 99, newer than"):
        Store.open(path)


def test_files_that_are_not_stores_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no results store at"):
        Store.open(tmp_path / "missing.duckdb", create=False)
    text = tmp_path / "notes.duckdb"
    text.write_text("hello\n")
    with pytest.raises(BadInput, match="not a valid DuckDB database"):
        Store.open(text)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t(x INTEGER)").close()
    with pytest.raises(BadInput, match="not a results store"):
        Store.open(other)
    with pytest.raises(BadInput, match="does not exist"):
        Store.open(tmp_path / "no" / "dir.duckdb")


def test_store_held_by_another_process_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "busy.duckdb"
    Store.open(path).close()
    with held(path), pytest.raises(StoreBusy, match="in use by another process"):
        Store.open(path)


def test_a_chunk_commits_once_and_whole(tmp_path: Path) -> None:
    plan = demo_plan()
    with Store.open(tmp_path / "s.duckdb") as store:
        fill(store, plan)
        count = "SELECT (SELECT count(*) FROM metrics), (SELECT count(*) FROM steps)"
        before = store.con.execute(count).fetchall()
        assert store.done_chunks(plan.run_id) == {(p, c) for p in (0, 1) for c in (0, 1, 2)}
        with pytest.raises(duckdb.ConstraintException, match="primary key"):
            store.commit_chunk(plan.run_id, 1, chunk_result(0, 1, 4, 4))
        assert store.con.execute(count).fetchall() == before
        # a chunk whose second table cannot be written leaves nothing behind
        good = chunk_result(0, 9, 36, 2)
        broken = ChunkResult(good.spec, CELLS, good.finals, good.finals, 0.0, "w")
        with pytest.raises(duckdb.Error):
            store.commit_chunk(plan.run_id, 1, broken)
        assert store.con.execute(count).fetchall() == before
        assert (0, 9) not in store.done_chunks(plan.run_id)


def test_runs_points_and_exports(tmp_path: Path) -> None:
    plan = demo_plan()
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.ensure_run(plan) and not store.ensure_run(plan)
        fill(store, plan)
        runs = store.runs()
        assert runs[["run_id", "chunks_done", "n_chunks", "status"]].values.tolist() == [
            [plan.run_id, 6, 6, "complete"]
        ]
        assert store.resolve(plan.run_id[:5]) == plan.run_id
        with pytest.raises(BadInput, match="no run 'zz'"):
            store.resolve("zz")
        points = store.table(plan.run_id, "points")
        assert points.to_dict(orient="list") == {
            "point": [0, 1],
            "lens": ["", "realism"],
            "k": [0.5, 1.5],
        }
        metrics = store.table(plan.run_id, "metrics")
        assert len(metrics) == 2 * 10 * 3 and set(metrics["k"]) == {0.5, 1.5}
        for fmt in ("parquet", "csv"):
            out = tmp_path / f"m.{fmt}"
            assert store.export(plan.run_id, "metrics", out, fmt) == len(metrics)
            back = (
                pd.read_parquet(out)
                if fmt == "parquet"
                else pd.read_csv(out, keep_default_na=False)
            )
            assert_allclose(back["value"], metrics["value"])
            assert back["replicate"].tolist() == metrics["replicate"].tolist()
        with pytest.raises(BadInput, match="did you mean 'steps'"):
            store.table(plan.run_id, "stpes")


@settings(max_examples=15)
@given(sizes=st.lists(st.integers(1, 7), min_size=1, max_size=5))
def test_step_statistics_combine_exactly_across_chunks(sizes: list[int]) -> None:
    """Per-step mean and sd from chunk statistics equal those of all replicates at once."""
    total = sum(sizes)
    plan = Plan(FixedIdentity({"sizes": sizes}), (Point(()),), total, chunk_size=total)
    with Store.open(":memory:") as store:
        store.ensure_run(plan)
        first = 0
        for i, n in enumerate(sizes):
            store.commit_chunk(plan.run_id, 1, chunk_result(0, i, first, n))
            first += n
        steps = store.table(plan.run_id, "steps")
    whole = replicates_frame(0, total)
    expect = whole.groupby(["step", "metric"])["value"].agg(["mean", "std", "size"])
    got = steps.set_index(["step", "metric"]).loc[expect.index]
    assert_allclose(got["mean"], expect["mean"], rtol=1e-12)
    assert (got["n"].to_numpy() == expect["size"].to_numpy()).all()
    if total > 1:
        assert_allclose(got["sd"], expect["std"], rtol=1e-9)


def test_summary_quantiles_and_output_means(tmp_path: Path) -> None:
    plan = demo_plan(replicates=10, chunk_size=3)
    with Store.open(tmp_path / "s.duckdb") as store:
        fill(store, plan)
        summary = store.table(plan.run_id, "summary")
        row = summary[(summary["point"] == 0) & (summary["metric"] == "security")].iloc[0]
        values = replicates_frame(0, 10)
        final = values[(values["step"] == 2) & (values["metric"] == "security")]["value"]
        assert_allclose(row["mean"], final.mean())
        assert_allclose([row["q05"], row["q50"], row["q95"]], np.quantile(final, [0.05, 0.5, 0.95]))
        means = store.output_means(plan.run_id, "security", "USA", "")
        assert means["n"].tolist() == [10, 10]
        assert_allclose(means["mean"].iloc[0], final.mean(), rtol=1e-14)


def test_store_survives_sigkill_between_commits(tmp_path: Path) -> None:
    """A writer killed with SIGKILL leaves a store that opens, with every committed chunk."""
    path = tmp_path / "killed.duckdb"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parents[2])!r})
        from tests.experiments.test_store import chunk_result, demo_plan
        from security_dilemma.experiments.store import Store
        plan = demo_plan(replicates=4000, chunk_size=4)
        store = Store.open({str(path)!r})
        store.ensure_run(plan)
        for c in plan.chunks():
            store.commit_chunk(plan.run_id, 1, chunk_result(c.point, c.chunk, c.first_replicate, 4))
            print(c.point, c.chunk, flush=True)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        printed = [proc.stdout.readline() for _ in range(20)]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Store.open(path) as store:
        done = store.done_chunks(demo_plan(4000, 4).run_id)
        counts = store.con.execute(
            "SELECT count(*), count(DISTINCT (point, chunk, replicate, actor, counterpart, "
            "metric)) FROM metrics"
        ).fetchone()
    assert len(done) >= len(printed) == 20
    assert counts == (len(done) * 4 * 3, len(done) * 4 * 3)  # whole chunks only, no duplicates
