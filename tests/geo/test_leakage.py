"""Wilkening's leakage model against hand-computed values and its invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from security_dilemma.errors import BadInput
from security_dilemma.geo.leakage import (
    Layer,
    allocate,
    engage,
    layered,
    leaker_pmf,
    mean_kill_fraction,
    salvo_kill_probability,
    shoot_look_shoot,
    shots_for_confidence,
)

probs = st.floats(0.0, 1.0, allow_nan=False)


def test_salvo_kill_probability() -> None:
    # Pk = q (1 - (1 - p)^n): 0.9 * (1 - 0.5^2) = 0.675
    assert_allclose(salvo_kill_probability(0.5, 2, 0.9), 0.675)
    assert salvo_kill_probability(0.0, 5, 1.0) == 0.0
    assert salvo_kill_probability(1.0, 1, 0.8) == 0.8
    assert salvo_kill_probability(0.7, 0, 1.0) == 0.0


def test_enough_interceptors_by_hand() -> None:
    e = engage(sspk=0.5, shots=2, tracking=0.9, warheads=5, interceptors=10)
    assert e.allocation == {2: 5} and not e.exhausted
    assert_allclose(e.kill_probability, 0.675)
    assert_allclose(e.expected_leakers, 5 * (1 - 0.675))  # 1.625
    assert_allclose(e.p_zero_common, 0.9 * 0.75**5)  # 0.21357421875
    assert_allclose(e.p_zero_independent, 0.675**5)  # 0.14012604...
    assert_allclose(e.interceptors_used, 10)


def test_sspk_zero_nothing_is_killed() -> None:
    e = engage(sspk=0.0, shots=3, tracking=1.0, warheads=4, interceptors=100)
    assert e.expected_kills == 0.0 and e.expected_leakers == 4.0
    assert e.p_zero_common == 0.0 and e.p_zero_independent == 0.0


def test_sspk_one_only_tracking_limits() -> None:
    e = engage(sspk=1.0, shots=1, tracking=0.8, warheads=4, interceptors=4)
    assert_allclose(e.expected_leakers, 4 * 0.2)
    assert_allclose(e.p_zero_common, 0.8)  # common mode: P0 = q whatever the salvo
    assert_allclose(e.p_zero_independent, 0.8**4)


def test_more_warheads_than_interceptors() -> None:
    e = engage(sspk=1.0, shots=1, tracking=1.0, warheads=3, interceptors=2)
    assert e.allocation == {1: 2, 0: 1} and e.exhausted
    assert e.expected_kills == 2.0 and e.expected_leakers == 1.0
    assert e.p_zero_common == 0.0 and e.p_zero_independent == 0.0  # one warhead unengaged


def test_inventory_spread_evenly_by_hand() -> None:
    # 10 interceptors, 4 warheads, 3 wanted each: two get 3 shots, two get 2
    e = engage(sspk=0.5, shots=3, tracking=1.0, warheads=4, interceptors=10)
    assert e.allocation == {3: 2, 2: 2}
    assert_allclose(e.expected_kills, 2 * (1 - 0.5**3) + 2 * (1 - 0.5**2))  # 3.25
    assert_allclose(e.p_zero_common, (7 / 8) ** 2 * (3 / 4) ** 2)  # 0.4306640625


def test_no_warheads() -> None:
    e = engage(sspk=0.3, shots=2, tracking=0.5, warheads=0, interceptors=0)
    assert e.expected_leakers == 0.0
    assert e.p_zero_common == 1.0 and e.p_zero_independent == 1.0
    assert allocate(5, 0, 2) == {}


def test_allocation_examples() -> None:
    assert allocate(None, 3, 2) == {2: 3}
    assert allocate(0, 3, 2) == {0: 3}
    assert allocate(7, 3, 2) == {2: 3}
    assert allocate(5, 3, 2) == {2: 2, 1: 1}


@given(st.integers(0, 60), st.integers(0, 40), st.integers(0, 6))
def test_allocation_uses_what_it_can(inventory: int, warheads: int, shots: int) -> None:
    alloc = allocate(inventory, warheads, shots)
    assert sum(alloc.values()) == warheads
    assert sum(k * m for k, m in alloc.items()) == min(inventory, warheads * shots)
    assert all(k <= shots for k in alloc) and (len(alloc) <= 2)
    if len(alloc) == 2:
        a, b = sorted(alloc)
        assert b == a + 1


def test_shoot_look_shoot_unlimited() -> None:
    s = shoot_look_shoot(sspk=0.5, first=1, second=1, tracking=1.0, warheads=1)
    assert_allclose(s.kill_probability, 0.75)
    assert_allclose(s.expected_kills, 0.75)
    assert_allclose(s.interceptors_used, 1.5)  # n1 + n2 (1 - p)^n1


def test_shoot_look_shoot_with_a_finite_inventory_by_hand() -> None:
    # W = 2, I = 3: one shot each, one left for the survivors X ~ Bin(2, 1/2)
    s = shoot_look_shoot(sspk=0.5, first=1, second=1, tracking=1.0, warheads=2, interceptors=3)
    assert_allclose(s.expected_kills, 1.0 + 0.5 * 0.5 + 0.25 * 0.5)  # 1.375
    assert_allclose(s.p_zero_common, 0.25 + 0.5 * 0.5)  # 0.5
    assert_allclose(s.interceptors_used, 2 + 0.5 + 0.25)
    t = shoot_look_shoot(sspk=0.5, first=1, second=1, tracking=0.8, warheads=2, interceptors=3)
    assert_allclose(t.expected_kills, 0.8 * 1.375)
    assert_allclose(t.p_zero_common, 0.8 * 0.5)
    assert_allclose(t.p_zero_independent, 0.8**2 * 0.5)
    # independent tracking: tracked survivors X' ~ Bin(2, 0.4)
    assert_allclose(t.expected_kills_independent, 0.8 + 0.48 * 0.5 + 0.16 * 0.5)


@given(probs, st.integers(0, 4), st.integers(0, 4), probs, st.integers(0, 12))
def test_shoot_look_shoot_equals_a_salvo_in_kill_probability(
    p: float, n1: int, n2: int, q: float, w: int
) -> None:
    sls = shoot_look_shoot(sspk=p, first=n1, second=n2, tracking=q, warheads=w)
    salvo = engage(sspk=p, shots=n1 + n2, tracking=q, warheads=w)
    assert_allclose(sls.expected_kills, salvo.expected_kills, atol=1e-9)
    assert_allclose(sls.p_zero_common, salvo.p_zero_common, atol=1e-9)
    assert_allclose(sls.p_zero_independent, salvo.p_zero_independent, atol=1e-9)
    assert sls.interceptors_used <= salvo.interceptors_used + 1e-9


def test_layered_by_hand() -> None:
    assert layered([Layer(0.5, 1), Layer(0.5, 1)], 1).survival_probability == 0.25
    res = layered([Layer(0.5, 1, tracking=0.9), Layer(0.5, 1, tracking=0.8)], 2)
    assert_allclose(res.expected_leakers, 2 * 0.55 * 0.6)  # 0.66
    assert_allclose(res.p_zero_independent, (1 - 0.33) ** 2)  # 0.4489
    # common mode per layer: both work, only the first, only the second, neither
    assert_allclose(res.p_zero_common, 0.72 * 0.75**2 + 0.18 * 0.25 + 0.08 * 0.25 + 0)


def test_layered_inventory() -> None:
    res = layered([Layer(1.0, 1, interceptors=1), Layer(1.0, 1, interceptors=1)], 2)
    assert res.expected_leakers == 0.0  # extras rotate: each layer takes a different warhead
    assert res.p_zero_independent == 1.0


def test_one_layer_is_a_salvo() -> None:
    lay = layered([Layer(0.6, 2, tracking=0.9, interceptors=5)], 4)
    e = engage(sspk=0.6, shots=2, tracking=0.9, warheads=4, interceptors=5)
    assert_allclose(lay.expected_leakers, e.expected_leakers)
    assert_allclose(lay.p_zero_common, e.p_zero_common)
    assert_allclose(lay.p_zero_independent, e.p_zero_independent)


@given(probs, st.integers(0, 5), probs, st.integers(0, 25), st.integers(0, 80), st.booleans())
def test_leaker_distribution(p: float, n: int, q: float, w: int, i: int, common: bool) -> None:
    pmf = leaker_pmf(p, n, q, w, i, common_mode=common)
    e = engage(sspk=p, shots=n, tracking=q, warheads=w, interceptors=i)
    assert pmf.shape == (w + 1,)
    assert_allclose(pmf.sum(), 1.0, atol=1e-9)
    assert_allclose(pmf @ np.arange(w + 1), e.expected_leakers, atol=1e-8)
    assert_allclose(pmf[0], e.p_zero_common if common else e.p_zero_independent, atol=1e-9)


@given(probs, st.integers(0, 5), probs, st.integers(1, 30), st.integers(0, 100))
def test_invariants(p: float, n: int, q: float, w: int, i: int) -> None:
    e = engage(sspk=p, shots=n, tracking=q, warheads=w, interceptors=i)
    assert 0.0 <= e.expected_leakers <= w
    assert 0.0 <= e.p_zero_independent <= e.p_zero_common + 1e-12
    assert e.p_zero_common <= q + 1e-12  # the common-mode ceiling
    more = engage(sspk=p, shots=n, tracking=q, warheads=w, interceptors=i + 1)
    assert more.expected_leakers <= e.expected_leakers + 1e-12
    assert_allclose(mean_kill_fraction(p, n, q, w, i) * w, e.expected_kills, atol=1e-9)


def test_mean_kill_fraction_with_fractions() -> None:
    # 2.5 warheads, 1 interceptor, shots 2: 0.4 shots each on average -> 0.4 p q
    assert_allclose(mean_kill_fraction(0.5, 2, 0.9, 2.5, 1.0), 0.4 * 0.5 * 0.9)
    assert mean_kill_fraction(0.5, 2, 0.9, 0.0, 1.0) == 0.0
    assert_allclose(mean_kill_fraction(0.5, 2, 1.0, 3.0, None), 0.75)


def test_shots_for_confidence() -> None:
    n = shots_for_confidence(sspk=0.8, tracking=0.95, warheads=10, confidence=0.9)
    assert n == 4
    assert engage(sspk=0.8, shots=4, tracking=0.95, warheads=10).p_zero_common >= 0.9
    assert engage(sspk=0.8, shots=3, tracking=0.95, warheads=10).p_zero_common < 0.9
    assert shots_for_confidence(sspk=0.8, tracking=0.85, warheads=10, confidence=0.9) is None
    assert (
        shots_for_confidence(
            sspk=0.8, tracking=0.99, warheads=20, confidence=0.9, common_mode=False
        )
        is None  # 0.99^20 = 0.82 < 0.9
    )
    assert shots_for_confidence(sspk=1.0, tracking=1.0, warheads=5, confidence=0.5) == 1
    assert shots_for_confidence(sspk=0.0, tracking=1.0, warheads=5, confidence=0.5) is None


@given(st.floats(0.05, 0.95), st.floats(0.9, 1.0), st.integers(1, 50), st.floats(0.05, 0.85))
def test_shots_for_confidence_is_the_minimum(p: float, q: float, w: int, c: float) -> None:
    n = shots_for_confidence(sspk=p, tracking=q, warheads=w, confidence=c)
    assert n is not None
    assert engage(sspk=p, shots=n, tracking=q, warheads=w).p_zero_common >= c - 1e-12
    if n > 1:
        assert engage(sspk=p, shots=n - 1, tracking=q, warheads=w).p_zero_common < c


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sspk": 1.5}, "sspk"),
        ({"tracking": -0.1}, "tracking"),
        ({"warheads": -1}, "warheads"),
        ({"shots": -2}, "shots"),
        ({"interceptors": -3}, "interceptors"),
    ],
)
def test_bad_input(kwargs: dict[str, float], field: str) -> None:
    args: dict[str, float] = {"sspk": 0.5, "shots": 2, "tracking": 1.0, "warheads": 3}
    args.update(kwargs)
    with pytest.raises(BadInput) as info:
        engage(**args)  # type: ignore[arg-type]
    assert info.value.problems[0].path == field


def test_binomial_survivors_handle_the_smallest_normal_probability() -> None:
    # found by hypothesis: scipy's binom.pmf overflows for p = 2.2e-308
    sls = shoot_look_shoot(
        sspk=0.0, first=0, second=0, tracking=2.2250738585072014e-308, warheads=4
    )
    salvo = engage(sspk=0.0, shots=0, tracking=2.2250738585072014e-308, warheads=4)
    assert_allclose(sls.expected_kills, salvo.expected_kills, atol=1e-12)
