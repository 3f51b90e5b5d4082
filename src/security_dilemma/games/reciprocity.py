"""Reciprocity: memory-one strategies, shared by the iterated games and the engine's liberal lens.

A memory-one strategy is four probabilities of cooperating after each outcome of the previous
round, seen from the player's side: (CC, CD, DC, DD) = (both cooperated, I cooperated and was
exploited, I defected against a cooperator, both defected), plus the probability of
cooperating in the first round. Axelrod's library and Press & Dyson (2012) use the same order.

>>> import numpy as np

from .._jit import jitable
>>> reciprocate(TIT_FOR_TAT, np.array([1.0, 1.0]), np.array([1.0, 0.0]))
array([1., 0.])

The rule itself is :func:`respond`, on the four probabilities: plain arithmetic that works on
numbers and arrays and compiles inside the simulation engine's kernels (the liberal lens's
reciprocity), so the engine and the iterated games share one implementation.

>>> respond(*generous_probabilities(0.5), 0.0, 0.0)
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._jit import jitable

__all__ = [
    "ALWAYS_COOPERATE",
    "ALWAYS_DEFECT",
    "TIT_FOR_TAT",
    "TIT_FOR_TAT_PROBABILITIES",
    "WIN_STAY_LOSE_SHIFT",
    "MemoryOne",
    "generous_probabilities",
    "generous_tit_for_tat",
    "reciprocate",
    "respond",
]

Array = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True, slots=True)
class MemoryOne:
    """A memory-one strategy: P(cooperate) after CC, CD, DC, DD, and in the first round."""

    name: str
    p_cc: float
    p_cd: float
    p_dc: float
    p_dd: float
    first: float = 1.0

    def __post_init__(self) -> None:
        for field in ("p_cc", "p_cd", "p_dc", "p_dd", "first"):
            value = getattr(self, field)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{self.name}: {field} must be in [0, 1], got {value}")

    @property
    def probabilities(self) -> Array:
        """The four conditional probabilities as an array (CC, CD, DC, DD)."""
        return np.array([self.p_cc, self.p_cd, self.p_dc, self.p_dd])


@jitable
def respond(p_cc: Any, p_cd: Any, p_dc: Any, p_dd: Any, own: Any, other: Any) -> Any:
    """P(cooperate next) of the memory-one rule ``(p_cc, p_cd, p_dc, p_dd)`` after last round's
    cooperation levels ``own`` and ``other``: the bilinear mixture of the four rules.

    Numbers or arrays; also callable from compiled (numba) code.
    """
    return (
        own * other * p_cc
        + own * (1.0 - other) * p_cd
        + (1.0 - own) * other * p_dc
        + (1.0 - own) * (1.0 - other) * p_dd
    )


def reciprocate(strategy: MemoryOne, own: npt.ArrayLike, other: npt.ArrayLike) -> Array:
    """Probability of cooperating next, given last round's cooperation levels in [0, 1].

    With 0/1 inputs this is the strategy's rule; with levels in between (the engine's soft
    moves, e.g. "how restrained was the other side") it is the bilinear mixture of the four
    rules, i.e. the expectation when each side cooperated with those probabilities. Floating
    inputs keep their precision (float32 stays float32); others are computed in float64.
    """
    a, b = _floating(own), _floating(other)
    result: Array = respond(strategy.p_cc, strategy.p_cd, strategy.p_dc, strategy.p_dd, a, b)
    return result


def _floating(x: npt.ArrayLike) -> Array:
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    out: Array = a
    return out


TIT_FOR_TAT_PROBABILITIES = (1.0, 0.0, 1.0, 0.0)
"""Tit for tat's (CC, CD, DC, DD) probabilities: do what the other did."""

TIT_FOR_TAT = MemoryOne("TitForTat", *TIT_FOR_TAT_PROBABILITIES)
WIN_STAY_LOSE_SHIFT = MemoryOne("WinStayLoseShift", 1.0, 0.0, 0.0, 1.0)
ALWAYS_COOPERATE = MemoryOne("Cooperator", 1.0, 1.0, 1.0, 1.0)
ALWAYS_DEFECT = MemoryOne("Defector", 0.0, 0.0, 0.0, 0.0, first=0.0)


@jitable
def generous_probabilities(generosity: Any) -> tuple[Any, Any, Any, Any]:
    """Generous tit for tat's (CC, CD, DC, DD) probabilities (also callable when compiled)."""
    return (1.0, generosity, 1.0, generosity)


def generous_tit_for_tat(generosity: float = 1 / 3) -> MemoryOne:
    """Tit for tat that forgives a defection with probability ``generosity`` (Nowak & Sigmund)."""
    return MemoryOne("GenerousTitForTat", *generous_probabilities(generosity))
