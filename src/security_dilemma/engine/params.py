"""The model's numeric parameters, compiled from a case's ``parameters`` for one run.

:class:`Params` holds scalars and per-actor arrays (Richardson coefficients after per-actor
overrides and the lens's ``k`` multiplier), the lens of each actor and every lens's parameter
values. It is immutable; a ``parameter`` event compiles a new one from that step on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem, did_you_mean
from ..lenses import Lens, LensParams, get_lens, lens_names
from ..lenses.base import compiled_params
from ..scenario.schema import Case, Parameters

__all__ = [
    "DEFAULT_LENS",
    "LensGroup",
    "Params",
    "compile_params",
    "lens_assignment",
    "relensed",
]

DEFAULT_LENS = "pyramid"
"""The lens an actor uses when neither the run nor the case names one."""

Vector = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True)
class LensGroup:
    """The actors (indices, ascending) that decide by one lens, and that lens's values
    (``params``; ``compiled``: the same as the compiled dyadic rules read them)."""

    lens: Lens
    idx: npt.NDArray[np.intp]
    params: LensParams
    everyone: bool
    compiled: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Params:
    """Compiled parameters for one step (see docs/model.md for each symbol).

    Per-actor coefficients have shape ``(n, 1)`` to broadcast against ``(n, K)`` state arrays;
    ``richardson_k`` is the reaction ``k`` before the lens's multiplier, ``(n,)`` in float64.
    """

    k: Vector
    a: Vector
    g: Vector
    g_greedy: Vector
    saturation: Vector
    status_quo: Vector
    shock: Vector
    offence_dominance: float
    distinguishability: float
    noise: float
    stock_turnover: float
    allocation_rate: float
    greedy_offence: float
    greedy_defection: float
    signal_threshold: float
    signal_bluff: float
    signal_tremble: float
    test_rate: float
    test_pressure: float
    decisiveness: float
    deterrence: float
    absolute_security: float
    empathy: float
    appraisal_level: float
    reassurance: float
    identity_rate: float
    common_fate: float
    interdependence_pull: float
    crisis_shock: float
    commitment_rate: float
    alliance_dilemma: float
    projection_km: float
    crisis_base: float
    crisis_hostility: float
    crisis_threat: float
    crisis_identity: float
    crisis_interdependence: float
    crisis_institutions: float
    crisis_offence: float
    crisis_first_strike: float
    crisis_war_share: float
    groups: tuple[LensGroup, ...]
    lens_values: Mapping[str, Mapping[str, float]]
    richardson_k: Vector | None = None


def lens_assignment(case: Case, lens: str | Mapping[str, str] | None) -> tuple[str, ...]:
    """The lens of each actor (in case order) for a run's ``lens`` argument."""
    ids = case.actor_ids()
    names = set(lens_names())
    chosen = [a.lens or DEFAULT_LENS for a in case.actors]
    problems: list[Problem] = []
    if isinstance(lens, str):
        if lens not in names:  # one lens for every actor: said once, for the argument
            hint = did_you_mean(lens, names)
            if lens in ("all", "case"):
                hint = f"; to run each lens in turn use simulate_lenses(case, '{lens}')"
            raise BadInput(
                Problem(
                    f"unknown lens '{lens}'{hint}; lenses: {', '.join(lens_names())}",
                    path="lens",
                )
            )
        chosen = [lens] * len(ids)
    elif lens is not None and not isinstance(lens, Mapping):
        raise BadInput(
            Problem(
                f"a lens is a lens name or a mapping of actors to lens names (got {lens!r:.60})",
                path="lens",
            )
        )
    elif lens is not None:
        for actor, name in lens.items():
            if actor not in ids:
                hint = did_you_mean(actor, ids)
                problems.append(Problem(f"unknown actor '{actor}'{hint}", path=f"lens.{actor}"))
                continue
            chosen[ids.index(actor)] = name
    for i, name in enumerate(chosen):
        if not isinstance(name, str) or name not in names:
            hint = did_you_mean(str(name), names)
            problems.append(
                Problem(
                    f"unknown lens '{name}'{hint}; lenses: {', '.join(lens_names())}",
                    path=f"lens.{ids[i]}",
                )
            )
    if problems:
        raise BadInput(list(dict.fromkeys(problems)))
    return tuple(chosen)


