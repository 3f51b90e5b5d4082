"""Strategies for the iterated prisoner's dilemma, each deciding for many matches at once.

A strategy maps what one side remembers (its own actual moves and the opponent's moves *as it
saw them*) to a probability of cooperating, for a batch of matches. Memory-one strategies are
:class:`~security_dilemma.games.reciprocity.MemoryOne` four-vectors evaluated with
:func:`~security_dilemma.games.reciprocity.reciprocate`, the same rule the engine's liberal
lens uses. Conventions follow the Axelrod library (``axelrod`` 4.x) so matches reproduce it:

=====================  ==========================================  ======================
name                   rule                                        first move
=====================  ==========================================  ======================
Cooperator             always C                                    C
Defector               always D                                    D
TitForTat              copy the opponent's last move               C
SuspiciousTitForTat    copy the opponent's last move               D
TitFor2Tats            D only after two opponent defections        C (and C in round 2)
Grudger                D for ever once the opponent has defected   C
WinStayLoseShift       C after CC or DD, D after CD or DC          C
GenerousTitForTat(p)   TitForTat that forgives D with prob. p      C
Alternator             C, D, C, D, ... (opposite of own last)      C
Random(p)              C with probability p every round            C with probability p
MemoryOne(a,b,c,d[,f]) P(C) after CC, CD, DC, DD; first f (1)      C with probability f
=====================  ==========================================  ======================

GenerousTitForTat without an argument takes Axelrod's generosity from the payoffs,
``min(1 - (T - R) / (R - S), (R - P) / (T - P))`` (1/3 for 3, 0, 5, 1).

>>> [parse_strategy(s).name for s in ("tft", "Random(0.3)", "MemoryOne(1, 0.3, 1, 0.3)")]
['TitForTat', 'Random(0.3)', 'MemoryOne(1,0.3,1,0.3)']
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem, did_you_mean
from .reciprocity import (
    ALWAYS_COOPERATE,
    ALWAYS_DEFECT,
    TIT_FOR_TAT,
    WIN_STAY_LOSE_SHIFT,
    MemoryOne,
    generous_tit_for_tat,
    reciprocate,
)

__all__ = [
    "DETERMINISTIC",
    "STRATEGIES",
    "GenerousTitForTat",
    "Grudger",
    "History",
    "MemoryOneStrategy",
    "Strategy",
    "TitFor2Tats",
    "gtft_generosity",
    "parse_strategy",
]

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]
Payoffs = tuple[float, float, float, float]
"""(R, S, T, P)."""


@dataclass(frozen=True, slots=True)
class History:
    """What one side of every match in a batch remembers at the start of round ``turn``.

    ``own[k, m]`` is its actual move in round k of match m (True = C); ``seen[k, m]`` the
    opponent's move in round k as it perceived it; ``seen_defections[m]`` how many defections
    it has seen. Rows ``k >= turn`` are not yet played.
    """

    turn: int
    own: Bools
    seen: Bools
    seen_defections: npt.NDArray[np.int64]


class Strategy(ABC):
    """A strategy: a name, whether it is random, and a vectorised decision rule."""

    name: str
    stochastic: bool

    def for_payoffs(self, payoffs: Payoffs) -> Strategy:
        """The strategy bound to a game's payoffs (only GenerousTitForTat uses them)."""
        return self

    @abstractmethod
    def cooperate_probability(self, history: History, rows: Ints) -> Floats:
        """Probability of cooperating this round in each match ``rows``."""

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True, repr=False)
class MemoryOneStrategy(Strategy):
    """A memory-one strategy from its four-vector and first-move probability."""

    spec: MemoryOne
    label: str = ""

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.label or self.spec.name

    @property
    def stochastic(self) -> bool:  # type: ignore[override]
        values = [*self.spec.probabilities.tolist(), self.spec.first]
        return any(0.0 < v < 1.0 for v in values)

    def cooperate_probability(self, history: History, rows: Ints) -> Floats:
        """``first`` in round 0, then :func:`reciprocate` on last round's moves."""
        if history.turn == 0:
            return np.full(rows.size, self.spec.first)
        t = history.turn - 1
        return np.asarray(
            reciprocate(self.spec, history.own[t, rows], history.seen[t, rows]), dtype=np.float64
        )


