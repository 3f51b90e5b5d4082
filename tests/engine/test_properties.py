"""Invariants as hypothesis properties: bounds, symmetry, and equivariance under relabelling."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from security_dilemma.engine import METRICS, simulate
from security_dilemma.lenses import lens_names
from security_dilemma.scenario.schema import Case

from .helpers import DETERMINISTIC, synthetic, trajectory

unit = st.floats(0.0, 1.0)


@st.composite
def cases(draw: st.DrawFn, deterministic: bool = False) -> Case:
    n = draw(st.integers(2, 4))
    milex = draw(st.lists(st.floats(1.0, 1e6), min_size=n, max_size=n))
    if deterministic:
        prior = draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n))
    else:
        prior = draw(st.lists(unit, min_size=n, max_size=n))
    params = {
        "offence_dominance": draw(unit),
        "distinguishability": draw(unit),
        "noise": draw(st.floats(0.0, 0.5)),
        "identity_rate": draw(unit),
        "common_fate": draw(unit),
        "crisis_shock": draw(st.floats(0.0, 2.0)),
        "commitment_rate": draw(unit),
        "alliance_dilemma": draw(unit),
        "crisis_base": draw(st.floats(1e-4, 0.5)),
        "richardson": {
            "k": draw(st.floats(0.0, 2.0)),
            "a": draw(st.floats(0.0, 1.0)),
            "saturation": draw(st.floats(0.0, 5.0)),
            "status_quo": draw(unit),
        },
    }
    if deterministic:
        params |= DETERMINISTIC | {"richardson": {**params["richardson"], "shock": 0.0}}
    identity = draw(st.floats(-1.0, 1.0))
    extra = {
        "alliances": [{"id": "pact", "name": "Pact", "members": ["A0", "A1"]}],
        "interdependence": [{"between": ["A0", "A1"], "value": draw(unit)}],
    }
    return synthetic(
        n, steps=6, milex=milex, prior=prior, identity=identity, parameters=params, extra=extra
    )


@settings(max_examples=25)
@given(case=cases(), lens=st.sampled_from(lens_names()), seed=st.integers(0, 2**31))
def test_every_bounded_metric_stays_in_bounds(case: Case, lens: str, seed: int) -> None:
    result = simulate(case, lens=lens, replicates=3, seed=seed, keep_replicates=True)
    values = result.replicate_values
    assert values is not None and np.all(np.isfinite(values))
    for k, metric in enumerate(result.layout.metrics):
        cells = result.layout.metric_index == k
        v = values[:, cells, :]
        if metric.low is not None:
            assert v.min() >= metric.low - 1e-5, metric.name
        if metric.high is not None:
            assert v.max() <= metric.high + 1e-5, metric.name


@settings(max_examples=20)
@given(case=cases(), lens=st.sampled_from(lens_names()), seed=st.integers(0, 2**31))
def test_crises_are_symmetric(case: Case, lens: str, seed: int) -> None:
    states = trajectory(case, lens, replicates=2, seed=seed)
    from security_dilemma.engine import ReplicateStreams, advance, compile_world, split_draws

    world = compile_world(case, lens, dtype=np.float64)
    streams = ReplicateStreams(seed, 0, 2)
    uniforms = streams.uniforms(world.n, world.steps)
    for t in range(world.steps):
        _, period = advance(
            world.inputs[t], states[t], split_draws(uniforms[t], world.n, np.float64)
        )
        assert_allclose(period.crisis_prob, np.swapaxes(period.crisis_prob, 0, 1), atol=1e-12)
        assert np.array_equal(period.crisis, np.swapaxes(period.crisis, 0, 1))
        assert np.all(period.war <= period.crisis)


@settings(max_examples=20)
@given(case=cases(deterministic=True), lens=st.sampled_from(lens_names()))
def test_relabelling_actors_relabels_the_outcome(case: Case, lens: str) -> None:
    """Without randomness, reversing the actors' order reverses every trajectory."""
    reversed_case = case.model_copy(
        update={
            "actors": list(reversed(case.actors)),
            "capabilities": list(reversed(case.capabilities)),
        }
    )
    a = trajectory(case, lens)
    b = trajectory(reversed_case, lens)
    for sa, sb in zip(a, b, strict=True):
        assert_allclose(sa.effort[::-1], sb.effort, rtol=1e-6, atol=1e-9)
        assert_allclose(sa.identity[::-1, ::-1], sb.identity, rtol=1e-6, atol=1e-9)
        assert_allclose(sa.commitment[::-1, ::-1], sb.commitment, rtol=1e-6, atol=1e-9)


def test_every_metric_has_a_definition() -> None:
    names = [(m.name, m.scope) for m in METRICS]
    assert len(names) == len(set(names))
    assert all(len(m.description) > 15 for m in METRICS)
