"""Change a case's model parameters by dotted name, returning a new, re-validated case.

>>> from security_dilemma import load_case
>>> from security_dilemma.scenario.overrides import with_parameters
>>> case = with_parameters(load_case("bmd-europe"), {"distinguishability": 0.2})
>>> case.parameters.distinguishability
0.2
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import BadInput, Problem, did_you_mean
from .schema import Case, Parameters

__all__ = ["parameter_names", "with_parameters"]


def parameter_names(case: Case) -> list[str]:
    """Every dotted numeric parameter name the case accepts (lens names from the registry)."""
    from ..lenses import lens_names, lens_parameters

    names: list[str] = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}{k}.", v)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            names.append(prefix[:-1])

    walk("", case.parameters.model_dump(exclude={"lenses", "actors"}))
    for lens in lens_names():
        names += [f"lenses.{lens}.{p}" for p in lens_parameters(lens)]
    fields = [f for f in Parameters.model_fields["richardson"].annotation.model_fields]  # type: ignore[union-attr]
    for actor in case.actor_ids():
        names += [f"actors.{actor}.{f}" for f in fields]
    return names


def with_parameters(case: Case, values: Mapping[str, float]) -> Case:
    """A copy of ``case`` with ``parameters.<name> = value`` for each dotted name."""
    if not values:
        return case
    data = copy.deepcopy(case.parameters.model_dump(by_alias=True))
    known = parameter_names(case)
    problems = []
    for name, value in values.items():
        if name not in known:
            problems.append(
                Problem(f"unknown parameter '{name}'{did_you_mean(name, known)}", path=name)
            )
            continue
        parts = name.split(".")
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    if problems:
        raise BadInput(problems)
    try:
        params = Parameters.model_validate(data)
    except ValidationError as exc:
        raise BadInput(
            [
                Problem(
                    f"{e['msg']} (got {e.get('input')!r})",
                    path=".".join(str(p) for p in e["loc"]),
                )
                for e in exc.errors(include_url=False)
            ]
        ) from None
    return case.model_copy(update={"parameters": params})