def _lens_values(parameters: Parameters) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    problems: list[Problem] = []
    for name in lens_names():
        lens = get_lens(name)
        values = lens.defaults()
        for key, value in parameters.lenses.get(name, {}).items():
            if key not in values:
                hint = did_you_mean(key, values)
                problems.append(
                    Problem(
                        f"lens '{name}' has no parameter '{key}'{hint}",
                        path=f"parameters.lenses.{name}.{key}",
                    )
                )
                continue
            spec = lens.parameter(key)
            if not spec.lower <= value <= spec.upper:
                problems.append(
                    Problem(
                        f"must be in [{spec.lower:g}, {spec.upper:g}] (got {value!r})",
                        path=f"parameters.lenses.{name}.{key}",
                    )
                )
                continue
            values[key] = float(value)
        out[name] = values
    for name in parameters.lenses:
        if name not in out:
            hint = did_you_mean(name, out)
            problems.append(Problem(f"unknown lens '{name}'{hint}", path="parameters.lenses"))
    if problems:
        raise BadInput(problems)
    return out


_RICHARDSON = ("k", "a", "g", "g_greedy", "saturation", "status_quo", "shock")


def compile_params(
    parameters: Parameters,
    actor_ids: Sequence[str],
    lenses: Sequence[str],
    dtype: npt.DTypeLike = np.float32,
) -> Params:
    """Compile validated case parameters for actors with the given lenses."""
    n = len(actor_ids)
    lens_values = _lens_values(parameters)
    unknown = [a for a in parameters.actors if a not in actor_ids]
    if unknown:
        raise BadInput(
            [
                Problem(f"unknown actor '{a}'{did_you_mean(a, actor_ids)}", path="actors")
                for a in unknown
            ]
        )
    per_actor: dict[str, Vector] = {}
    for name in _RICHARDSON:
        base = float(getattr(parameters.richardson, name))
        values = np.full(n, base, dtype=np.float64)
        for i, actor in enumerate(actor_ids):
            override = parameters.actors.get(actor)
            if override is not None and getattr(override, name) is not None:
                values[i] = float(getattr(override, name))
        per_actor[name] = values
    richardson_k = per_actor["k"]
    per_actor["k"] = richardson_k * _lens_k(lenses, lens_values)
    groups = _groups(lenses, lens_values)
    scalars = {
        name: float(getattr(parameters, name))
        for name in Params.__dataclass_fields__
        if name not in (*_RICHARDSON, "groups", "lens_values", "richardson_k")
    }
    kwargs: dict[str, Any] = {k: v.astype(dtype).reshape(n, 1) for k, v in per_actor.items()}
    kwargs |= scalars
    return Params(**kwargs, groups=groups, lens_values=lens_values, richardson_k=richardson_k)


def _lens_k(lenses: Sequence[str], lens_values: Mapping[str, Mapping[str, float]]) -> Vector:
    """Each actor's lens's multiplier on the Richardson reaction."""
    return np.array([lens_values[name]["k"] for name in lenses])


def _groups(
    lenses: Sequence[str], lens_values: Mapping[str, Mapping[str, float]]
) -> tuple[LensGroup, ...]:
    """The actors of each lens, in order of first appearance, with the lens's values."""
    n = len(lenses)
    groups = []
    for name in dict.fromkeys(lenses):
        idx = np.array([i for i, lens in enumerate(lenses) if lens == name], dtype=np.intp)
        lens = get_lens(name)
        groups.append(
            LensGroup(
                lens,
                idx,
                LensParams(name, lens_values[name], lens_values),
                len(idx) == n,
                compiled_params(lens, lens_values, get_lens),
            )
        )
    return tuple(groups)


def relensed(params: Params, lenses: Sequence[str]) -> Params:
    """``params`` for actors with other ``lenses``: the lens groups and the reaction
    coefficients change, nothing else (the same as :func:`compile_params` with these lenses)."""
    assert params.richardson_k is not None, "compiled by compile_params"
    k = params.richardson_k * _lens_k(lenses, params.lens_values)
    return replace(
        params,
        k=k.astype(params.k.dtype).reshape(-1, 1),
        groups=_groups(lenses, params.lens_values),
    )
