"""The iterated games against the Axelrod library (a development dependency), the real peer.

Axelrod takes ~20 s of CPU to import, so it is imported inside the tests (once per worker).
Importing it also forces multiprocessing's start method to "spawn" for the whole process
(``axelrod/tournament.py``); :func:`axelrod` puts the previous method back so other tests in
the same worker are not affected.
"""

from __future__ import annotations

import itertools
import multiprocessing
import warnings

import numpy as np
from scipy import stats

from security_dilemma.games import DETERMINISTIC, MatchConfig, match, parse_strategy, round_robin
from security_dilemma.games.iterated import sample_lengths
from security_dilemma.games.strategies import gtft_generosity


def axelrod():
    """Import axelrod without leaving its global multiprocessing side effect behind."""
    before = multiprocessing.get_start_method(allow_none=True)
    import axelrod as axl

    multiprocessing.set_start_method(before, force=True)
    return axl


def _axelrod_player(name):
    axl = axelrod()

    table = {
        "Cooperator": axl.Cooperator,
        "Defector": axl.Defector,
        "TitForTat": axl.TitForTat,
        "SuspiciousTitForTat": axl.SuspiciousTitForTat,
        "TitFor2Tats": axl.TitFor2Tats,
        "Grudger": axl.Grudger,
        "WinStayLoseShift": axl.WinStayLoseShift,
        "Alternator": axl.Alternator,
        "GenerousTitForTat": axl.GTFT,
        "Random(0.5)": lambda: axl.Random(0.5),
        "Random(0.8)": lambda: axl.Random(0.8),
        "MemoryOne(1,0.2,0.8,0.3)": lambda: axl.MemoryOnePlayer((1, 0.2, 0.8, 0.3)),
    }
    return table[name]()


def test_deterministic_matches_reproduce_axelrod_move_for_move():
    axl = axelrod()

    assert len(DETERMINISTIC) == 8
    mismatches = []
    for a, b in itertools.product(DETERMINISTIC, repeat=2):
        peer = axl.Match((_axelrod_player(a), _axelrod_player(b)), turns=200)
        played = peer.play()
        moves = ("".join(str(p[0]) for p in played), "".join(str(p[1]) for p in played))
        ours = match(parse_strategy(a), parse_strategy(b), MatchConfig(turns=200))
        if ours.moves != moves:
            mismatches.append((a, b, "moves"))
        if ours.totals.tolist() != list(peer.final_score()):
            mismatches.append((a, b, "score"))
        per_turn = np.array(peer.scores(), dtype=float)
        if not np.array_equal(ours.scores, per_turn):
            mismatches.append((a, b, "per-turn scores"))
    assert mismatches == []


def test_generosity_and_match_lengths_follow_axelrod():
    axl = axelrod()
    from axelrod.match import sample_length

    player = axl.GTFT()
    player.set_match_attributes(game=axl.Game())
    assert parse_strategy("GTFT").for_payoffs((3, 0, 5, 1)).generosity == player.p
    np.testing.assert_allclose(gtft_generosity((3, 0, 5, 1)), 1 / 3)
    # Same uniform draws -> same geometric lengths as axelrod's inverse-transform sampler.
    u = np.random.default_rng(5).random(500)
    for p in (0.01, 0.1, 0.5):
        ours = sample_lengths(p, None, 500, np.random.default_rng(5))
        assert ours.tolist() == [sample_length(p, x) for x in u]


def test_noisy_tournament_agrees_with_axelrod_statistically():
    axl = axelrod()

    names = [
        "Cooperator",
        "Defector",
        "TitForTat",
        "Grudger",
        "WinStayLoseShift",
        "GenerousTitForTat",
        "Random(0.5)",
        "MemoryOne(1,0.2,0.8,0.3)",
    ]
    turns, reps, noise = 100, 25, 0.05
    ours = round_robin(
        [parse_strategy(n) for n in names], MatchConfig(turns=turns, noise=noise), reps, seed=7
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = axl.Tournament(
            [_axelrod_player(n) for n in names], turns=turns, repetitions=reps, noise=noise, seed=7
        ).play(progress_bar=False)
    theirs = np.array(peer.normalised_scores)
    # Welch t-test per strategy, Bonferroni over the eight strategies at family level 0.001.
    for i, name in enumerate(names):
        t, p = stats.ttest_ind(ours.scores[i], theirs[i], equal_var=False)
        assert p > 0.001 / len(names), (name, ours.scores[i].mean(), theirs[i].mean(), t)
        # ... and the 95% intervals are of the same width (same variance structure).
        ratio = ours.scores[i].std() / max(theirs[i].std(), 1e-12)
        assert 0.5 < ratio < 2.0, (name, ratio)
    # Cooperation rates (share of rounds cooperating against the others). Axelrod only gives
    # the pooled rate; a match's rate varies a lot under noise (WinStayLoseShift: sd ~0.25 over
    # 175 matches -> se ~0.02 per side), so allow about three standard errors of the difference.
    np.testing.assert_allclose(ours.cooperation_rate, peer.cooperating_rating, atol=0.06)
    # The noise really acts: the noisy scores differ from the noiseless tournament.
    clean = round_robin([parse_strategy(n) for n in names], MatchConfig(turns=turns), reps, seed=7)
    assert not np.allclose(clean.mean_scores, ours.mean_scores, atol=0.01)
