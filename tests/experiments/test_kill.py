"""Crash safety with a real kill: SIGKILL a running ``dilemma sweep``, run it again, and get
exactly the tables of an uninterrupted run, having computed only the missing chunks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from security_dilemma.experiments import Store

from .conftest import Run, assert_same_tables, stored

SWEEP = [
    "sweep",
    "bmd-europe",
    "--param",
    "distinguishability=0.2,0.8",
    "--param",
    "offence_dominance=0.3,0.7",
    "--replicates",
    "8",
    "--chunk-size",
    "2",
    "--metrics",
    "security,crisis_prob",
    "--no-restraint",
    "--seed",
    "11",
    "--workers",
    "2",
    "--json-lines",
]
TOTAL = 2 * 2 * 4  # points x chunks per point


def launch(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """Start ``dilemma ARGS`` as a real process in its own session (process group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "security_dilemma", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def events(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def wait_for_group_to_exit(pgid: int, timeout: float = 30) -> list[int]:
    """Pids still in process group ``pgid`` after ``timeout`` seconds (killed, then listed)."""
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for p in psutil.process_iter(["pid"]):
            try:
                if os.getpgid(p.pid) == pgid and p.status() != psutil.STATUS_ZOMBIE:
                    left.append(p.pid)
            except (ProcessLookupError, psutil.Error):
                continue
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for pid in left:  # only processes this test started: its own process group
        os.kill(pid, signal.SIGKILL)
    return left


def test_sigkill_mid_sweep_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path, dilemma: Run
) -> None:
    victim = launch(*SWEEP, "--store", "killed.duckdb", cwd=tmp_path)
    assert victim.stdout is not None
    seen = 0
    for line in victim.stdout:  # the coordinator prints a line after each commit
        if '"event": "chunk"' in line:
            seen += 1
        if seen == 4:
            break
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()
    assert victim.stderr is not None
    victim.stderr.close()
    assert victim.returncode == -signal.SIGKILL
    leftovers = wait_for_group_to_exit(victim.pid)
    assert leftovers == [], "pool workers outlived their killed coordinator"

    # the killed store opens (DuckDB replays its log) and holds whole chunks only
    with Store.open(tmp_path / "killed.duckdb", create=False, read_only=True) as store:
        (run_id,) = store.runs()["run_id"]
        before = store.done_chunks(run_id)
        rows = store.con.execute("SELECT count(*) FROM metrics").fetchone()
    assert 4 <= len(before) < TOTAL, "the kill must land in the middle of the sweep"
    assert rows == (len(before) * 2 * (13 + 13 * 12),)

    resumed = subprocess.run(
        [sys.executable, "-m", "security_dilemma", *SWEEP, "--store", "killed.duckdb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    start, *chunks, end = events(resumed.stdout)
    assert start["already_done"] == len(before) and start["run_id"] == run_id
    assert end["computed"] == len(chunks) == TOTAL - len(before)
    assert {(c["point"], c["chunk"]) for c in chunks}.isdisjoint(before)

    # the uninterrupted run of the same command (here in this process, one chunk at a time)
    reference = dilemma(
        *SWEEP, "--store", str(tmp_path / "reference.duckdb"), "--executor", "serial"
    )
    assert reference.code == 0, reference.err
    assert events(reference.out)[-1]["run_id"] == run_id  # the same command, the same run

    with (
        Store.open(tmp_path / "killed.duckdb", create=False, read_only=True) as killed,
        Store.open(tmp_path / "reference.duckdb", create=False, read_only=True) as ref,
    ):
        assert_same_tables(stored(killed, run_id), stored(ref, run_id))
        chunks_log = killed.table(run_id, "chunks")
        sessions = killed.table(run_id, "sessions")
        dispatched = killed.con.execute(
            "SELECT DISTINCT point, chunk FROM dispatches WHERE session_id = 1"
        ).fetchall()
    assert len(chunks_log) == TOTAL
    first = {(p, c) for p, c, s in chunks_log[["point", "chunk", "session_id"]].values if s == 1}
    assert first == before  # nothing committed before the kill was computed again
    in_flight = set(map(tuple, dispatched)) - before
    assert in_flight, "some chunks were running when the coordinator was killed"
    attempts = chunks_log.set_index(["point", "chunk"])["attempt"]
    assert all(attempts[k] == 2 for k in in_flight)  # sent out, lost in the kill, redone
    assert sessions["status"].tolist() == ["ended without finishing", "complete"]
