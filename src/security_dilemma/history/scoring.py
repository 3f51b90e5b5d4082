"""Scoring rules for probability forecasts of yes/no events: Brier, log-loss, skill, calibration.

Every function takes forecast probabilities ``p`` and outcomes ``y`` (1 = it happened) as
equal-length sequences and is pure. Conventions (docs/backtesting.md):

* **Brier score**: mean of ``(p - y)**2``; 0 is perfect, 0.25 is a constant 0.5 forecast.
* **Log-loss**: mean of ``-(y log p + (1 - y) log(1 - p))`` in nats, with ``p`` clipped to
  ``[CLIP, 1 - CLIP]`` (``CLIP = 1e-6``) so that a confident miss costs about 13.8, not infinity.
* **Skill score**: ``1 - score / reference``; above 0 the forecast beats the reference.
* **Climatology**: the base rate of each kind of observable in a reference set that never
  contains the observable being forecast (see :func:`climatology`).

>>> brier([0.9, 0.2], [1, 0])
0.025
>>> round(log_loss([0.5, 0.5], [1, 0]), 4)
0.6931
>>> skill_score(0.1, 0.2)
0.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CLIP",
    "CalibrationBin",
    "Interval",
    "bootstrap_difference",
    "brier",
    "brier_terms",
    "calibration",
    "climatology",
    "log_loss",
    "log_loss_terms",
    "skill_score",
]

CLIP = 1e-6
"""Probabilities are clipped to ``[CLIP, 1 - CLIP]`` before taking logarithms."""

Floats = npt.NDArray[np.float64]


def _arrays(p: Any, y: Any) -> tuple[Floats, Floats]:
    pa = np.asarray(p, dtype=np.float64).ravel()
    ya = np.asarray(y, dtype=np.float64).ravel()
    if pa.shape != ya.shape:
        raise ValueError(f"{pa.size} probabilities but {ya.size} outcomes")
    if pa.size and (np.isnan(pa).any() or pa.min() < 0.0 or pa.max() > 1.0):
        raise ValueError("probabilities must lie in [0, 1]")
    if ya.size and not np.isin(ya, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0 or 1")
    return pa, ya


def brier_terms(p: Sequence[float] | Floats, y: Sequence[float] | Floats) -> Floats:
    """Each forecast's squared error ``(p - y)**2``."""
    pa, ya = _arrays(p, y)
    out: Floats = (pa - ya) ** 2
    return out


def log_loss_terms(
    p: Sequence[float] | Floats, y: Sequence[float] | Floats, clip: float = CLIP
) -> Floats:
    """Each forecast's log-loss (nats), probabilities clipped to ``[clip, 1 - clip]``."""
    pa, ya = _arrays(p, y)
    q = np.clip(pa, clip, 1.0 - clip)
    out: Floats = -(ya * np.log(q) + (1.0 - ya) * np.log1p(-q))
    return out


def brier(p: Sequence[float] | Floats, y: Sequence[float] | Floats) -> float:
    """Mean squared error of the probabilities (NaN when there is nothing to score)."""
    terms = brier_terms(p, y)
    return float(terms.mean()) if terms.size else math.nan


def log_loss(p: Sequence[float] | Floats, y: Sequence[float] | Floats, clip: float = CLIP) -> float:
    """Mean log-loss in nats (NaN when there is nothing to score)."""
    terms = log_loss_terms(p, y, clip)
    return float(terms.mean()) if terms.size else math.nan


def skill_score(score: float, reference: float) -> float:
    """``1 - score / reference``: the share of the reference's loss the forecast removes.

    NaN when the reference is 0 (a perfect reference leaves no room for skill) or NaN.
    """
    if not math.isfinite(reference) or not math.isfinite(score) or reference == 0.0:
        return math.nan
    return 1.0 - score / reference


@dataclass(frozen=True)
class CalibrationBin:
    """One reliability bin: forecasts with ``lower <= p < upper`` (the last bin includes 1).

    ``mean_p`` is the mean forecast in the bin and ``observed`` the share that happened;
    both are None for an empty bin.
    """

    lower: float
    upper: float
    count: int
    mean_p: float | None
    observed: float | None


