"""Adding a lens is adding one module: a tiny offensive-realism lens, registered in the test.

Offensive realism (Mearsheimer): every great power maximises relative power; intentions are
unknowable, so everyone is read as hostile; offence is bought whatever the balance; no
cooperation; alliances only as buck-passing against the main threat.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from security_dilemma import parse_case_text
from security_dilemma.engine import simulate
from security_dilemma.errors import BadInput
from security_dilemma.lenses import (
    Lens,
    LensParameter,
    get_lens,
    lens_names,
    lens_parameters,
    register_lens,
    unregister_lens,
)
from security_dilemma.lenses.base import K_PARAMETER

from ..engine.helpers import synthetic
from .test_conformance import outputs, params_for, perception


def _module() -> types.ModuleType:
    """What a file ``lenses/offensive_realism.py`` would contain."""
    m = types.ModuleType("offensive_realism")

    def hostility(p: Any, q: Any) -> Any:
        return np.full_like(p.belief, q["fear"])

    def cooperation(p: Any, a: Any, q: Any) -> Any:
        return np.zeros_like(a.hostility)

    def allocation(p: Any, a: Any, q: Any) -> Any:
        return np.full_like(p.own_capability, 1.0 - q["offensive_bent"])

    def commitment(p: Any, a: Any, q: Any) -> Any:
        return a.shared_threat * 0.5

    m.LENS = Lens(
        name="offensive_realism",
        title="Offensive realism",
        description=(
            "Great powers maximise relative power because intentions cannot be known: every "
            "other state is read as hostile, offence is preferred whatever the balance, there "
            "is no cooperation and alliances are buck-passing against the main threat."
        ),
        parameters=(
            K_PARAMETER,
            LensParameter("fear", 0.9, 0.0, 1.0, "Hostility read into every other state."),
            LensParameter("offensive_bent", 0.8, 0.0, 1.0, "Share of effort put into offence."),
        ),
        citations=("Mearsheimer, J. J. (2001). The Tragedy of Great Power Politics. Norton.",),
        hostility=hostility,
        cooperation=cooperation,
        allocation=allocation,
        commitment=commitment,
    )
    return m


@pytest.fixture
def offensive() -> Iterator[Lens]:
    lens: Lens = _module().LENS
    register_lens(lens)
    yield lens
    unregister_lens(lens.name)


def test_registered_lens_is_listed_with_its_parameters(offensive: Lens) -> None:
    assert "offensive_realism" in lens_names()
    assert lens_names()[:4] == ("realism", "liberalism", "constructivism", "pyramid")
    assert lens_parameters("offensive_realism") == {"k": 1.0, "fear": 0.9, "offensive_bent": 0.8}
    assert get_lens("offensive_realism") is offensive


def test_registered_lens_passes_the_conformance_checks(offensive: Lens) -> None:
    p, a = perception(3)
    out = outputs(offensive, p, a, params_for(offensive))
    for value in out.values():
        assert np.all((value >= 0) & (value <= 1))
    moved = outputs(offensive, p, a, params_for(offensive, fear=0.1))
    assert not np.allclose(out["hostility"], moved["hostility"])


def test_cases_and_runs_accept_the_new_lens(offensive: Lens) -> None:
    text = """
id: t
title: T
span: {start: 2000, end: 2004}
actors:
  - {id: A, name: A, lens: offensive_realism}
  - {id: B, name: B}
capabilities: [{actor: A, milex: 10}, {actor: B, milex: 10}]
parameters: {lenses: {offensive_realism: {fear: 0.5}}}
"""
    case = parse_case_text(text)
    result = simulate(case, replicates=3, restraint=False)
    assert result.lenses == ("offensive_realism", "pyramid")
    mixed = simulate(synthetic(3), lens={"A0": "offensive_realism"}, replicates=2)
    assert mixed.lens.startswith("mixed:")
    alone = simulate(synthetic(3, prior=0.3), lens="offensive_realism", replicates=5)
    real = simulate(synthetic(3, prior=0.3), lens="realism", replicates=5)
    assert alone.value("defence_share", "A0", step=-1) < real.value("defence_share", "A0", step=-1)


def test_unknown_lens_parameter_is_bad_input(offensive: Lens) -> None:
    with pytest.raises(BadInput, match=r"did you mean 'lenses\.offensive_realism\.fear'"):
        simulate(synthetic(2), overrides={"lenses.offensive_realism.fearr": 0.2})


def test_builtin_names_cannot_be_replaced() -> None:
    with pytest.raises(ValueError, match="built in"):
        register_lens(get_lens("realism"))
