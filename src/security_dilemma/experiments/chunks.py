"""Computing one chunk: run the model for a replicate range and reduce what is stored.

A model returns :class:`ChunkValues`: every value of every replicate at every step, as an
array ``(steps, cells, replicates)`` with the cell labels (a cell is one metric of one actor,
or of one ordered dyad, or of the system). A chunk result keeps, per cell (see
``docs/experiments.md``):

* ``finals``: every replicate's value at the final step (one row per replicate, an array over
  cells), from which the store computes means, variances and quantiles over any set of
  chunks;
* ``steps``: per step, sufficient statistics over the chunk's replicates (``n``, and arrays
  ``sum`` and ``m2``, the sum of squared deviations from the chunk mean), which combine exactly
  across chunks into per-step means and variances (Chan, Golub and LeVeque's formula).

Arrays over cells keep a commit small and fast (a few milliseconds for thousands of cells);
the store's ``metrics`` and ``steps`` views present them one value per row.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from .params import Point
from .plan import ChunkSpec, Model

__all__ = ["ChunkResult", "ChunkTask", "ChunkValues", "compute_chunk", "reduce_values"]

FINALS_SCHEMA = pa.schema([("replicate", pa.int64()), ("values", pa.list_(pa.float64()))])
STEPS_SCHEMA = pa.schema(
    [
        ("step", pa.int32()),
        ("date", pa.date32()),
        ("n", pa.int32()),
        ("sum", pa.list_(pa.float64())),
        ("m2", pa.list_(pa.float64())),
    ]
)


@dataclass(frozen=True, eq=False)
class ChunkValues:
    """Per-replicate values of one chunk: ``values[step, cell, replicate]`` and cell labels."""

    values: npt.NDArray[np.float64]
    dates: tuple[dt.date, ...]
    actor: tuple[str, ...]
    counterpart: tuple[str, ...]
    metric: tuple[str, ...]
    first_replicate: int

    def select(self, metrics: Sequence[str]) -> ChunkValues:
        """Only the cells of these metrics (all when empty)."""
        if not metrics:
            return self
        keep = np.isin(np.array(self.metric, dtype=object), list(metrics))
        idx = np.flatnonzero(keep)
        return ChunkValues(
            self.values[:, idx, :],
            self.dates,
            tuple(self.actor[i] for i in idx),
            tuple(self.counterpart[i] for i in idx),
            tuple(self.metric[i] for i in idx),
            self.first_replicate,
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ChunkValues:
        """From a long frame ``replicate, step, date, actor, counterpart, metric, value``."""

        def label(col: pd.Series) -> pd.Series:
            return col.astype(object).where(col.notna(), "").astype(str)

        f = frame.assign(actor=label(frame["actor"]), counterpart=label(frame["counterpart"]))
        cells = f[["actor", "counterpart", "metric"]].drop_duplicates()
        cell_index = pd.MultiIndex.from_frame(cells)
        wide = f.pivot_table(
            index=["step", "actor", "counterpart", "metric"],
            columns="replicate",
            values="value",
            aggfunc="first",
            dropna=False,
        )
        steps = sorted(f["step"].unique())
        reps = sorted(f["replicate"].unique())
        values = np.empty((len(steps), len(cells), len(reps)))
        for k, s in enumerate(steps):
            values[k] = wide.loc[s].reindex(cell_index)[reps].to_numpy(dtype=float)
        dates = f.drop_duplicates("step").set_index("step")["date"].reindex(steps)
        return cls(
            values,
            tuple(pd.Timestamp(d).date() for d in dates),
            tuple(cells["actor"]),
            tuple(cells["counterpart"]),
            tuple(str(m) for m in cells["metric"]),
            int(reps[0]),
        )


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs for one chunk (picklable)."""

    model: Model
    point: Point
    spec: ChunkSpec
    seed: int


@dataclass(frozen=True)
class ChunkResult:
    """What a worker returns for one chunk: its two tables and the cell labels."""

    spec: ChunkSpec
    cells: tuple[tuple[str, str, str], ...]
    """``(actor, counterpart, metric)`` of each cell, in array order."""
    finals: pa.Table
    steps: pa.Table
    seconds: float
    worker: str


def _lists(a: npt.NDArray[np.float64]) -> pa.Array:
    """Rows of a 2-D array as an Arrow list array (no copy of the values)."""
    flat = pa.array(np.ascontiguousarray(a).ravel())
    offsets = pa.array(np.arange(0, a.size + 1, a.shape[1], dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, flat)


def reduce_values(chunk: ChunkValues) -> tuple[pa.Table, pa.Table]:
    """Final-step values and per-step sufficient statistics of a chunk.

    NaN values propagate into ``sum`` and ``m2`` (the engine's values are finite).
    """
    v = np.asarray(chunk.values, dtype=np.float64)
    steps, _, reps = v.shape
    replicate = np.arange(chunk.first_replicate, chunk.first_replicate + reps, dtype=np.int64)
    finals = pa.table({"replicate": replicate, "values": _lists(v[-1].T)}, schema=FINALS_SCHEMA)
    total = v.sum(axis=2)
    m2 = ((v - (total / reps)[..., None]) ** 2).sum(axis=2)
    stats = pa.table(
        {
            "step": np.arange(steps, dtype=np.int32),
            "date": np.array(chunk.dates, dtype="datetime64[D]"),
            "n": np.full(steps, reps, dtype=np.int32),
            "sum": _lists(total),
            "m2": _lists(m2),
        },
        schema=STEPS_SCHEMA,
    )
    return finals, stats


def compute_chunk(task: ChunkTask) -> ChunkResult:
    """Run one chunk (this is what executors call, in whatever process or machine)."""
    t0 = time.perf_counter()
    values = task.model.replicates(
        task.point,
        seed=task.seed,
        first_replicate=task.spec.first_replicate,
        replicates=task.spec.replicates,
    )
    finals, steps = reduce_values(values)
    return ChunkResult(
        task.spec,
        tuple(zip(values.actor, values.counterpart, values.metric, strict=True)),
        finals,
        steps,
        time.perf_counter() - t0,
        f"{socket.gethostname()}:{os.getpid()}",
    )
