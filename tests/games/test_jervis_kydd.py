"""Jervis's four worlds and Kydd's reassurance game, checked by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from security_dilemma.errors import BadInput
from security_dilemma.games import JervisParams, four_worlds, jervis_game, reassurance, world


def test_the_four_worlds_are_jervis_s():
    w1, w2, w3, w4 = four_worlds()
    assert (w1.number, w1.game_name, w1.description) == (
        1,
        "Prisoner's Dilemma",
        "doubly dangerous",
    )
    assert w1.outcomes == ("arms race (D,D)",) and w1.dilemma
    assert w2.game_name == "Stag Hunt" and "mutual restraint (C,C)" in w2.outcomes
    assert w3.game_name == "Chicken" and not w3.dilemma
    assert (w4.game_name, w4.description) == ("Harmony", "doubly safe")
    assert w4.outcomes == ("mutual restraint (C,C)",)
    # greed = T - R and fear = P - S, by hand for world 1 (offence 0.75, d = 0):
    # R = 2, T = 2 + 2 * 0.5 = 3, S = -3 * 1.5 * 1 = -4.5, P = -1.
    assert w1.rstp == (2.0, -4.5, 3.0, -1.0)
    assert (w1.greed, w1.fear) == (1.0, 3.5)
    assert w4.greed < 0 and w4.fear < 0


@given(
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.floats(0.01, 5),
    st.floats(0.01, 5),
)
def test_offence_feeds_greed_and_fear_distinguishability_calms_fear(o1, o2, d, t, c):
    lo, hi = sorted((o1, o2))
    base = JervisParams(temptation=t, exploitation_cost=c)
    a = world(dataclasses.replace(base, offence=lo, distinguishability=d))
    b = world(dataclasses.replace(base, offence=hi, distinguishability=d))
    assert b.greed >= a.greed - 1e-12 and b.fear >= a.fear - 1e-12
    more = world(dataclasses.replace(base, offence=hi, distinguishability=min(1.0, d + 0.1)))
    assert more.fear <= b.fear + 1e-12 and more.greed == b.greed


def test_jervis_bad_parameters():
    with pytest.raises(BadInput) as err:
        jervis_game(JervisParams(gain=-1, offence=2))
    assert {p.path for p in err.value.problems} == {"gain", "offence"}


def test_separating_equilibrium_and_trust_threshold_by_hand():
    # Receiver: reward 3, sucker -2, punishment 0 -> trusts iff belief >= (0+2)/(3+2) = 0.4.
    r = reassurance(prior=0.3, cost=2.0)
    assert_allclose(r.trust_threshold, 0.4)
    assert r.cost_window == (1.0, 3.0)
    sep, pool = r.equilibria
    assert sep.kind == "separating" and r.reassurance_possible
    assert (sep.signal_trustworthy, sep.signal_untrustworthy) == (1.0, 0.0)
    assert sep.payoff_trustworthy == 1.0  # 3 - 2
    # receiver: 0.3 * 3 (trusts the trustworthy) + 0.7 * 0 (does not trust the greedy)
    assert_allclose(sep.payoff_receiver, 0.9)
    # Pooling on distrust exists but fails the intuitive criterion in the cost window.
    assert pool.kind == "pooling-no-signal-distrust" and not pool.intuitive


def test_semi_separating_equilibrium_by_bayes_rule():
    prior, cost = 0.3, 0.5
    r = reassurance(prior, cost)
    kinds = [e.kind for e in r.equilibria]
    assert kinds == ["pooling-no-signal-distrust", "semi-separating"]
    semi = r.equilibria[1]
    sigma = semi.signal_untrustworthy
    assert_allclose(sigma, 0.3 * 0.6 / (0.7 * 0.4))  # = 9/14
    posterior = prior / (prior + (1 - prior) * sigma)
    assert_allclose(posterior, r.trust_threshold)  # the receiver is exactly indifferent
    assert_allclose(semi.trust_after_signal, cost / 1.0)  # greedy type indifferent: q * 1 = cost
    assert not r.reassurance_possible


def test_high_prior_needs_no_signal_and_expensive_signals_pool():
    r = reassurance(prior=0.6, cost=0.5)
    assert [e.kind for e in r.equilibria] == ["pooling-no-signal-trust", "pooling-signal-trust"]
    r = reassurance(prior=0.3, cost=4.0)  # too costly even for a security seeker
    assert [e.kind for e in r.equilibria] == ["pooling-no-signal-distrust"]
    assert r.equilibria[0].intuitive


@given(st.floats(0.01, 0.99), st.floats(0.0, 6.0))
def test_reassurance_regions_partition_sensibly(prior, cost):
    r = reassurance(prior, cost)
    kinds = {e.kind for e in r.equilibria}
    assert ("separating" in kinds) == (1.0 <= cost <= 3.0)
    assert ("pooling-no-signal-trust" in kinds) == (prior >= 0.4)
    assert ("semi-separating" in kinds) == (prior < 0.4 and 0 < cost < 1.0)
    for e in r.equilibria:
        for v in (e.signal_trustworthy, e.signal_untrustworthy, e.trust_after_signal):
            assert 0.0 <= v <= 1.0
    assert any(e.intuitive for e in r.equilibria)


def test_reassurance_bad_input():
    with pytest.raises(BadInput) as err:
        reassurance(prior=1.5, cost=-1, reward=0, sucker=1)
    assert {p.path for p in err.value.problems} == {"prior", "cost", "reward"}
    with pytest.raises(BadInput, match="finite"):
        reassurance(prior=np.nan, cost=1)
