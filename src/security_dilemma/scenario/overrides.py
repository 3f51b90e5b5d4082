"""Change a case's model parameters by dotted name, returning a new, re-validated case.

>>> from security_dilemma import load_case
>>> from security_dilemma.scenario.overrides import with_parameters
>>> case = with_parameters(load_case("bmd-europe"), {"distinguishability": 0.2})
>>> case.parameters.distinguishability
0.2
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import BadInput, Problem, did_you_mean
from .schema import Case, ParameterChange, Parameters

__all__ = [
    "OverwrittenByEvent",
    "parameter_bounds",
    "parameter_names",
    "parameter_value",
    "shifted",
    "with_parameters",
]


class OverwrittenByEvent(UserWarning):
    """A parameter a run sets is later set to an absolute value by one of the case's events."""


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


def parameter_value(parameters: Parameters, name: str) -> float:
    """The value in force of a dotted parameter name (a lens's default, an actor's Richardson
    value falling back to the case-wide one)."""
    from ..lenses import lens_parameters

    parts = name.split(".")
    if parts[0] == "lenses" and len(parts) == 3:
        default = lens_parameters(parts[1])[parts[2]]
        return float(parameters.lenses.get(parts[1], {}).get(parts[2], default))
    if parts[0] == "actors" and len(parts) == 3:
        own = parameters.actors.get(parts[1])
        value = None if own is None else getattr(own, parts[2], None)
        return float(getattr(parameters.richardson, parts[2]) if value is None else value)
    node: Any = parameters
    for part in parts:
        node = getattr(node, part)
    return float(node)


def parameter_bounds(name: str) -> tuple[float, float]:
    """The closed range a dotted parameter accepts (infinite where the schema sets none)."""
    from pydantic import BaseModel

    from ..lenses import get_lens

    parts = name.split(".")
    if parts[0] == "lenses" and len(parts) == 3:
        p = get_lens(parts[1]).parameter(parts[2])
        return p.lower, p.upper
    if parts[0] == "actors" and len(parts) == 3:
        parts = ["richardson", parts[2]]
    model: Any = Parameters
    for part in parts[:-1]:
        model = model.model_fields[part].annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
    low, high = -math.inf, math.inf
    for limit in model.model_fields[parts[-1]].metadata:
        low = max(low, float(getattr(limit, "ge", getattr(limit, "gt", -math.inf))))
        high = min(high, float(getattr(limit, "le", getattr(limit, "lt", math.inf))))
    return low, high


def shifted(parameters: Parameters, name: str, delta: float) -> float:
    """The value in force of ``name`` moved by ``delta``, kept within the parameter's range."""
    low, high = parameter_bounds(name)
    return min(max(parameter_value(parameters, name) + delta, low), high)


def with_parameters(case: Case, values: Mapping[str, float], *, warn: bool = True) -> Case:
    """A copy of ``case`` with ``parameters.<name> = value`` for each dotted name; an
    :class:`OverwrittenByEvent` warning (unless not ``warn``) when an event later sets one of
    them to an absolute value (the run's value then holds only until that date)."""
    if not values:
        return case
    for event in case.events if warn else ():
        for e in event.effects:
            if isinstance(e, ParameterChange) and e.name in values and e.value is not None:
                warnings.warn(
                    f"event '{event.id}' sets {e.name} to {e.value:g} from {event.date}: the "
                    f"value {values[e.name]:g} holds only until then (code the event's change "
                    "as a `delta` to move both sides of the date)",
                    OverwrittenByEvent,
                    stacklevel=2,
                )
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
