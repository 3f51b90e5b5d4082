"""Every registered lens passes the same checks: its metadata is true and its rules behave.

* metadata: a name, title, description, citations and parameters whose defaults lie within
  their bounds, including ``k`` (the reaction multiplier every lens declares);
* rules: outputs have the right shapes, lie in [0, 1], are deterministic, leave their inputs
  untouched, and are row-local (an observer's decisions depend on its own row only, so the
  engine can mix lenses by actor);
* every declared parameter is used: changing it changes some rule's output (``k`` is checked
  through a simulation, since the engine applies it).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
import pytest

from security_dilemma.engine import simulate
from security_dilemma.lenses import (
    Assessment,
    LensParams,
    Perception,
    get_lens,
    lens_names,
    lens_parameters,
)
from security_dilemma.lenses.base import READABLE, Lens

from ..engine.helpers import synthetic

N, C, B = 5, 2, 3


def perception(seed: int) -> tuple[Perception, Assessment]:
    rng = np.random.default_rng(seed)

    def dyadic(lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
        a = rng.uniform(lo, hi, (N, N, C, B)).astype(np.float32)
        return a

    def static() -> np.ndarray:
        a = rng.uniform(0, 1, (N, N, 1, 1)).astype(np.float32)
        return (a + np.swapaxes(a, 0, 1)) / 2

    cap = rng.uniform(0.1, 3, (N, C, B)).astype(np.float32)
    commitment, cooperation = dyadic(), dyadic()
    p = Perception(
        belief=dyadic(),
        identity=dyadic(-1, 1),
        commitment=commitment,
        commitment_in=np.swapaxes(commitment, 0, 1),
        cooperation=cooperation,
        cooperation_in=np.swapaxes(cooperation, 0, 1),
        attack=dyadic(0, 3),
        capability=cap,
        own_capability=cap,
        transparency=static(),
        shadow=static(),
        treaty=static(),
        interdependence=static(),
        offence_dominance=float(rng.uniform()),
        distinguishability=float(rng.uniform()),
    )
    hostility = dyadic()
    main = rng.integers(-1, N, (N, C, B))
    a = Assessment(
        hostility=hostility,
        threat=hostility * p.attack,
        security=rng.uniform(0.1, 1, (N, C, B)).astype(np.float32),
        shared_threat=(rng.uniform(size=(N, N, C, B)) < 0.3).astype(np.float32),
        main_threat=main,
    )
    return p, a


def params_for(lens: Lens, **changes: float) -> LensParams:
    every = {name: lens_parameters(name) for name in lens_names()}
    every[lens.name] = {**every[lens.name], **changes}
    return LensParams(lens.name, every[lens.name], every)


def outputs(lens: Lens, p: Perception, a: Assessment, q: LensParams) -> dict[str, np.ndarray]:
    return {
        "hostility": np.asarray(lens.hostility(p, q)),
        "cooperation": np.asarray(lens.cooperation(p, a, q)),
        "allocation": np.asarray(lens.allocation(p, a, q)),
        "commitment": np.asarray(lens.commitment(p, a, q)),
    }


LENSES = lens_names()


@pytest.mark.parametrize("name", LENSES)
def test_metadata_is_complete(name: str) -> None:
    lens = get_lens(name)
    assert lens.name == name
    assert lens.title and len(lens.description) > 80
    assert lens.citations and all(len(c) > 10 for c in lens.citations)
    names = [p.name for p in lens.parameters]
    assert "k" in names and len(names) == len(set(names))
    for p in lens.parameters:
        assert p.lower <= p.default <= p.upper and p.description
    meta = lens.metadata()
    assert meta["name"] == name and len(meta["parameters"]) == len(names)


@pytest.mark.parametrize("name", LENSES)
@pytest.mark.parametrize("seed", range(5))
def test_rules_are_bounded_shaped_and_pure(name: str, seed: int) -> None:
    lens = get_lens(name)
    p, a = perception(seed)
    before = copy.deepcopy(p)
    q = params_for(lens)
    out = outputs(lens, p, a, q)
    assert out["hostility"].shape == (N, N, C, B)
    assert out["cooperation"].shape == (N, N, C, B)
    assert out["commitment"].shape == (N, N, C, B)
    assert np.broadcast_shapes(out["allocation"].shape, (N, C, B)) == (N, C, B)
    for key, value in out.items():
        assert np.all(np.isfinite(value)), key
        assert value.min() >= -1e-6 and value.max() <= 1 + 1e-6, key
    again = outputs(lens, p, a, q)
    for key in out:
        np.testing.assert_array_equal(out[key], again[key])
    for f in dataclasses.fields(p):
        if f.name != "memo":  # scratch space for derived arrays, see Perception.remember
            np.testing.assert_array_equal(getattr(p, f.name), getattr(before, f.name))


@pytest.mark.parametrize("name", LENSES)
def test_rules_are_row_local(name: str) -> None:
    """Deciding for a subset of observers gives those observers' rows of the full result."""
    lens = get_lens(name)
    p, a = perception(11)
    q = params_for(lens)
    full = outputs(lens, p, a, q)
    idx = np.array([1, 3])
    part = outputs(lens, p.rows(idx), a.rows(idx), q)
    for key in full:
        expected = np.broadcast_to(full[key], (N, *full[key].shape[1:]))[idx]
        np.testing.assert_allclose(
            np.broadcast_to(part[key], expected.shape), expected, rtol=1e-6, err_msg=key
        )


