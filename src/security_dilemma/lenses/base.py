"""What a lens is: metadata plus four small pure functions of what an actor sees.

A lens turns what an actor sees (:class:`Perception`) into how hostile it judges each other
actor, and, given the engine's :class:`Assessment` of threat and security, into its decisions:
cooperation toward each other actor, the share of its effort spent on defence, and the alliance
commitment it wants to give each other actor.

Hostility, cooperation and commitment are about one dyad at a time, so a lens writes them as
*dyadic rules*: plain arithmetic on one :class:`Dyad` (what observer i sees of actor j) and the
lens's parameters ``q`` (``q.name``), marked with :func:`dyadic`. The engine compiles them into
its step (numba); called on whole arrays (``lens.hostility(perception, params)``) the same rule
is evaluated elementwise by numpy. Rules use arithmetic, ``min``/``max`` through
``np.minimum``/``np.maximum`` and other dyadic rules (the pyramid blends the liberal and realist
ones). Anything needing a transcendental function goes into the lens's ``prepare`` array rule,
computed once per step on whole arrays (numpy's vectorised ``tanh`` is far faster than a
compiled scalar one) and read by the rules as ``d.prepared``. Allocation is an array rule over
the observers. A lens may also give plain array functions for any rule; the engine then calls
them on arrays (slower, same results).

Arrays put the actors first and the batch (restraint copies x replicates, K) last: in the
engine a dyadic array has shape ``(observers, actors, K)`` and entry ``[i, j]`` is observer
i's view of actor j; a per-actor array has shape ``(actors, K)``. Arrays that are the same in
every replicate have a batch axis of length 1. A lens's rules only index the two leading axes,
so they work on any batch shape. So ``x[:, None]`` is "the
observer's x" and ``x[None, :]`` "the other's x" in a dyadic expression, and reductions over
the other actor use ``axis=1``. The engine calls a lens only for the rows (observers) of the
actors that use it, so a lens never needs to know who else is in the system.
"""

from __future__ import annotations

import dataclasses
import re
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .._jit import jitable

__all__ = [
    "K_PARAMETER",
    "READABLE",
    "Array",
    "Assessment",
    "Dyad",
    "DyadicRule",
    "Lens",
    "LensParameter",
    "LensParams",
    "Perception",
    "clip01",
    "dyadic",
    "is_dyadic",
    "logistic",
    "toward_main_threat",
]

Array = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True, slots=True)
class LensParameter:
    """A lens parameter: default, closed bounds and what it means."""

    name: str
    default: float
    lower: float
    upper: float
    description: str

    def __post_init__(self) -> None:
        if not self.lower <= self.default <= self.upper:
            raise ValueError(f"{self.name}: default {self.default} outside bounds")


@dataclass(frozen=True, slots=True)
class LensParams:
    """Parameter values for one lens (``params["name"]``), with every lens's values at hand.

    ``of(other)`` gives another lens's values, so that a composite lens (the pyramid) uses
    its parts as the case configures them.
    """

    lens: str
    values: Mapping[str, float]
    every: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return float(self.values[name])

    def __getattr__(self, name: str) -> Any:
        """``q.name``: a parameter value, or another lens's values (``q.liberalism``), as a
        dyadic rule reads them (the compiled rules get a named tuple with the same fields)."""
        if name.startswith("__") or name in ("lens", "values", "every"):
            raise AttributeError(name)
        if name in self.values:
            return float(self.values[name])
        if name in self.every:
            return self.of(name)
        raise AttributeError(f"lens '{self.lens}' has no parameter '{name}'")

    def of(self, lens: str) -> LensParams:
        """The values of another lens."""
        return LensParams(lens, self.every[lens], self.every)


def _rows(a: Any, idx: npt.NDArray[np.intp]) -> Any:
    if not isinstance(a, np.ndarray):
        return a
    return a[idx]


