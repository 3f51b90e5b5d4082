"""Bayesian beliefs against hand computation, and Kydd's costly-signal threshold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from security_dilemma.engine import ReplicateStreams, signal_update, simulate, split_draws

from .helpers import synthetic, trajectory


def test_one_bayesian_update_by_hand() -> None:
    """One update of 0's belief about 1 (docs/model.md 4.5) against hand computation. At the
    first step every state feels the pressure it felt at the start, so a security seeker keeps
    its effort (1) and allocation (the lens's target, 0.6 for a liberal at a neutral balance);
    a greedy type adds its extra drive and leans its allocation to offence."""
    sigma, gap, delta, seed = 0.2, 0.06, 0.5, 4
    params = {
        "noise": sigma,
        "empathy": 1.0,
        "distinguishability": delta,
        "richardson": {"g": 0.02, "g_greedy": 0.02 + gap, "shock": 0.0},
    }
    case = synthetic(2, steps=2, prior=[0.3, 0.4], parameters=params)
    states = trajectory(case, "liberalism", replicates=3, seed=seed)
    streams = ReplicateStreams(seed, 0, 3)
    motives = streams.motives(2)
    draws = split_draws(streams.uniforms(2, 1)[0], 2, np.float64)
    share, greedy_share = 0.6, 0.6 + 0.3 * (0.6 - 0.2 - 0.6)  # allocation_rate 0.3, lean 0.2
    seeker = 1.0 * (1 - delta * share)
    greedy = (1.0 + gap) * (1 - delta * greedy_share)
    d = greedy - seeker
    for r in range(3):
        is_greedy = motives[r, 1] < 0.4
        y = (greedy if is_greedy else seeker) + sigma * draws.observation[0, 1, r]
        llr = d * (y - seeker - d / 2) / sigma**2
        prior = 0.4
        posterior = prior * math.exp(llr) / (prior * math.exp(llr) + 1 - prior)
        assert_allclose(states[1].belief[0, 1, r], posterior, rtol=1e-9)
        assert_allclose(states[1].log_odds[0, 1, r], math.log(prior / (1 - prior)) + llr)


def test_beliefs_learn_the_truth_and_institutions_speed_learning() -> None:
    params = {"noise": 0.15}
    club = {
        "institutions": [
            {
                "id": "club",
                "name": "Club",
                "members": ["A0", "A1", "A2"],
                "transparency": 0.8,
                "shadow_of_future": 0.5,
            }
        ]
    }
    errors, entropy = {}, {}
    for label, extra in (("apart", {}), ("members", club)):
        case = synthetic(3, steps=10, prior=0.5, parameters=params, extra=extra)
        result = simulate(case, replicates=300, seed=1, restraint=False)
        frame = result.tidy()
        actor = frame[frame.counterpart == ""]
        errors[label] = actor[actor.metric == "misperception"].groupby("step")["mean"].mean()
        entropy[label] = actor[actor.metric == "belief_entropy"].groupby("step")["mean"].mean()
    assert entropy["apart"].iloc[-1] < 0.8 * entropy["apart"].iloc[0]  # uncertainty falls
    assert errors["apart"].iloc[-1] < 0.35  # better than a coin
    assert errors["members"].iloc[-1] < 0.5 * errors["apart"].iloc[-1]  # transparency helps


def test_no_noise_reveals_types_at_once() -> None:
    """Exact observation of moves whose seeker and greedy versions differ reveals the type."""
    params = {"noise": 0.0, "empathy": 1.0, "richardson": {"shock": 0.0}}
    case = synthetic(3, steps=3, prior=[0.0, 1.0, 0.5], parameters=params)
    states = trajectory(case, "realism", replicates=5)
    motive = states[0].motive
    after = states[1].belief
    for i in range(3):
        for j in range(3):
            if i != j:
                assert_allclose(after[i, j], motive[j], atol=1e-8)


def _signal_case(cost: float, kind: str, forced: bool = True):
    params = {
        "noise": 0.1,
        "signal_threshold": 0.1,
        "signal_bluff": 0.2,
        "signal_tremble": 0.0,
        "greedy_offence": 0.0,  # with the next line: both types move alike (no information)
        "richardson": {"g": 0.03, "g_greedy": 0.03, "shock": 0.0},
    }
    effect = {"type": "signal", "actor": "A1", "to": ["A0"], "cost": cost, "kind": kind}
    event = {"date": 2001, "effects": [effect | {"forced": forced}]}
    return synthetic(2, steps=3, prior=0.5, parameters=params, events=[event])


@pytest.mark.parametrize("cost", [0.0, 0.05, 0.1])
def test_cheap_signals_change_nothing(cost: float) -> None:
    states = trajectory(_signal_case(cost, "cooperation_offer"), "realism")
    assert_allclose([s.belief[0, 1, 0] for s in states], 0.5)


def test_a_forced_signal_above_the_threshold_moves_beliefs_by_its_likelihood() -> None:
    """The case records that the signal was sent: every replicate's recipient updates by the
    likelihood ratio P(sent | greedy) / P(sent | seeker) = bluff / 1."""
    states = trajectory(_signal_case(0.2, "cooperation_offer"), "realism")
    beliefs = [s.belief[0, 1, 0] for s in states]
    expected = 0.5 * 0.2 / (0.5 * 0.2 + 0.5)  # a greedy sender sends it with prob 0.2
    assert_allclose(beliefs, [0.5, 0.5, expected, expected], rtol=1e-9)
    assert_allclose(states[1].belief[1, 0, 0], 0.5)  # only the recipient learns


def test_a_signal_is_a_move_its_senders_type_chooses() -> None:
    """Not forced, a costly conciliatory signal is sent by every security seeker and by a
    greedy type only with the bluff probability; not sending it reveals greed."""
    states = trajectory(_signal_case(0.2, "cooperation_offer", forced=False), "realism",
                        replicates=400, seed=3)  # fmt: skip
    greedy = states[0].motive[1] > 0.5
    after = states[2].belief[0, 1]
    sent = np.isclose(after, 0.5 * 0.2 / (0.5 * 0.2 + 0.5))
    assert np.all(sent[~greedy])  # every seeker sent it
    assert np.all(after[greedy & ~sent] == pytest.approx(1.0))  # a greedy type that did not
    assert 0.1 < sent[greedy].mean() < 0.3  # bluffs about a fifth of the time


def test_costly_threats_reveal_greed_and_restraint_is_paid_for() -> None:
    threat = trajectory(_signal_case(0.3, "threat"), "realism")
    assert_allclose(threat[2].belief[0, 1, 0], 0.5 / (0.5 + 0.5 * 0.2))
    restraint = trajectory(_signal_case(0.3, "restraint"), "realism")
    free = trajectory(_signal_case(0.0, "restraint"), "realism")
    # the sender cut its effort by 30% at the start of the signal's step, then fatigue
    # (a = 0.2) pulls it a fifth of the way back to its status quo: 0.7 + 0.2 * 0.3
    drop = restraint[2].effort[1, 0] / free[2].effort[1, 0]
    assert_allclose(drop, 0.76, rtol=1e-9)


def test_signal_update_is_bayes() -> None:
    b = np.linspace(0.05, 0.95, 7)
    assert_allclose(signal_update(b, 0.5, "reassurance", 0.2, 0.1), b * 0.1 / (b * 0.1 + 1 - b))
    assert_allclose(signal_update(b, 0.2, "reassurance", 0.2, 0.1), b)  # at the threshold: cheap
