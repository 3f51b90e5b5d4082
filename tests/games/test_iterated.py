"""Iterated games: noise semantics, reproducibility, shadow of the future, Markov-chain payoffs."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from security_dilemma.errors import BadInput
from security_dilemma.games import (
    MatchConfig,
    MemoryOne,
    MemoryOneStrategy,
    match,
    parse_strategy,
    play_matches,
)
from security_dilemma.games.iterated import sample_lengths

S = parse_strategy


def test_implementation_error_flips_actions_both_sides_see():
    # noise = 1: every intended move is flipped, and both players see the flipped moves.
    r = match(S("TitForTat"), S("Cooperator"), MatchConfig(turns=5, noise=1.0))
    assert r.moves == ("DCCCC", "DDDDD")
    assert r.seen == ("DDDDD", "DCCCC")


def test_misperception_flips_only_what_is_seen():
    r = match(S("TitForTat"), S("Cooperator"), MatchConfig(turns=5, misperception=1.0))
    assert r.moves == ("CDDDD", "CCCCC")  # TFT answers the defections it thinks it saw
    assert r.seen == ("DDDDD", "DCCCC")
    assert r.totals.tolist() == [3 + 4 * 5, 0 + 3]


def test_grudger_under_misperception_matches_the_geometric_closed_form():
    # Against a Cooperator, Grudger keeps cooperating in round t+1 only if it has misread none
    # of the t cooperations so far: E[cooperations] = sum_{t<n} (1 - e)^t.
    e, n, m = 0.03, 60, 20_000
    batch = play_matches(
        [S("Grudger")] * m,
        [S("Cooperator")] * m,
        MatchConfig(turns=n, misperception=e),
        np.random.default_rng(3),
    )
    expected = ((1 - e) ** np.arange(n)).sum()
    coop = batch.cooperations[:, 0]
    assert abs(coop.mean() - expected) < 4 * coop.std() / np.sqrt(m)
    assert np.all(batch.cooperations[:, 1] == n)  # the Cooperator never misbehaves


def _stationary_payoff(p, q, payoffs, noise):
    """Long-run mean payoff of memory-one p against q with implementation error (Markov chain)."""

    def eff(v):
        v = np.asarray(v, dtype=float)
        return v * (1 - noise) + (1 - v) * noise

    p, q = eff(p), eff(q)
    q_view = q[[0, 2, 1, 3]]  # the co-player sees CD as DC
    m = np.zeros((4, 4))
    for s in range(4):
        a, b = p[s], q_view[s]
        m[s] = [a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)]
    w, v = np.linalg.eig(m.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    pi /= pi.sum()
    return pi @ np.asarray(payoffs)


@pytest.mark.parametrize(
    ("p", "q", "noise"),
    [((1, 1 / 3, 1, 1 / 3), (1, 0, 0, 1), 0.0), ((0.9, 0.2, 0.7, 0.4), (1, 0, 1, 0), 0.05)],
)
def test_memory_one_payoffs_match_the_stationary_distribution(p, q, noise):
    n, m = 400, 3000
    a = MemoryOneStrategy(MemoryOne("p", *p))
    b = MemoryOneStrategy(MemoryOne("q", *q))
    batch = play_matches(
        [a] * m, [b] * m, MatchConfig(turns=n, noise=noise), np.random.default_rng(11)
    )
    tail = batch.payoffs[n // 2 :, :, 0].mean()
    assert_allclose(tail, _stationary_payoff(p, q, (3, 0, 5, 1), noise), atol=0.02)


def test_same_seed_same_output_and_seeds_matter():
    cfg = MatchConfig(turns=100, noise=0.1, misperception=0.05)
    a = match(S("GenerousTitForTat"), S("Random(0.4)"), cfg, seed=4)
    b = match(S("GenerousTitForTat"), S("Random(0.4)"), cfg, seed=4)
    c = match(S("GenerousTitForTat"), S("Random(0.4)"), cfg, seed=5)
    assert a.moves == b.moves and a.seen == b.seen
    assert a.moves != c.moves
    # Deterministic strategies without noise do not depend on the seed.
    d = [
        match(S("TitFor2Tats"), S("Alternator"), MatchConfig(turns=50), seed=k).moves
        for k in (0, 1)
    ]
    assert d[0] == d[1]


def test_shadow_of_the_future_gives_geometric_lengths():
    rng = np.random.default_rng(2)
    lengths = sample_lengths(0.05, None, 50_000, rng)
    assert lengths.min() >= 1
    assert abs(lengths.mean() - 20.0) < 4 * lengths.std() / np.sqrt(lengths.size)
    capped = sample_lengths(0.05, 10, 1000, rng)
    assert capped.max() == 10
    batch = play_matches(
        [S("TitForTat")] * 500,
        [S("Defector")] * 500,
        MatchConfig(turns=None, prob_end=0.1),
        np.random.default_rng(0),
    )
    # Tit for tat loses only the first round; scores stop with the match.
    assert_allclose(batch.totals[:, 0], batch.lengths - 1)
    assert_allclose(batch.totals[:, 1], 5 + (batch.lengths - 1))


def test_reciprocity_is_the_engine_of_memory_one_strategies():
    # The shared MemoryOne/reciprocate contract drives play: a custom four-vector behaves as told.
    r = match(S("MemoryOne(0,1,0,1,0)"), S("Cooperator"), MatchConfig(turns=4))
    assert r.moves[0] == "DDDD"  # after (D,C) it cooperates with p_dc = 0
    r = match(S("MemoryOne(0,1,1,1)"), S("Cooperator"), MatchConfig(turns=4))
    assert r.moves[0] == "CDCD"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("TitForTatt", "did you mean 'TitForTat'"),
        ("Random(2)", "must be in [0, 1]"),
        ("MemoryOne(1,0)", "four probabilities"),
        ("Random(x)", "must be numbers"),
        ("Grudger(1)", "takes no arguments"),
        ("4x", "cannot read strategy"),
    ],
)
def test_bad_strategy_names_are_bad_input(text, message):
    with pytest.raises(BadInput) as err:
        S(text)
    assert message in str(err.value)


def test_bad_config_is_bad_input():
    with pytest.raises(BadInput) as err:
        MatchConfig(turns=0, noise=1.5, prob_end=-1).validate()
    assert {p.path for p in err.value.problems} == {"turns", "noise", "prob_end"}
    with pytest.raises(BadInput, match=r"at least 0\.001"):
        MatchConfig(turns=None, prob_end=1e-5).validate()
    with pytest.raises(BadInput, match="too large for one batch"):
        play_matches([S("TitForTat")] * 60_000, [S("Defector")] * 60_000, MatchConfig(turns=1000))


def test_progress_callback_sees_every_round():
    seen = []
    play_matches(
        [S("TitForTat")],
        [S("Defector")],
        MatchConfig(turns=7),
        on_round=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(k, 7) for k in range(1, 8)]