@dataclass(frozen=True, slots=True)
class Perception:
    """What observers see. Dyadic arrays ``[i, j, ...]``: observer i about actor j.

    ``attack[i, j]`` is j's potential attack on i in capability units (before hostility):
    offence, plus defence read as offence when weapons are indistinguishable, scaled by reach,
    leakage through i's missile defence and the offence-defence balance. ``capability[j]`` is
    every actor's capability (offence + defence), ``own_capability[i]`` the observers'.
    ``transparency``, ``shadow``, ``treaty`` and ``interdependence`` are the same in every
    replicate (batch axes of length 1). ``memo`` is scratch space for :meth:`remember`.
    """

    belief: Array
    identity: Array
    commitment: Array
    commitment_in: Array
    cooperation: Array
    cooperation_in: Array
    attack: Array
    capability: Array
    own_capability: Array
    transparency: Array
    shadow: Array
    treaty: Array
    interdependence: Array
    offence_dominance: float
    distinguishability: float
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def rows(self, idx: npt.NDArray[np.intp]) -> Perception:
        """The perception of observers ``idx`` only."""
        rows = {
            f.name: _rows(getattr(self, f.name), idx)
            for f in dataclasses.fields(self)
            if f.name not in ("capability", "memo")
        }
        return dataclasses.replace(self, **rows, memo={})

    def remember(self, key: Any, compute: Callable[[], Array]) -> Array:
        """``compute()``, computed once per perception (a step) and key: lets a lens reuse a
        derived array across its four rules. The key must hold every parameter it depends on.
        """
        if key not in self.memo:
            self.memo[key] = compute()
        out: Array = self.memo[key]
        return out


@dataclass(frozen=True, slots=True)
class Assessment:
    """The engine's reading of the lens's hostility: threat, security and shared threats.

    ``threat[i, j] = hostility * attack``; ``security[i]`` in (0, 1]; ``shared_threat[i, j]``
    is 1 when i and j have the same main threat (a third actor); ``main_threat[i]`` is the
    index of i's largest threat, -1 when it faces none or the largest is tied.
    """

    hostility: Array
    threat: Array
    security: Array
    shared_threat: Array
    main_threat: npt.NDArray[np.intp]

    def rows(self, idx: npt.NDArray[np.intp]) -> Assessment:
        """The assessment of observers ``idx`` only."""
        return Assessment(
            _rows(self.hostility, idx),
            _rows(self.threat, idx),
            _rows(self.security, idx),
            _rows(self.shared_threat, idx),
            _rows(self.main_threat, idx),
        )


class Dyad(NamedTuple):
    """One dyad as a lens's dyadic rules see it: observer i about actor j, in one replicate.

    Inside the engine's compiled step the fields are numbers; called on whole arrays they are
    arrays broadcasting to ``(observers, actors, *batch)``. ``commitment_in`` and
    ``cooperation_in`` are j's commitment and cooperation toward i; ``capability`` is j's,
    ``own_capability`` i's; ``prepared`` is what the lens's ``prepare`` rule computed for the
    dyad (0 without one). The last four are the engine's assessment (:class:`Assessment`),
    given to the decision rules; they are NaN while hostility itself is being judged.
    """

    belief: Any
    identity: Any
    commitment: Any
    commitment_in: Any
    cooperation: Any
    cooperation_in: Any
    attack: Any
    capability: Any
    own_capability: Any
    transparency: Any
    shadow: Any
    treaty: Any
    interdependence: Any
    offence_dominance: Any
    distinguishability: Any
    prepared: Any
    hostility: Any
    threat: Any
    shared_threat: Any
    security: Any

    @classmethod
    def of(cls, p: Perception, a: Assessment | None = None, prepared: Any = 0.0) -> Dyad:
        """The dyads of a perception (and assessment) as broadcastable arrays."""
        nan = float("nan")
        return cls(
            belief=p.belief,
            identity=p.identity,
            commitment=p.commitment,
            commitment_in=p.commitment_in,
            cooperation=p.cooperation,
            cooperation_in=p.cooperation_in,
            attack=p.attack,
            capability=p.capability[None, :],
            own_capability=p.own_capability[:, None],
            transparency=p.transparency,
            shadow=p.shadow,
            treaty=p.treaty,
            interdependence=p.interdependence,
            offence_dominance=p.offence_dominance,
            distinguishability=p.distinguishability,
            prepared=prepared,
            hostility=nan if a is None else a.hostility,
            threat=nan if a is None else a.threat,
            shared_threat=nan if a is None else a.shared_threat,
            security=nan if a is None else a.security[:, None],
        )


