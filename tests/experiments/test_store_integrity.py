"""A store damaged after its chunks were committed (issue 15, defect 13): found, reported,
refused when read, and recomputed on resume to the same values."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from security_dilemma.errors import BadInput
from security_dilemma.experiments import SerialExecutor, Store, run_plan, sweep_plan

from .conftest import SMALL, Run, assert_same_tables, stored

MINIMAL = str(Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml")
PLAN = {**SMALL, "parameters": {"noise": [0.1, 0.3]}, "chunk_size": 2}  # 2 points x 3 chunks

DAMAGE: dict[str, Callable[[duckdb.DuckDBPyConnection], None]] = {
    "a replicate lost": lambda con: con.execute(
        "DELETE FROM finals WHERE point = 0 AND chunk = 1 AND replicate = 3"
    ),
    "a step lost": lambda con: con.execute(
        "DELETE FROM step_stats WHERE point = 1 AND chunk = 2 AND step = 2"
    ),
    "values cut short": lambda con: con.execute(
        'UPDATE finals SET "values" = [1.0] WHERE point = 1 AND chunk = 0'
    ),
    "a replicate renumbered": lambda con: con.execute(
        "UPDATE finals SET replicate = 99 WHERE point = 0 AND chunk = 0 AND replicate = 0"
    ),
    "a count altered": lambda con: con.execute(
        "UPDATE step_stats SET n = 1 WHERE point = 0 AND chunk = 2 AND step = 0"
    ),
}
DAMAGED = {
    "a replicate lost": {(0, 1)},
    "a step lost": {(1, 2)},
    "values cut short": {(1, 0)},
    "a replicate renumbered": {(0, 0)},
    "a count altered": {(0, 2)},
}


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "complete.duckdb"
    plan = sweep_plan(MINIMAL, **PLAN)  # type: ignore[arg-type]
    with Store.open(path) as store:
        run_plan(plan, store, SerialExecutor())
    return path


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_is_found_reported_and_recomputed(
    complete: Path, tmp_path: Path, damage: str, dilemma: Run
) -> None:
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(complete.read_bytes())
    plan = sweep_plan(MINIMAL, **PLAN)  # type: ignore[arg-type]
    with Store.open(path) as store:
        assert store.damaged_chunks() == set()
        DAMAGE[damage](store.con)
        expected = {(plan.run_id, p, c) for p, c in DAMAGED[damage]}
        assert store.damaged_chunks() == expected == store.damaged_chunks(plan.run_id)
        runs = store.runs()
        assert runs[["chunks_done", "chunks_damaged", "status"]].values.tolist() == [
            [plan.n_chunks - 1, 1, "damaged"]
        ]
        with pytest.raises(BadInput, match="1 damaged chunk"):
            store.table(plan.run_id, "metrics")
    listed = dilemma("runs", "list", "--store", str(path))
    assert listed.code == 0 and f"{plan.n_chunks - 1}/{plan.n_chunks}, 1 damaged" in listed.out
    shown = dilemma("runs", "show", "last", "--store", str(path), "--json")
    assert json.loads(shown.out)["status"] == "damaged"
    out = tmp_path / "metrics.csv"
    exported = dilemma("runs", "export", "last", "--out", str(out), "--store", str(path))
    assert exported.code == 2 and "damaged chunk" in exported.err and not out.exists()

    resumed = dilemma(*resume_args(path), "--json")
    assert resumed.code == 0, resumed.err
    report = json.loads(resumed.out)
    assert (report["repaired"], report["computed"]) == (1, 1)
    with Store.open(complete, read_only=True) as a, Store.open(path, read_only=True) as b:
        assert b.damaged_chunks() == set()
        assert_same_tables(stored(b, plan.run_id), stored(a, plan.run_id))


def resume_args(path: Path) -> list[str]:
    return [
        "sweep",
        MINIMAL,
        "--param",
        "noise=0.1,0.3",
        "--replicates",
        str(PLAN["replicates"]),
        "--chunk-size",
        str(PLAN["chunk_size"]),
        "--metrics",
        ",".join(SMALL["metrics"]),  # type: ignore[arg-type]
        "--no-restraint",
        "--executor",
        "serial",
        "--store",
        str(path),
    ]


def test_a_truncated_store_is_bad_input(complete: Path, tmp_path: Path, dilemma: Run) -> None:
    """A file cut short opens, then fails when read: a located message, not a raw error."""
    path = tmp_path / "truncated.duckdb"
    raw = complete.read_bytes()
    path.write_bytes(raw[: len(raw) * 9 // 10])
    for args in (["runs", "list"], ["runs", "show", "last"]):
        out = dilemma(*args, "--store", str(path))
        assert out.code == 2, (args, out.err)
        assert "--store" in out.err and "Traceback" not in out.err
