"""Sweeps of the real engine: same results on every executor, resume after failure, agreement
with the engine's own summaries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import dask
import distributed  # noqa: F401 - registers its configuration before it is changed
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from security_dilemma.engine import simulate
from security_dilemma.errors import BadInput
from security_dilemma.experiments import (
    ChunkTask,
    ChunkValues,
    DaskExecutor,
    LocalExecutor,
    SerialExecutor,
    Store,
    SweepFailed,
    run_plan,
    sensitivity_plan,
    sweep_plan,
)
from security_dilemma.experiments.chunks import compute_chunk
from security_dilemma.experiments.params import Point

from .conftest import SMALL, assert_same_tables, stored


@pytest.fixture(scope="module")
def serial_tables() -> dict[str, pd.DataFrame]:
    plan = sweep_plan("bmd-europe", **SMALL)  # type: ignore[arg-type]
    with Store.open(":memory:") as store:
        report = run_plan(plan, store, SerialExecutor())
        assert report.computed == plan.n_chunks == 4
        return stored(store, plan.run_id)


@pytest.mark.parametrize("workers", [1, 2])
def test_local_pool_stores_what_serial_stores(
    workers: int, serial_tables: dict[str, pd.DataFrame]
) -> None:
    plan = sweep_plan("bmd-europe", **SMALL)  # type: ignore[arg-type]
    with Store.open(":memory:") as store, LocalExecutor(workers) as executor:
        report = run_plan(plan, store, executor)
        tables = stored(store, plan.run_id)
        workers_used = set(store.table(plan.run_id, "chunks")["worker"])
    assert (report.executor, report.workers, report.computed) == ("local", workers, 4)
    assert len(workers_used) <= workers
    assert_same_tables(tables, serial_tables)


def test_dask_local_cluster_stores_what_local_stores(
    serial_tables: dict[str, pd.DataFrame],
) -> None:
    plan = sweep_plan("bmd-europe", **SMALL)  # type: ignore[arg-type]
    fast_start = dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    with fast_start, Store.open(":memory:") as store, DaskExecutor(workers=2) as executor:
        report = run_plan(plan, store, executor)
        tables = stored(store, plan.run_id)
    assert (report.executor, report.workers, report.computed) == ("dask", 2, 4)
    assert_same_tables(tables, serial_tables)


def test_unreachable_dask_scheduler_is_bad_input() -> None:
    with pytest.raises(BadInput, match=r"cannot reach a Dask scheduler at 'tcp://127\.0\.0\.1:9'"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=1)


def test_replicates_do_not_depend_on_chunking(serial_tables: dict[str, pd.DataFrame]) -> None:
    """Chunks of 2 (another run) hold exactly the per-replicate values chunks of 3 hold."""
    plan = sweep_plan("bmd-europe", **{**SMALL, "chunk_size": 2})  # type: ignore[arg-type]
    with Store.open(":memory:") as store:
        run_plan(plan, store, SerialExecutor())
        finals = stored(store, plan.run_id)["metrics"]
    keys = ["point", "replicate", "actor", "counterpart", "metric"]
    a = finals.drop(columns="chunk").sort_values(keys).reset_index(drop=True)
    b = serial_tables["metrics"].drop(columns="chunk").sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_stored_values_match_the_engine_itself() -> None:
    """The array path equals the engine's replicates_frame; stored statistics its summaries."""
    plan = sweep_plan("bmd-europe", {"offence_dominance": 0.7}, replicates=8, chunk_size=4, seed=5)
    point = plan.points[0]
    values = plan.model.replicates(point, seed=5, first_replicate=4, replicates=4)
    result = simulate(
        "bmd-europe",
        replicates=4,
        seed=5,
        first_replicate=4,
        overrides={"offence_dominance": 0.7},
        keep_replicates=True,
    )
    frame = ChunkValues.from_frame(result.replicates_frame())
    assert np.array_equal(values.values, frame.values)
    assert (values.actor, values.counterpart, values.metric) == (
        frame.actor,
        frame.counterpart,
        frame.metric,
    )
    # storing fewer metrics changes nothing in those that are stored
    some = sweep_plan(
        "bmd-europe",
        {"offence_dominance": 0.7},
        replicates=8,
        seed=5,
        metrics=["security", "threat"],
    ).model.replicates(point, seed=5, first_replicate=4, replicates=4)
    assert set(some.metric) == {"security", "threat"}
    assert np.array_equal(some.values, values.select(["security", "threat"]).values)
    with Store.open(":memory:") as store:
        run_plan(plan, store, SerialExecutor())
        steps = store.table(plan.run_id, "steps")
        summary = store.table(plan.run_id, "summary")
    whole = simulate(
        "bmd-europe", replicates=8, seed=5, overrides={"offence_dominance": 0.7}
    ).tidy()
    merged = steps.merge(whole, on=["step", "actor", "counterpart", "metric"])
    assert len(merged) == len(whole) == len(steps)
    assert_allclose(merged["mean_x"], merged["mean_y"], rtol=1e-6, atol=1e-6)
    last = whole[whole["step"] == whole["step"].max()]
    merged = summary.merge(last, on=["actor", "counterpart", "metric"])
    assert_allclose(merged["q50_x"], merged["q50_y"], rtol=1e-6, atol=1e-6)
    assert_allclose(merged["q95_x"], merged["q95_y"], rtol=1e-6, atol=1e-6)


