"""Nash equilibria: golden games, degenerate games, and nashpy as a peer (hypothesis)."""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import nnls

from security_dilemma.errors import BadInput
from security_dilemma.games import (
    Game,
    lemke_howson,
    nash_equilibria,
    support_enumeration,
    vertex_enumeration,
)


def as_set(eqs):
    return {tuple(np.round(np.r_[e.row, e.col], 6)) for e in eqs}


def is_nash(a, b, x, y, tol=1e-7):
    r = a @ y
    c = x @ b
    return x @ r >= r.max() - tol and c @ y >= c.max() - tol


def test_prisoners_dilemma_has_one_pareto_dominated_pure_equilibrium():
    res = nash_equilibria(Game.of([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
    (e,) = res.equilibria
    assert e.pure and e.row_support == [1] and e.col_support == [1]
    assert e.pareto_dominated
    assert not res.degenerate


def test_matching_pennies_and_rock_paper_scissors_are_fully_mixed():
    (e,) = nash_equilibria(Game.of([[1, -1], [-1, 1]])).equilibria
    assert_allclose(e.row, [0.5, 0.5])
    assert_allclose(e.col, [0.5, 0.5])
    rps = Game.of([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    for method in ("vertex", "support", "lemke-howson"):
        (e,) = nash_equilibria(rps, method).equilibria
        assert_allclose(e.row, [1 / 3] * 3)
        assert_allclose(e.row_payoff, 0.0, atol=1e-12)


def test_battle_of_the_sexes_mixed_equilibrium_by_hand():
    res = nash_equilibria(Game.of([[2, 0], [0, 1]], [[1, 0], [0, 2]]))
    mixed = [e for e in res.equilibria if not e.pure]
    assert len(res.equilibria) == 3 and len(mixed) == 1
    # Row mixes to make column indifferent: x*1 = (1-x)*2 -> x = 2/3.
    assert_allclose(mixed[0].row, [2 / 3, 1 / 3])
    assert_allclose(mixed[0].col, [1 / 3, 2 / 3])
    assert_allclose([mixed[0].row_payoff, mixed[0].col_payoff], [2 / 3, 2 / 3])


def test_von_stengel_degenerate_game_reports_a_component():
    # von Stengel (2007, AGT ch. 3), degenerate variant: against row's first strategy the
    # column player is indifferent, so (r0, y) is an equilibrium for a whole segment of y.
    # By hand: rows 0 and 1 tie iff y = (2/3, 1/3); columns tie against (a, 1-a, 0) iff a = 1;
    # rows 1 and 2 tie iff y = (1/3, 2/3), and columns tie iff x = (0, 1/3, 2/3).
    game = Game.of([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    res = vertex_enumeration(game)
    assert res.degenerate
    expected = {(1, 0, 0, 1, 0), (1, 0, 0, 2 / 3, 1 / 3), (0, 1 / 3, 2 / 3, 1 / 3, 2 / 3)}
    assert as_set(res.equilibria) == {tuple(np.round(v, 6)) for v in expected}
    assert sorted(len(c) for c in res.components) == [1, 2]
    assert len(res.nash_subsets) == 2
    # Every convex combination inside a maximal Nash subset is an equilibrium.
    for u, v in res.nash_subsets:
        x = np.mean([res.row_vertices[i] for i in u], axis=0)
        y = np.mean([res.col_vertices[j] for j in v], axis=0)
        assert is_nash(game.row, game.col, x, y)
    # ... and the segment's midpoint is not an extreme equilibrium but is an equilibrium.
    assert is_nash(game.row, game.col, np.array([1.0, 0, 0]), np.array([5 / 6, 1 / 6]))


def test_all_tied_game_is_one_component_of_everything():
    res = vertex_enumeration(Game.of(np.ones((2, 3)), np.ones((2, 3))))
    assert res.degenerate
    assert len(res.components) == 1
    assert res.nash_subsets == (((0, 1), (0, 1, 2)),)


def test_bad_method_and_too_large_game():
    game = Game.of([[1, 0], [0, 1]])
    with pytest.raises(BadInput, match="did you mean 'vertex'"):
        nash_equilibria(game, "vertx")
    big = Game.of(
        np.random.default_rng(0).random((14, 14)), np.random.default_rng(1).random((14, 14))
    )
    with pytest.raises(BadInput, match="lemke-howson"):
        vertex_enumeration(big)
    (e,) = lemke_howson(big).equilibria
    assert is_nash(big.row, big.col, e.row, e.col)


def payoff_games(elements):
    return st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
        lambda mn: st.tuples(
            st.lists(
                st.lists(elements, min_size=mn[1], max_size=mn[1]), min_size=mn[0], max_size=mn[0]
            ),
            st.lists(
                st.lists(elements, min_size=mn[1], max_size=mn[1]), min_size=mn[0], max_size=mn[0]
            ),
        )
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(2, 5), st.integers(0, 2**32 - 1))
@example(5, 4, 449)  # nashpy's vertex enumeration reports two points that are not equilibria
@example(3, 2, 745)  # ... and here a third, near-duplicate one
def test_nondegenerate_games_agree_with_nashpy(m, n, seed):
    # Continuous random payoffs: nondegenerate with probability one.
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(-10, 10, (2, m, n))
    game = Game.of(a, b)
    ours = vertex_enumeration(game)
    if ours.degenerate:  # measure-zero for continuous payoffs; covered by the test below
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer_support = list(nashpy.Game(a, b).support_enumeration())
        peer_vertex = list(nashpy.Game(a, b).vertex_enumeration())
    # nashpy's vertex enumeration can also return vertices of the best-response polytopes that
    # are not equilibria (round-off in its labelling); the peer's answer is its equilibria
    vertices = [(x / x.sum(), y / y.sum()) for x, y in peer_vertex]
    theirs = {tuple(np.round(np.r_[x, y], 6)) for x, y in vertices if is_nash(a, b, x, y)}
    assert as_set(ours.equilibria) == theirs
    assert as_set(support_enumeration(game).equilibria) == theirs
    # nashpy's support enumeration rejects solutions with -1e-17 round-off
    # (``all(prob >= 0)`` in ``solve_indifference``) and so misses equilibria in about a
    # quarter of random games; what it does find must be among ours.
    assert {tuple(np.round(np.r_[x, y], 6)) for x, y in peer_support} <= theirs
    assert len(ours.equilibria) % 2 == 1  # Lemke-Howson's oddness theorem
    (lh,) = lemke_howson(game).equilibria
    assert tuple(np.round(np.r_[lh.row, lh.col], 6)) in theirs


def _in_hull(point, vertices):
    v = np.asarray(vertices, dtype=float).T
    mat = np.vstack([v, np.ones((1, v.shape[1]))])
    _, residual = nnls(mat, np.r_[point, 1.0])
    return residual < 1e-6


@settings(max_examples=80, deadline=None)
@given(payoff_games(st.integers(-2, 2)))
def test_degenerate_games_every_equilibrium_is_covered(ab):
    a, b = (np.array(m, dtype=float) for m in ab)
    game = Game.of(a, b)
    ours = vertex_enumeration(game)
    assert ours.equilibria, "every finite game has an equilibrium (Nash 1951)"
    for e in ours.equilibria:
        assert is_nash(a, b, e.row, e.col)
        assert_allclose([e.row.sum(), e.col.sum()], [1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = list(nashpy.Game(a, b).support_enumeration())
    for x, y in peer:
        if not is_nash(a, b, x, y):
            continue  # nashpy may return non-equilibria in degenerate games; not our business
        assert any(
            _in_hull(x, [ours.row_vertices[i] for i in u])
            and _in_hull(y, [ours.col_vertices[j] for j in v])
            for u, v in ours.nash_subsets
        ), (x, y)
