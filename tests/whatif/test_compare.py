"""Paired comparison of a case with its counterfactual worlds: common random numbers, the
paired statistics against hand computation, and the JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from security_dilemma import BadInput
from security_dilemma.engine import ReplicateStreams, compile_world, simulate, uniforms_per_step
from security_dilemma.scenario import Case
from security_dilemma.scenario.schema import Counterfactual
from security_dilemma.whatif.compare import (
    ACTOR_METRICS,
    STATS,
    VERDICTS,
    compare,
    compare_all,
    factual_runs,
    paired_stats,
    verdict,
)
from security_dilemma.whatif.worlds import apply_counterfactual

METRICS = [*ACTOR_METRICS, "crisis_prob"]


def runs(case: Case, lens: str = "realism", n: int = 12, seed: int = 5) -> np.ndarray:
    r = simulate(
        case,
        lens=lens,
        replicates=n,
        seed=seed,
        restraint=False,
        keep_replicates=True,
        metrics=METRICS,
    )
    assert r.replicate_values is not None
    return np.asarray(r.replicate_values)


# --- common random numbers ------------------------------------------------------------


def test_an_empty_world_is_bit_identical_to_the_case(rivals: Case) -> None:
    world = apply_counterfactual(rivals, "nothing")
    for lens in ("realism", "pyramid"):
        assert_array_equal(runs(rivals, lens), runs(world, lens))
    cmp = compare(rivals, "nothing", lens=["realism", "liberalism"], replicates=10, seed=3)
    assert (cmp.frame["mean"] == 0).all() and (cmp.frame["low"] == 0).all()
    assert (cmp.frame["p_below"] == 0).all() and (cmp.frame["p_above"] == 0).all()
    assert_array_equal(cmp.frame["factual"], cmp.frame["counterfactual"])
    assert {cmp.verdict(lens, a) for lens in cmp.lenses for a in cmp.actors} == {"unaffected"}


def test_draws_do_not_depend_on_events_or_sites(rivals: Case) -> None:
    world = apply_counterfactual(rivals, "no-shield")
    a, b = compile_world(rivals, "realism"), compile_world(world, "realism")
    assert (a.n, a.steps, a.dates) == (b.n, b.steps, b.dates)
    assert uniforms_per_step(a.n) == uniforms_per_step(b.n)
    # the streams are a function of (seed, replicate, actors) only
    first = ReplicateStreams(9, 0, 4).uniforms(a.n, a.steps)
    again = ReplicateStreams(9, 0, 4).uniforms(b.n, b.steps)
    assert_array_equal(first, again)


def test_paths_stay_paired_until_the_first_removed_event(rivals: Case) -> None:
    """Dropping the 2005 speech leaves 2000-2004 bit-identical in every replicate, and the
    paths part only from 2005: the two runs meet the same draws step by step."""
    world = apply_counterfactual(
        rivals, Counterfactual(id="no-speech", title="No speech", drop_events=["speech"])
    )
    f, c = runs(rivals, "constructivism"), runs(world, "constructivism")
    assert_array_equal(f[:5], c[:5])
    assert not np.array_equal(f[5:], c[5:])


def test_removing_what_matters_changes_the_outcome(rivals: Case) -> None:
    cmp = compare(rivals, "no-shield", lens="pyramid", replicates=20, seed=0)
    security = cmp.final()
    security = security[security["metric"] == "security"]
    assert (security["p_below"] + security["p_above"] > 0).all()
    assert {cmp.verdict("pyramid", a) for a in cmp.actors} & {"less secure", "more secure"}
    assert cmp.frame[cmp.frame["metric"] == "effort"]["mean"].abs().max() > 1e-4


def test_the_comparison_pairs_replicates_with_their_twins(rivals: Case) -> None:
    cmp = compare(rivals, "no-shield", lens="realism", replicates=10, seed=4)
    f = runs(rivals, "realism", 10, 4)
    w = runs(apply_counterfactual(rivals, "no-shield"), "realism", 10, 4)
    r = simulate(rivals, lens="realism", replicates=1, metrics=METRICS, restraint=False)
    cell = r.layout.find("security", 0, -1)
    d = f[-1, cell].astype(np.float64) - w[-1, cell].astype(np.float64)
    e = cmp.effect("realism", "ALF", "security")
    assert_allclose(e["mean"], d.mean(), rtol=1e-12)
    assert_allclose([e["low"], e["high"]], np.quantile(d, [0.05, 0.95]), rtol=1e-12)
    assert_allclose(e["p_below"], np.mean(d < -1e-5))
    span = cmp.effect("realism", "ALF", "security", step=None)
    assert_allclose(span["mean"], (f[:, cell].astype(float) - w[:, cell]).mean(), rtol=1e-6)


def test_reused_factual_runs_give_the_same_answer(rivals: Case) -> None:
    once = compare(rivals, "no-shield", lens=["realism", "pyramid"], replicates=8, seed=2)
    base = factual_runs(rivals, ["realism", "pyramid"], replicates=8, seed=2)
    again = compare(
        rivals, "no-shield", lens=["realism", "pyramid"], replicates=8, seed=2, factual=base
    )
    assert once.frame.equals(again.frame)
    (both,) = compare_all(rivals, ["no-shield"], lens=["realism", "pyramid"], replicates=8, seed=2)
    assert both.frame.equals(once.frame)
    alone = compare(rivals, "no-shield", lens="pyramid", replicates=8, seed=2)
    pyramid = once.frame[once.frame["lens"] == "pyramid"].reset_index(drop=True)
    assert alone.frame.equals(pyramid)  # a lens's intervals do not depend on the others'
    assert alone.span.equals(once.span[once.span["lens"] == "pyramid"].reset_index(drop=True))
    with pytest.raises(BadInput, match="seed 2, not 8 and 3"):
        compare(
            rivals, "no-shield", lens=["realism", "pyramid"], replicates=8, seed=3, factual=base
        )


def test_bad_settings_and_unknown_worlds(rivals: Case) -> None:
    with pytest.raises(
        BadInput, match=r"unknown counterfactual 'no-shild'.*did you mean 'no-shield'"
    ):
        compare(rivals, "no-shild", lens="realism", replicates=4)
    with pytest.raises(BadInput, match="replicates must be an integer >= 2"):
        compare(rivals, "no-shield", lens="realism", replicates=1)
    with pytest.raises(BadInput, match="unknown event 'speach'"):
        compare_all(
            rivals, [Counterfactual(id="x", title="x", drop_events=["speach"])], replicates=4
        )


def test_the_json_is_complete_and_strict(rivals: Case) -> None:
    cmp = compare(rivals, "no-shield", lens=["realism", "case"], replicates=6, seed=1)
    doc = cmp.to_json()
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text) == doc
    assert doc["lenses"] == ["realism", "case"]
    assert doc["counterfactual"]["dropped_sites"] == [{"id": "shield", "name": "shield"}]
    alf = doc["effects"]["realism"]["ALF"]
    assert set(alf) == {
        *ACTOR_METRICS,
        "crisis_prob",
        "p_less_secure",
        "verdict",
        "span",
        "span_verdict",
    }
    assert set(alf["security"]) == set(STATS)
    assert alf["verdict"] in VERDICTS and alf["span_verdict"] in VERDICTS
    assert set(alf["crisis_prob"]) == set(doc["adversaries"]["realism"]["ALF"])
    assert len(doc["series"]["case"]["CHA"]["security"]["mean"]) == len(doc["dates"]) == 8


# --- the statistics ---------------------------------------------------------------------


def test_paired_stats_by_hand() -> None:
    f = np.array([[3.0, 4.0, 6.0, 7.0, 1.0]])
    c = np.array([[1.0, 2.0, 3.0, 4.0, 1.0 + 5e-6]])
    s = paired_stats(f, c, resamples=400, rng=1)
    d = np.array([2.0, 2.0, 3.0, 3.0, -5e-6])
    assert_allclose(s["mean"], [d.mean()])
    # numpy's linear rule: position 0.05 * 4 = 0.2 between the sorted -5e-6 and 2
    assert_allclose(s["low"], [-5e-6 + 0.2 * (2.0 + 5e-6)])
    assert_allclose(s["high"], [3.0])
    assert s["p_below"][0] == 0.0  # -5e-6 is within the tolerance
    assert s["p_above"][0] == 0.8
    assert_allclose(s["factual"], [4.2]) and assert_allclose(
        s["counterfactual"], [f.mean() - d.mean()]
    )
    constant = paired_stats([[2.0, 2.0, 2.0]], [[0.5, 0.5, 0.5]], resamples=50)
    assert_allclose([constant["ci_low"][0], constant["ci_high"][0]], [1.5, 1.5])


def test_bootstrap_interval_matches_the_normal_theory_for_a_large_sample() -> None:
    rng = np.random.default_rng(0)
    d = rng.normal(0.3, 2.0, size=4000)
    s = paired_stats(d[None, :], np.zeros((1, 4000)), resamples=2000, rng=7)
    half = 1.6449 * d.std(ddof=1) / np.sqrt(d.size)
    assert_allclose(s["ci_low"][0], d.mean() - half, atol=0.15 * half)
    assert_allclose(s["ci_high"][0], d.mean() + half, atol=0.15 * half)


@given(
    st.lists(st.floats(-1, 1, allow_nan=False), min_size=2, max_size=30),
    st.integers(0, 2**16),
)
def test_paired_stats_properties(values: list[float], seed: int) -> None:
    f = np.array([values])
    c = np.roll(f, 1, axis=-1) * 0.5
    s = paired_stats(f, c, resamples=64, rng=seed)
    assert s["low"][0] <= s["mean"][0] + 1e-12 and s["mean"][0] <= s["high"][0] + 1e-12
    assert s["ci_low"][0] <= s["mean"][0] <= s["ci_high"][0]
    assert 0 <= s["p_below"][0] + s["p_above"][0] <= 1
    flipped = paired_stats(c, f, resamples=64, rng=seed)
    assert_allclose(flipped["mean"], -s["mean"], atol=1e-12)
    assert_allclose(flipped["p_below"], s["p_above"])


def test_verdicts() -> None:
    base = dict.fromkeys(STATS, 0.0)
    assert verdict(base) == "unaffected"
    assert verdict({**base, "p_below": 0.9, "ci_low": -0.2, "ci_high": -0.1}) == "less secure"
    assert verdict({**base, "p_above": 0.9, "ci_low": 0.1, "ci_high": 0.2}) == "more secure"
    assert verdict({**base, "p_above": 0.5, "ci_low": -0.1, "ci_high": 0.2}) == "no clear change"
    with pytest.raises(ValueError, match="paired arrays"):
        paired_stats([1.0, 2.0], [1.0])
