"""The step calls the compiled kernels' entry points, not numba's dispatcher (which costs about
10 us a call resolving the records' types): the results are the dispatcher's bit for bit, and a
record of another layout is refused where it enters instead of being read silently."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from security_dilemma.engine import ReplicateStreams, compile_world, kernels, split_draws

from .helpers import synthetic

step = importlib.import_module("security_dilemma.engine.step")


def _start(lens: str = "pyramid", dtype: Any = np.float32) -> tuple[Any, Any, Any]:
    world = compile_world(synthetic(3, steps=2, prior=0.3, identity=-0.2), lens, dtype=dtype)
    streams = ReplicateStreams(1, 0, 4)
    state = world.initial_state(streams.motives(world.n))
    draws = split_draws(streams.uniforms(world.n, 1)[0], world.n, dtype)
    return world.inputs[0], state, draws


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_entry_points_compute_what_the_dispatcher_computes(dtype: Any) -> None:
    inputs, state, _ = _start(dtype=dtype)
    step.perceive(inputs.params, inputs.setting, state)  # compiles
    ours, theirs = (
        step.Appraisal._make(np.zeros_like(a) for a in step.Appraisal.empty(3, 4, dtype))
        for _ in range(2)
    )
    kernels.compiled(dtype).perceive(state, inputs.setting, ours)
    kernels.perceive(state, inputs.setting, theirs)  # the dispatcher
    assert np.any(ours.attack != 0)
    for a, b in zip(ours, theirs, strict=True):
        assert_array_equal(a, b)


@pytest.mark.parametrize("lens", ["realism", "liberalism", "constructivism", "pyramid"])
def test_a_lens_kernel_gives_the_same_decisions_on_every_call(lens: str) -> None:
    inputs, state, _ = _start(lens)
    sight = step.perceive(inputs.params, inputs.setting, state)
    step.assess(inputs.params, inputs.setting, state, sight)
    first = step.decide(inputs.params, inputs.setting, state, sight)  # the dispatcher
    again = step.decide(inputs.params, inputs.setting, state, sight)  # the cached entry point
    for a, b in zip(first, again, strict=True):
        assert_array_equal(a, b)


def test_a_state_that_is_not_c_contiguous_is_refused_by_name() -> None:
    inputs, state, draws = _start()
    turned = state.replace(identity=np.swapaxes(state.identity.copy(), 0, 1))
    assert not turned.identity.flags.c_contiguous
    with pytest.raises(TypeError, match=r"State\.identity must be a C-contiguous 3-d array"):
        step.advance(inputs, turned, draws)


def test_a_field_of_another_dtype_or_shape_is_refused() -> None:
    inputs, state, draws = _start()
    with pytest.raises(TypeError, match=r"State\.share .* float32 \(got float64, 2-d\)"):
        step.advance(inputs, state.replace(share=state.share.astype(np.float64)), draws)
    with pytest.raises(TypeError, match=r"Draws\.observation must be a C-contiguous 3-d"):
        step.advance(inputs, state, draws._replace(observation=draws.observation[0]))
