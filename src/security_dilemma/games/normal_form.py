"""Two-player normal-form (bimatrix) games: payoffs, best replies, Pareto optimality.

A game is two payoff matrices of the same shape ``(m, n)``: ``row[i, j]`` is what the row
player gets when row plays ``i`` and column plays ``j``; ``col[i, j]`` is the column
player's payoff in the same cell. IR convention for 2x2 games: strategy 0 is "cooperate"
(restraint, a defensive posture) and strategy 1 is "defect" (arm, attack, exploit).

>>> pd = Game.from_rstp(3, 0, 5, 1)
>>> pd.row.tolist(), pd.col.tolist()
([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])
>>> pareto_optimal_profiles(pd)
[(0, 0), (0, 1), (1, 0)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem

__all__ = [
    "Game",
    "best_responses",
    "expected_payoffs",
    "is_pareto_dominated",
    "pareto_optimal_profiles",
    "pure_profiles",
]

Array = npt.NDArray[np.float64]
MAX_STRATEGIES = 200


def _matrix(value: npt.ArrayLike, name: str) -> tuple[Array | None, list[Problem]]:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        return None, [Problem(f"not a numeric matrix: {exc}", path=name)]
    problems = []
    if arr.ndim != 2:
        problems.append(
            Problem(
                f"must be a 2-D matrix (a list of rows), got {arr.ndim} dimension(s)", path=name
            )
        )
    elif min(arr.shape) < 1:
        problems.append(Problem("must have at least one row and one column", path=name))
    elif max(arr.shape) > MAX_STRATEGIES:
        problems.append(Problem(f"at most {MAX_STRATEGIES} strategies per player", path=name))
    elif not np.all(np.isfinite(arr)):
        problems.append(Problem("payoffs must be finite numbers", path=name))
    return (arr if not problems else None), problems


@dataclass(frozen=True)
class Game:
    """A bimatrix game. Build it with :meth:`of` (validated) or the helpers below."""

    row: Array
    col: Array
    row_labels: tuple[str, ...] = field(default=())
    col_labels: tuple[str, ...] = field(default=())

    @classmethod
    def of(
        cls,
        row: npt.ArrayLike,
        col: npt.ArrayLike | None = None,
        *,
        row_labels: Sequence[str] = (),
        col_labels: Sequence[str] = (),
    ) -> Game:
        """A validated game; ``col=None`` means zero-sum (``col = -row``).

        Raises :class:`~security_dilemma.errors.BadInput` listing every problem found.
        """
        a, problems = _matrix(row, "row")
        b: Array | None
        if col is None:
            b = None if a is None else -a
        else:
            b, more = _matrix(col, "col")
            problems += more
        if a is not None and b is not None and a.shape != b.shape:
            problems.append(
                Problem(
                    f"row payoffs are {a.shape[0]}x{a.shape[1]} but column payoffs are "
                    f"{b.shape[0]}x{b.shape[1]}; both must have the same shape",
                    path="col",
                )
            )
        if problems or a is None or b is None:
            raise BadInput(problems)
        a.setflags(write=False)
        b.setflags(write=False)
        m, n = a.shape
        rl = tuple(row_labels) or tuple(f"r{i}" for i in range(m))
        cl = tuple(col_labels) or tuple(f"c{j}" for j in range(n))
        if len(rl) != m or len(cl) != n:
            raise BadInput(Problem("one label per strategy", path="labels"))
        return cls(a, b, rl, cl)

    @classmethod
    def symmetric(cls, payoff: npt.ArrayLike, labels: Sequence[str] = ()) -> Game:
        """A symmetric game: the column player's payoffs are the transpose of the row's."""
        a = np.asarray(payoff, dtype=np.float64)
        return cls.of(a, a.T, row_labels=labels, col_labels=labels)

    @classmethod
    def from_rstp(cls, r: float, s: float, t: float, p: float) -> Game:
        """The symmetric 2x2 game with reward R, sucker S, temptation T, punishment P."""
        return cls.symmetric([[r, s], [t, p]], labels=("C", "D"))

    @property
    def shape(self) -> tuple[int, int]:
        """Numbers of row and column strategies."""
        m, n = self.row.shape
        return int(m), int(n)

    @property
    def is_symmetric(self) -> bool:
        """Whether the column player's payoffs are the transpose of the row player's."""
        return self.shape[0] == self.shape[1] and bool(np.array_equal(self.row, self.col.T))

    def transpose(self) -> Game:
        """The same game with the players' roles swapped."""
        return Game(self.col.T, self.row.T, self.col_labels, self.row_labels)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready payoffs and labels."""
        return {
            "row": self.row.tolist(),
            "col": self.col.tolist(),
            "row_labels": list(self.row_labels),
            "col_labels": list(self.col_labels),
        }


def pure_profiles(game: Game) -> list[tuple[int, int]]:
    """Every pure strategy profile ``(i, j)`` in row-major order."""
    m, n = game.shape
    return [(i, j) for i in range(m) for j in range(n)]


def expected_payoffs(game: Game, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[float, float]:
    """The players' expected payoffs when row mixes ``x`` and column mixes ``y``."""
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    return float(xa @ game.row @ ya), float(xa @ game.col @ ya)


def best_responses(
    game: Game, x: npt.ArrayLike, y: npt.ArrayLike, tol: float = 1e-9
) -> tuple[list[int], list[int]]:
    """Row's pure best replies to ``y`` and column's pure best replies to ``x``."""
    r = game.row @ np.asarray(y, dtype=np.float64)
    c = np.asarray(x, dtype=np.float64) @ game.col
    scale_r = tol * max(1.0, float(np.max(np.abs(r))))
    scale_c = tol * max(1.0, float(np.max(np.abs(c))))
    return (
        [int(i) for i in np.flatnonzero(r >= r.max() - scale_r)],
        [int(j) for j in np.flatnonzero(c >= c.max() - scale_c)],
    )


def is_pareto_dominated(game: Game, payoff: tuple[float, float], tol: float = 1e-9) -> bool:
    """Whether some pure outcome gives both players at least ``payoff`` and one strictly more."""
    a = game.row.ravel()
    b = game.col.ravel()
    weakly = (a >= payoff[0] - tol) & (b >= payoff[1] - tol)
    strictly = (a > payoff[0] + tol) | (b > payoff[1] + tol)
    return bool(np.any(weakly & strictly))


def pareto_optimal_profiles(game: Game) -> list[tuple[int, int]]:
    """Pure profiles whose payoffs no other pure profile Pareto-dominates."""
    return [
        (i, j)
        for i, j in pure_profiles(game)
        if not is_pareto_dominated(game, (float(game.row[i, j]), float(game.col[i, j])), tol=0.0)
    ]
