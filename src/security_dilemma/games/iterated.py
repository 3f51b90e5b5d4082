"""Iterated 2x2 games played for many matches at once (numpy over matches, a loop over turns).

Two kinds of noise, kept apart because they mean different things in IR:

* ``noise`` is *implementation error* (Axelrod's ``noise``): a state's intended move is flipped
  with this probability (an accident, a rogue commander, a test misread as an attack by no
  one: the move really happened). Both sides see the move that was actually played.
* ``misperception`` is *misperception* (Jervis 1976): each side sees the other's actual move
  flipped with this probability; its own move and the payoffs are unaffected.

``prob_end`` is the shadow of the future: each match ends after each round with this
probability (Axelrod's ``prob_end``: one geometric length drawn per match, capped at
``turns``; with ``turns=None`` there is no cap).

>>> from security_dilemma.games.strategies import parse_strategy
>>> r = match(parse_strategy("TitForTat"), parse_strategy("Alternator"), MatchConfig(turns=6))
>>> r.moves, r.totals.tolist()
(('CCDCDC', 'CDCDCD'), [13.0, 18.0])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem
from .strategies import History, Payoffs, Strategy

__all__ = ["MatchBatch", "MatchConfig", "MatchResult", "match", "play_matches", "sample_lengths"]

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

STANDARD_PAYOFFS: Payoffs = (3.0, 0.0, 5.0, 1.0)
MIN_UNCAPPED_PROB_END = 1e-3
MAX_CELLS = 50_000_000
"""Largest matches x rounds one batch may hold (about 1 GB of moves and payoffs)."""


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """How matches are played: length, noise, misperception, ending and payoffs (R, S, T, P)."""

    turns: int | None = 200
    noise: float = 0.0
    misperception: float = 0.0
    prob_end: float | None = None
    payoffs: Payoffs = STANDARD_PAYOFFS

    def validate(self) -> MatchConfig:
        """Return self, or raise BadInput listing every problem."""
        problems = []
        if self.turns is None and not self.prob_end:
            problems.append(Problem("give a number of turns or a prob_end", path="turns"))
        if (
            self.turns is None
            and self.prob_end is not None
            and 0 < self.prob_end < MIN_UNCAPPED_PROB_END
        ):
            problems.append(
                Problem(
                    f"without a turns cap prob_end must be at least {MIN_UNCAPPED_PROB_END} "
                    "(matches would run for tens of thousands of rounds); give turns as well",
                    path="prob_end",
                )
            )
        if self.turns is not None and not 1 <= self.turns <= 1_000_000:
            problems.append(
                Problem(f"must be between 1 and 1000000, got {self.turns}", path="turns")
            )
        for name in ("noise", "misperception"):
            v = getattr(self, name)
            if not (math.isfinite(v) and 0.0 <= v <= 1.0):
                problems.append(Problem(f"must be a probability in [0, 1], got {v}", path=name))
        if self.prob_end is not None and not (
            math.isfinite(self.prob_end) and 0.0 <= self.prob_end <= 1.0
        ):
            problems.append(
                Problem(f"must be a probability in [0, 1], got {self.prob_end}", path="prob_end")
            )
        if len(self.payoffs) != 4 or not all(math.isfinite(v) for v in self.payoffs):
            problems.append(
                Problem("payoffs must be four finite numbers R, S, T, P", path="payoffs")
            )
        if problems:
            raise BadInput(problems)
        return self


@dataclass(frozen=True)
class MatchBatch:
    """Moves and payoffs of a batch of matches.

    ``actions[t, m, s]`` is player s's actual move in round t of match m (True = C), ``seen``
    the other player's move as s perceived it, ``payoffs[t, m, s]`` its payoff (0 after the
    match ended), ``lengths[m]`` the number of rounds played.
    """

    actions: Bools
    seen: Bools
    payoffs: Floats
    lengths: Ints

    @property
    def totals(self) -> Floats:
        """Total payoff per match and player, shape (matches, 2)."""
        result: Floats = self.payoffs.sum(axis=0)
        return result

    @property
    def mean_per_turn(self) -> Floats:
        """Mean payoff per round, shape (matches, 2)."""
        return self.totals / np.maximum(self.lengths, 1)[:, None]

    @property
    def cooperations(self) -> Ints:
        """Number of rounds each player cooperated, shape (matches, 2)."""
        alive = np.arange(self.actions.shape[0])[:, None] < self.lengths[None, :]
        result: Ints = (self.actions & alive[..., None]).sum(axis=0)
        return result


def sample_lengths(prob_end: float, turns: int | None, size: int, rng: np.random.Generator) -> Ints:
    """Geometric match lengths as Axelrod draws them, ``ceil(log(1-u)/log(1-p))``, capped."""
    cap = np.iinfo(np.int64).max if turns is None else turns
    if prob_end >= 1.0:
        return np.ones(size, dtype=np.int64)
    if prob_end <= 0.0:
        return np.full(size, cap, dtype=np.int64)
    u = rng.random(size)
    n = np.ceil(np.log1p(-u) / math.log1p(-prob_end))
    return np.minimum(np.maximum(n, 1), cap).astype(np.int64)


def _groups(strategies: Sequence[Strategy]) -> list[tuple[Strategy, npt.NDArray[np.intp]]]:
    index: dict[Strategy, list[int]] = {}
    for m, s in enumerate(strategies):
        index.setdefault(s, []).append(m)
    return [(s, np.asarray(rows, dtype=np.intp)) for s, rows in index.items()]


def play_matches(
    first: Sequence[Strategy],
    second: Sequence[Strategy],
    config: MatchConfig,
    rng: np.random.Generator | None = None,
    on_round: Callable[[int, int], None] | None = None,
) -> MatchBatch:
    """Play ``first[m]`` against ``second[m]`` for every m, all matches at once.

    ``on_round(done, total)``, if given, is called after each round (for progress bars).
    """
    config.validate()
    if len(first) != len(second):
        raise BadInput(Problem("first and second need one strategy per match each"))
    rng = rng if rng is not None else np.random.default_rng(0)
    size = len(first)
    players = [
        [s.for_payoffs(config.payoffs) for s in first],
        [s.for_payoffs(config.payoffs) for s in second],
    ]
    if config.prob_end:
        lengths = sample_lengths(config.prob_end, config.turns, size, rng)
    else:
        assert config.turns is not None
        lengths = np.full(size, config.turns, dtype=np.int64)
    horizon = int(lengths.max()) if size else 0
    if size * horizon > MAX_CELLS:
        raise BadInput(
            Problem(
                f"{size} matches x {horizon} rounds is too large for one batch (limit "
                f"{MAX_CELLS:,} match-rounds); use fewer repetitions, strategies or turns",
                path="turns",
            )
        )
    groups = [_groups(players[0]), _groups(players[1])]
    stochastic = any(s.stochastic for side in groups for s, _ in side)
    own = np.zeros((2, horizon, size), dtype=np.bool_)
    seen = np.zeros((2, horizon, size), dtype=np.bool_)
    seen_def = np.zeros((2, size), dtype=np.int64)
    prob = np.empty((2, size))
    for t in range(horizon):
        for s in (0, 1):
            h = History(t, own[s], seen[s], seen_def[s])
            for strategy, rows in groups[s]:
                prob[s, rows] = strategy.cooperate_probability(h, rows)
        act = rng.random((2, size)) < prob if stochastic else prob >= 0.5
        if config.noise:
            act ^= rng.random((2, size)) < config.noise
        own[:, t] = act
        obs = act[::-1].copy()
        if config.misperception:
            obs ^= rng.random((2, size)) < config.misperception
        seen[:, t] = obs
        seen_def += ~obs
        if on_round is not None:
            on_round(t + 1, horizon)
    flat = np.array(config.payoffs, dtype=np.float64)  # R, S, T, P
    defect = 1 - own.view(np.uint8)  # 0 = C, 1 = D
    pay = np.empty((horizon, size, 2))
    pay[..., 0] = flat[2 * defect[0] + defect[1]]
    pay[..., 1] = flat[2 * defect[1] + defect[0]]
    if config.prob_end:
        alive = np.arange(horizon)[:, None] < lengths[None, :]
        pay *= alive[..., None]
    return MatchBatch(
        actions=np.moveaxis(own, 0, -1),
        seen=np.moveaxis(seen, 0, -1),
        payoffs=pay,
        lengths=lengths,
    )


@dataclass(frozen=True)
class MatchResult:
    """One match: the players, their moves as C/D strings and the scores."""

    players: tuple[str, str]
    moves: tuple[str, str]
    seen: tuple[str, str]
    scores: Floats
    config: MatchConfig

    @property
    def totals(self) -> Floats:
        """Total score per player."""
        result: Floats = self.scores.sum(axis=0)
        return result

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields (documented in docs/games.md)."""
        n = len(self.moves[0])
        return {
            "players": list(self.players),
            "turns": n,
            "moves": list(self.moves),
            "seen": list(self.seen),
            "scores": {
                "per_turn": [self.scores[:, 0].tolist(), self.scores[:, 1].tolist()],
                "total": self.totals.tolist(),
                "mean": (self.totals / max(n, 1)).tolist(),
            },
            "cooperation_rate": [
                self.moves[0].count("C") / max(n, 1),
                self.moves[1].count("C") / max(n, 1),
            ],
            "config": {
                "turns": self.config.turns,
                "noise": self.config.noise,
                "misperception": self.config.misperception,
                "prob_end": self.config.prob_end,
                "payoffs": dict(zip("RSTP", self.config.payoffs, strict=True)),
            },
        }


def _letters(a: Bools) -> str:
    return "".join("C" if x else "D" for x in a)


def match(
    a: Strategy, b: Strategy, config: MatchConfig | None = None, seed: int | None = 0
) -> MatchResult:
    """Play one match of ``a`` against ``b``."""
    config = config or MatchConfig()
    batch = play_matches([a], [b], config, np.random.default_rng(seed))
    n = int(batch.lengths[0])
    return MatchResult(
        players=(a.for_payoffs(config.payoffs).name, b.for_payoffs(config.payoffs).name),
        moves=(_letters(batch.actions[:n, 0, 0]), _letters(batch.actions[:n, 0, 1])),
        seen=(_letters(batch.seen[:n, 0, 0]), _letters(batch.seen[:n, 0, 1])),
        scores=batch.payoffs[:n, 0, :],
        config=config,
    )
