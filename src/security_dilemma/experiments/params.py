"""Parameter specifications as Python data: swept values, sensitivity bounds, grids, lenses.

A sweep names case parameters (dotted, as accepted by
:func:`security_dilemma.scenario.overrides.with_parameters`) and their values, either as a
mapping ``{name: values}`` or as :class:`ParameterSpec` records; a sensitivity analysis names
their ranges, as ``{name: (low, high)}`` or :class:`Bound` records (SALib's ``problem`` with
the names and bounds side by side). Several swept parameters make a full factorial grid
(parameters in name order, values in the order given).

>>> spec = ParameterSpec.between("lenses.realism.k", 0.1, 1.0, 4)
>>> spec.name, [round(v, 2) for v in spec.values]
('lenses.realism.k', [0.1, 0.4, 0.7, 1.0])
>>> [p.overrides for p in grid(parameter_specs({"b": [1, 2], "a": 0.5}))]
[{'a': 0.5, 'b': 1.0}, {'a': 0.5, 'b': 2.0}]
>>> parameter_bounds({"distinguishability": (0, 1)})
(Bound(name='distinguishability', low=0.0, high=1.0),)

The command line writes the same specifications as ``NAME=LO:HI:N``, ``NAME=A,B,C`` and
``NAME=LO:HI`` (``security_dilemma.cli``).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

from ..errors import BadInput, Problem, did_you_mean
from ..limits import MAX_POINTS, check_sequence
from ..scenario.schema import Case

__all__ = [
    "MAX_POINTS",
    "Bound",
    "LensSetting",
    "ParameterSpec",
    "Parameters",
    "Point",
    "Ranges",
    "check_names",
    "engine_lens",
    "grid",
    "lens_label",
    "parameter_bounds",
    "parameter_specs",
]


LensSetting: TypeAlias = str | Mapping[str, str] | None
"""A run's lenses, as :func:`security_dilemma.engine.simulate` takes them: one lens for every
actor, ``{actor: lens}`` for some actors (the others keep the case's), or None (the case's)."""


def _finite(value: Any, path: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadInput(Problem(f"{value!r} is not a number", path=path)) from None
    if not math.isfinite(number):
        raise BadInput(Problem(f"{value!r} is not a finite number", path=path))
    return number


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One swept parameter: its dotted name and its values, in the order given.

    >>> ParameterSpec("noise", [0.1, 0.3])
    ParameterSpec(name='noise', values=(0.1, 0.3))
    """

    name: str
    values: Sequence[float]
    """Any sequence or array of finite numbers, distinct; kept as a tuple of floats."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise BadInput(Problem(f"a parameter name is a string, got {self.name!r}", path="name"))
        raw: Any = self.values
        if isinstance(raw, str) or np.ndim(raw) > 1:
            raise BadInput(Problem(f"expected numbers, got {raw!r}", path="values"))
        if np.ndim(raw) == 1 and len(raw) > MAX_POINTS:
            raise BadInput(
                Problem(
                    f"{len(raw):,} values, more than the limit of {MAX_POINTS:,}", path="values"
                )
            )
        items = [raw] if np.ndim(raw) == 0 else list(raw)
        values = tuple(_finite(v, "values") for v in items)
        if not values:
            raise BadInput(Problem("give at least one value", path="values"))
        if len(set(values)) != len(values):
            raise BadInput(Problem("a value is listed twice", path="values"))
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "values", values)

    @classmethod
    def between(
        cls, name: str, low: float, high: float, n: int, *, log: bool = False
    ) -> ParameterSpec:
        """``n`` values from ``low`` to ``high``, both included: evenly spaced, or evenly spaced
        in the logarithm with ``log=True`` (as :func:`numpy.linspace` and :func:`numpy.geomspace`).

        >>> ParameterSpec.between("richardson.k", 0.01, 1, 3, log=True).values
        (0.01, 0.1, 1.0)
        """
        bound = Bound(name, low, high)
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
            raise BadInput(Problem(f"a range needs a count of at least 2, got {n!r}", path="n"))
        if n > MAX_POINTS:
            raise BadInput(
                Problem(f"{n:,} values, more than the limit of {MAX_POINTS:,}", path="n")
            )
        if log and bound.low <= 0:
            raise BadInput(Problem("a log range needs a positive start", path="low"))
        space = np.geomspace if log else np.linspace
        values = space(bound.low, bound.high, int(n))
        values[0], values[-1] = bound.low, bound.high  # exact ends, whatever the rounding
        return cls(bound.name, tuple(float(v) for v in values))


@dataclass(frozen=True, slots=True)
class Bound:
    """A parameter's range for sensitivity analysis: ``low < high``."""

    name: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise BadInput(Problem(f"a parameter name is a string, got {self.name!r}", path="name"))
        low, high = _finite(self.low, "low"), _finite(self.high, "high")
        if not low < high:
            raise BadInput(
                Problem(f"range start {low:g} must be below its stop {high:g}", path="high")
            )
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)