@dataclass(frozen=True, repr=False)
class Grudger(Strategy):
    """Cooperates until it sees the opponent defect once, then defects for ever."""

    name: str = "Grudger"
    stochastic: bool = False

    def cooperate_probability(self, history: History, rows: Ints) -> Floats:
        """C while no defection has been seen."""
        result: Floats = (history.seen_defections[rows] == 0).astype(np.float64)
        return result


@dataclass(frozen=True, repr=False)
class TitFor2Tats(Strategy):
    """Defects only after seeing two defections in a row."""

    name: str = "TitFor2Tats"
    stochastic: bool = False

    def cooperate_probability(self, history: History, rows: Ints) -> Floats:
        """D iff the last two seen moves were both D."""
        t = history.turn
        if t < 2:
            return np.ones(rows.size)
        both = ~history.seen[t - 1, rows] & ~history.seen[t - 2, rows]
        result: Floats = (~both).astype(np.float64)
        return result


def gtft_generosity(payoffs: Payoffs) -> float:
    """Axelrod's GTFT generosity: ``min(1 - (T-R)/(R-S), (R-P)/(T-P))``."""
    r, s, t, p = payoffs
    return float(min(1 - (t - r) / (r - s), (r - p) / (t - p)))


@dataclass(frozen=True, repr=False)
class GenerousTitForTat(Strategy):
    """Tit for tat forgiving a defection with probability ``generosity`` (None: from payoffs)."""

    generosity: float | None = None

    @property
    def name(self) -> str:  # type: ignore[override]
        if self.generosity is None:
            return "GenerousTitForTat"
        return f"GenerousTitForTat({self.generosity:.3g})"

    @property
    def stochastic(self) -> bool:  # type: ignore[override]
        return self.generosity is None or 0.0 < self.generosity < 1.0

    def for_payoffs(self, payoffs: Payoffs) -> Strategy:
        """Fix the generosity from the payoffs when it was not given."""
        if self.generosity is not None:
            return self
        g = gtft_generosity(payoffs)
        if not 0.0 <= g <= 1.0:
            raise BadInput(
                Problem(f"GenerousTitForTat: these payoffs give generosity {g:.3g}, outside [0, 1]")
            )
        return GenerousTitForTat(g)

    def cooperate_probability(self, history: History, rows: Ints) -> Floats:
        """TitForTat's rule with probability ``generosity`` of C after the opponent's D."""
        g = self.generosity if self.generosity is not None else 1 / 3
        return MemoryOneStrategy(generous_tit_for_tat(g)).cooperate_probability(history, rows)


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _memory_one(args: list[float]) -> Strategy:
    if len(args) not in (4, 5):
        raise ValueError(
            "MemoryOne takes four probabilities (after CC, CD, DC, DD) and an optional first move"
        )
    spec = MemoryOne("MemoryOne", *args)
    return MemoryOneStrategy(spec, "MemoryOne(" + ",".join(_fmt(a) for a in args) + ")")


def _random(args: list[float]) -> Strategy:
    if len(args) > 1:
        raise ValueError("Random takes one probability of cooperating")
    p = args[0] if args else 0.5
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"the probability of cooperating must be in [0, 1], got {p:g}")
    label = "Random" if not args else f"Random({_fmt(p)})"
    return MemoryOneStrategy(MemoryOne(label, p, p, p, p, first=p), label)


def _gtft(args: list[float]) -> Strategy:
    if len(args) > 1:
        raise ValueError("GenerousTitForTat takes one generosity probability")
    if args and not 0 <= args[0] <= 1:
        raise ValueError(f"generosity must be in [0, 1], got {args[0]}")
    return GenerousTitForTat(args[0] if args else None)