READABLE = frozenset(Dyad._fields) - {"prepared"} | {"main_threat"}
"""What a lens's rules may read: the fields of :class:`Dyad` (a perception's and an
assessment's) and each observer's ``main_threat``."""

Rule = Callable[[Dyad, Any], Any]
"""A dyadic rule: ``rule(d, q)`` -> a number (or an array, on arrays)."""

_DYADIC = "__dyadic_rule__"


def dyadic(rule: Rule) -> Any:
    """Mark ``rule(d, q)`` as a dyadic rule: the engine compiles it into its step, and other
    rules (also compiled) may call it. It stays a plain Python function.

    Typed ``Any`` because :class:`Lens` takes it where an array rule goes (it wraps it in a
    :class:`DyadicRule` with the array interface)."""
    compiled: Rule = jitable(rule)
    setattr(compiled, _DYADIC, True)
    return compiled


def is_dyadic(rule: Any) -> bool:
    """True for a rule marked with :func:`dyadic` (or a lens's wrapper of one)."""
    return isinstance(rule, DyadicRule) or bool(getattr(rule, _DYADIC, False))


@dataclass(frozen=True)
class DyadicRule:
    """A lens's dyadic rule with the array interface of a lens function: ``(p, q)`` for
    hostility, ``(p, a, q)`` for decisions. ``rule`` is the dyadic rule itself."""

    rule: Rule
    decision: bool
    prepare: Callable[[Perception, LensParams], Array] | None = None

    def __call__(self, p: Perception, *rest: Any) -> Array:
        a: Assessment | None = rest[0] if self.decision else None
        q = rest[-1]
        prepared = 0.0 if self.prepare is None else self.prepare(p, q)
        value = self.rule(Dyad.of(p, a, prepared), q)
        dtype = p.belief.dtype
        shape = (p.own_capability.shape[0], *p.belief.shape[1:])
        out: Array = np.array(np.broadcast_to(value, shape), dtype=dtype)
        return out

    @property
    def __name__(self) -> str:
        return str(getattr(self.rule, "__name__", "rule"))


Hostility = Callable[[Perception, LensParams], Array]
Decision = Callable[[Perception, Assessment, LensParams], Array]
Preparation = Callable[[Perception, LensParams], Array]


@dataclass(frozen=True)
class Lens:
    """A theory lens: metadata and its decision rules.

    * ``hostility(p, q)``: ``[i, j]`` in [0, 1], how hostile i judges j;
    * ``cooperation(p, a, q)``: ``[i, j]`` in [0, 1], i's cooperation (restraint) toward j;
    * ``allocation(p, a, q)``: ``[i]`` in [0, 1], the share of effort i wants in defence;
    * ``commitment(p, a, q)``: ``[i, j]`` in [0, 1], the alliance commitment i wants to give j.

    Hostility, cooperation and commitment may be given as :func:`dyadic` rules ``rule(d, q)``
    (compiled into the engine's step; the lens then holds a :class:`DyadicRule` with the array
    interface above) or as array functions with that interface. ``prepare(p, q)`` (optional)
    computes a per-dyad array once per step, read by the dyadic rules as ``d.prepared``;
    ``parts`` names the lenses whose rules this one composes (their parameter values reach the
    compiled rules as ``q.<part>``). Every lens declares ``k``: its multiplier on the
    Richardson reaction coefficient.
    """

    name: str
    title: str
    description: str
    parameters: tuple[LensParameter, ...]
    citations: tuple[str, ...]
    hostility: Hostility
    cooperation: Decision
    allocation: Decision
    commitment: Decision
    prepare: Preparation | None = None
    parts: tuple[str, ...] = ()
    reads: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.reads is not None and not self.reads <= READABLE:
            unknown = ", ".join(sorted(self.reads - READABLE))
            raise ValueError(f"lens '{self.name}' reads unknown fields: {unknown}")
        for name, decision in (("hostility", False), ("cooperation", True), ("commitment", True)):
            rule = getattr(self, name)
            if getattr(rule, _DYADIC, False):
                object.__setattr__(self, name, DyadicRule(rule, decision, self.prepare))

    @property
    def compiled(self) -> bool:
        """True when hostility, cooperation and commitment are all dyadic rules."""
        return all(is_dyadic(r) for r in (self.hostility, self.cooperation, self.commitment))

    def defaults(self) -> dict[str, float]:
        """Parameter defaults by name."""
        return {p.name: p.default for p in self.parameters}

    def parameter(self, name: str) -> LensParameter:
        """The declared parameter called ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def metadata(self) -> dict[str, Any]:
        """JSON-ready metadata: name, title, description, parameters, citations, parts."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": [dataclasses.asdict(p) for p in self.parameters],
            "citations": list(self.citations),
            "parts": list(self.parts),
            "reads": None if self.reads is None else sorted(self.reads),
        }


