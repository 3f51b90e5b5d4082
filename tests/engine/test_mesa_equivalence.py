"""The engine against an independent agent-based implementation in Mesa 3 (same rules).

The Mesa model (``benchmarks.mesa_model``) applies every rule state by state in
plain Python; on the same compiled world and the same random numbers it must produce the
same trajectories as the vectorised engine, for every lens. The benchmark's tuned version of
it (``benchmarks.mesa_tuned``) must produce the same numbers as the plain one to the last bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from benchmarks.engine import engine_periods, synthetic_case
from benchmarks.mesa_model import MesaRun, run_mesa
from benchmarks.mesa_tuned import TunedInputs, run_mesa_tuned
from security_dilemma.engine import compile_world
from security_dilemma.lenses import lens_names

from .helpers import DETERMINISTIC, synthetic


def _world(lens: str, *, deterministic: bool, n: int = 4):
    params = dict(DETERMINISTIC) if deterministic else {}
    params |= {"offence_dominance": 0.7, "distinguishability": 0.3}
    case = synthetic(
        n,
        steps=8,
        milex=[1000.0, 2500.0, 400.0, 1800.0][:n],
        prior=[0.0, 1.0, 0.0, 1.0][:n] if deterministic else 0.4,
        identity=0.2,
        parameters=params,
        extra={
            "institutions": [
                {
                    "id": "club",
                    "name": "Club",
                    "members": ["A0", "A2"],
                    "transparency": 0.6,
                    "shadow_of_future": 0.9,
                }
            ],
            "alliances": [{"id": "pact", "name": "Pact", "members": ["A1", "A3"]}],
            "interdependence": [{"between": ["A0", "A1"], "value": 0.4}],
        },
    )
    return compile_world(case, lens, dtype=np.float64)


QUANTITIES = ("effort", "security", "pressure", "belief", "identity", "commitment",
              "cooperation", "hostility", "crisis_prob")  # fmt: skip


def _compare(periods, mesa: MesaRun, n: int, **tolerance: float) -> None:
    for name in QUANTITIES:
        engine = np.array([getattr(p, name)[..., 0, 0] for p in periods])
        reference = mesa.array(name)
        if engine.ndim == 3:  # dyadic: compare off-diagonal entries
            off = ~np.eye(n, dtype=bool)
            engine, reference = engine[:, off], reference[:, off]
        assert_allclose(engine, reference, err_msg=name, **tolerance)


def _bits(run: MesaRun, name: str) -> np.ndarray:
    return run.array(name).view(np.uint64)


@pytest.mark.parametrize("deterministic", [True, False], ids=["deterministic", "shared-draws"])
@pytest.mark.parametrize("lens", lens_names())
def test_engine_matches_mesa(lens: str, deterministic: bool) -> None:
    world = _world(lens, deterministic=deterministic)
    _compare(engine_periods(world), run_mesa(world), world.n, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("deterministic", [True, False], ids=["deterministic", "shared-draws"])
@pytest.mark.parametrize("lens", lens_names())
def test_tuned_mesa_model_equals_the_plain_one_bit_for_bit(lens: str, deterministic: bool) -> None:
    world = _world(lens, deterministic=deterministic)
    for replicate in (0, 1):
        plain = run_mesa(world, replicate=replicate)
        tuned = run_mesa_tuned(world, replicate=replicate)
        assert tuned.identical(plain)
        for name in QUANTITIES:
            assert np.array_equal(_bits(tuned, name), _bits(plain, name)), f"{lens}: {name}"


def test_tuned_mesa_model_equals_the_plain_one_on_the_benchmark_workload() -> None:
    """The benchmark's world (10 states, single precision, random types and draws), read once
    for several replicates."""
    world = compile_world(synthetic_case(10, 12), "pyramid")
    inputs = TunedInputs.of(world)
    for replicate in range(3):
        plain, tuned = (
            run_mesa(world, replicate=replicate),
            run_mesa_tuned(inputs, replicate=replicate),
        )
        assert tuned.identical(plain)
        assert not tuned.identical(run_mesa(world, replicate=replicate + 1))


@pytest.mark.parametrize("lens", lens_names())
def test_tuned_mesa_model_matches_the_engine_on_the_deterministic_configuration(
    lens: str,
) -> None:
    world = _world(lens, deterministic=True)
    _compare(engine_periods(world), run_mesa_tuned(world), world.n, rtol=0.0, atol=1e-12)


def test_deterministic_configuration_does_not_depend_on_the_seed() -> None:
    world = _world("pyramid", deterministic=True)
    a = run_mesa(world, seed=1).array("effort")
    b = run_mesa(world, seed=2).array("effort")
    assert_allclose(a, b)