Parameters: TypeAlias = Mapping[str, Any] | Iterable[ParameterSpec]
"""Swept parameters: ``{name: value or values}`` or :class:`ParameterSpec` records."""
Ranges: TypeAlias = Mapping[str, tuple[float, float]] | Iterable[Bound]
"""Sensitivity ranges: ``{name: (low, high)}`` or :class:`Bound` records."""


@dataclass(frozen=True, slots=True)
class Point:
    """One parameter point: a lens label ('' = the case's own lenses) and parameter values."""

    values: tuple[tuple[str, float], ...]
    lens: str = ""

    @property
    def overrides(self) -> dict[str, float]:
        """The point's values as ``{dotted name: value}`` (for ``simulate(overrides=...)``)."""
        return dict(self.values)


def _at(path: str, name: str) -> str:
    return f"{path}[{name!r}]"


def _records(items: Any, kind: type[Any], path: str) -> list[tuple[str, Any]]:
    """``(path of the item, item)`` pairs; a string is command-line text, not data."""

    def text(value: str, where: str) -> BadInput:
        example = (
            "{'distinguishability': [0, 0.5]}" if kind is ParameterSpec else "{'noise': (0, 1)}"
        )
        return BadInput(
            Problem(
                f"{value!r} is text: pass a mapping such as {example} or {kind.__name__} records",
                path=where,
            )
        )

    if isinstance(items, str):
        raise text(items, path)
    if isinstance(items, Mapping):
        return [(_at(path, str(name)), (name, value)) for name, value in items.items()]
    out = []
    for i, item in enumerate(check_sequence(items, path, object, f"{kind.__name__} records")):
        if isinstance(item, str):
            raise text(item, f"{path}[{i}]")
        if not isinstance(item, kind):
            raise BadInput(
                Problem(f"expected a {kind.__name__}, got {item!r}", path=f"{path}[{i}]")
            )
        out.append((_at(path, item.name), item))
    return out


def _sorted_unique(records: list[Any], path: str) -> list[Any]:
    problems = [
        Problem(f"parameter '{name}' is given twice", path=_at(path, name))
        for name, count in Counter(r.name for r in records).items()
        if count > 1
    ]
    if problems:
        raise BadInput(problems)
    return sorted(records, key=lambda r: r.name)


def parameter_specs(parameters: Parameters, path: str = "parameters") -> tuple[ParameterSpec, ...]:
    """Swept parameters as records sorted by name; every problem is reported at once."""
    specs: list[ParameterSpec] = []
    problems: list[Problem] = []
    for where, item in _records(parameters, ParameterSpec, path):
        try:
            specs.append(item if isinstance(item, ParameterSpec) else ParameterSpec(*item))
        except BadInput as exc:
            problems += [Problem(p.message, path=where) for p in exc.problems]
    if problems:
        raise BadInput(problems)
    return tuple(_sorted_unique(specs, path))


def parameter_bounds(parameters: Ranges, path: str = "parameters") -> tuple[Bound, ...]:
    """Sensitivity ranges as records sorted by name; every problem is reported at once."""
    bounds: list[Bound] = []
    problems: list[Problem] = []
    for where, item in _records(parameters, Bound, path):
        try:
            if isinstance(item, Bound):
                bounds.append(item)
            else:
                name, pair = item
                if isinstance(pair, str) or np.shape(pair) != (2,):
                    raise BadInput(Problem(f"expected (low, high), got {pair!r}"))
                bounds.append(Bound(name, *pair))
        except BadInput as exc:
            problems += [Problem(p.message, path=where) for p in exc.problems]
    if problems:
        raise BadInput(problems)
    return tuple(_sorted_unique(bounds, path))