@dataclass(frozen=True)
class FailsAt:
    """The engine model, failing at one point: same identity, so the same run."""

    inner: Any
    bad: Point

    def identity(self) -> dict[str, Any]:
        return dict(self.inner.identity())

    def replicates(self, point: Point, **kw: Any) -> ChunkValues:
        if point == self.bad:
            raise RuntimeError("the engine broke")
        values: ChunkValues = self.inner.replicates(point, **kw)
        return values


def test_a_failing_chunk_keeps_the_others_and_resumes(
    serial_tables: dict[str, pd.DataFrame],
) -> None:
    good = sweep_plan("bmd-europe", **SMALL)  # type: ignore[arg-type]
    flaky = dataclasses.replace(good, model=FailsAt(good.model, good.points[1]))
    assert flaky.run_id == good.run_id
    with Store.open(":memory:") as store:
        with pytest.raises(SweepFailed, match=r"point 1, chunk 0.*the engine broke") as info:
            run_plan(flaky, store, SerialExecutor())
        report = info.value.report
        assert (report.status, report.computed, report.failed) == ("failed", 2, 1)
        assert store.done_chunks(good.run_id) == {(0, 0), (0, 1)}
        again = run_plan(good, store, SerialExecutor())
        assert (again.already_done, again.computed) == (2, 2)
        chunks = store.table(good.run_id, "chunks").set_index(["point", "chunk"])
        assert chunks.loc[(1, 0), "attempt"] == 2 and chunks.loc[(1, 1), "attempt"] == 1
        sessions = store.table(good.run_id, "sessions")["status"].tolist()
        assert sessions == ["failed", "complete"]
        assert_same_tables(stored(store, good.run_id), serial_tables)


def test_chunk_task_runs_anywhere() -> None:
    """A chunk is a pure function of its task: computing it twice gives equal tables."""
    plan = sweep_plan("bmd-europe", **SMALL)  # type: ignore[arg-type]
    spec = plan.chunks()[3]
    task = ChunkTask(plan.model, plan.points[spec.point], spec, plan.seed)
    a, b = compute_chunk(task), compute_chunk(task)
    assert a.finals.equals(b.finals) and a.steps.equals(b.steps)
    actors = 13  # bmd-europe: security per actor, crisis_prob per ordered dyad
    cells = actors + actors * (actors - 1)
    assert len(a.cells) == cells and a.finals.num_rows == 3 and a.steps.num_rows == 12
    assert {len(v) for v in a.finals["values"].to_pylist()} == {cells}


def test_the_old_keyword_counterfactual_plans_the_same_run() -> None:
    """``counterfactual=`` (renamed ``restraint=``) still works, with a warning, and the run
    id does not change: the model's identity keeps the key "counterfactual", so a run begun
    before the rename is resumed."""
    old_name = {k: v for k, v in SMALL.items() if k != "restraint"}
    new = sweep_plan("bmd-europe", **SMALL)  # type: ignore[arg-type]
    with pytest.warns(DeprecationWarning, match=r"sweep_plan\(\)"):
        old = sweep_plan("bmd-europe", **old_name, counterfactual=False)  # type: ignore[arg-type]
    assert old.run_id == new.run_id
    assert new.identity()["model"]["counterfactual"] is False
    assert "restraint" not in new.identity()["model"]
    bound = {"distinguishability": (0.2, 0.8), "offence_dominance": (0.2, 0.8)}
    plan, _, _ = sensitivity_plan("bmd-europe", bound, method="morris", samples=2, restraint=False)
    with pytest.warns(DeprecationWarning, match=r"sensitivity_plan\(\)"):
        again, _, _ = sensitivity_plan(
            "bmd-europe", bound, method="morris", samples=2, counterfactual=False
        )
    assert again.run_id == plan.run_id
    assert plan.identity()["model"]["counterfactual"] is False
