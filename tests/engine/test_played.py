"""Played actors in the engine: the override, relensed worlds, draws per step."""

from __future__ import annotations

import numpy as np
import pytest

from security_dilemma.engine.draws import ReplicateStreams, split_draws, step_uniforms
from security_dilemma.engine.run import run_world
from security_dilemma.engine.step import Override, advance
from security_dilemma.engine.world import compile_world, relens
from security_dilemma.scenario import load_case


@pytest.mark.parametrize("lens", ["realism", {"USA": "constructivism", "RUS": "liberalism"}])
def test_a_relensed_world_is_the_compiled_one(lens: str | dict[str, str]) -> None:
    """Relensing a compiled world gives the run of compiling the case with those lenses, bit
    for bit (a case whose actors start at their lens's target, so the start is settled
    again)."""
    case = load_case("bmd-europe")
    base = compile_world(case, None)
    fresh = compile_world(case, lens)
    changed = relens(base, lens)
    assert changed.lenses == fresh.lenses != base.lenses
    assert not np.array_equal(changed.start["share"], base.start["share"])
    for name in ("share", "offence", "defence"):
        assert np.array_equal(changed.start[name], fresh.start[name])
    one = run_world(changed, replicates=6, seed=2, keep_replicates=True)
    two = run_world(fresh, replicates=6, seed=2, keep_replicates=True)
    assert one.replicate_values is not None and two.replicate_values is not None
    assert np.array_equal(one.replicate_values, two.replicate_values)
    assert relens(base, None) is base


def _first_step(world, override=None):  # type: ignore[no-untyped-def]
    streams = ReplicateStreams(4, 0, 1)
    state = world.initial_state(streams.motives(world.n))
    draws = split_draws(step_uniforms(4, 0, world.n, 0), world.n, world.dtype)
    return state, advance(world.inputs[0], state, draws, override)


def test_an_empty_override_changes_nothing_and_a_played_one_applies() -> None:
    world = compile_world(load_case("bmd-europe"), None)
    state, (plain, _) = _first_step(world)
    none = Override.none(world.n, 1, world.dtype)
    _, (same, _) = _first_step(world, none)
    for a, b in zip(plain, same, strict=True):
        assert np.array_equal(a, b)
    played = Override.none(world.n, 1, world.dtype)
    played.effort[0] = 0.5
    played.share[0] = 1.0
    played.cooperation[0, 1] = 0.0
    played.desire[0, 2] = 1.0
    _, (nxt, period) = _first_step(world, played)
    assert nxt.effort[0, 0] == pytest.approx(state.effort[0, 0] + 0.5)
    assert nxt.share[0, 0] > state.share[0, 0]
    assert period.cooperation[0, 1, 0] == 0.0 and period.desire[0, 2, 0] == 1.0
    assert np.array_equal(nxt.effort[1:], plain.effort[1:])  # others decide as before...
    assert not np.array_equal(nxt.log_odds[1:, 0], plain.log_odds[1:, 0])  # ...and judge it


def test_judged_with_the_lenses_hostility_is_the_assessment() -> None:
    """``judged`` is the engine's assessment with another hostility: given the lenses' own, it
    gives their threat and security; given beliefs, threat scales with them."""
    from security_dilemma.engine.step import assess, judged, perceive

    world = compile_world(load_case("bmd-europe"), None)
    state = world.initial_state(ReplicateStreams(4, 0, 1).motives(world.n))
    inputs = world.inputs[0]
    sight = perceive(inputs.params, inputs.setting, state)
    assess(inputs.params, inputs.setting, state, sight)
    same = judged(inputs.setting, state, sight, sight.appraisal.hostility)
    assert np.array_equal(same.threat, sight.appraisal.threat)
    assert np.array_equal(same.security, sight.appraisal.security)
    sure = judged(inputs.setting, state, sight, np.ones_like(state.belief))
    doubt = judged(inputs.setting, state, sight, np.full_like(state.belief, 0.5))
    assert np.allclose(doubt.threat, 0.5 * sure.threat, rtol=1e-5)
    assert (sure.security <= doubt.security).all()
