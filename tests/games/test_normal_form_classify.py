"""Normal-form games and the ordinal classification of 2x2 games."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from security_dilemma.errors import BadInput
from security_dilemma.games import (
    SYMMETRIC_GAMES,
    Game,
    classify,
    nash_equilibria,
    pareto_optimal_profiles,
)
from security_dilemma.games.normal_form import best_responses, expected_payoffs


def test_game_validation_lists_every_problem():
    with pytest.raises(BadInput) as err:
        Game.of([[1, 2], [3]], [[1, "x"]])
    assert {p.path for p in err.value.problems} == {"row", "col"}
    with pytest.raises(BadInput, match="same shape"):
        Game.of([[1, 2]], [[1, 2, 3]])
    with pytest.raises(BadInput, match="finite"):
        Game.of([[1, float("nan")]], [[1, 2]])
    with pytest.raises(BadInput, match="2-D"):
        Game.of([1, 2], [1, 2])


def test_zero_sum_default_payoffs_and_best_replies():
    g = Game.of([[1, -1], [-1, 1]])
    assert g.col.tolist() == [[-1, 1], [1, -1]]
    assert expected_payoffs(g, [0.5, 0.5], [1, 0]) == (0.0, 0.0)
    assert best_responses(g, [1, 0], [0.5, 0.5]) == ([0, 1], [1])
    assert g.transpose().row.tolist() == g.col.T.tolist()


def test_pareto_optimal_outcomes_of_the_prisoners_dilemma():
    assert pareto_optimal_profiles(Game.from_rstp(3, 0, 5, 1)) == [(0, 0), (0, 1), (1, 0)]
    # Weak dominance counts: (1,1) ties (0,0) for column but is worse for row.
    assert pareto_optimal_profiles(Game.of([[2, 0], [0, 1]], [[1, 0], [0, 1]])) == [(0, 0)]


ORDERS = {name: order for name, (order, _) in SYMMETRIC_GAMES.items()}


def _game_from_order(order, swap=False):
    values = dict(zip(order, (4, 3, 2, 1), strict=True))
    r, s, t, p = (values[k] for k in "RSTP")
    if swap:  # relabel C <-> D
        r, s, t, p = p, t, s, r
    return Game.from_rstp(r, s, t, p)


@pytest.mark.parametrize("name", list(SYMMETRIC_GAMES))
def test_each_named_game_is_recognised_under_both_labellings(name):
    for swap in (False, True):
        c = classify(_game_from_order(ORDERS[name], swap))
        assert c.name == name
        assert c.symmetric and not c.ties
        assert c.cooperate == (1 if swap else 0)
        assert c.family == SYMMETRIC_GAMES[name][1]


def test_all_24_strict_orders_fall_into_exactly_12_games():
    names = [classify(_game_from_order("".join(p))).name for p in itertools.permutations("RSTP")]
    assert sorted(set(names)) == sorted(SYMMETRIC_GAMES)
    assert all(names.count(n) == 2 for n in SYMMETRIC_GAMES)


def test_textbook_structure_of_the_ir_games():
    pd = classify(Game.from_rstp(3, 0, 5, 1))
    assert pd.pure_equilibria == ((1, 1),) and pd.dominant == (1, 1)
    sh = classify(Game.from_rstp(4, 0, 3, 1))
    assert sh.pure_equilibria == ((0, 0), (1, 1)) and sh.dominant == (None, None)
    ch = classify(Game.from_rstp(3, 1, 4, 0))
    assert ch.name == "Chicken" and ch.pure_equilibria == ((0, 1), (1, 0))
    dl = classify(Game.from_rstp(1, 0, 3, 2))
    assert dl.name == "Deadlock" and dl.orders == ("T>P>R>S", "T>P>R>S")
    assert classify(Game.from_rstp(4, 2, 3, 1)).name == "Harmony"


def test_ties_are_reported_as_boundaries():
    c = classify(Game.from_rstp(3, 0, 3, 1))  # R = T: between the dilemma and the stag hunt
    assert c.ties and c.candidates == ("Prisoner's Dilemma", "Stag Hunt")
    assert c.orders[0] == "R=T>P>S"
    bos = classify(Game.of([[2, 0], [0, 1]], [[1, 0], [0, 2]]))
    assert bos.symmetric and bos.name == "Leader | Hero" and bos.cooperate is None
    null = classify(Game.of(np.ones((2, 2)), np.ones((2, 2))))
    assert null.family == "trivial"


def test_asymmetric_games_are_named_by_each_players_pattern():
    c = classify(Game.of([[3, 0], [5, 1]], [[4, 3], [0, 1]]))  # row: dilemma, column: harmony-like
    assert not c.symmetric and c.name.startswith("Prisoner's Dilemma / ")
    pennies = classify(Game.of([[1, -1], [-1, 1]]))
    assert pennies.family == "cyclic" and pennies.pure_equilibria == ()
    with pytest.raises(BadInput, match="2x2"):
        classify(Game.of(np.zeros((2, 3))))


payoff = st.integers(-20, 20)


@given(st.lists(payoff, min_size=4, max_size=4), st.floats(0.1, 10), st.floats(-5, 5))
def test_classification_is_ordinal(values, scale, shift):
    r, s, t, p = values
    a = classify(Game.from_rstp(r, s, t, p))
    b = classify(Game.from_rstp(*(scale * v + shift for v in (r, s, t, p))))
    assert (a.name, a.family, a.cooperate) == (b.name, b.family, b.cooperate)


@given(st.lists(payoff, min_size=4, max_size=4, unique=True))
def test_named_games_have_their_equilibrium_structure(values):
    g = Game.from_rstp(*values)
    c = classify(g)
    eqs = nash_equilibria(g).equilibria
    pure = [e for e in eqs if e.pure]
    if c.family == "dilemma":
        assert len(eqs) == 1 and eqs[0].pareto_dominated
    elif c.family in ("dominance", "no conflict"):
        assert len(eqs) == 1 and not eqs[0].pareto_dominated
    elif c.family == "coordination":
        assert len(pure) == 2 and len(eqs) == 3
        assert {(e.row_support[0], e.col_support[0]) for e in pure} == {(0, 0), (1, 1)}
    else:
        assert c.family == "anti-coordination"
        assert {(e.row_support[0], e.col_support[0]) for e in pure} == {(0, 1), (1, 0)}