def check_names(
    case: Case, values: Mapping[str, Sequence[float]], path: str = "parameters"
) -> None:
    """Check names against the case's parameters and every value against its valid range.

    Raises :class:`BadInput` listing every unknown name (with a "did you mean") and every
    out-of-range value (checked one parameter at a time with the case's defaults elsewhere).
    """
    from ..scenario.overrides import parameter_names, with_parameters

    known = parameter_names(case)
    problems: list[Problem] = []
    for name, vals in values.items():
        if name not in known:
            problems.append(
                Problem(
                    f"unknown parameter '{name}'{did_you_mean(name, known)}", path=_at(path, name)
                )
            )
            continue
        for v in dict.fromkeys(vals):
            try:
                with_parameters(case, {name: v})
            except BadInput as exc:
                problems += [
                    Problem(f"{name}={v:g}: {p.message}", path=_at(path, name))
                    for p in exc.problems
                ]
    if problems:
        raise BadInput(problems)


def grid(specs: Sequence[ParameterSpec], lenses: Sequence[str] = ("",)) -> tuple[Point, ...]:
    """The full factorial grid: lenses (labels, :func:`lens_label`) outermost, then
    parameters in name order. An empty ``specs`` gives one point per lens."""
    ordered = sorted(specs, key=lambda s: s.name)
    size = math.prod(len(s.values) for s in ordered) * len(lenses)
    if size > MAX_POINTS:
        raise BadInput(
            Problem(
                f"the grid has {size:,} points; at most {MAX_POINTS:,} allowed", path="parameters"
            )
        )
    names = [s.name for s in ordered]
    return tuple(
        Point(tuple(zip(names, combo, strict=True)), lens)
        for lens in lenses
        for combo in itertools.product(*(s.values for s in ordered))
    )


def lens_label(case: Case, setting: LensSetting, path: str = "lens") -> str:
    """A lens setting checked against the case, as the canonical label stored with each point.

    '' is the case's own lenses, ``realism`` one lens for every actor, ``RUS=realism,USA=...``
    some actors' lenses (sorted by actor). A mapping that sets every actor is written as its
    most common lens and the exceptions, ``pyramid,RUS=realism``.

    >>> from security_dilemma import load_case
    >>> case = load_case("bmd-europe")
    >>> lens_label(case, None), lens_label(case, {"USA": "liberalism", "RUS": "realism"})
    ('', 'RUS=realism,USA=liberalism')
    >>> lens_label(case, {a: "realism" if a == "RUS" else "pyramid" for a in case.actor_ids()})
    'pyramid,RUS=realism'
    """
    from ..lenses import lens_names

    names = list(lens_names())
    actors = case.actor_ids()
    problems: list[Problem] = []

    def check(lens: object, where: str) -> None:
        if not isinstance(lens, str) or lens not in names:
            hint = did_you_mean(lens, names) if isinstance(lens, str) else ""
            problems.append(
                Problem(f"unknown lens {lens!r}{hint}; lenses: {', '.join(names)}", path=where)
            )

    if setting is None:
        return ""
    if isinstance(setting, str):
        check(setting, path)
        if problems:
            raise BadInput(problems)
        return setting
    if not isinstance(setting, Mapping):
        raise BadInput(
            Problem(f"expected a lens name, {{actor: lens}} or None, got {setting!r}", path=path)
        )
    for actor, lens in setting.items():
        if actor not in actors:
            problems.append(
                Problem(
                    f"unknown actor {actor!r}{did_you_mean(str(actor), actors)}",
                    path=_at(path, actor),
                )
            )
        check(lens, _at(path, actor))
    if problems:
        raise BadInput(problems)
    pairs = dict(setting)
    if not pairs:
        return ""
    base = ""
    if set(pairs) == set(actors):
        counts = Counter(pairs.values())
        base = min(counts, key=lambda lens: (-counts[lens], lens))
        pairs = {a: lens for a, lens in pairs.items() if lens != base}
    return ",".join([base] * bool(base) + [f"{a}={pairs[a]}" for a in sorted(pairs)])


def engine_lens(label: str, actors: Sequence[str]) -> str | dict[str, str] | None:
    """The engine's ``lens`` argument for a label of :func:`lens_label`.

    >>> engine_lens("", ["A", "B"]), engine_lens("realism", ["A", "B"])
    (None, 'realism')
    >>> engine_lens("A=liberalism", ["A", "B"]), engine_lens("pyramid,A=realism", ["A", "B"])
    ({'A': 'liberalism'}, {'A': 'realism', 'B': 'pyramid'})
    """
    if not label:
        return None
    items = label.split(",")
    base = [item for item in items if "=" not in item]
    pairs = dict(item.split("=", 1) for item in items if "=" in item)
    if not pairs:
        return base[0]
    return {a: pairs.get(a, base[0]) for a in actors} if base else pairs
