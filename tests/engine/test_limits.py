"""Limiting cases the model must get right (docs/model.md, "Limiting cases").

* no threat (no state can reach another): nobody arms, under every lens;
* friends under constructivism: an arms build-up by one of them draws no response;
* defence dominant and distinguishable: a build-up dies away; offence dominant and
  indistinguishable: it spirals.
"""

from __future__ import annotations

import numpy as np
import pytest

from security_dilemma.engine import simulate
from security_dilemma.lenses import lens_names
from security_dilemma.scenario.schema import Case

from .helpers import DETERMINISTIC, synthetic, trajectory

IMPULSE = [
    {
        "date": "2002-06",
        "effects": [{"type": "capability", "actor": "A0", "field": "milex", "factor": 1.5}],
    }
]


def far_apart(status_quo: float, prior: float = 0.0) -> Case:
    """Australia, Iceland and Chile with a 1 km loss-of-strength distance: no reach at all."""
    actors = [{"id": c, "name": c, "iso3": c, "prior_greedy": prior} for c in ("AUS", "ISL", "CHL")]
    return Case.model_validate(
        {
            "id": "far",
            "title": "Far apart",
            "span": {"start": 2000, "end": 2029},
            "actors": actors,
            "capabilities": [{"actor": a["id"], "milex": 1000.0} for a in actors],
            "parameters": {
                "projection_km": 1.0,
                "offence_dominance": 0.9,
                "distinguishability": 0.0,
                "richardson": {"shock": 0.0, "status_quo": status_quo},
            },
        }
    )


@pytest.mark.parametrize("lens", lens_names())
def test_no_threat_no_arming(lens: str) -> None:
    result = simulate(far_apart(1.0), lens=lens, replicates=20, seed=1, restraint=False)
    frame = result.tidy()
    threat = frame[(frame.metric == "threat") & (frame.counterpart == "")]
    assert threat["q95"].max() < 1e-6
    arming = frame[frame.metric == "arming"]
    assert arming["mean"].max() == 0.0
    effort = frame[frame.metric == "effort"]
    assert effort["q95"].max() <= 1.0 + 1e-6


def test_without_threat_only_greed_arms() -> None:
    result = simulate(far_apart(1.0, prior=0.5), lens="realism", replicates=200, seed=2)
    frame = result.tidy()
    last = frame[frame.step == frame.step.max()]
    effort = last[last.metric == "effort"]["mean"].to_numpy()
    motive = last[last.metric == "motive"]["mean"].to_numpy()
    # mean effort = 1 + P(greedy) * (drift accumulated by a greedy type) > 1
    assert np.all(effort > 1.0) and np.all(np.abs(motive - 0.5) < 0.1)


def test_no_threat_pure_richardson_decays_to_grievance_level() -> None:
    states = trajectory(far_apart(0.0), "realism")
    effort = np.array([s.effort[:, 0] for s in states])
    assert np.all(np.diff(effort, axis=0) <= 1e-12)  # never rises
    # the seekers' level g / a = 0.02 / 0.2 = 0.1 (greedy types: 0.08 / 0.2 = 0.4)
    motive = states[0].motive[:, 0]
    target = np.where(motive > 0, 0.4, 0.1)
    np.testing.assert_allclose(effort[-1], target, atol=0.01)


def _impulse_case(
    identity: float, offence: float, distinguishable: float, lens: str, n: int = 2
) -> Case:
    params = {
        **DETERMINISTIC,
        "offence_dominance": offence,
        "distinguishability": distinguishable,
        "lenses": {"realism": {"worst_case": 0.8}},
    }
    return synthetic(n, steps=40, identity=identity, parameters=params, events=IMPULSE, lens=lens)


def _efforts(case: Case) -> np.ndarray:
    return np.array([s.effort[:, 0] for s in trajectory(case)])


def test_friends_under_constructivism_do_not_spiral() -> None:
    effort = _efforts(_impulse_case(1.0, 0.9, 0.0, "constructivism", n=3))
    others = effort[:, 1:]
    np.testing.assert_allclose(others, 1.0, atol=1e-9)  # no response at all
    assert effort[-1, 0] < effort[3, 0]  # the build-up itself fades (fatigue)


def test_enemies_under_constructivism_spiral() -> None:
    """Between enemies the build-up spreads and stays: the other arms in response and both end
    well above their start (with saturation the race levels off instead of exploding), while
    between friends the same build-up fades (above)."""
    effort = _efforts(_impulse_case(-1.0, 0.9, 0.0, "constructivism"))
    assert effort[6, 1] > 1.05  # the other responds
    assert np.all(effort[-1] > 1.1)  # both stay armed: a spiral that levels off
    assert effort[-1, 0] > 1.0 + 0.4 * 0.8**36  # far above what fatigue leaves of the build-up


def test_defence_dominant_and_distinguishable_dampens() -> None:
    effort = _efforts(_impulse_case(0.0, 0.1, 1.0, "realism"))
    assert effort[:, 1:].max() < 1.01  # hardly any response
    assert abs(effort[-1, 0] - 1.0) < 0.01  # and the build-up dies away


def test_offence_dominant_and_indistinguishable_spirals() -> None:
    effort = _efforts(_impulse_case(0.0, 0.9, 0.0, "realism"))
    assert effort[-1, 1] > 1.1  # the other arms in response
    assert np.all(np.diff(effort[20:], axis=0) > 0)  # both keep arming: escalation


def test_spiral_ordering_over_jervis_worlds() -> None:
    """Final total effort: doubly dangerous > mixed worlds > doubly safe."""
    total = {
        (o, d): _efforts(_impulse_case(0.0, o, d, "realism"))[-1].sum()
        for o in (0.1, 0.9)
        for d in (0.0, 1.0)
    }
    assert total[(0.9, 0.0)] > total[(0.9, 1.0)] > total[(0.1, 1.0)]
    assert total[(0.9, 0.0)] > total[(0.1, 0.0)] > total[(0.1, 1.0)] - 1e-9


@pytest.mark.parametrize("lens", ["realism", "pyramid"])
def test_noise_alone_rarely_counts_as_arming(lens: str) -> None:
    """Security seekers with the default effort shocks and nothing to fear: 'armed' (10% above
    the start) and 'arming' (5% in a period) fire in well under 1% and 2% of replicate-years;
    thresholds at 1% fired in over a third."""
    result = simulate(
        far_apart(1.0),
        lens=lens,
        replicates=300,
        seed=5,
        restraint=False,
        overrides={"richardson.shock": 0.02},
    )
    frame = result.tidy()
    armed = frame[frame.metric == "armed"]["mean"].mean()
    arming = frame[frame.metric == "arming"]["mean"].mean()
    assert armed < 0.01 and arming < 0.02, (armed, arming)