def _moved(spec_default: float, lower: float, upper: float) -> float:
    return upper if spec_default - lower < upper - spec_default else lower


@pytest.mark.parametrize(
    ("name", "parameter"),
    [(n, p.name) for n in LENSES for p in get_lens(n).parameters if p.name != "k"],
)
def test_every_parameter_changes_a_rule(name: str, parameter: str) -> None:
    lens = get_lens(name)
    spec = lens.parameter(parameter)
    other = _moved(spec.default, spec.lower, spec.upper)
    changed = False
    for seed in range(5):
        p, a = perception(seed)
        base = outputs(lens, p, a, params_for(lens))
        moved = outputs(lens, p, a, params_for(lens, **{parameter: other}))
        changed |= any(not np.allclose(base[k], moved[k]) for k in base)
    assert changed, f"{name}.{parameter} changes nothing"


@pytest.mark.parametrize("name", LENSES)
def test_k_scales_the_arms_reaction(name: str) -> None:
    case = synthetic(3, steps=6, prior=0.5, identity=-0.5, parameters={"offence_dominance": 0.8})
    runs = [
        simulate(
            case,
            lens=name,
            replicates=4,
            restraint=False,
            overrides={f"lenses.{name}.k": k},
        ).value("effort", "A0")
        for k in (0.2, 3.0)
    ]
    assert runs[0] != runs[1]


# --- what a lens reads (its ``reads`` classifier) ------------------------------------------------

_PERCEPTION_FIELDS = {
    "belief", "identity", "commitment", "commitment_in", "cooperation", "cooperation_in",
    "attack", "transparency", "shadow", "treaty", "interdependence",
}  # fmt: skip
_ASSESSMENT_FIELDS = {"hostility", "threat", "shared_threat", "security", "main_threat"}


def _perturbed(p: Perception, a: Assessment, name: str, seed: int) -> tuple[Perception, Assessment]:
    """``p`` and ``a`` with one readable field given new random values."""
    rng = np.random.default_rng(seed)
    if name in ("offence_dominance", "distinguishability"):
        return dataclasses.replace(p, **{name: float(rng.uniform())}, memo={}), a
    if name in ("capability", "own_capability"):
        new = rng.uniform(0.1, 3, np.shape(getattr(p, name))).astype(np.float32)
        return dataclasses.replace(p, **{name: new}, memo={}), a
    if name in _PERCEPTION_FIELDS:
        old = getattr(p, name)
        low = -1.0 if name == "identity" else 0.0
        new = rng.uniform(low, 3.0 if name == "attack" else 1.0, old.shape).astype(np.float32)
        return dataclasses.replace(p, **{name: new}, memo={}), a
    old = getattr(a, name)
    if name == "main_threat":
        new = rng.integers(-1, N, old.shape)
    else:
        new = rng.uniform(0, 1, old.shape).astype(np.float32)
    return dataclasses.replace(p, memo={}), dataclasses.replace(a, **{name: new})


@pytest.mark.parametrize("name", LENSES)
def test_every_lens_declares_what_it_reads(name: str) -> None:
    lens = get_lens(name)
    assert lens.reads is not None and lens.reads <= READABLE
    assert lens.metadata()["reads"] == sorted(lens.reads)


def test_realism_does_not_read_identity() -> None:
    assert "identity" not in get_lens("realism").reads  # type: ignore[operator]


