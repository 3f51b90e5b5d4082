"""Round robins (checked by hand) and evolutionary dynamics (closed forms)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from security_dilemma.errors import BadInput
from security_dilemma.games import (
    MatchConfig,
    fixation_probability,
    moran_process,
    parse_strategy,
    replicator,
    rest_points,
    round_robin,
)

S = parse_strategy


def test_round_robin_by_hand():
    t = round_robin(
        [S("TitForTat"), S("Defector"), S("Cooperator")], MatchConfig(turns=10), repetitions=3
    )
    # TFT v D: 0 + 9*1 = 9 vs 5 + 9*1 = 14; TFT v C: 30 v 30; D v C: 50 v 0; per round / 10.
    assert_allclose(t.payoff_matrix, [[3, 0.9, 3], [1.4, 1, 5], [3, 0, 3]])
    # Scores leave self-play out (Axelrod's normalised scores): mean over the two others.
    assert_allclose(t.mean_scores, [(0.9 + 3) / 2, (1.4 + 5) / 2, (3 + 0) / 2])
    assert t.ranked_names == ("Defector", "TitForTat", "Cooperator")
    assert_allclose(t.cooperation_rate, [(1 + 10) / 20, 0, 1])  # TFT: 1 of 10 v D, 10 v C
    assert t.wins[:, 0].tolist() == [0, 2, 0]
    doc = t.to_dict()
    assert [r["rank"] for r in doc["ranking"]] == [1, 2, 3]
    assert_allclose(doc["ranking"][0]["ci95"], [3.2, 3.2])  # no spread without randomness


def test_noisy_round_robin_is_reproducible_and_has_honest_intervals():
    names = ["TitForTat", "Random(0.5)", "Grudger", "WinStayLoseShift"]
    cfg = MatchConfig(turns=50, noise=0.1)
    a = round_robin([S(n) for n in names], cfg, 30, seed=3)
    b = round_robin([S(n) for n in names], cfg, 30, seed=3)
    assert np.array_equal(a.scores, b.scores)
    ci = a.confidence_intervals()
    assert np.all(ci[:, 0] < a.mean_scores) and np.all(a.mean_scores < ci[:, 1])
    half = stats.t.ppf(0.975, 29) * a.scores.std(axis=1, ddof=1) / np.sqrt(30)
    assert_allclose(ci[:, 1] - a.mean_scores, half)


def test_round_robin_bad_input():
    with pytest.raises(BadInput, match="at least two"):
        round_robin([S("TitForTat")])
    with pytest.raises(BadInput, match="repeated TitForTat"):
        round_robin([S("TitForTat"), S("tft")])
    with pytest.raises(BadInput, match="repetitions"):
        round_robin([S("TitForTat"), S("Defector")], repetitions=0)


@given(st.integers(2, 60), st.data())
def test_neutral_fixation_is_i_over_n(n, data):
    i = data.draw(st.integers(1, n))
    assert_allclose(fixation_probability([[2, 2], [2, 2]], n, mutants=i), i / n)


@given(st.integers(2, 40), st.floats(0.5, 3.0))
def test_constant_fitness_fixation_closed_form(n, r):
    # Payoffs independent of the partner: fitness r for mutants, 1 for residents (intensity 1).
    got = fixation_probability([[r, r], [1, 1]], n)
    want = 1 / n if abs(r - 1) < 1e-12 else (1 - 1 / r) / (1 - r ** (-n))
    assert_allclose(got, want, rtol=1e-9)


def test_moran_simulation_matches_the_closed_form():
    pay = [[3, 0.5], [4, 1]]  # prisoner's dilemma-like: mutants are cooperators
    n, i, w, runs = 10, 3, 0.5, 20_000
    res = moran_process(pay, [i, n - i], np.random.default_rng(8), runs=runs, intensity=w)
    p = fixation_probability(pay, n, w, mutants=i)
    assert res.fixations.sum() == runs and np.all(res.steps > 0)
    assert abs(res.fixation_rates[0] - p) < 4 * np.sqrt(p * (1 - p) / runs)


def test_moran_with_three_strategies_conserves_population():
    res = moran_process(np.eye(3) + 1, [5, 5, 5], np.random.default_rng(1), runs=500, intensity=0.2)
    assert res.fixations.sum() == 500
    assert np.all(res.fixations > 50)  # symmetric start, symmetric game


def test_replicator_rest_points_of_the_ir_games():
    # Hawk-dove (chicken): the interior mix is the only stable rest point.
    hd = rest_points([[0, 3], [1, 2]])
    assert [p.state.tolist() for p in hd if p.stable] == [[0.5, 0.5]]
    # Prisoner's dilemma: all-defect is the only stable rest point.
    pd = rest_points([[3, 0], [5, 1]])
    assert [p.state.tolist() for p in pd if p.stable] == [[0.0, 1.0]]
    # Stag hunt: both pure states stable, the interior (at 1/2 here) unstable.
    sh = rest_points([[4, 0], [3, 1]])
    assert sorted(p.state.tolist() for p in sh if p.stable) == [[0.0, 1.0], [1.0, 0.0]]
    assert [p.state.tolist() for p in sh if not p.stable] == [[0.5, 0.5]]
    # Rock-paper-scissors: a centre, not hyperbolic (neutral cycles).
    (centre,) = [p for p in rest_points([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]) if p.state.min() > 0]
    assert not centre.hyperbolic
    assert_allclose(np.abs(centre.eigenvalues.real), 0, atol=1e-12)


def test_replicator_trajectories_go_to_the_stable_point():
    _, xs = replicator([[0, 3], [1, 2]], [0.05, 0.95], t_max=60)
    assert_allclose(xs[-1], [0.5, 0.5], atol=1e-4)
    _, xs = replicator([[4, 0], [3, 1]], [0.45, 0.55], t_max=60)  # below the stag-hunt threshold
    assert_allclose(xs[-1], [0, 1], atol=1e-4)
    assert_allclose(xs.sum(axis=1), 1.0, atol=1e-8)
    with pytest.raises(BadInput):
        replicator([[1, 0], [0, 1]], [0.5, 0.6])
