"""The engine against an independent agent-based implementation in Mesa 3 (same rules).

The Mesa model (``benchmarks.mesa_model``) applies every rule of docs/model.md state by state
in plain Python; on the same compiled world and the same random numbers it must produce the
same trajectories as the vectorised engine, for every lens. The benchmark's tuned version of
it (``benchmarks.mesa_tuned``) must produce the same numbers as the plain one to the last bit.

The worlds exercise every mechanism: uneven capabilities with given and lens-chosen
allocations, an alliance and a weaker consultation pact (Snyder's risks), two institutions,
interdependence, beliefs away from 0 and 1, friendly and hostile identities, and a third state
that two others both see as their main threat (a shared threat); the geographic world adds
distance (partial reach), a missile and an operational missile-defence site (interception,
deterrent erosion, the first-strike term of the crisis hazard) and missile programmes (flight
tests), in years and in quarters (the test rate per step).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose

from benchmarks.engine import COMPARED, engine_history, synthetic_case
from benchmarks.mesa_model import MesaRun, run_mesa
from benchmarks.mesa_tuned import TunedInputs, run_mesa_tuned
from security_dilemma.engine import World, compile_world
from security_dilemma.lenses import lens_names
from security_dilemma.scenario import parse_case_text

from .helpers import DETERMINISTIC, synthetic

_PARAMETERS = {"offence_dominance": 0.7, "distinguishability": 0.3}

_VARIANT = {
    "offence_dominance": 0.4,
    "distinguishability": 0.6,
    "decisiveness": 1.5,
    "deterrence": 0.5,
    "absolute_security": 0.0,
    "empathy": 0.8,
    "appraisal_level": 0.3,
    "reassurance": 0.2,
    "richardson": {"status_quo": 0.5, "saturation": 0.0},
    "actors": {"A1": {"k": 0.6, "g_greedy": 0.1}},
}
"""The ablation forms and other non-default parameters (a defence-dominant world)."""


def _synthetic_world(
    lens: str, *, deterministic: bool, variant: bool = False, **parameters: float
) -> World:
    params = (dict(DETERMINISTIC) if deterministic else {}) | _PARAMETERS | parameters
    if variant:
        richardson = {**params.get("richardson", {}), **_VARIANT["richardson"]}
        params = {**params, **_VARIANT, "richardson": richardson}
    case = synthetic(
        4,
        steps=8,
        prior=[0.0, 1.0, 0.0, 1.0] if deterministic else 0.4,
        parameters=params,
        extra={
            "capabilities": [
                {"actor": "A0", "milex": 1000.0, "defence_share": 0.6},
                {"actor": "A1", "milex": 2500.0},
                {"actor": "A2", "milex": 400.0, "offence": 300.0, "defence": 150.0},
                {"actor": "A3", "milex": 1800.0},
            ],
            "identities": [
                {"between": ["A0", "A1"], "value": -0.5},
                {"between": ["A0", "A2"], "value": 0.6},
                {"between": ["A0", "A3"], "value": 0.1},
                {"between": ["A1", "A2"], "value": -0.3},
                {"between": ["A1", "A3"], "value": 0.4},
                {"from": "A2", "to": "A3", "value": -0.1},
                {"from": "A3", "to": "A2", "value": 0.2},
            ],
            "beliefs": [
                {"from": "A0", "to": "A1", "greedy": 0.7},
                {"from": "A2", "to": "A1", "greedy": 0.55},
                {"from": "A1", "to": "A3", "greedy": 0.2},
                {"from": "A3", "to": "A0", "greedy": 0.35},
            ],
            "institutions": [
                {
                    "id": "club",
                    "name": "Club",
                    "members": ["A0", "A2"],
                    "transparency": 0.6,
                    "shadow_of_future": 0.9,
                },
                {
                    "id": "forum",
                    "name": "Forum",
                    "members": ["A0", "A1", "A3"],
                    "transparency": 0.3,
                    "shadow_of_future": 0.5,
                },
            ],
            "alliances": [
                {"id": "pact", "name": "Pact", "members": ["A1", "A3"]},
                {
                    "id": "entente",
                    "name": "Entente",
                    "members": ["A0", "A2"],
                    "obligation": "consultation",
                    "commitment": 0.9,
                },
            ],
            "interdependence": [
                {"between": ["A0", "A1"], "value": 0.4},
                {"between": ["A2", "A3"], "value": 0.25},
            ],
        },
    )
    return compile_world(case, lens, dtype=np.float64)


_GEOGRAPHY = """
schema_version: 1
id: shielded
title: Three states, a missile and a shield
span: {{start: 2000, end: {end}, step: {step}}}
actors:
  - {{id: ALF, name: Alfa, capital: "50.0,5.0", prior_greedy: {p0}}}
  - {{id: BRA, name: Bravo, capital: "52.0,12.0", prior_greedy: {p1}}}
  - {{id: CHA, name: Charlie, capital: "53.0,25.0", prior_greedy: {p2}}}
