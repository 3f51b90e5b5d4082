"""Shared helpers for the experiments tests: a small real sweep and the in-process CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from security_dilemma.experiments import Store

from ..conftest import Outcome as Outcome  # re-exported for the tests here
from ..conftest import Run as Run

SMALL = {
    "parameters": {"distinguishability": [0.2, 0.8]},
    "replicates": 6,
    "chunk_size": 3,
    "metrics": ["crisis_prob", "security"],
    "restraint": False,
}
"""A real-engine sweep of 4 chunks that takes about a second."""

KEYS = {
    "metrics": ["point", "chunk", "replicate", "actor", "counterpart", "metric"],
    "steps": ["point", "chunk", "step", "actor", "counterpart", "metric"],
    "cells": ["cell"],
    "points": ["point"],
    "point_values": ["point", "parameter"],
}


def stored(store: Store, run_id: str) -> dict[str, pd.DataFrame]:
    """The run's results (``metrics`` and ``steps`` one value per row), sorted by key, without
    run ids: what must be identical."""
    out = {}
    for table, keys in KEYS.items():
        frame = store.con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {table} WHERE run_id = ?", [run_id]
        ).df()
        out[table] = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    return out


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    """Bitwise-equal tables (NaN equal to NaN), with the same rows and columns."""
    assert a.keys() == b.keys()
    for name in a:
        assert len(a[name]) > 0, name
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Another process holds the DuckDB file ``path`` open while the block runs."""
    code = (
        f"import duckdb, sys; c = duckdb.connect({str(path)!r}); "
        "print('ready', flush=True); sys.stdin.read()"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        try:
            assert holder.stdout.readline().strip() == "ready"
            yield
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