def _params_fields(lens: Lens) -> tuple[str, ...]:
    return (*(p.name for p in lens.parameters), *lens.parts)


def __getattr__(name: str) -> Any:
    """A built-in lens's parameter record by name (``realism_parameters``): numba's disk cache
    of the compiled lens loops names it, and a new process reads the cache before any run has
    built the record."""
    if name.endswith("_parameters"):
        from . import _discover

        for lens in _discover().values():
            if re.sub(r"\W", "_", f"{lens.name}_parameters") == name:
                return _params_type(lens.name, _params_fields(lens))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _params_type(lens: str, fields: tuple[str, ...]) -> Any:
    name = re.sub(r"\W", "_", f"{lens}_parameters")
    kind = namedtuple(name, fields)  # type: ignore[misc]
    kind.__module__ = __name__
    globals()[name] = kind  # importable by name, so compiled parameters pickle
    return kind


def compiled_params(
    lens: Lens, values: Mapping[str, Mapping[str, float]], lookup: Callable[[str], Lens]
) -> tuple[Any, ...]:
    """A lens's parameter values as the compiled rules read them: a named tuple with a field
    per parameter and one per part (``q.liberalism``), built from ``values`` (by lens)."""
    own = [float(values[lens.name][p.name]) for p in lens.parameters]
    parts = [compiled_params(lookup(part), values, lookup) for part in lens.parts]
    kind = _params_type(lens.name, _params_fields(lens))
    out: tuple[Any, ...] = kind(*own, *parts)
    return out


K_PARAMETER = LensParameter(
    "k", 1.0, 0.0, 5.0, "Multiplier on the Richardson reaction to perceived threat."
)
"""The reaction multiplier every lens declares."""


def toward_main_threat(x: Array, a: Assessment, none: float) -> Array:
    """Each observer's entry of the dyadic array ``x`` toward its main threat, ``none`` for an
    observer without one: shape ``(observers, *batch)``.

    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(3, 3, 1, 1)
    >>> m = np.array([2, -1, 0]).reshape(3, 1, 1)
    >>> a = Assessment(x, x, x[:, 0], x, m)
    >>> toward_main_threat(x, a, 1.0).ravel().tolist()
    [2.0, 1.0, 6.0]
    """
    m = a.main_threat
    rows = m.shape[0]
    flat_m = m.reshape(rows, -1)
    batch = flat_m.shape[1]
    full = np.broadcast_to(x, (rows, x.shape[1], *m.shape[1:])).reshape(rows, x.shape[1], batch)
    picked = full[np.arange(rows)[:, None], np.maximum(flat_m, 0), np.arange(batch)[None, :]]
    out: Array = np.where(flat_m < 0, none, picked).astype(x.dtype, copy=False).reshape(m.shape)
    return out


def logistic(x: Array, out: Array | None = None) -> Array:
    """``1 / (1 + exp(-x))``, computed as ``(1 + tanh(x / 2)) / 2`` (exact, and several times
    faster than ``scipy.special.expit`` in single precision)."""
    y: Array = np.multiply(x, 0.5, out=out)
    np.tanh(y, out=y)
    y *= 0.5
    y += 0.5
    return y


def clip01(a: Array) -> Array:
    """``a`` clipped to [0, 1]."""
    out: Array = np.clip(a, 0.0, 1.0)
    return out