def calibration(
    p: Sequence[float] | Floats, y: Sequence[float] | Floats, bins: int = 10
) -> tuple[CalibrationBin, ...]:
    """Reliability table over ``bins`` equal-width bins of [0, 1], empty bins included.

    >>> [(b.count, b.mean_p, b.observed) for b in calibration([0.1, 0.2, 0.8], [0, 1, 1], 2)]
    [(2, 0.15..., 0.5), (1, 0.8, 1.0)]
    """
    if bins < 1:
        raise ValueError("bins must be at least 1")
    pa, ya = _arrays(p, y)
    edges = np.arange(bins + 1) / bins
    index = np.clip(np.searchsorted(edges, pa, side="right") - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        inside = index == b
        count = int(inside.sum())
        out.append(
            CalibrationBin(
                lower=float(edges[b]),
                upper=float(edges[b + 1]),
                count=count,
                mean_p=float(pa[inside].mean()) if count else None,
                observed=float(ya[inside].mean()) if count else None,
            )
        )
    return tuple(out)


def climatology(
    kinds: Sequence[str], outcomes: Sequence[bool] | Sequence[float], reference: Any = None
) -> Floats:
    """Base-rate forecasts that never see the outcome they forecast.

    For observable ``i`` of kind ``k`` the reference set ``R_i`` is the observables where
    ``reference`` is True, minus ``i`` itself (leave-one-out; ``reference=None`` means all).
    With ``n`` observables in ``R_i``, ``m`` of which happened, the overall rate is the
    Laplace estimate ``r = (m + 1) / (n + 2)``; with ``n_k`` of kind ``k`` in ``R_i``, ``m_k``
    of which happened, the forecast is ``(m_k + r) / (n_k + 1)``: the kind's base rate shrunk
    towards the overall rate by one pseudo-observation (so a kind never seen falls back on ``r``).

    >>> climatology(["war", "war", "war"], [0, 0, 1]).round(3).tolist()
    [0.5, 0.5, 0.083]
    """
    y = np.asarray(outcomes, dtype=np.float64).ravel()
    k = np.asarray(list(kinds), dtype=object)
    if k.shape != y.shape:
        raise ValueError(f"{k.size} kinds but {y.size} outcomes")
    ref = np.ones(y.size, dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if ref.shape != y.shape:
        raise ValueError("reference must have one flag per observable")
    out = np.empty(y.size)
    for i in range(y.size):
        others = ref.copy()
        others[i] = False
        n, m = int(others.sum()), float(y[others].sum())
        r = (m + 1.0) / (n + 2.0)
        same = others & (k == k[i])
        out[i] = (float(y[same].sum()) + r) / (int(same.sum()) + 1.0)
    return out


@dataclass(frozen=True)
class Interval:
    """A point estimate with a bootstrap percentile interval at ``level``."""

    estimate: float
    low: float
    high: float
    level: float
    resamples: int


def bootstrap_difference(
    loss_a: Sequence[float] | Floats,
    loss_b: Sequence[float] | Floats,
    *,
    resamples: int = 2000,
    level: float = 0.9,
    seed: int = 0,
) -> Interval:
    """Mean of ``loss_a - loss_b`` over paired observables, with a percentile bootstrap interval.

    Observables are resampled with replacement (the same draw for both forecasts); the
    interval excludes 0 when one forecast's loss is reliably lower. Seeded: same seed, same
    interval.
    """
    a = np.asarray(loss_a, dtype=np.float64).ravel()
    b = np.asarray(loss_b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError("paired losses must have the same length")
    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1)")
    d = a - b
    if d.size == 0:
        return Interval(math.nan, math.nan, math.nan, level, resamples)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, d.size, size=(resamples, d.size))
    means = d[idx].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Interval(float(d.mean()), float(low), float(high), level, resamples)
