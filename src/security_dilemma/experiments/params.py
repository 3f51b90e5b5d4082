"""Parameter specifications: ``--param`` strings into values, grids of points, and bounds.

A sweep specification names a case parameter (dotted, as accepted by
:func:`security_dilemma.scenario.overrides.with_parameters`) and its values:

* ``name=a:b:n``: ``n`` evenly spaced values from ``a`` to ``b`` inclusive (``a < b``, ``n >= 2``);
* ``name=a:b:n:log``: ``n`` log-spaced values (``0 < a < b``);
* ``name=a,b,c``: these values, in this order;
* ``name=a``: one value (a fixed override).

Several specifications make a full factorial grid (parameters in name order, values in the
order given). Sensitivity bounds are ``name=lo:hi``.

>>> spec = parse_spec("lenses.realism.k=0.1:1.0:4")
>>> spec.name, [round(v, 2) for v in spec.values]
('lenses.realism.k', [0.1, 0.4, 0.7, 1.0])
>>> [p.overrides for p in grid([parse_spec("b=1,2"), parse_spec("a=0.5")])]
[{'a': 0.5, 'b': 1.0}, {'a': 0.5, 'b': 2.0}]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import BadInput, Problem, did_you_mean
from ..scenario.schema import Case

__all__ = [
    "MAX_POINTS",
    "Bound",
    "ParamSpec",
    "Point",
    "check_names",
    "grid",
    "lens_label",
    "parse_bound",
    "parse_lens",
    "parse_spec",
    "parse_specs",
]

MAX_POINTS = 1_000_000
"""Largest grid a sweep accepts (a typo such as ``0:1:10000`` twice would ask for 10^8)."""


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One swept parameter: its dotted name, its values in order, and the text it came from."""

    name: str
    values: tuple[float, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Bound:
    """A parameter's range for sensitivity analysis: ``lo < hi``."""

    name: str
    lo: float
    hi: float


@dataclass(frozen=True, slots=True)
class Point:
    """One parameter point: a lens label ('' = the case's own lenses) and parameter values."""

    values: tuple[tuple[str, float], ...]
    lens: str = ""

    @property
    def overrides(self) -> dict[str, float]:
        """The point's values as ``{dotted name: value}`` (for ``simulate(overrides=...)``)."""
        return dict(self.values)


def _problem(text: str, message: str) -> BadInput:
    return BadInput(Problem(f"{message} in '{text}'", path="--param"))


def _number(text: str, token: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise _problem(text, f"'{token}' is not a number") from None
    if not math.isfinite(value):
        raise _problem(text, f"'{token}' is not a finite number")
    return value


def _split(text: str) -> tuple[str, str]:
    name, eq, body = text.partition("=")
    name, body = name.strip(), body.strip()
    if not eq or not name or not body:
        raise _problem(text, "expected NAME=VALUES (e.g. k=0.1:1:10, k=0.1,0.5 or k=0.3)")
    return name, body


def parse_spec(text: str) -> ParamSpec:
    """Parse one ``NAME=VALUES`` sweep specification (see the module docstring)."""
    name, body = _split(text)
    if ":" in body:
        parts = [p.strip() for p in body.split(":")]
        log = len(parts) == 4 and parts[3].lower() == "log"
        if len(parts) not in (3, 4) or (len(parts) == 4 and not log):
            raise _problem(text, "a range is START:STOP:COUNT or START:STOP:COUNT:log")
        a, b = _number(text, parts[0]), _number(text, parts[1])
        try:
            n = int(parts[2])
        except ValueError:
            raise _problem(text, f"count '{parts[2]}' is not a whole number") from None
        if n < 2:
            raise _problem(text, f"a range needs a count of at least 2, got {n}")
        if not a < b:
            raise _problem(text, f"range start {a:g} must be below its stop {b:g}")
        if log:
            if a <= 0:
                raise _problem(text, "a log range needs a positive start")
            values = np.geomspace(a, b, n)
        else:
            values = np.linspace(a, b, n)
        return ParamSpec(name, tuple(float(v) for v in values), text)
    tokens = [t.strip() for t in body.split(",")]
    values_list = [_number(text, t) for t in tokens]
    if len(set(values_list)) != len(values_list):
        raise _problem(text, "a value is listed twice")
    return ParamSpec(name, tuple(values_list), text)


def parse_bound(text: str) -> Bound:
    """Parse one ``NAME=LO:HI`` sensitivity bound.

    >>> parse_bound("distinguishability=0:1")
    Bound(name='distinguishability', lo=0.0, hi=1.0)
    """
    name, body = _split(text)
    parts = [p.strip() for p in body.split(":")]
    if len(parts) != 2:
        raise _problem(text, "a sensitivity range is NAME=LOW:HIGH (e.g. k=0.1:1)")
    lo, hi = _number(text, parts[0]), _number(text, parts[1])
    if not lo < hi:
        raise _problem(text, f"low {lo:g} must be below high {hi:g}")
    return Bound(name, lo, hi)


def parse_specs(texts: Iterable[str], case: Case | None = None) -> tuple[ParamSpec, ...]:
    """Parse several specifications, sorted by name; every problem is reported at once.

    With a ``case``, names and values are also checked against it (:func:`check_names`).
    """
    specs: list[ParamSpec] = []
    problems: list[Problem] = []
    for text in texts:
        try:
            specs.append(parse_spec(text))
        except BadInput as exc:
            problems += exc.problems
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            problems.append(Problem(f"parameter '{s.name}' is given twice", path="--param"))
        seen.add(s.name)
    if case is not None:
        try:
            check_names(case, {s.name: s.values for s in specs})
        except BadInput as exc:
            problems += exc.problems
    if problems:
        raise BadInput(problems)
    return tuple(sorted(specs, key=lambda s: s.name))


def check_names(case: Case, values: Mapping[str, Sequence[float]]) -> None:
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
                Problem(f"unknown parameter '{name}'{did_you_mean(name, known)}", path="--param")
            )
            continue
        for v in dict.fromkeys(vals):
            try:
                with_parameters(case, {name: v})
            except BadInput as exc:
                problems += [
                    Problem(f"{name}={v:g}: {p.message}", path="--param") for p in exc.problems
                ]
    if problems:
        raise BadInput(problems)


def grid(specs: Sequence[ParamSpec], lenses: Sequence[str] = ("",)) -> tuple[Point, ...]:
    """The full factorial grid: lenses outermost, then parameters in name order.

    An empty ``specs`` gives one point per lens (the case's own parameters).
    """
    ordered = sorted(specs, key=lambda s: s.name)
    size = math.prod(len(s.values) for s in ordered) * len(lenses)
    if size > MAX_POINTS:
        raise BadInput(
            Problem(f"the grid has {size:,} points; at most {MAX_POINTS:,} allowed", path="--param")
        )
    names = [s.name for s in ordered]
    return tuple(
        Point(tuple(zip(names, combo, strict=True)), lens)
        for lens in lenses
        for combo in itertools.product(*(s.values for s in ordered))
    )


def parse_lens(case: Case, text: str) -> str:
    """Check a ``--lens`` value and return its canonical label.

    ``NAME`` applies one lens to every actor; ``ACTOR=NAME,ACTOR=NAME`` assigns lenses per
    actor (the others keep the case's). The label sorts the assignments.
    """
    from ..lenses import lens_names

    names = list(lens_names())
    text = text.strip()
    problems: list[Problem] = []

    def check(lens: str) -> None:
        if lens not in names:
            problems.append(
                Problem(
                    f"unknown lens '{lens}'{did_you_mean(lens, names)}; lenses: {', '.join(names)}",
                    path="--lens",
                )
            )

    if "=" not in text:
        check(text)
        if problems:
            raise BadInput(problems)
        return text
    actors = case.actor_ids()
    pairs: dict[str, str] = {}
    for item in text.split(","):
        actor, eq, lens = (s.strip() for s in item.partition("="))
        if not eq or not actor or not lens:
            problems.append(Problem(f"expected ACTOR=LENS, got '{item}'", path="--lens"))
            continue
        if actor not in actors:
            problems.append(
                Problem(f"unknown actor '{actor}'{did_you_mean(actor, actors)}", path="--lens")
            )
        check(lens)
        pairs[actor] = lens
    if problems:
        raise BadInput(problems)
    return ",".join(f"{a}={pairs[a]}" for a in sorted(pairs))


def lens_label(label: str) -> str | dict[str, str] | None:
    """The engine's ``lens`` argument from a canonical label.

    >>> lens_label(""), lens_label("realism"), lens_label("RUS=realism,USA=liberalism")
    (None, 'realism', {'RUS': 'realism', 'USA': 'liberalism'})
    """
    if not label:
        return None
    if "=" not in label:
        return label
    return dict(tuple(item.split("=", 1)) for item in label.split(","))  # type: ignore[misc]
