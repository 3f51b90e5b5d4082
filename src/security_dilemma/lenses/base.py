"""What a lens is: metadata plus four small pure functions over (observer x observed) arrays.

A lens turns what an actor sees (:class:`Perception`) into how hostile it judges each other
actor, and, given the engine's :class:`Assessment` of threat and security, into its decisions:
cooperation toward each other actor, the share of its effort spent on defence, and the alliance
commitment it wants to give each other actor.

Arrays put the actors first and the batch (counterfactual copies, replicates) last: a dyadic
array has shape ``(observers, actors, copies, replicates)`` and entry ``[i, j]`` is observer
i's view of actor j; a per-actor array has shape ``(actors, copies, replicates)``. Arrays that
are the same in every replicate have batch axes of length 1. So ``x[:, None]`` is "the
observer's x" and ``x[None, :]`` "the other's x" in a dyadic expression, and reductions over
the other actor use ``axis=1``. The engine calls a lens only for the rows (observers) of the
actors that use it, so a lens never needs to know who else is in the system.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "K_PARAMETER",
    "Array",
    "Assessment",
    "Lens",
    "LensParameter",
    "LensParams",
    "Perception",
    "clip01",
    "logistic",
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


Hostility = Callable[[Perception, LensParams], Array]
Decision = Callable[[Perception, Assessment, LensParams], Array]


@dataclass(frozen=True)
class Lens:
    """A theory lens: metadata and its decision rules.

    * ``hostility(p, q)``: ``[i, j]`` in [0, 1], how hostile i judges j;
    * ``cooperation(p, a, q)``: ``[i, j]`` in [0, 1], i's cooperation (restraint) toward j;
    * ``allocation(p, a, q)``: ``[i]`` in [0, 1], the share of effort i wants in defence;
    * ``commitment(p, a, q)``: ``[i, j]`` in [0, 1], the alliance commitment i wants to give j.

    Every lens declares ``k``: its multiplier on the Richardson reaction coefficient.
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
        """JSON-ready metadata: name, title, description, parameters, citations."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": [dataclasses.asdict(p) for p in self.parameters],
            "citations": list(self.citations),
        }


K_PARAMETER = LensParameter(
    "k", 1.0, 0.0, 5.0, "Multiplier on the Richardson reaction to perceived threat."
)
"""The reaction multiplier every lens declares."""


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
