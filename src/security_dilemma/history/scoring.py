"""Scoring rules for probability forecasts of yes/no events: Brier, log-loss, AUC, skill,
calibration, the Brier decomposition and bootstrap intervals (by observable or by block).

Every function takes forecast probabilities ``p`` and outcomes ``y`` (1 = it happened) as
equal-length sequences and is pure. Conventions (docs/backtesting.md):

* **Brier score**: mean of ``(p - y)**2``; 0 is perfect, 0.25 is a constant 0.5 forecast.
* **Log-loss**: mean of ``-(y log p + (1 - y) log(1 - p))`` in nats, with ``p`` clipped to
  ``[CLIP, 1 - CLIP]`` (``CLIP = 1e-6``) so that a confident miss costs about 13.8, not infinity.
* **Skill score**: ``1 - score / reference``; above 0 the forecast beats the reference.
* **Climatology**: the base rate of each kind of observable in a reference set that never
  contains the observable being forecast (see :func:`climatology`).
* **AUC**: the probability that a random observable that happened got a higher forecast than
  a random one that did not (ties count a half): ranking, whatever the calibration.
* **Brier decomposition** (Murphy 1973), over bins of the forecast: reliability - resolution +
  uncertainty (see :func:`brier_decomposition`).
* **Block bootstrap**: intervals that resample whole blocks (years), not single forecasts, when
  outcomes within a block are correlated (see :func:`resample_blocks`).

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
    "Blocks",
    "BrierDecomposition",
    "CalibrationBin",
    "Interval",
    "auc",
    "bootstrap_auc_difference",
    "bootstrap_difference",
    "bootstrap_skill",
    "brier",
    "brier_decomposition",
    "brier_terms",
    "calibration",
    "climatology",
    "climatology_rate",
    "log_loss",
    "log_loss_terms",
    "resample_blocks",
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


def _bin_index(p: Floats, bins: int) -> npt.NDArray[np.intp]:
    """Each forecast's bin among ``bins`` equal-width bins of [0, 1] (1 in the last)."""
    edges = np.arange(bins + 1) / bins
    out: npt.NDArray[np.intp] = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    return out


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
    index = _bin_index(pa, bins)
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


def climatology_rate(n_kind: int, m_kind: float, n: int, m: float) -> float:
    """The climatology of a kind with ``m_kind`` of ``n_kind`` reference observables that
    happened, among ``m`` of ``n`` overall: ``(m_kind + r) / (n_kind + 1)`` with the Laplace
    rate ``r = (m + 1) / (n + 2)`` (a kind never seen gets ``r``).

    >>> climatology_rate(2, 2, 4, 2)
    0.8333...
    """
    r = (m + 1.0) / (n + 2.0)
    return (m_kind + r) / (n_kind + 1.0)


