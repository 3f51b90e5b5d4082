"""The experiments commands as a user runs them: sweep, runs list/show/export, bad input."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from security_dilemma.experiments import Store

from .conftest import Run, held

SWEEP = [
    "sweep",
    "bmd-europe",
    "--param",
    "distinguishability=0.2,0.8",
    "--param",
    "richardson.k=0.3",
    "--replicates",
    "4",
    "--chunk-size",
    "2",
    "--metrics",
    "security,crisis_prob",
    "--no-restraint",
    "--executor",
    "serial",
]
REPORT_KEYS = {
    "ok",
    "run_id",
    "kind",
    "store",
    "session",
    "executor",
    "workers",
    "points",
    "total",
    "already_done",
    "computed",
    "failed",
    "seconds",
    "status",
    "message",
    "repaired",
}


@pytest.fixture
def swept(dilemma: Run, tmp_path: Path) -> tuple[Path, str]:
    store = tmp_path / "runs.duckdb"
    res = dilemma(*SWEEP, "--store", str(store), "--json")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert set(doc) == REPORT_KEYS
    assert (doc["points"], doc["total"], doc["computed"], doc["status"]) == (2, 4, 4, "complete")
    return store, doc["run_id"]


def test_rerunning_a_finished_sweep_computes_nothing(dilemma: Run, swept: tuple[Path, str]) -> None:
    store, run_id = swept
    again = json.loads(dilemma(*SWEEP, "--store", str(store), "--json").out)
    assert (again["run_id"], again["already_done"], again["computed"]) == (run_id, 4, 0)
    other = json.loads(dilemma(*SWEEP, "--seed", "1", "--store", str(store), "--json").out)
    assert other["run_id"] != run_id and other["computed"] == 4


def test_json_lines_progress(dilemma: Run, tmp_path: Path) -> None:
    res = dilemma(*SWEEP, "--store", str(tmp_path / "s.duckdb"), "--json-lines")
    lines = [json.loads(line) for line in res.out.splitlines()]
    assert [e["event"] for e in lines] == ["start", "chunk", "chunk", "chunk", "chunk", "end"]
    assert [e["done"] for e in lines[1:-1]] == [1, 2, 3, 4]
    assert set(lines[1]) == {"event", "run_id", "point", "chunk", "done", "total", "seconds"}


def test_runs_list_show_and_export(dilemma: Run, swept: tuple[Path, str], tmp_path: Path) -> None:
    store, run_id = swept
    listed = json.loads(dilemma("runs", "list", "--store", str(store), "--json").out)
    (run,) = listed["runs"]
    assert (run["run_id"], run["status"], run["chunks_done"], run["n_chunks"]) == (
        run_id,
        "complete",
        4,
        4,
    )
    text = dilemma("runs", "list", "--store", str(store)).out
    assert run_id in text and "4/4" in text

    shown = json.loads(
        dilemma(
            "runs", "show", run_id[:6], "--output", "security:RUS", "--store", str(store), "--json"
        ).out
    )
    assert shown["run_id"] == run_id and shown["status"] == "complete"
    assert shown["parameters"] == ["distinguishability", "richardson.k"]
    assert shown["metrics"] == ["crisis_prob", "security"]
    assert shown["versions"]["numpy"] and shown["versions"]["security-dilemma"]
    assert shown["command"] == (
        f"dilemma sweep bmd-europe --param distinguishability=0.2,0.8 --param richardson.k=0.3 "
        f"--replicates 4 --chunk-size 2 --metrics security,crisis_prob --no-restraint "
        f"--executor serial --store {store}"
    )
    assert [p["distinguishability"] for p in shown["points"]] == [0.2, 0.8]
    assert [s["n"] for s in shown["summary"]] == [4, 4]
    human = dilemma("runs", "show", run_id, "--output", "security:RUS", "--store", str(store))
    assert human.code == 0 and "security:RUS at the final step" in human.out

    with Store.open(store, create=False, read_only=True) as st:
        expected = st.table(run_id, "metrics")
    for name in ("m.parquet", "m.csv"):
        out = tmp_path / name
        res = dilemma("runs", "export", run_id, "--out", str(out), "--store", str(store), "--json")
        assert json.loads(res.out)["rows"] == len(expected) == 2 * 4 * (13 + 13 * 12)
        back = pd.read_parquet(out) if name.endswith("parquet") else pd.read_csv(out)
        assert list(back.columns) == list(expected.columns)
        assert_allclose(back["value"], expected["value"], rtol=1e-15)
        assert_allclose(back["distinguishability"], expected["distinguishability"])
    steps = tmp_path / "steps.csv"
    res = dilemma(
        "runs", "export", run_id, "--table", "steps", "--out", str(steps), "--store", str(store)
    )
    assert res.code == 0 and "rows of steps" in res.out
    frame = pd.read_csv(steps)
    assert {"step", "date", "mean", "sd", "n"} <= set(frame.columns) and (frame["n"] == 4).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "k=1:0:5"], "range start 1 must be below its stop 0"),
        (["--param", "distinguishability=abc"], "'abc' is not a number"),
        (["--param", "distinguishabilty=0,1"], "did you mean 'distinguishability'"),
        (["--param", "distinguishability=0,2"], "less than or equal to 1"),
        (["--metrics", "securty"], "unknown metric 'securty' (did you mean 'security'"),
        (["--metrics", "harm_done", "--no-restraint"], "it needs the restraint copies"),
        (["--lens", "realsm"], "did you mean 'realism'"),
        (["--replicates", "0"], "Invalid value for '--replicates' / '-n'"),
        (["--chunk-size", "0"], "error: --chunk-size: must be an integer from 1 to"),
        (["--seed", "-1"], "Invalid value for '--seed'"),
        (["--param", "k=0:1"], "a sweep takes NAME=LO:HI:N[:log]"),
        (["--lens", "realism,RUX=liberalism"], "--lens: unknown actor 'RUX'"),
        (["--executor", "slurm"], "unknown executor 'slurm'"),
        (["--address", "tcp://127.0.0.1:9"], "--address: only the dask executor takes an address"),
        (["--workers", "0", "--executor", "local"], "--workers: must be at least 1"),
        (["--json", "--json-lines"], "choose one of --json and --json-lines"),
    ],
)
def test_bad_sweep_input_exits_2(
    dilemma: Run, tmp_path: Path, args: list[str], message: str
) -> None:
    res = dilemma("sweep", "bmd-europe", "--replicates", "2", *args, "--store", str(tmp_path / "s"))
    assert res.code == 2, res.err
    assert message in res.err + res.out and "Traceback" not in res.err


def test_bad_store_and_run_input_exits_2(
    dilemma: Run, swept: tuple[Path, str], tmp_path: Path
) -> None:
    store, run_id = swept
    notdb = tmp_path / "notes.duckdb"
    notdb.write_text("not a database\n")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t(x INTEGER)").close()
    cases = [
        (["runs", "list", "--store", str(tmp_path / "none.duckdb")], "no results store at"),
        (["runs", "list", "--store", str(notdb)], "not a valid DuckDB database"),
        (["runs", "list", "--store", str(other)], "not a results store"),
        (["runs", "show", "nope", "--store", str(store)], "no run 'nope'"),
        (
            ["runs", "show", run_id, "--output", "securty:RUS", "--store", str(store)],
            "did you mean",
        ),
        (["runs", "export", run_id, "--out", "x.txt", "--store", str(store)], "--format"),
        (
            ["runs", "export", run_id, "--out", "x.csv", "--format", "xls", "--store", str(store)],
            "unknown format 'xls'",
        ),
        (
            ["runs", "export", run_id, "--out", "x.csv", "--table", "stpes", "--store", str(store)],
            "did you mean 'steps'",
        ),
        (
            [
                "runs",
                "export",
                run_id,
                "--out",
                str(tmp_path / "no" / "x.csv"),
                "--store",
                str(store),
            ],
            "does not exist",
        ),
    ]
    for args, message in cases:
        res = dilemma(*args)
        assert res.code == 2, (args, res.err)
        assert message in res.err and "Traceback" not in res.err, (args, res.err)
    res = dilemma("runs", "show", "nope", "--store", str(store), "--json")
    assert res.code == 2 and json.loads(res.out)["error"] == "bad_input"


def test_a_store_in_use_is_a_runtime_failure(dilemma: Run, tmp_path: Path) -> None:
    """Another process holding the store: exit 1 with one clear line, no traceback."""
    store = tmp_path / "held.duckdb"
    Store.open(store).close()
    with held(store):
        res = dilemma(*SWEEP, "--store", str(store))
        listed = dilemma("runs", "list", "--store", str(store), "--json")
    assert res.code == 1 and "in use by another process" in res.err
    assert "Traceback" not in res.err
    assert listed.code == 1 and json.loads(listed.out)["error"] == "failure"


def test_progress_bar_shows_throughput_and_eta() -> None:
    """The bar drawn on a terminal: chunks done, chunks per second and the time left."""
    from rich.console import Console
    from rich.progress import Progress

    from security_dilemma.cli.experiments import ChunkRateColumn

    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    progress = Progress(ChunkRateColumn(), console=console)
    task = progress.add_task("sweep", total=10)
    assert str(progress.columns[0](progress.tasks[task])) == ""  # no rate before any chunk
    for _ in range(4):
        progress.advance(task)
        time.sleep(0.05)
    text = str(ChunkRateColumn().render(progress.tasks[task]))
    assert text.endswith("chunks/s") and float(text.split()[0]) > 0
