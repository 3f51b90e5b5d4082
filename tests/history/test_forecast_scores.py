"""Scores and baselines of the rolling-origin forecasts, against hand computation or an
independent computation: Brier, log-loss, AUC (and its block bootstrap), the exact Brier
decomposition, the baselines and the logistic fits behind the link and the statistical
baseline."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import expit

from security_dilemma.history import (
    auc,
    bootstrap_auc_difference,
    bootstrap_difference,
    brier,
    brier_decomposition,
    fit_baselines,
    fit_link,
    log_loss,
    resample_blocks,
    ridge_logistic,
)


@dataclass(frozen=True)
class Obs:
    """A coded observable as the baselines read it."""

    id: str
    kind: str
    actor: str
    counterpart: str | None
    start: dt.date
    end: dt.date
    occurred: bool


def obs(kind: str, actor: str, year: int, occurred: bool, counterpart: str | None = None) -> Obs:
    return Obs(
        f"{kind}-{actor}-{year}",
        kind,
        actor,
        counterpart,
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        occurred,
    )


# --- scores -------------------------------------------------------------------------------


def test_brier_and_log_loss_by_hand() -> None:
    p, y = [0.8, 0.3, 0.5], [1, 1, 0]
    assert brier(p, y) == pytest.approx((0.04 + 0.49 + 0.25) / 3)
    assert log_loss(p, y) == pytest.approx(-(math.log(0.8) + math.log(0.3) + math.log(0.5)) / 3)


def test_auc_counts_ordered_pairs_ties_a_half() -> None:
    p = [0.9, 0.6, 0.6, 0.2, 0.6, 0.1]
    y = [1, 1, 0, 1, 0, 0]
    pos = [a for a, o in zip(p, y, strict=True) if o]
    neg = [a for a, o in zip(p, y, strict=True) if not o]
    pairs = [1.0 if a > b else 0.5 if a == b else 0.0 for a, b in product(pos, neg)]
    assert auc(p, y) == pytest.approx(sum(pairs) / len(pairs))
    assert math.isnan(auc([0.2, 0.3], [1, 1]))


def test_block_bootstrap_of_the_auc_difference_repeats_whole_blocks() -> None:
    """Each resample's AUC difference equals the AUC of the rows repeated as often as their
    block was drawn, computed from scratch with :func:`auc`."""
    rng = np.random.default_rng(3)
    years = np.repeat(np.arange(2000, 2006), 5)
    y = rng.integers(0, 2, years.size)
    a, b = rng.random(years.size), rng.random(years.size)
    got = bootstrap_auc_difference(a, b, y, blocks=years.tolist(), resamples=300, seed=7)
    drawn = resample_blocks(years.tolist(), resamples=300, seed=7)
    draws = []
    for counts in drawn.counts:
        rows = np.repeat(np.arange(years.size), counts[drawn.index])
        draws.append(auc(a[rows], y[rows]) - auc(b[rows], y[rows]))
    finite = np.array([d for d in draws if math.isfinite(d)])
    assert got.estimate == pytest.approx(auc(a, y) - auc(b, y))
    assert got.low == pytest.approx(np.quantile(finite, 0.05))
    assert got.high == pytest.approx(np.quantile(finite, 0.95))


def test_block_bootstrap_of_a_loss_difference_is_the_mean_over_repeated_rows() -> None:
    rng = np.random.default_rng(4)
    years = np.repeat(np.arange(2000, 2004), 3)
    la, lb = rng.random(years.size), rng.random(years.size)
    got = bootstrap_difference(la, lb, blocks=years.tolist(), resamples=200, seed=2)
    drawn = resample_blocks(years.tolist(), resamples=200, seed=2)
    means = [
        float((la - lb)[np.repeat(np.arange(years.size), c[drawn.index])].mean())
        for c in drawn.counts
    ]
    assert (got.low, got.high) == pytest.approx(tuple(np.quantile(means, [0.05, 0.95])))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 1.0), st.booleans()), min_size=1, max_size=40),
    st.integers(1, 12),
)
def test_the_decomposition_sums_to_the_brier_score(
    rows: list[tuple[float, bool]], bins: int
) -> None:
    p = [r[0] for r in rows]
    y = [float(r[1]) for r in rows]
    d = brier_decomposition(p, y, bins)
    assert d.total == pytest.approx(brier(p, y), abs=1e-12)
    assert d.uncertainty == pytest.approx(np.mean(y) * (1 - np.mean(y)))
    assert d.reliability >= 0 and d.resolution >= 0 and d.within_variance >= 0


def test_with_equal_forecasts_in_each_bin_reliability_resolution_uncertainty_suffice() -> None:
    p, y = [0.1, 0.1, 0.1, 0.7, 0.7], [0, 0, 1, 1, 0]
    d = brier_decomposition(p, y, bins=10)
    # bins: {0.1: observed 1/3, n 3}, {0.7: observed 1/2, n 2}; base rate 2/5
    rel = (3 * (0.1 - 1 / 3) ** 2 + 2 * (0.7 - 0.5) ** 2) / 5
    res = (3 * (1 / 3 - 0.4) ** 2 + 2 * (0.5 - 0.4) ** 2) / 5
    assert (d.reliability, d.resolution, d.uncertainty) == pytest.approx((rel, res, 0.24))
    assert (d.within_variance, d.within_covariance) == pytest.approx((0.0, 0.0), abs=1e-15)
    assert d.binned_brier == pytest.approx(brier(p, y))


# --- the logistic fits ----------------------------------------------------------------------


def test_ridge_logistic_is_the_maximum_of_the_posterior() -> None:
    """At the optimum the gradient of the log posterior is 0: X'(y - p) = (b - mean) / sd²."""
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(30), rng.normal(size=30), rng.normal(size=30)])
    y = (rng.random(30) < expit(x @ [0.3, 1.0, -0.5])).astype(float)
    mean, sd = np.array([0.2, 0.0, 0.0]), np.array([1.5, 1.0, 0.3])
    beta = ridge_logistic(x, y, mean, sd)
    assert_allclose(x.T @ (y - expit(x @ beta)), (beta - mean) / sd**2, atol=1e-6)