def climatology(
    kinds: Sequence[str], outcomes: Sequence[bool] | Sequence[float], reference: Any = None
) -> Floats:
    """Base-rate forecasts that never see the outcome they forecast.

    For observable ``i`` of kind ``k`` the reference set ``R_i`` is the observables where
    ``reference`` is True, minus ``i`` itself (leave-one-out; ``reference=None`` means all).
    With ``n`` observables in ``R_i``, ``m`` of which happened, and ``n_k`` of kind ``k``,
    ``m_k`` of which happened, the forecast is :func:`climatology_rate`: the kind's base rate
    shrunk towards the overall Laplace rate by one pseudo-observation.

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
        same = others & (k == k[i])
        out[i] = climatology_rate(
            int(same.sum()), float(y[same].sum()), int(others.sum()), float(y[others].sum())
        )
    return out


def auc(p: Sequence[float] | Floats, y: Sequence[float] | Floats) -> float:
    """Area under the ROC curve: the probability that an observable that happened got a
    higher forecast than one that did not, ties counting a half (the Mann-Whitney U statistic
    over the product of the two counts, :func:`scipy.stats.mannwhitneyu`). NaN without both
    outcomes.

    >>> auc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0])
    0.875
    """
    from scipy.stats import mannwhitneyu

    pa, ya = _arrays(p, y)
    pos, neg = pa[ya == 1.0], pa[ya == 0.0]
    if not pos.size or not neg.size:
        return math.nan
    u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
    return float(u) / float(pos.size * neg.size)


def _pairs(p: Floats, y: Floats) -> Floats:
    """(happened, did not) matrix: 1 where the first forecast is higher, 0.5 on a tie."""
    pos, neg = p[y == 1.0], p[y == 0.0]
    out: Floats = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    return out


def bootstrap_auc_difference(
    p_a: Sequence[float] | Floats,
    p_b: Sequence[float] | Floats,
    y: Sequence[float] | Floats,
    *,
    blocks: Sequence[Any],
    resamples: int = 2000,
    level: float = 0.9,
    seed: int = 0,
) -> Interval:
    """AUC of ``p_a`` minus AUC of ``p_b`` on the same outcomes, with a percentile interval
    that resamples whole ``blocks`` (:func:`resample_blocks`, the same draws as
    :func:`bootstrap_difference` with the same seed): in a resample every row counts as often
    as its block was drawn. Resamples without both outcomes are left out.

    >>> i = bootstrap_auc_difference([0.9, 0.4, 0.4, 0.1], [0.5] * 4, [1, 1, 0, 0],
    ...                              blocks=[1, 1, 2, 2], resamples=50)
    >>> i.estimate
    0.375
    """
    a, ya = _arrays(p_a, y)
    b, _ = _arrays(p_b, y)
    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1)")
    estimate = auc(a, ya) - auc(b, ya)
    if not math.isfinite(estimate):
        return Interval(math.nan, math.nan, math.nan, level, resamples)
    drawn = resample_blocks(list(blocks), resamples=resamples, seed=seed)
    if drawn.index.shape != ya.shape:
        raise ValueError(f"{len(drawn.index)} blocks but {ya.size} outcomes")
    weights = drawn.counts[:, drawn.index].astype(np.float64)
    wp, wn = weights[:, ya == 1.0], weights[:, ya == 0.0]
    pairs = wp.sum(axis=1) * wn.sum(axis=1)

    def aucs(p: Floats) -> Floats:
        out: Floats = np.einsum("rp,pq,rq->r", wp, _pairs(p, ya), wn)
        return out

    with np.errstate(divide="ignore", invalid="ignore"):
        draws = np.where(pairs > 0, (aucs(a) - aucs(b)) / pairs, np.nan)
    return _interval(estimate, draws, level, resamples)


@dataclass(frozen=True)
class BrierDecomposition:
    """Murphy's decomposition of the Brier score over bins of the forecast, made exact by the
    within-bin terms of Stephenson, Coelho and Jolliffe (2008).

    ``reliability`` (lower is better) is the mean squared gap between a bin's mean forecast
    and its observed frequency, weighted by the bin's count; ``resolution`` (higher is
    better) the weighted variance of the bins' observed frequencies around the overall one;
    ``uncertainty`` the variance of the outcomes, ō(1 - ō). ``within_variance`` is the mean
    squared spread of the forecasts around their bin's mean and ``within_covariance`` twice
    their mean covariance with the outcomes inside the bins; both are 0 when the forecasts in
    each bin are equal. ``reliability - resolution + uncertainty + within_variance -
    within_covariance`` is the Brier score (:attr:`total`).
    """

    reliability: float
    resolution: float
    uncertainty: float
    within_variance: float
    within_covariance: float
    bins: int

    @property
    def binned_brier(self) -> float:
        """reliability - resolution + uncertainty: the Brier score of the bins' mean forecasts."""
        return self.reliability - self.resolution + self.uncertainty

    @property
    def total(self) -> float:
        """The five terms summed: the Brier score."""
        return self.binned_brier + self.within_variance - self.within_covariance


def brier_decomposition(
    p: Sequence[float] | Floats, y: Sequence[float] | Floats, bins: int = 10
) -> BrierDecomposition:
    """Reliability, resolution, uncertainty and the two within-bin terms over ``bins``
    equal-width bins (the bins of :func:`calibration`); NaN for no forecasts.

    >>> d = brier_decomposition([0.2, 0.2, 0.8, 0.8], [0, 1, 1, 1], bins=5)
    >>> round(d.reliability, 4), round(d.resolution, 4), round(d.uncertainty, 4)
    (0.065, 0.0625, 0.1875)
    >>> round(d.total, 4) == round(brier([0.2, 0.2, 0.8, 0.8], [0, 1, 1, 1]), 4)
    True
    """
    pa, ya = _arrays(p, y)
    if not pa.size:
        return BrierDecomposition(math.nan, math.nan, math.nan, math.nan, math.nan, bins)
    table = calibration(pa, ya, bins)
    index = _bin_index(pa, bins)
    base = float(ya.mean())
    count = np.array([b.count for b in table], dtype=np.float64)
    mean_p = np.array([b.mean_p or 0.0 for b in table])
    observed = np.array([b.observed or 0.0 for b in table])
    rel = float((count * (mean_p - observed) ** 2).sum()) / pa.size
    res = float((count * (observed - base) ** 2).sum()) / pa.size
    spread = pa - mean_p[index]
    wbv = float((spread**2).sum()) / pa.size
    wbc = 2.0 * float((spread * (ya - observed[index])).sum()) / pa.size
    return BrierDecomposition(rel, res, base * (1.0 - base), wbv, wbc, bins)