capabilities:
  - {{actor: ALF, milex: 100, defence_share: 0.5}}
  - {{actor: BRA, milex: 80}}
  - {{actor: CHA, milex: 120}}
missiles:
  - {{id: rocket, actor: CHA, name: Rocket, range_km: 1500, launch_areas: ["53.0,25.0"],
     status: deployed}}
  - {{id: draft, actor: BRA, name: Draft, range_km: 3000, launch_areas: ["52.0,12.0"],
     status: in_development}}
defence_sites:
  - {{id: eye, actor: ALF, place: "52.0,12.0", kind: radar, radar_range_km: 2500,
     status: operational}}
  - {{id: shield, actor: ALF, host: BRA, place: "52.0,12.0", kind: interceptor,
     interceptors: 20, sspk: 0.7, flyout_km: 900, status: operational}}
identities:
  - {{between: [ALF, BRA], value: 0.8}}
  - {{between: [ALF, CHA], value: -0.6}}
  - {{between: [BRA, CHA], value: -0.4}}
beliefs:
  - {{from: ALF, to: CHA, greedy: 0.6}}
  - {{from: CHA, to: ALF, greedy: 0.45}}
institutions:
  - {{id: union, name: Union, members: [ALF, BRA], transparency: 0.5, shadow_of_future: 0.8}}
alliances:
  - {{id: bloc, name: Bloc, members: [ALF, BRA], commitment: 0.7}}
interdependence:
  - {{between: [BRA, CHA], value: 0.3}}
parameters: {parameters}
sources:
  - {{id: s, citation: Synthetic test case, kind: assumption}}