def test_with_flat_priors_the_intercept_is_the_log_odds_of_the_rate() -> None:
    beta = ridge_logistic(np.ones((8, 1)), [1, 1, 1, 0, 0, 1, 1, 0], [0.0], [1e4])
    assert beta[0] == pytest.approx(math.log(5 / 3), abs=1e-4)


def test_the_link_ranks_by_its_covariate_and_falls_back_to_the_overall_rate() -> None:
    link = fit_link(
        ["crisis"] * 6 + ["tests"] * 3,
        [-2, -1.5, -1, 0, 0.5, 1, 0, 0, 0],
        [False, False, False, True, True, True, True, True, False],
    )
    assert link.slope + link.kind_slopes["crisis"] > 0
    assert link.probability("crisis", 1.0) > link.probability("crisis", -2.0)
    assert link.probability("war", 3.0) == pytest.approx(expit(math.log(6 / 5)))  # Laplace 6/11
    assert link.n == 9 and link.occurred == 5


# --- the baselines --------------------------------------------------------------------------

TRAIN = [
    obs("tests", "IRN", 2001, True),
    obs("tests", "IRN", 2002, False),
    obs("tests", "IRN", 2003, True),
    obs("signs", "USA", 2002, True, "RUS"),
    obs("signs", "USA", 2003, False, "RUS"),
]
ORIGIN = dt.date(2004, 1, 1)


def test_climatology_by_hand() -> None:
    fit = fit_baselines(TRAIN, ORIGIN)
    r = (3 + 1) / (5 + 2)  # overall Laplace rate
    assert fit.climatology("tests") == pytest.approx((2 + r) / (3 + 1))
    assert fit.climatology("signs") == pytest.approx((1 + r) / (2 + 1))
    assert fit.climatology("war") == pytest.approx(r)


def test_persistence_is_the_last_outcome_of_the_series() -> None:
    fit = fit_baselines(TRAIN, ORIGIN)
    assert fit.persistence(obs("tests", "IRN", 2004, False)) == 1.0
    assert fit.persistence(obs("signs", "USA", 2005, True, "RUS")) == 0.0
    new = obs("signs", "RUS", 2004, True, "USA")  # another direction: another series
    assert fit.persistence(new) == pytest.approx(fit.climatology("signs"))


def test_softened_persistence_weight_by_hand() -> None:
    """w = (0.5 + sum (y - c)(last - c)) / (1 + sum (last - c)²) over the training rows with
    an earlier outcome of their series, c their leave-one-out climatology."""
    from security_dilemma.history import climatology

    fit = fit_baselines(TRAIN, ORIGIN)
    c = climatology([o.kind for o in TRAIN], [o.occurred for o in TRAIN])
    # rows with a previous outcome: tests 2002 (last True), tests 2003 (last False),
    # signs 2003 (last True)
    rows = [(1, 1.0), (2, 0.0), (4, 1.0)]
    num = 0.5 + sum((TRAIN[i].occurred - c[i]) * (last - c[i]) for i, last in rows)
    den = 1.0 + sum((last - c[i]) ** 2 for i, last in rows)
    assert fit.softening == pytest.approx(min(max(num / den, 0.0), 1.0))
    o = obs("tests", "IRN", 2004, True)
    clim = fit.climatology("tests")
    assert fit.softened(o) == pytest.approx(clim + fit.softening * (1.0 - clim))


def test_the_statistical_baseline_is_its_penalised_logistic_regression() -> None:
    fit = fit_baselines(TRAIN, ORIGIN)
    # design: intercept, kind signs, kind tests, lag (+1/-1/0), years from the origin
    x = np.array(
        [
            [1, 0, 1, 0, 2001 - 2004],
            [1, 0, 1, 1, 2002 - 2004],
            [1, 0, 1, -1, 2003 - 2004],
            [1, 1, 0, 0, 2002 - 2004],
            [1, 1, 0, 1, 2003 - 2004],
        ],
        dtype=float,
    )
    y = np.array([o.occurred for o in TRAIN], dtype=float)
    mean = np.array([math.log(4 / 3), 0, 0, 0, 0])
    sd = np.array([1.5, 1, 1, 1, 0.2])
    beta = np.array(fit.statistical)
    assert_allclose(x.T @ (y - expit(x @ beta)), (beta - mean) / sd**2, atol=1e-6)
    nxt = obs("tests", "IRN", 2004, True)
    assert fit.statistical_p(nxt) == pytest.approx(expit(beta @ [1, 0, 1, 1, 0]))


def test_a_baseline_refuses_a_training_observable_at_or_after_the_origin() -> None:
    with pytest.raises(ValueError, match="after the origin"):
        fit_baselines([*TRAIN, obs("tests", "IRN", 2004, True)], ORIGIN)
