"""Nash equilibria of bimatrix games: vertex enumeration, support enumeration, Lemke-Howson.

The default, :func:`nash_equilibria`, enumerates the vertices of the two best-response
polytopes (Avis, Rosenberg, Savani & von Stengel 2010) and returns every *extreme*
equilibrium: for a nondegenerate game these are all its equilibria; for a degenerate game
(one where some mixed strategy with support of size k has more than k pure best replies,
e.g. a game with tied payoffs) equilibria may form continua, and each continuum is the union
of convex hulls of "maximal Nash subsets" of extreme equilibria. We report those subsets and
the connected components they form, so nothing is lost: every equilibrium of the game is a
convex combination within one maximal Nash subset.

>>> from security_dilemma.games.normal_form import Game
>>> eqs = nash_equilibria(Game.of([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
>>> [(e.row.tolist(), e.col.tolist()) for e in eqs.equilibria]
[([0.0, 1.0], [0.0, 1.0])]
>>> chicken = nash_equilibria(Game.from_rstp(3, 1, 4, 0))
>>> [e.row.round(3).tolist() for e in chicken.equilibria]
[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem
from .normal_form import Game, best_responses, expected_payoffs, is_pareto_dominated

__all__ = [
    "Equilibrium",
    "EquilibriumSet",
    "lemke_howson",
    "nash_equilibria",
    "support_enumeration",
    "vertex_enumeration",
]

Array = npt.NDArray[np.float64]
MAX_VERTEX_BASES = 400_000
"""Largest number of candidate bases (``C(m+n, m)``) vertex enumeration will try."""


@dataclass(frozen=True)
class Equilibrium:
    """One Nash equilibrium: mixed strategies, payoffs, supports, Pareto status."""

    row: Array
    col: Array
    row_payoff: float
    col_payoff: float
    pareto_dominated: bool

    @property
    def pure(self) -> bool:
        """Whether both players play a single strategy."""
        return bool(np.max(self.row) > 1 - 1e-12 and np.max(self.col) > 1 - 1e-12)

    @property
    def row_support(self) -> list[int]:
        """Row strategies played with positive probability."""
        return [int(i) for i in np.flatnonzero(self.row > 1e-12)]

    @property
    def col_support(self) -> list[int]:
        """Column strategies played with positive probability."""
        return [int(j) for j in np.flatnonzero(self.col > 1e-12)]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        return {
            "row": self.row.tolist(),
            "col": self.col.tolist(),
            "row_payoff": self.row_payoff,
            "col_payoff": self.col_payoff,
            "pure": self.pure,
            "row_support": self.row_support,
            "col_support": self.col_support,
            "pareto_dominated": self.pareto_dominated,
        }


@dataclass(frozen=True)
class EquilibriumSet:
    """The equilibria found, how, and (degenerate games) how they hang together.

    ``nash_subsets`` are maximal sets of extreme equilibria (pairs of index lists into the
    distinct row and column strategies, ``row_vertices``/``col_vertices``) any convex
    combination of which is an equilibrium; ``components`` groups equilibrium indices into
    connected components. Both are only computed by vertex enumeration.
    """

    equilibria: tuple[Equilibrium, ...]
    method: str
    degenerate: bool
    components: tuple[tuple[int, ...], ...] = ()
    nash_subsets: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()
    row_vertices: tuple[tuple[float, ...], ...] = ()
    col_vertices: tuple[tuple[float, ...], ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        return {
            "method": self.method,
            "degenerate": self.degenerate,
            "equilibria": [e.to_dict() for e in self.equilibria],
            "components": [list(c) for c in self.components],
            "nash_subsets": [
                {"row_vertices": list(u), "col_vertices": list(v)} for u, v in self.nash_subsets
            ],
            "row_vertices": [list(v) for v in self.row_vertices],
            "col_vertices": [list(v) for v in self.col_vertices],
        }


def _scale(game: Game) -> float:
    return max(1.0, float(np.max(np.abs(game.row))), float(np.max(np.abs(game.col))))


def _make(game: Game, x: Array, y: Array) -> Equilibrium:
    x = np.where(np.abs(x) < 1e-13, 0.0, x)
    y = np.where(np.abs(y) < 1e-13, 0.0, y)
    x = x / x.sum() + 0.0
    y = y / y.sum() + 0.0
    u, v = expected_payoffs(game, x, y)
    dominated = is_pareto_dominated(game, (u, v), tol=1e-9 * _scale(game))
    return Equilibrium(x, y, u, v, dominated)


def _is_equilibrium(game: Game, x: Array, y: Array, tol: float) -> bool:
    r = game.row @ y
    c = x @ game.col
    return bool(x @ r >= r.max() - tol and c @ y >= c.max() - tol)


# ---------------------------------------------------------------------------------------
# Vertex enumeration


def _vertices(cons: Array, rhs: Array, dim: int, tol: float) -> tuple[Array, npt.NDArray[np.int64]]:
    """Vertices of {z : cons z <= rhs} and the bitmask of tight constraints at each."""
    k = cons.shape[0]
    found: dict[tuple[float, ...], tuple[Array, int]] = {}
    combos = itertools.combinations(range(k), dim)
    chunk = 20_000
    while True:
        block = np.array(list(itertools.islice(combos, chunk)), dtype=np.int64)
        if block.size == 0:
            break
        mats = cons[block]  # (K, dim, dim)
        b = rhs[block]
        det = np.linalg.det(mats)
        ok = np.abs(det) > 1e-12
        if not np.any(ok):
            continue
        sol = np.linalg.solve(mats[ok], b[ok][..., None])[..., 0]
        slack = sol @ cons.T - rhs  # (K', k)
        feasible = np.all(slack <= tol, axis=1)
        for z in sol[feasible]:
            key = tuple(np.round(z, 9).tolist())
            if key not in found:
                tight = np.abs(z @ cons.T - rhs) <= tol
                mask = int(np.sum(1 << np.flatnonzero(tight).astype(np.int64)))
                found[key] = (z, mask)
    if not found:
        return np.zeros((0, dim)), np.zeros(0, dtype=np.int64)
    zs = np.array([v[0] for v in found.values()])
    masks = np.array([v[1] for v in found.values()], dtype=np.int64)
    return zs, masks


def _polytopes(game: Game) -> tuple[Array, Array, Array, Array]:
    m, n = game.shape
    a = game.row - game.row.min() + 1.0
    b = game.col - game.col.min() + 1.0
    # P = {x >= 0, B^T x <= 1}: labels 0..m-1 for x_i = 0, m+j for (B^T x)_j = 1
    cons_p = np.vstack([-np.eye(m), b.T])
    rhs_p = np.concatenate([np.zeros(m), np.ones(n)])
    # Q = {A y <= 1, y >= 0}: labels i for (A y)_i = 1, m+j for y_j = 0
    cons_q = np.vstack([a, -np.eye(n)])
    rhs_q = np.concatenate([np.ones(m), np.zeros(n)])
    return cons_p, rhs_p, cons_q, rhs_q


def vertex_enumeration(game: Game) -> EquilibriumSet:
    """All extreme equilibria, with maximal Nash subsets and components (degenerate games)."""
    m, n = game.shape
    bases = math.comb(m + n, m)
    if bases > MAX_VERTEX_BASES or m + n > 62:
        raise BadInput(
            Problem(
                f"a {m}x{n} game is too large for vertex enumeration ({bases} bases); "
                "use method 'lemke-howson' for one equilibrium",
                path="method",
            )
        )
    cons_p, rhs_p, cons_q, rhs_q = _polytopes(game)
    tol = 1e-9
    xs, lx = _vertices(cons_p, rhs_p, m, tol)
    ys, ly = _vertices(cons_q, rhs_q, n, tol)
    degenerate = bool(
        any(bin(int(v)).count("1") > m for v in lx) or any(bin(int(v)).count("1") > n for v in ly)
    )
    keep_x = np.any(xs > tol, axis=1)
    keep_y = np.any(ys > tol, axis=1)
    xs, lx = xs[keep_x], lx[keep_x]
    ys, ly = ys[keep_y], ly[keep_y]
    full = (1 << (m + n)) - 1
    pairs = np.argwhere((lx[:, None] | ly[None, :]) == full)
    # Distinct normalised strategies, sorted for a stable order.
    xn = np.where(xs > tol, xs, 0.0) / xs.sum(axis=1, keepdims=True) + 0.0
    yn = np.where(ys > tol, ys, 0.0) / ys.sum(axis=1, keepdims=True) + 0.0
    used_x = sorted({int(i) for i, _ in pairs}, key=lambda i: tuple(-xn[i]))
    used_y = sorted({int(j) for _, j in pairs}, key=lambda j: tuple(-yn[j]))
    rx = {i: k for k, i in enumerate(used_x)}
    ry = {j: k for k, j in enumerate(used_y)}
    edges = sorted((rx[int(i)], ry[int(j)]) for i, j in pairs)
    eqs = tuple(_make(game, xn[used_x[u]], yn[used_y[v]]) for u, v in edges)
    components, subsets = _structure(edges)
    return EquilibriumSet(
        equilibria=eqs,
        method="vertex",
        degenerate=degenerate,
        components=components,
        nash_subsets=subsets,
        row_vertices=tuple(tuple(float(p) for p in xn[i]) for i in used_x),
        col_vertices=tuple(tuple(float(p) for p in yn[j]) for j in used_y),
    )


def _structure(
    edges: list[tuple[int, int]],
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]]:
    """Connected components (as equilibrium indices) and maximal bicliques of the edges."""
    parent = list(range(len(edges)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in itertools.combinations(range(len(edges)), 2):
        if edges[a][0] == edges[b][0] or edges[a][1] == edges[b][1]:
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for k in range(len(edges)):
        groups.setdefault(find(k), []).append(k)
    components = tuple(sorted(tuple(g) for g in groups.values()))
    nbr_x: dict[int, set[int]] = {}
    nbr_y: dict[int, set[int]] = {}
    for u, v in edges:
        nbr_x.setdefault(u, set()).add(v)
        nbr_y.setdefault(v, set()).add(u)
    subsets: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
    for comp in components:
        xs = sorted({edges[k][0] for k in comp})
        if len(xs) > 14:  # too many to close over every subset: report single stars
            candidates: Iterator[tuple[int, ...]] = ((u,) for u in xs)
        else:
            candidates = itertools.chain.from_iterable(
                itertools.combinations(xs, r) for r in range(1, len(xs) + 1)
            )
        for us in candidates:
            vs = set.intersection(*(nbr_x[u] for u in us))
            if not vs:
                continue
            closure = set.intersection(*(nbr_y[v] for v in vs))
            subsets.add((tuple(sorted(closure)), tuple(sorted(vs))))
    return components, tuple(sorted(subsets))


# ---------------------------------------------------------------------------------------
# Support enumeration


def _indifferent(
    mat: Array, support_own: tuple[int, ...], support_other: tuple[int, ...]
) -> Array | None:
    """Mixed strategy on ``support_other`` making every strategy in ``support_own`` equal."""
    k = len(support_other)
    sub = mat[np.ix_(support_own, support_other)]
    eqs = np.vstack([sub[1:] - sub[:-1], np.ones((1, k))])
    rhs = np.zeros(k)
    rhs[-1] = 1.0
    if eqs.shape[0] != k or abs(np.linalg.det(eqs)) < 1e-12:
        return None
    p: Array = np.asarray(np.linalg.solve(eqs, rhs), dtype=np.float64)
    if np.any(p < -1e-12):
        return None
    return p


def support_enumeration(game: Game) -> EquilibriumSet:
    """Equilibria on supports of equal size (complete for nondegenerate games only)."""
    m, n = game.shape
    tol = 1e-9 * _scale(game)
    found: dict[tuple[float, ...], Equilibrium] = {}
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                y_s = _indifferent(game.row, rows, cols)
                x_s = _indifferent(game.col.T, cols, rows)
                if x_s is None or y_s is None:
                    continue
                x = np.zeros(m)
                y = np.zeros(n)
                x[list(rows)] = np.clip(x_s, 0.0, None)
                y[list(cols)] = np.clip(y_s, 0.0, None)
                if _is_equilibrium(game, x, y, tol):
                    key = tuple(np.round(np.concatenate([x, y]), 9).tolist())
                    found.setdefault(key, _make(game, x, y))
    eqs = tuple(sorted(found.values(), key=lambda e: (tuple(-e.row), tuple(-e.col))))
    return EquilibriumSet(equilibria=eqs, method="support", degenerate=_degenerate_quick(game))


def _degenerate_quick(game: Game) -> bool:
    """Degeneracy test on pure strategies: some pure strategy with several best replies."""
    m, n = game.shape
    for i in range(m):
        x = np.eye(m)[i]
        _, cols = best_responses(game, x, np.full(n, 1.0 / n))
        if len(cols) > 1:
            return True
    for j in range(n):
        y = np.eye(n)[j]
        rows, _ = best_responses(game, np.full(m, 1.0 / m), y)
        if len(rows) > 1:
            return True
    return False


# ---------------------------------------------------------------------------------------
# Lemke-Howson


def _lex_pivot(tab: Array, basis: list[int], enter: int, lex_cols: list[int]) -> int:
    col = tab[:, enter]
    rows = np.flatnonzero(col > 1e-12)
    if rows.size == 0:
        raise RuntimeError("Lemke-Howson: unbounded ray (should not happen)")
    lex = np.asarray(lex_cols, dtype=np.intp)
    keys = np.column_stack([tab[rows, -1], tab[np.ix_(rows, lex)]]) / col[rows, None]
    order = np.lexsort(keys.T[::-1])
    r = int(rows[order[0]])
    leaving = basis[r]
    tab[r] /= tab[r, enter]
    for i in range(tab.shape[0]):
        if i != r:
            tab[i] -= tab[i, enter] * tab[r]
    basis[r] = enter
    return leaving


def lemke_howson(game: Game, initial_dropped_label: int = 0) -> EquilibriumSet:
    """One equilibrium by complementary pivoting (lexicographic, so degenerate games work)."""
    m, n = game.shape
    if not 0 <= initial_dropped_label < m + n:
        raise BadInput(
            Problem(
                f"initial dropped label must be in 0..{m + n - 1}", path="initial_dropped_label"
            )
        )
    a = game.row - game.row.min() + 1.0
    b = game.col - game.col.min() + 1.0
    # Variables are indexed by their labels in both tableaux.
    row_tab = np.hstack([b.T, np.eye(n), np.ones((n, 1))])  # x_0..x_{m-1}, s_0..s_{n-1}
    col_tab = np.hstack([np.eye(m), a, np.ones((m, 1))])  # r_0..r_{m-1}, y_0..y_{n-1}
    row_basis = list(range(m, m + n))
    col_basis = list(range(m))
    row_lex = list(range(m, m + n))
    col_lex = list(range(m))
    k = initial_dropped_label
    entering = k
    in_row = k < m
    for _ in range(10_000):
        if in_row:
            leaving = _lex_pivot(row_tab, row_basis, entering, row_lex)
        else:
            leaving = _lex_pivot(col_tab, col_basis, entering, col_lex)
        if leaving == k:
            break
        entering = leaving
        in_row = not in_row
    else:  # pragma: no cover - cycling is prevented by the lexicographic rule
        raise RuntimeError("Lemke-Howson did not terminate")
    x = np.zeros(m)
    y = np.zeros(n)
    for r, var in enumerate(row_basis):
        if var < m:
            x[var] = row_tab[r, -1]
    for r, var in enumerate(col_basis):
        if var >= m:
            y[var - m] = col_tab[r, -1]
    eq = _make(game, x, y)
    return EquilibriumSet(
        equilibria=(eq,), method="lemke-howson", degenerate=_degenerate_quick(game)
    )


METHODS = ("vertex", "support", "lemke-howson")


def nash_equilibria(game: Game, method: str = "vertex") -> EquilibriumSet:
    """Nash equilibria by ``method``: "vertex" (default, all extreme equilibria),
    "support" (nondegenerate games) or "lemke-howson" (one equilibrium, large games)."""
    if method == "vertex":
        return vertex_enumeration(game)
    if method == "support":
        return support_enumeration(game)
    if method == "lemke-howson":
        return lemke_howson(game)
    from ..errors import did_you_mean

    raise BadInput(
        Problem(
            f"unknown method '{method}'{did_you_mean(method, METHODS)}; "
            f"choose one of {', '.join(METHODS)}",
            path="method",
        )
    )
