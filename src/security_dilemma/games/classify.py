"""Ordinal classification of 2x2 games (Rapoport & Guyer 1966; Robinson & Goforth 2005).

Only the order of each player's four payoffs matters. In a symmetric game a player's payoffs
are R (both cooperate), S (I cooperate, you defect), T (I defect, you cooperate) and P (both
defect); the 24 strict orders of R, S, T, P form 12 distinct games, because swapping the
labels of the two strategies turns (R, S, T, P) into (P, T, S, R). Their names follow the
Robinson-Goforth/Bruns (2015) nomenclature for the symmetric ordinal games, with the textbook
IR names where they exist (prisoner's dilemma, chicken, stag hunt, deadlock, harmony):

============  ==========  ====================  ========================================
name          order       family                what it means for two states
============  ==========  ====================  ========================================
Prisoner's    T>R>P>S     dilemma               defection dominates; mutual defection is
Dilemma                                         worse for both than mutual cooperation
Deadlock      T>P>R>S     dominance             both prefer mutual defection: no dilemma
Compromise    T>P>S>R     dominance             defection dominates and is efficient
Chicken       T>R>S>P     anti-coordination     each wants the other to back down
Leader        T>S>R>P     anti-coordination     one "leads", both gain from any split
Hero          S>T>R>P     anti-coordination     (symmetric battle of the sexes)
Stag Hunt     R>T>P>S     coordination          cooperation pays if the other cooperates
Assurance     R>P>T>S     coordination
Coordination  R>P>S>T     coordination
Harmony       R>T>S>P     no conflict           cooperation dominates and is best
Concord       R>S>T>P     no conflict
Peace         R>S>P>T     no conflict
============  ==========  ====================  ========================================

Ties are handled explicitly: a game with tied payoffs is classified by every strict order
that breaks its ties; if they all give the same game, that is its name, otherwise it lies
on the boundary between them and its name lists them (``"Leader | Hero"``).

>>> classify(Game.from_rstp(3, 0, 5, 1)).name
"Prisoner's Dilemma"
>>> classify(Game.from_rstp(4, 0, 3, 1)).name
'Stag Hunt'
>>> classify(Game.of([[2, 0], [0, 1]], [[1, 0], [0, 2]])).name   # battle of the sexes
'Leader | Hero'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import BadInput, Problem
from .normal_form import Game

__all__ = ["SYMMETRIC_GAMES", "Classification", "classify", "ordering"]

# name -> (textbook strict order of R, S, T, P, highest first; family)
SYMMETRIC_GAMES: dict[str, tuple[str, str]] = {
    "Prisoner's Dilemma": ("TRPS", "dilemma"),
    "Deadlock": ("TPRS", "dominance"),
    "Compromise": ("TPSR", "dominance"),
    "Chicken": ("TRSP", "anti-coordination"),
    "Leader": ("TSRP", "anti-coordination"),
    "Hero": ("STRP", "anti-coordination"),
    "Stag Hunt": ("RTPS", "coordination"),
    "Assurance": ("RPTS", "coordination"),
    "Coordination": ("RPST", "coordination"),
    "Harmony": ("RTSP", "no conflict"),
    "Concord": ("RSTP", "no conflict"),
    "Peace": ("RSPT", "no conflict"),
}
_BY_ORDER = {order: name for name, (order, _) in SYMMETRIC_GAMES.items()}
_SWAP = {"R": "P", "P": "R", "S": "T", "T": "S"}


@dataclass(frozen=True, slots=True)
class Classification:
    """What kind of 2x2 game this is.

    ``name`` is the game's name (``"A | B"`` on a boundary between games because of ties,
    ``"Row / Col"`` for an asymmetric game: each player's own preference pattern).
    ``cooperate`` is the index of the strategy that plays the role of C in the textbook form
    (0 or 1; None for asymmetric games). ``orders`` are the players' payoff orders as given,
    e.g. ``"T>R>P>S"`` (ties as ``=``).
    """

    name: str
    family: str
    symmetric: bool
    candidates: tuple[str, ...]
    orders: tuple[str, str]
    ties: bool
    cooperate: int | None
    pure_equilibria: tuple[tuple[int, int], ...]
    dominant: tuple[int | None, int | None]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "family": self.family,
            "symmetric": self.symmetric,
            "candidates": list(self.candidates),
            "orders": {"row": self.orders[0], "col": self.orders[1]},
            "ties": self.ties,
            "cooperate": self.cooperate,
            "pure_equilibria": [list(p) for p in self.pure_equilibria],
            "dominant": {"row": self.dominant[0], "col": self.dominant[1]},
        }


def _rstp(game: Game) -> tuple[dict[str, float], dict[str, float]]:
    a, b = game.row, game.col
    row = {"R": a[0, 0], "S": a[0, 1], "T": a[1, 0], "P": a[1, 1]}
    col = {"R": b[0, 0], "S": b[1, 0], "T": b[0, 1], "P": b[1, 1]}
    return {k: float(v) for k, v in row.items()}, {k: float(v) for k, v in col.items()}


def ordering(values: dict[str, float]) -> str:
    """A weak order of the named payoffs, highest first: ``{"R": 3, ...} -> "T>R>P>S"``."""
    levels = sorted(set(values.values()), reverse=True)
    return ">".join("=".join(k for k in "RSTP" if values[k] == v) for v in levels)


def _strict_orders(values: dict[str, float]) -> list[str]:
    """Every strict order (e.g. ``"TRPS"``) that breaks the ties of ``values``."""
    levels = sorted(set(values.values()), reverse=True)
    groups = [[k for k in "RSTP" if values[k] == v] for v in levels]
    out = []
    for perms in itertools.product(*(itertools.permutations(g) for g in groups)):
        out.append("".join(itertools.chain.from_iterable(perms)))
    return out


def _name_of(order: str) -> tuple[str, int]:
    """The symmetric game of a strict order and which strategy index plays C in it."""
    if order in _BY_ORDER:
        return _BY_ORDER[order], 0
    swapped = "".join(_SWAP[c] for c in order)
    return _BY_ORDER[swapped], 1


def _names(values: dict[str, float]) -> tuple[list[str], set[int]]:
    names: list[str] = []
    roles: set[int] = set()
    for order in _strict_orders(values):
        name, role = _name_of(order)
        roles.add(role)
        if name not in names:
            names.append(name)
    names.sort(key=list(SYMMETRIC_GAMES).index)
    return names, roles


def _pure_equilibria(game: Game) -> tuple[tuple[int, int], ...]:
    a, b = game.row, game.col
    out = []
    for i in range(2):
        for j in range(2):
            if a[i, j] >= a[1 - i, j] and b[i, j] >= b[i, 1 - j]:
                out.append((i, j))
    return tuple(out)


def _dominant(a: np.ndarray) -> int | None:
    """Index of a (weakly, with one strict) dominant row of a 2x2 matrix, if any."""
    for i in range(2):
        diff = a[i] - a[1 - i]
        if np.all(diff >= 0) and np.any(diff > 0):
            return i
    return None


def _family(game: Game, eqs: tuple[tuple[int, int], ...]) -> str:
    if not eqs:
        return "cyclic"
    dominated = [
        any(
            game.row[k, m] >= game.row[i, j]
            and game.col[k, m] >= game.col[i, j]
            and (game.row[k, m] > game.row[i, j] or game.col[k, m] > game.col[i, j])
            for k in range(2)
            for m in range(2)
        )
        for i, j in eqs
    ]
    if len(eqs) == 1:
        return "dilemma" if dominated[0] else "dominance"
    if all(i == j for i, j in eqs):
        return "coordination"
    if all(i != j for i, j in eqs):
        return "anti-coordination"
    return "weak (ties)"


def classify(game: Game) -> Classification:
    """Classify a 2x2 game by the order of each player's payoffs (see the module docs)."""
    if game.shape != (2, 2):
        m, n = game.shape
        raise BadInput(Problem(f"ordinal classification needs a 2x2 game, got {m}x{n}"))
    eqs = _pure_equilibria(game)
    dominant = (_dominant(game.row), _dominant(game.col.T))
    # Try the four relabellings (swap row strategies, swap column strategies).
    for swap_row, swap_col in ((False, False), (True, True), (False, True), (True, False)):
        g = game
        if swap_row:
            g = Game(g.row[::-1], g.col[::-1], g.row_labels[::-1], g.col_labels)
        if swap_col:
            g = Game(g.row[:, ::-1], g.col[:, ::-1], g.row_labels, g.col_labels[::-1])
        row, col = _rstp(g)
        ranks_row = _dense_ranks(row)
        ranks_col = _dense_ranks(col)
        if ranks_row == ranks_col:
            names, roles = _names(row)
            ties = len(set(row.values())) < 4
            family = (
                SYMMETRIC_GAMES[names[0]][1]
                if len({SYMMETRIC_GAMES[n][1] for n in names}) == 1
                else _family(game, eqs)
            )
            cooperate: int | None = None
            if len(roles) == 1 and swap_row == swap_col:
                role = roles.pop()
                cooperate = role if not swap_row else 1 - role
            if len(names) == 12:
                name, family = "Null game (all payoffs tied)", "trivial"
            else:
                name = " | ".join(names)
            r0, c0 = _rstp(game)
            return Classification(
                name=name,
                family=family,
                symmetric=True,
                candidates=tuple(names),
                orders=(ordering(r0), ordering(c0)),
                ties=ties,
                cooperate=cooperate,
                pure_equilibria=eqs,
                dominant=dominant,
            )
    row, col = _rstp(game)
    row_names, _ = _names(row)
    col_names, _ = _names(col)
    rn = " | ".join(row_names)
    cn = " | ".join(col_names)
    ties = len(set(row.values())) < 4 or len(set(col.values())) < 4
    return Classification(
        name=f"{rn} / {cn}",
        family=_family(game, eqs),
        symmetric=False,
        candidates=(rn, cn),
        orders=(ordering(row), ordering(col)),
        ties=ties,
        cooperate=None,
        pure_equilibria=eqs,
        dominant=dominant,
    )


def _dense_ranks(values: dict[str, float]) -> dict[str, int]:
    levels = sorted(set(values.values()))
    return {k: levels.index(v) for k, v in values.items()}