def _paired(a: Any, b: Any, level: float) -> tuple[Floats, Floats]:
    """Two paired loss arrays, checked, and the interval level checked."""
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("paired losses must have the same length")
    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1)")
    return x, y


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
    blocks: Sequence[Any] | None = None,
) -> Interval:
    """Mean of ``loss_a - loss_b`` over paired observables, with a percentile bootstrap interval.

    Observables are resampled with replacement (the same draw for both forecasts), or, with
    ``blocks`` (one label per observable, e.g. its year), whole blocks are
    (:func:`resample_blocks`); the interval excludes 0 when one forecast's loss is reliably
    lower. Seeded: same seed, same interval.
    """
    a, b = _paired(loss_a, loss_b, level)
    d = a - b
    if d.size == 0:
        return Interval(math.nan, math.nan, math.nan, level, resamples)
    if blocks is not None:
        drawn = resample_blocks(list(blocks), resamples=resamples, seed=seed)
        sizes = drawn.sums(np.ones(d.size))
        return _interval(float(d.mean()), drawn.sums(d) / sizes, level, resamples)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, d.size, size=(resamples, d.size))
    means = d[idx].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Interval(float(d.mean()), float(low), float(high), level, resamples)


@dataclass(frozen=True)
class Blocks:
    """Bootstrap resamples of whole blocks: ``labels`` the distinct blocks (sorted),
    ``index`` each row's block, ``counts`` (resamples, blocks) how often each resample drew
    each block. A resample holds every row of a drawn block, as many times as it was drawn."""

    labels: tuple[Any, ...]
    index: npt.NDArray[np.intp]
    counts: npt.NDArray[np.int64]

    def sums(self, values: Sequence[float] | Floats) -> Floats:
        """Each resample's sum of ``values`` (one per row)."""
        v = np.asarray(values, dtype=np.float64).ravel()
        if v.shape != self.index.shape:
            raise ValueError(f"{v.size} values but {self.index.size} rows")
        per_block = np.bincount(self.index, weights=v, minlength=len(self.labels))
        out: Floats = self.counts.astype(np.float64) @ per_block
        return out


def resample_blocks(blocks: Sequence[Any], *, resamples: int = 2000, seed: int = 0) -> Blocks:
    """Draw ``resamples`` bootstrap samples of the distinct values of ``blocks`` (one per row,
    e.g. its year), with replacement, as many as there are distinct blocks. Seeded.

    >>> b = resample_blocks([2004, 2004, 2005], resamples=3, seed=1)
    >>> b.labels, b.index.tolist(), b.counts.sum(axis=1).tolist()
    ((2004, 2005), [0, 0, 1], [2, 2, 2])
    """
    labels = tuple(sorted(set(blocks)))
    where = {b: k for k, b in enumerate(labels)}
    index = np.array([where[b] for b in blocks], dtype=np.intp)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(labels), size=(resamples, len(labels)))
    counts = np.zeros((resamples, len(labels)), dtype=np.int64)
    np.add.at(counts, (np.arange(resamples)[:, None], draws), 1)
    return Blocks(labels, index, counts)


def _interval(estimate: float, draws: Floats, level: float, resamples: int) -> Interval:
    finite = draws[np.isfinite(draws)]
    if not finite.size:
        return Interval(estimate, math.nan, math.nan, level, resamples)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return Interval(estimate, float(low), float(high), level, resamples)


def bootstrap_skill(
    loss: Sequence[float] | Floats,
    reference: Sequence[float] | Floats,
    *,
    blocks: Sequence[Any] | None = None,
    resamples: int = 2000,
    level: float = 0.9,
    seed: int = 0,
) -> Interval:
    """Skill ``1 - mean(loss) / mean(reference)`` over paired forecasts, with a percentile
    bootstrap interval that resamples ``blocks`` (e.g. the rows' years; default: each row its
    own block). Seeded.
    """
    a, b = _paired(loss, reference, level)
    if a.size == 0:
        return Interval(math.nan, math.nan, math.nan, level, resamples)
    estimate = skill_score(float(a.mean()), float(b.mean()))
    drawn = resample_blocks(
        list(blocks) if blocks is not None else list(range(a.size)),
        resamples=resamples,
        seed=seed,
    )
    sa, sb = drawn.sums(a), drawn.sums(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        draws = np.where(sb > 0, 1.0 - sa / sb, np.nan)
    return _interval(estimate, draws, level, resamples)
