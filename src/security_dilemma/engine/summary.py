"""Summaries over replicates that do not depend on how the replicates were chunked.

* Means are sums of fixed-point integers (each value rounded to a multiple of 2**-24, about
  6e-8, then summed exactly in int64), so adding replicates in any grouping gives the same
  bits. Values are clipped to +-2**38 / replicates (far beyond any value the model produces).
* Quantiles are exact (numpy's linear interpolation over all values) when the values of the
  run fit in ``EXACT_LIMIT`` numbers; beyond that they are read from fixed-bin histograms
  (``BINS`` bins per value on the metric's bounded scale), which are also chunk-invariant. The
  rule depends only on the size of the run, never on chunking or memory limits.
* A value that is not a finite number (an overflow, a division by zero) stops the run with
  :class:`NonFiniteValue`, naming the step, metric and actor: never a silent 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .measures import Layout

__all__ = ["BINS", "EXACT_LIMIT", "FIXED_POINT", "QUANTILES", "NonFiniteValue", "Summary"]

FIXED_POINT = float(2**24)
EXACT_LIMIT = 2**25
BINS = 256
QUANTILES = (0.05, 0.5, 0.95)

Values = npt.NDArray[np.floating[Any]]


class NonFiniteValue(ArithmeticError):
    """A run produced a value that is not a finite number; the message says where."""

    def __init__(self, step: int, metric: str, actor: str, value: float) -> None:
        self.step, self.metric, self.actor, self.value = step, metric, actor, value
        super().__init__(
            f"the run produced a non-finite value ({value}) at step {step}: {metric} of "
            f"{actor}; are the case's numbers within meaningful ranges?"
        )


class Summary:
    """Accumulates one run's per-step values, replicate by replicate, in any chunking."""

    def __init__(self, layout: Layout, steps: int, replicates: int, *, keep: bool) -> None:
        self.layout = layout
        self.steps = steps
        self.replicates = replicates
        cells = layout.cells
        self.exact = keep or replicates * steps * cells <= EXACT_LIMIT
        self.sums = np.zeros((steps, cells), dtype=np.int64)
        self.store: npt.NDArray[np.float32] | None = (
            np.zeros((steps, cells, replicates), dtype=np.float32) if self.exact else None
        )
        self.hist: npt.NDArray[np.int32] | None = (
            None if self.exact else np.zeros((steps, cells, BINS), dtype=np.int32)
        )
        self.limit = 2.0**62 / FIXED_POINT / max(replicates, 1)

    def nbytes(self) -> int:
        """Memory held by the accumulators."""
        total = self.sums.nbytes
        total += self.store.nbytes if self.store is not None else 0
        total += self.hist.nbytes if self.hist is not None else 0
        return total

    @staticmethod
    def estimate_bytes(cells: int, steps: int, replicates: int, *, keep: bool) -> int:
        """Memory the accumulators of such a run will hold."""
        exact = keep or replicates * steps * cells <= EXACT_LIMIT
        base = steps * cells * 8
        return base + (replicates * steps * cells * 4 if exact else steps * cells * BINS * 4)

    # --- mapping to [0, 1] for the histograms, metric by metric (cells of a metric are
    #     contiguous in the layout)
    def _blocks(self) -> list[tuple[int, int, float | None, float | None]]:
        lay = self.layout
        return [
            (lay.offsets[k], lay.offsets[k + 1], m.low, m.high) for k, m in enumerate(lay.metrics)
        ]

    def _to_unit(self, x: Values) -> Values:
        out = np.empty(x.shape, dtype=np.float32)
        for lo, hi, low, high in self._blocks():
            v, o = x[lo:hi], out[lo:hi]
            if high is not None and low is not None:
                np.subtract(v, low, out=o)
                o *= 1.0 / (high - low)
            elif low is not None:  # [low, inf): x / (1 + x)
                np.subtract(v, low, out=o)
                np.divide(o, 1.0 + o, out=o)
            else:  # (-inf, inf): (1 + x / (1 + |x|)) / 2
                np.divide(v, 1.0 + np.abs(v), out=o)
                o += 1.0
                o *= 0.5
        np.clip(out, 0.0, 1.0, out=out)
        return out

    def _from_unit(self, u: Values) -> Values:
        out = np.empty(u.shape)
        u = np.clip(u, 0.0, 1.0 - 1e-9)
        for lo, hi, low, high in self._blocks():
            w = u[..., lo:hi]
            if high is not None and low is not None:
                out[..., lo:hi] = low + w * (high - low)
            elif low is not None:
                out[..., lo:hi] = low + w / (1.0 - w)
            else:
                signed = 2.0 * w - 1.0
                out[..., lo:hi] = signed / (1.0 - np.abs(signed))
        return out

    def add(self, t: int, first: int, values: Values) -> None:
        """Add step ``t`` values (cells, replicates) of local replicates ``first ..``."""
        values = np.asarray(values, dtype=np.float32)
        if not np.isfinite(values).all():
            cell, replicate = np.argwhere(~np.isfinite(values))[0]
            self._nonfinite(t, int(cell), float(values[cell, replicate]))
        # x * 2**24 and its rounding are exact in float32 (a power-of-two scaling, then
        # integers of at most 24 significant bits), so this equals the float64 computation
        scaled = np.multiply(values, np.float32(FIXED_POINT))
        if np.abs(scaled).max(initial=0.0) > self.limit * FIXED_POINT:
            np.clip(scaled, -self.limit * FIXED_POINT, self.limit * FIXED_POINT, out=scaled)
        np.rint(scaled, out=scaled)
        self.sums[t] += scaled.astype(np.int64).sum(axis=1)
        if self.store is not None:
            self.store[t, :, first : first + values.shape[1]] = values
        if self.hist is not None:
            cells = values.shape[0]
            unit = self._to_unit(values)
            unit *= BINS
            bins = unit.astype(np.int64)
            np.minimum(bins, BINS - 1, out=bins)
            bins += (np.arange(cells, dtype=np.int64) * BINS)[:, None]
            counts = np.bincount(bins.ravel(), minlength=cells * BINS)
            self.hist[t] += counts.reshape(cells, BINS).astype(np.int32)

    def _nonfinite(self, t: int, cell: int, value: float) -> None:
        lay = self.layout
        actors = lay.actors
        i, j = int(lay.actor_index[cell]), int(lay.counterpart_index[cell])
        who = "the system" if i < 0 else actors[i] + (f" towards {actors[j]}" if j >= 0 else "")
        raise NonFiniteValue(t, lay.metrics[int(lay.metric_index[cell])].name, who, value)

    def means(self) -> npt.NDArray[np.float64]:
        """Mean of each value over the replicates: shape (steps, cells)."""
        out: npt.NDArray[np.float64] = self.sums / FIXED_POINT / max(self.replicates, 1)
        return out

    def quantiles(self) -> npt.NDArray[np.float64]:
        """The 5%, 50% and 95% quantiles: shape (3, steps, cells)."""
        q = np.array(QUANTILES)
        out = np.empty((len(q), self.steps, self.layout.cells))
        if self.store is not None:
            for t in range(self.steps):
                out[:, t] = np.quantile(self.store[t], q, axis=1)
            return out
        assert self.hist is not None
        for t in range(self.steps):
            counts = self.hist[t].astype(np.int64)
            cum = np.cumsum(counts, axis=-1)
            total = cum[:, -1:]
            for k, level in enumerate(q):
                target = level * (total - 1)
                b = np.argmax(cum > target, axis=-1)
                before = np.take_along_axis(cum, b[:, None], axis=-1) - np.take_along_axis(
                    counts, b[:, None], axis=-1
                )
                inside = np.maximum(np.take_along_axis(counts, b[:, None], axis=-1), 1)
                frac = np.clip((target - before + 0.5) / inside, 0.0, 1.0)[:, 0]
                out[k, t] = self._from_unit((b + frac) / BINS)
        return out