def _fixed(strategy: Strategy) -> Callable[[list[float]], Strategy]:
    def make(args: list[float]) -> Strategy:
        if args:
            raise ValueError(f"{strategy.name} takes no arguments")
        return strategy

    return make


STRATEGIES: dict[str, Callable[[list[float]], Strategy]] = {
    "Cooperator": _fixed(MemoryOneStrategy(ALWAYS_COOPERATE)),
    "Defector": _fixed(MemoryOneStrategy(ALWAYS_DEFECT)),
    "TitForTat": _fixed(MemoryOneStrategy(TIT_FOR_TAT)),
    "SuspiciousTitForTat": _fixed(
        MemoryOneStrategy(MemoryOne("SuspiciousTitForTat", 1.0, 0.0, 1.0, 0.0, first=0.0))
    ),
    "TitFor2Tats": _fixed(TitFor2Tats()),
    "Grudger": _fixed(Grudger()),
    "WinStayLoseShift": _fixed(MemoryOneStrategy(WIN_STAY_LOSE_SHIFT)),
    "GenerousTitForTat": _gtft,
    "Alternator": _fixed(MemoryOneStrategy(MemoryOne("Alternator", 0.0, 0.0, 1.0, 1.0))),
    "Random": _random,
    "MemoryOne": _memory_one,
}
"""Canonical name -> factory taking the parenthesised arguments."""

DETERMINISTIC = (
    "Cooperator",
    "Defector",
    "TitForTat",
    "SuspiciousTitForTat",
    "TitFor2Tats",
    "Grudger",
    "WinStayLoseShift",
    "Alternator",
)
"""The deterministic named strategies (checked move for move against Axelrod)."""

ALIASES = {
    "allc": "Cooperator",
    "alld": "Defector",
    "tft": "TitForTat",
    "stft": "SuspiciousTitForTat",
    "tf2t": "TitFor2Tats",
    "grim": "Grudger",
    "grimtrigger": "Grudger",
    "wsls": "WinStayLoseShift",
    "pavlov": "WinStayLoseShift",
    "gtft": "GenerousTitForTat",
}

_SPEC = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$")


def parse_strategy(text: str) -> Strategy:
    """A strategy from its name, e.g. ``"TitForTat"``, ``"Random(0.3)"``, ``"MemoryOne(1,0,1,0)"``.

    Names are case-insensitive and may use hyphens, underscores or spaces; unknown names raise
    :class:`~security_dilemma.errors.BadInput` with a did-you-mean hint.
    """
    match = _SPEC.match(text.replace("-", "").replace(" ", ""))
    if not match:
        raise BadInput(
            Problem(f"cannot read strategy '{text}': expected Name or Name(args)", path="strategy")
        )
    raw, argtext = match.group(1), match.group(2)
    key = raw.replace("_", "").lower()
    lookup = {n.lower(): n for n in STRATEGIES}
    name = lookup.get(key) or ALIASES.get(key)
    if name is None:
        hint = did_you_mean(raw, [*STRATEGIES, *(a.upper() for a in ALIASES)])
        raise BadInput(Problem(f"unknown strategy '{raw}'{hint}", path="strategy"))
    args: list[float] = []
    if argtext is not None and argtext.strip():
        try:
            args = [float(a) for a in argtext.split(",")]
        except ValueError:
            raise BadInput(
                Problem(f"{name}: arguments must be numbers, got '{argtext}'", path="strategy")
            ) from None
        if not all(np.isfinite(a) for a in args):
            raise BadInput(Problem(f"{name}: arguments must be finite numbers", path="strategy"))
    try:
        return STRATEGIES[name](args)
    except ValueError as exc:
        raise BadInput(Problem(f"{name}: {exc}", path="strategy")) from None
