"""Jervis's four worlds: the security dilemma as a 2x2 game (Jervis 1978; Glaser 1997, 2010).

Each state chooses C (restraint: a defensive, non-threatening posture) or D (an offensive
build-up that could be used to attack). Payoffs, from one state's side, are built from six
parameters (all documented in ``docs/games.md``):

* ``R = gain``: mutual restraint, the gains of cooperation (trade, a peace dividend);
* ``T = gain + temptation * (2 * offence - 1)``: building offence against a restrained
  neighbour pays only when offence has the advantage (``offence`` > 0.5); when defence
  dominates, attacking a defended state costs more than it brings;
* ``S = -exploitation_cost * 2 * offence * (1 - distinguishability)``: the loss from being
  caught restrained. It grows with the offence advantage; distinguishability lets a state see
  an offensive build-up coming and meet it with a recognisable defensive posture (one that does
  not read as a threat), so the share ``distinguishability`` of the loss is averted;
* ``P = -arms_cost``: mutual build-up, an arms race that wastes resources.

Greed is ``T - R`` (the pull to exploit) and fear is ``P - S`` (the push to pre-empt): the
security dilemma bites when both are positive (a prisoner's dilemma). With the defaults,
offence-dominant and indistinguishable gives a prisoner's dilemma ("doubly dangerous"),
defence-dominant and distinguishable gives harmony ("doubly safe"); in between, defence
dominance without distinguishability gives a stag hunt (the dilemma exists but restraint is
stable if assured) and distinguishable offence gives chicken (no spiral of fear, but
aggression pays against a restrained state).

>>> [w.game_name for w in four_worlds()]
["Prisoner's Dilemma", 'Stag Hunt', 'Chicken', 'Harmony']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..errors import BadInput, Problem
from .classify import classify
from .equilibria import nash_equilibria
from .normal_form import Game

__all__ = [
    "JERVIS_WORLDS",
    "JervisParams",
    "World",
    "four_worlds",
    "jervis_game",
    "world",
    "world_grid",
]

JERVIS_WORLDS: dict[tuple[bool, bool], tuple[int, str]] = {
    (True, False): (1, "doubly dangerous"),
    (False, False): (2, "security dilemma, but security requirements may be compatible"),
    (True, True): (3, "no security dilemma, but aggression possible"),
    (False, True): (4, "doubly safe"),
}
"""(offence dominant, distinguishable) -> (Jervis's world number, his description)."""


@dataclass(frozen=True, slots=True)
class JervisParams:
    """Parameters of the security-dilemma game. ``offence`` and ``distinguishability`` are in
    [0, 1] (offence 0.5 is a neutral balance); the others are positive magnitudes."""

    gain: float = 2.0
    temptation: float = 2.0
    exploitation_cost: float = 3.0
    arms_cost: float = 1.0
    offence: float = 0.5
    distinguishability: float = 0.5

    def validate(self) -> JervisParams:
        """Return self, or raise BadInput listing every out-of-range value."""
        problems = []
        for name in ("offence", "distinguishability"):
            v = getattr(self, name)
            if not (np.isfinite(v) and 0.0 <= v <= 1.0):
                problems.append(Problem(f"must be in [0, 1], got {v}", path=name))
        for name in ("gain", "temptation", "exploitation_cost", "arms_cost"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0.0):
                problems.append(Problem(f"must be a positive number, got {v}", path=name))
        if problems:
            raise BadInput(problems)
        return self

    def rstp(self) -> tuple[float, float, float, float]:
        """(R, S, T, P) of the derived game."""
        r = self.gain
        t = self.gain + self.temptation * (2.0 * self.offence - 1.0)
        s = -self.exploitation_cost * 2.0 * self.offence * (1.0 - self.distinguishability)
        p = -self.arms_cost
        return r, s + 0.0, t, p


def jervis_game(params: JervisParams) -> Game:
    """The symmetric 2x2 game (strategies C, D) the parameters imply."""
    return Game.from_rstp(*params.validate().rstp())


@dataclass(frozen=True)
class World:
    """One of Jervis's worlds: its parameters, the derived game and how it is played."""

    number: int
    description: str
    params: JervisParams
    rstp: tuple[float, float, float, float]
    greed: float
    fear: float
    game_name: str
    family: str
    outcomes: tuple[str, ...]
    equilibria: tuple[dict[str, object], ...]
    dilemma: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        r, s, t, p = self.rstp
        return {
            "world": self.number,
            "description": self.description,
            "offence": self.params.offence,
            "distinguishability": self.params.distinguishability,
            "offence_dominant": self.params.offence > 0.5,
            "distinguishable": self.params.distinguishability > 0.5,
            "payoffs": {"R": r, "S": s, "T": t, "P": p},
            "greed": self.greed,
            "fear": self.fear,
            "game": self.game_name,
            "family": self.family,
            "outcomes": list(self.outcomes),
            "equilibria": list(self.equilibria),
            "security_dilemma": self.dilemma,
        }


_OUTCOME = {
    (0, 0): "mutual restraint (C,C)",
    (1, 1): "arms race (D,D)",
    (0, 1): "row exploited (C,D)",
    (1, 0): "column exploited (D,C)",
}


def world(params: JervisParams) -> World:
    """Derive and solve the game for one parameter setting."""
    game = jervis_game(params)
    r, s, t, p = params.rstp()
    cls = classify(game)
    eqs = nash_equilibria(game)
    outcomes = []
    details = []
    for e in eqs.equilibria:
        if e.pure:
            label = _OUTCOME[(int(np.argmax(e.row)), int(np.argmax(e.col)))]
        else:
            label = f"mixed: each restrains with p={e.row[0]:.3g}"
        outcomes.append(label)
        details.append(
            {
                "outcome": label,
                "p_restrain_row": float(e.row[0]),
                "p_restrain_col": float(e.col[0]),
                "payoff": e.row_payoff,
                "pareto_dominated": e.pareto_dominated,
            }
        )
    dilemma = any(
        e.pure and e.row[1] == 1 and e.col[1] == 1 and e.pareto_dominated for e in eqs.equilibria
    )
    number, description = JERVIS_WORLDS[(params.offence > 0.5, params.distinguishability > 0.5)]
    return World(
        number=number,
        description=description,
        params=params,
        rstp=(r, s, t, p),
        greed=t - r,
        fear=p - s,
        game_name=cls.name,
        family=cls.family,
        outcomes=tuple(outcomes),
        equilibria=tuple(details),
        dilemma=dilemma,
    )


def four_worlds(
    params: JervisParams | None = None,
    *,
    offence_dominant: float = 0.75,
    defence_dominant: float = 0.25,
    distinguishable: float = 1.0,
    indistinguishable: float = 0.0,
) -> list[World]:
    """Jervis's four worlds, in his order (1 doubly dangerous ... 4 doubly safe)."""
    base = params or JervisParams()
    settings = [
        (offence_dominant, indistinguishable),
        (defence_dominant, indistinguishable),
        (offence_dominant, distinguishable),
        (defence_dominant, distinguishable),
    ]
    return [world(dataclasses.replace(base, offence=o, distinguishability=d)) for o, d in settings]


def world_grid(
    params: JervisParams | None = None, offence: int = 11, distinguishability: int = 11
) -> dict[str, object]:
    """The game's name over a grid of offence (rows) x distinguishability (columns)."""
    base = params or JervisParams()
    os_ = np.linspace(0.0, 1.0, offence)
    ds = np.linspace(0.0, 1.0, distinguishability)
    names = [
        [
            classify(jervis_game(dataclasses.replace(base, offence=o, distinguishability=d))).name
            for d in ds
        ]
        for o in os_
    ]
    return {"offence": os_.tolist(), "distinguishability": ds.tolist(), "game": names}
