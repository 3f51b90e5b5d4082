"""Golden analytic test: the engine reduces to Richardson's arms race in its linear limit.

Two equal states, each reading the other as fully hostile (realism with worst case 1), all
capability offence (offence dominance 1, so a realist buys no defence), nothing opposed to an
attack (no defence, no allies, no deterrent: the whole attack gets through, so the damage it
could do is the attacker's offence), reach 1, no saturation, no status-quo anchor and no shocks:
then ``e_i(t+1) = e_i + k_i e_j - a_i e_i + g_i``, whose equilibrium is ``e* = (a_j g_i + k_i
g_j) / (a_i a_j - k_i k_j)``, stable when ``a_i a_j > k_i k_j`` (Richardson 1960).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from security_dilemma.engine import simulate

from .helpers import DETERMINISTIC, synthetic, trajectory

LINEAR = {
    **DETERMINISTIC,
    "distinguishability": 0.0,
    "offence_dominance": 1.0,
    "deterrence": 0.0,
    "stock_turnover": 1.0,
    "richardson": {"saturation": 0.0, "status_quo": 0.0, "shock": 0.0},
    "lenses": {"realism": {"worst_case": 1.0}},
}


def _case(k, a, g, steps):
    params = {
        **LINEAR,
        "actors": {f"A{i}": {"k": k[i], "a": a[i], "g": g[i]} for i in range(2)},
    }
    return synthetic(2, steps=steps, parameters=params, lens="realism")


def _run(k: tuple[float, float], a: tuple[float, float], g: tuple[float, float], steps: int):
    """Effort of both states at the start of every step, from the step function (float64)."""
    states = trajectory(_case(k, a, g, steps))
    effort = np.array([s.effort[:, 0] for s in states[:-1]])
    return effort[:, 0], effort[:, 1]


def _recursion(k, a, g, steps):
    e = np.ones(2)
    out = [e.copy()]
    for _ in range(steps - 1):
        e = e + np.array([k[0] * e[1], k[1] * e[0]]) - np.array(a) * e + np.array(g)
        out.append(e.copy())
    return np.array(out)


@pytest.mark.parametrize(
    ("k", "a", "g"),
    [
        ((0.1, 0.15), (0.3, 0.25), (0.05, 0.02)),
        ((0.2, 0.2), (0.3, 0.3), (0.1, 0.1)),
        ((0.05, 0.3), (0.4, 0.2), (0.0, 0.08)),
    ],
)
def test_stable_race_reaches_the_closed_form_equilibrium(k, a, g) -> None:
    assert a[0] * a[1] > k[0] * k[1]
    e0, e1 = _run(k, a, g, steps=400)
    det = a[0] * a[1] - k[0] * k[1]
    expected = ((a[1] * g[0] + k[0] * g[1]) / det, (a[0] * g[1] + k[1] * g[0]) / det)
    assert_allclose([e0[-1], e1[-1]], expected, rtol=1e-9)


def test_trajectory_is_the_discrete_richardson_recursion() -> None:
    k, a, g = (0.12, 0.2), (0.25, 0.3), (0.03, 0.06)
    e0, e1 = _run(k, a, g, steps=40)
    assert_allclose(np.column_stack([e0, e1]), _recursion(k, a, g, 40), rtol=1e-12)


def test_unstable_race_explodes_when_reactions_outweigh_fatigue() -> None:
    k, a, g = (0.3, 0.3), (0.1, 0.1), (0.01, 0.01)
    assert a[0] * a[1] < k[0] * k[1]
    e0, e1 = _run(k, a, g, steps=120)
    assert e0[-1] > 1e6 and e1[-1] > 1e6
    growth = e0[-1] / e0[-2]
    assert_allclose(growth, 1.0 + k[0] - a[0], rtol=1e-6)  # the dominant eigenvalue


def test_simulate_reports_the_same_race() -> None:
    """Through simulate (float32 state, float32 summaries): the same numbers to ~1e-6."""
    k, a, g = (0.1, 0.15), (0.3, 0.25), (0.05, 0.02)
    result = simulate(_case(k, a, g, 200), replicates=3, restraint=False)
    det = a[0] * a[1] - k[0] * k[1]
    expected = (a[1] * g[0] + k[0] * g[1]) / det
    assert_allclose(result.value("effort", "A0"), expected, rtol=1e-5)
    assert result.value("effort", "A0", stat="q05") == result.value("effort", "A0", stat="q95")


def test_stability_boundary() -> None:
    # just inside and just outside a^2 = k^2 (symmetric pair): bounded vs growing
    inside = _run((0.19, 0.19), (0.2, 0.2), (0.01, 0.01), steps=300)[0]
    outside = _run((0.21, 0.21), (0.2, 0.2), (0.01, 0.01), steps=300)[0]
    assert inside[-1] < 1.5 and abs(inside[-1] - inside[-2]) < 1e-4
    assert outside[-1] > 10 and outside[-1] > outside[-2]
