"""Round-robin tournaments (Axelrod 1984), every match of every repetition played at once.

As in the Axelrod library, every strategy meets every other strategy and a copy of itself,
``repetitions`` times; a strategy's *score* in a repetition is its mean payoff per round over
its matches against the *other* strategies (self-play is played and shown in the payoff
matrix but, as in Axelrod's ``normalised_scores``, left out of the score), and strategies are
ranked by their median score over repetitions. Means come with 95% t-intervals over
repetitions.

>>> from security_dilemma.games.strategies import parse_strategy
>>> t = round_robin([parse_strategy(s) for s in ("TitForTat", "Defector", "Cooperator")],
...                 MatchConfig(turns=10), repetitions=2)
>>> t.ranked_names
('Defector', 'TitForTat', 'Cooperator')
>>> t.mean_scores.round(2).tolist()
[2.0, 3.2, 1.5]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from ..errors import BadInput, Problem
from .iterated import MatchConfig, play_matches
from .strategies import Strategy

__all__ = ["TournamentResult", "round_robin"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TournamentResult:
    """Scores, ranks, cooperation and the payoff matrix of a round robin.

    ``scores[i, r]`` is strategy i's mean payoff per round against the others in repetition r;
    ``payoff_matrix[i, j]`` its mean payoff per round against j (over repetitions);
    ``cooperation_rate[i]`` the share of rounds it cooperated against the others;
    ``wins[i, r]`` the matches it won (strictly higher total) in repetition r.
    """

    names: tuple[str, ...]
    scores: Floats
    payoff_matrix: Floats
    cooperation_rate: Floats
    wins: npt.NDArray[np.int64]
    config: MatchConfig
    repetitions: int
    seed: int | None

    @property
    def mean_scores(self) -> Floats:
        """Mean score per strategy over repetitions."""
        result: Floats = self.scores.mean(axis=1)
        return result

    @property
    def median_scores(self) -> Floats:
        """Median score per strategy over repetitions (Axelrod ranks by this)."""
        result: Floats = np.median(self.scores, axis=1)
        return result

    def confidence_intervals(self, level: float = 0.95) -> Floats:
        """Two-sided t-intervals for the mean scores, shape (n, 2)."""
        n = self.repetitions
        mean = self.mean_scores
        if n < 2:
            return np.column_stack([mean, mean])
        sem = self.scores.std(axis=1, ddof=1) / np.sqrt(n)
        half = stats.t.ppf(0.5 + level / 2, n - 1) * sem
        return np.column_stack([mean - half, mean + half])

    @property
    def ranking(self) -> tuple[int, ...]:
        """Strategy indices, best first (by median score, ties by mean, then name)."""
        order = sorted(
            range(len(self.names)),
            key=lambda i: (-self.median_scores[i], -self.mean_scores[i], self.names[i]),
        )
        return tuple(order)

    @property
    def ranked_names(self) -> tuple[str, ...]:
        """Strategy names, best first."""
        return tuple(self.names[i] for i in self.ranking)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields (documented in docs/games.md)."""
        ci = self.confidence_intervals()
        rank_of = {i: k + 1 for k, i in enumerate(self.ranking)}
        rows = []
        for i in self.ranking:
            rows.append(
                {
                    "rank": rank_of[i],
                    "strategy": self.names[i],
                    "mean_score": float(self.mean_scores[i]),
                    "median_score": float(self.median_scores[i]),
                    "ci95": [float(ci[i, 0]), float(ci[i, 1])],
                    "std": float(self.scores[i].std(ddof=1)) if self.repetitions > 1 else 0.0,
                    "cooperation_rate": float(self.cooperation_rate[i]),
                    "wins": float(self.wins[i].mean()),
                }
            )
        return {
            "strategies": list(self.names),
            "turns": self.config.turns,
            "repetitions": self.repetitions,
            "noise": self.config.noise,
            "misperception": self.config.misperception,
            "prob_end": self.config.prob_end,
            "payoffs": dict(zip("RSTP", self.config.payoffs, strict=True)),
            "seed": self.seed,
            "ranking": rows,
            "payoff_matrix": self.payoff_matrix.tolist(),
            "scores": self.scores.tolist(),
        }


def round_robin(
    strategies: Sequence[Strategy],
    config: MatchConfig | None = None,
    repetitions: int = 10,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
    on_round: Callable[[int, int], None] | None = None,
) -> TournamentResult:
    """Play the round robin (with self-play) ``repetitions`` times, all matches in one batch.

    ``on_round(done, total)`` is called after each round of the batch (progress bars).
    """
    config = (config or MatchConfig()).validate()
    n = len(strategies)
    if n < 2:
        raise BadInput(Problem("a tournament needs at least two strategies", path="strategies"))
    if not 1 <= repetitions <= 100_000:
        raise BadInput(
            Problem(f"must be between 1 and 100000, got {repetitions}", path="repetitions")
        )
    names = tuple(s.for_payoffs(config.payoffs).name for s in strategies)
    if len(set(names)) != n:
        dup = sorted({x for x in names if names.count(x) > 1})
        raise BadInput(
            Problem(f"each strategy once, please: repeated {', '.join(dup)}", path="strategies")
        )
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    pi = np.array([i for i, _ in pairs] * repetitions)
    pj = np.array([j for _, j in pairs] * repetitions)
    rep = np.repeat(np.arange(repetitions), len(pairs))
    rng = rng if rng is not None else np.random.default_rng(seed)
    batch = play_matches(
        [strategies[i] for i in pi], [strategies[j] for j in pj], config, rng, on_round
    )
    per_turn = batch.mean_per_turn  # (M, 2)
    totals = batch.totals
    coop = batch.cooperations
    lengths = batch.lengths

    pay = np.zeros((repetitions, n, n))
    np.add.at(pay, (rep, pi, pj), per_turn[:, 0])
    off = pi != pj
    np.add.at(pay, (rep[off], pj[off], pi[off]), per_turn[off, 1])
    same = ~off
    pay[rep[same], pi[same], pi[same]] = per_turn[same].mean(axis=1)
    mask = ~np.eye(n, dtype=bool)
    scores = (pay * mask).sum(axis=2) / (n - 1)  # (reps, n)

    coop_count = np.zeros(n)
    turn_count = np.zeros(n)
    np.add.at(coop_count, pi[off], coop[off, 0])
    np.add.at(coop_count, pj[off], coop[off, 1])
    np.add.at(turn_count, pi[off], lengths[off])
    np.add.at(turn_count, pj[off], lengths[off])

    wins = np.zeros((n, repetitions), dtype=np.int64)
    won_first = off & (totals[:, 0] > totals[:, 1])
    won_second = off & (totals[:, 1] > totals[:, 0])
    np.add.at(wins, (pi[won_first], rep[won_first]), 1)
    np.add.at(wins, (pj[won_second], rep[won_second]), 1)
    return TournamentResult(
        names=names,
        scores=scores.T.copy(),
        payoff_matrix=pay.mean(axis=0),
        cooperation_rate=coop_count / np.maximum(turn_count, 1),
        wins=wins,
        config=config,
        repetitions=repetitions,
        seed=seed,
    )
