"""Reciprocity: memory-one strategies, shared by the iterated games and the engine's liberal lens.

A memory-one strategy is four probabilities of cooperating after each outcome of the previous
round, seen from the player's side: (CC, CD, DC, DD) = (both cooperated, I cooperated and was
exploited, I defected against a cooperator, both defected), plus the probability of
cooperating in the first round. Axelrod's library and Press & Dyson (2012) use the same order.

>>> import numpy as np
>>> reciprocate(TIT_FOR_TAT, np.array([1.0, 1.0]), np.array([1.0, 0.0]))
array([1., 0.])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "ALWAYS_COOPERATE",
    "ALWAYS_DEFECT",
    "TIT_FOR_TAT",
    "WIN_STAY_LOSE_SHIFT",
    "MemoryOne",
    "generous_tit_for_tat",
    "reciprocate",
]

Array = npt.NDArray[np.float64]


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


def reciprocate(strategy: MemoryOne, own: npt.ArrayLike, other: npt.ArrayLike) -> Array:
    """Probability of cooperating next, given last round's cooperation levels in [0, 1].

    With 0/1 inputs this is the strategy's rule; with levels in between (the engine's soft
    moves, e.g. "how restrained was the other side") it is the bilinear mixture of the four
    rules, i.e. the expectation when each side cooperated with those probabilities.
    """
    a = np.asarray(own, dtype=np.float64)
    b = np.asarray(other, dtype=np.float64)
    result: Array = (
        a * b * strategy.p_cc
        + a * (1.0 - b) * strategy.p_cd
        + (1.0 - a) * b * strategy.p_dc
        + (1.0 - a) * (1.0 - b) * strategy.p_dd
    )
    return result


TIT_FOR_TAT = MemoryOne("TitForTat", 1.0, 0.0, 1.0, 0.0)
WIN_STAY_LOSE_SHIFT = MemoryOne("WinStayLoseShift", 1.0, 0.0, 0.0, 1.0)
ALWAYS_COOPERATE = MemoryOne("Cooperator", 1.0, 1.0, 1.0, 1.0)
ALWAYS_DEFECT = MemoryOne("Defector", 0.0, 0.0, 0.0, 0.0, first=0.0)


def generous_tit_for_tat(generosity: float = 1 / 3) -> MemoryOne:
    """Tit for tat that forgives a defection with probability ``generosity`` (Nowak & Sigmund)."""
    return MemoryOne("GenerousTitForTat", 1.0, generosity, 1.0, generosity)