"""


def _geographic_world(lens: str, *, deterministic: bool, quarterly: bool = False) -> World:
    params: dict[str, Any] = (dict(DETERMINISTIC) if deterministic else {}) | _PARAMETERS
    priors = (0.0, 0.0, 1.0) if deterministic else (0.3, 0.3, 0.4)
    text = _GEOGRAPHY.format(
        p0=priors[0],
        p1=priors[1],
        p2=priors[2],
        parameters=json.dumps(params),
        end=2001 if quarterly else 2007,
        step="quarter" if quarterly else "year",
    )
    return compile_world(parse_case_text(text, "shielded.yaml"), lens, dtype=np.float64)


def _quarterly_world(lens: str, *, deterministic: bool) -> World:
    return _geographic_world(lens, deterministic=deterministic, quarterly=True)


def _variant_world(lens: str, *, deterministic: bool) -> World:
    return _synthetic_world(lens, deterministic=deterministic, variant=True)


WORLDS = {
    "synthetic": _synthetic_world,
    "geographic": _geographic_world,
    "quarterly": _quarterly_world,
    "variant": _variant_world,
}


def _world(lens: str, *, deterministic: bool, kind: str = "synthetic") -> World:
    return WORLDS[kind](lens, deterministic=deterministic)


def _compare(world: World, mesa: MesaRun, **tolerance: float) -> None:
    engine = engine_history(world)
    off = ~np.eye(world.n, dtype=bool)
    for name in COMPARED:
        ours, reference = engine[name], mesa.array(name)
        if ours.ndim == 3:  # dyadic: compare off-diagonal entries
            ours, reference = ours[:, off], reference[:, off]
        assert_allclose(ours, reference, err_msg=name, **tolerance)


def _bits(run: MesaRun, name: str) -> np.ndarray:
    return run.array(name).view(np.uint64)


def test_the_worlds_exercise_every_mechanism() -> None:
    """The premises of the comparison: what would make a mechanism trivial is not the case."""
    world = _world("pyramid", deterministic=False)
    run = run_mesa(world)
    off = ~np.eye(world.n, dtype=bool)
    belief = run.array("belief")[:, off]
    assert ((belief > 0.01) & (belief < 0.99)).mean() > 0.5
    assert run.array("abandonment").max() > 0.01
    assert run.array("entrapment").max() > 0.01
    assert (run.array("main_threat") == 1).all(axis=0)[[0, 2]].all()  # A0, A2: A1 first
    assert run.array("identity")[:, off].min() < 0 < run.array("identity")[:, off].max()
    assert np.ptp(run.array("share"), axis=0).max() > 0.01
    geo = _world("pyramid", deterministic=False, kind="geographic")
    setting = geo.inputs[0].setting
    assert 0 < setting.reach[~np.eye(geo.n, dtype=bool)].min() < 1
    assert setting.intercept.max() > 0 and setting.erosion.max() > 0
    assert list(setting.programme) == [0, 1, 1]  # Bravo's missile in development counts
    hazard = run_mesa(geo).array("test_hazard")
    assert (hazard[:, 0] == 0).all() and (hazard[:, 1:] > 0.05).all()
    quarterly = run_mesa(_world("pyramid", deterministic=False, kind="quarterly"))
    assert 0 < quarterly.array("test_hazard")[0, 1] < 0.5 * hazard[0, 1]


@pytest.mark.parametrize("kind", list(WORLDS))
@pytest.mark.parametrize("deterministic", [True, False], ids=["deterministic", "shared-draws"])
@pytest.mark.parametrize("lens", lens_names())
def test_engine_matches_mesa(lens: str, deterministic: bool, kind: str) -> None:
    world = _world(lens, deterministic=deterministic, kind=kind)
    _compare(world, run_mesa(world), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("balance", [0.0, 1.0])
def test_engine_matches_mesa_at_the_extreme_balances(balance: float) -> None:
    """Where defence or offence dominates absolutely (what a unit of defence holds is then
    bounded)."""
    world = _synthetic_world("pyramid", deterministic=False, offence_dominance=balance)
    _compare(world, run_mesa(world), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("deterministic", [True, False], ids=["deterministic", "shared-draws"])
@pytest.mark.parametrize("lens", lens_names())
def test_tuned_mesa_model_equals_the_plain_one_bit_for_bit(lens: str, deterministic: bool) -> None:
    for kind in WORLDS:
        world = _world(lens, deterministic=deterministic, kind=kind)
        for replicate in (0, 1):
            plain = run_mesa(world, replicate=replicate)
            tuned = run_mesa_tuned(world, replicate=replicate)
            assert tuned.identical(plain)
            for name in COMPARED:
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
    _compare(world, run_mesa_tuned(world), rtol=0.0, atol=1e-12)


def test_deterministic_configuration_does_not_depend_on_the_seed() -> None:
    world = _world("pyramid", deterministic=True)
    a = run_mesa(world, seed=1)
    b = run_mesa(world, seed=2)
    for name in COMPARED:
        if name not in ("crisis", "war"):  # drawn, but without effect (no crisis shock)
            assert_allclose(a.array(name), b.array(name), err_msg=name)