@pytest.mark.parametrize("name", LENSES)
def test_fields_outside_reads_change_nothing(name: str) -> None:
    """Changing a field the lens does not declare changes none of its four rules' outputs; and
    every field it declares changes some output (the classifier is neither short nor padded)."""
    lens = get_lens(name)
    q = params_for(lens)
    assert lens.reads is not None
    for field_name in sorted(READABLE):
        changed = False
        for seed in range(4):
            p, a = perception(seed)
            base = outputs(lens, p, a, q)
            moved = outputs(lens, *_perturbed(p, a, field_name, 100 + seed), q)
            changed |= any(not np.allclose(base[k], moved[k]) for k in base)
        if field_name in lens.reads:
            assert changed, f"{name} declares {field_name} but does not read it"
        else:
            assert not changed, f"{name} reads {field_name}, which it does not declare"


# --- the compiled path equals the array path ------------------------------------------------------


def _random_step(seed: int, lenses: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """Random parameters, setting and state for the engine's step, in float64."""
    from security_dilemma.engine.params import compile_params
    from security_dilemma.engine.setting import Dyads, make_setting
    from security_dilemma.engine.state import DYADIC, State
    from security_dilemma.scenario.schema import Parameters

    rng = np.random.default_rng(seed)
    n, k = len(lenses), C * B
    ids = tuple(f"S{i}" for i in range(n))
    parameters = Parameters.model_validate(
        {
            "offence_dominance": float(rng.uniform(0.1, 0.9)),
            "distinguishability": float(rng.uniform()),
        }
    )
    params = compile_params(parameters, ids, lenses, np.float64)

    def matrix() -> np.ndarray:
        m = rng.uniform(0, 1, (n, n))
        return (m + m.T) / 2

    weight = rng.uniform(0.2, 3, n)
    dyads = Dyads(
        reach=matrix(),
        intercept=matrix() * 0.5,
        erosion=matrix() * 0.5,
        transparency=matrix(),
        shadow=matrix(),
        treaty=matrix(),
        interdependence=matrix(),
    )
    setting = make_setting(params, weight, dyads, dtype=np.float64)
    arrays = {}
    for f in State._fields:
        shape = (n, n, k) if f in DYADIC else (n, k)
        low = -1.0 if f in ("identity", "stance") else 0.0
        arrays[f] = rng.uniform(low, 1.0, shape)
    arrays["motive"] = (rng.uniform(size=(n, k)) < 0.4).astype(np.float64)
    arrays["offence"] *= 3.0
    arrays["defence"] *= 3.0
    return params, setting, State(**arrays)


@pytest.mark.parametrize(
    "lenses",
    [(name,) * N for name in LENSES]
    + [("realism", "pyramid", "liberalism", "constructivism", "pyramid")],
    ids=[*LENSES, "mixed"],
)
@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_path_equals_the_array_path(lenses: tuple[str, ...], seed: int) -> None:
    """A clone plays the same: the engine's compiled loops over a lens's dyadic rules give what
    the same rules give on whole arrays (numpy), on random perceptions; so a new lens needs no
    hand-written oracle."""
    import importlib

    from security_dilemma.engine.kernels import bent_cooperation

    step = importlib.import_module("security_dilemma.engine.step")
    params, setting, state = _random_step(seed, lenses)
    sight = step.perceive(params, setting, state)
    step.assess(params, setting, state, sight)
    decided = step.decide(params, setting, state, sight)
    p, a = sight.perception, sight.assessment
    for g in params.groups:
        v, va = p.rows(g.idx), a.rows(g.idx)
        hostility = np.clip(np.asarray(g.lens.hostility(v, g.params)), 0.0, 1.0)
        hostility[np.arange(len(g.idx)), g.idx] = 0.0
        np.testing.assert_allclose(sight.appraisal.hostility[g.idx], hostility, atol=1e-12)
        cooperation = bent_cooperation(
            np.asarray(g.lens.cooperation(v, va, g.params)),
            setting.greedy_defection,
            state.motive[g.idx][:, None],
        )
        np.testing.assert_allclose(decided.cooperation[g.idx], cooperation, atol=1e-12)
        desire = np.clip(np.asarray(g.lens.commitment(v, va, g.params)), 0.0, 1.0)
        np.testing.assert_allclose(decided.desire[g.idx], desire, atol=1e-12)
        allocation = np.broadcast_to(
            g.lens.allocation(v, va, g.params), decided.allocation[g.idx].shape
        )
        np.testing.assert_allclose(decided.allocation[g.idx], allocation, atol=1e-12)
