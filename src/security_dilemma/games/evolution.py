"""Evolutionary dynamics of strategies: the Moran process and replicator dynamics.

Both take a payoff matrix ``A`` where ``A[i, j]`` is what strategy i earns against j (e.g. a
tournament's mean payoff per round, :attr:`TournamentResult.payoff_matrix`).

*Moran process* (Nowak, Sasaki, Taylor & Fudenberg 2004): a population of ``N``; each step one
individual reproduces with probability proportional to its fitness ``1 - w + w * payoff``
(payoff averaged over the *other* N - 1 members) and its offspring replaces a uniformly chosen
individual. :func:`fixation_probability` is the closed form for two strategies;
:func:`moran_process` simulates any number of strategies, many populations at once.

*Replicator dynamics* (Taylor & Jonker 1978): ``dx_i/dt = x_i ((A x)_i - x.A x)`` for an
infinite population; :func:`rest_points` finds every rest point (one per support) and its
stability from the Jacobian on the simplex.

>>> round(fixation_probability([[1, 1], [1, 1]], population=10), 10)   # neutral: 1/N
0.1
>>> [p.state.round(3).tolist() for p in rest_points([[0, 3], [1, 2]]) if p.stable]   # hawk-dove
[[0.5, 0.5]]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.integrate import solve_ivp

from ..errors import BadInput, Problem

__all__ = [
    "MoranResult",
    "RestPoint",
    "fixation_probability",
    "moran_process",
    "replicator",
    "rest_points",
]

Floats = npt.NDArray[np.float64]


def _square(payoff: npt.ArrayLike, name: str = "payoff") -> Floats:
    a = np.asarray(payoff, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 2:
        raise BadInput(
            Problem(f"must be a square matrix of at least 2x2, got shape {a.shape}", path=name)
        )
    if not np.all(np.isfinite(a)):
        raise BadInput(Problem("payoffs must be finite", path=name))
    return a


def fixation_probability(
    payoff: npt.ArrayLike, population: int, intensity: float = 1.0, mutants: int = 1
) -> float:
    """Probability that ``mutants`` of strategy 0 take over a population of strategy 1.

    ``payoff`` is 2x2 ``[[a, b], [c, d]]`` (a: mutant vs mutant, b: mutant vs resident, ...);
    ``intensity`` is the selection intensity w in fitness ``1 - w + w * payoff``.
    """
    a = _square(payoff)
    if a.shape != (2, 2):
        raise BadInput(Problem("fixation_probability needs a 2x2 payoff matrix", path="payoff"))
    n = int(population)
    if n < 2:
        raise BadInput(
            Problem(f"population must be at least 2, got {population}", path="population")
        )
    if not 1 <= mutants <= n:
        raise BadInput(Problem(f"mutants must be in 1..{n}, got {mutants}", path="mutants"))
    if not 0.0 <= intensity <= 1.0:
        raise BadInput(Problem(f"intensity must be in [0, 1], got {intensity}", path="intensity"))
    i = np.arange(1, n)
    pi_a = (a[0, 0] * (i - 1) + a[0, 1] * (n - i)) / (n - 1)
    pi_b = (a[1, 0] * i + a[1, 1] * (n - i - 1)) / (n - 1)
    f = 1 - intensity + intensity * pi_a
    g = 1 - intensity + intensity * pi_b
    if np.any(f <= 0) or np.any(g <= 0):
        raise BadInput(
            Problem(
                "fitness must stay positive: lower the intensity or shift payoffs", path="intensity"
            )
        )
    log_gamma = np.cumsum(np.log(g / f))
    terms = np.exp(log_gamma)  # prod_{j<=k} g_j/f_j for k = 1..n-1
    total = 1.0 + terms.sum()
    partial = 1.0 + terms[: mutants - 1].sum()
    return float(partial / total)


@dataclass(frozen=True)
class MoranResult:
    """Outcome of many simulated Moran processes.

    ``fixations[k]`` counts the runs strategy k took over; ``steps[r]`` how many birth-death
    steps run r took (-1 if it had not fixed after ``max_steps``).
    """

    fixations: npt.NDArray[np.int64]
    steps: npt.NDArray[np.int64]
    runs: int

    @property
    def fixation_rates(self) -> Floats:
        """Share of runs each strategy took over."""
        result: Floats = self.fixations / self.runs
        return result


def moran_process(
    payoff: npt.ArrayLike,
    counts: npt.ArrayLike,
    rng: np.random.Generator,
    runs: int = 1000,
    intensity: float = 1.0,
    max_steps: int = 1_000_000,
) -> MoranResult:
    """Simulate ``runs`` Moran processes from the initial ``counts`` of each strategy at once."""
    a = _square(payoff)
    k = a.shape[0]
    n0 = np.asarray(counts, dtype=np.int64)
    if n0.shape != (k,) or np.any(n0 < 0) or n0.sum() < 2:
        raise BadInput(
            Problem(f"need {k} non-negative counts summing to at least 2", path="counts")
        )
    if not 0.0 <= intensity <= 1.0:
        raise BadInput(Problem(f"intensity must be in [0, 1], got {intensity}", path="intensity"))
    size = int(n0.sum())
    state = np.tile(n0, (runs, 1))
    steps = np.full(runs, -1, dtype=np.int64)
    done = np.any(state == size, axis=1)
    steps[done] = 0
    active = np.flatnonzero(~done)
    for step in range(1, max_steps + 1):
        if active.size == 0:
            break
        s = state[active].astype(np.float64)
        payoff_k = (s @ a.T - np.diag(a)) / (size - 1)  # (runs, k)
        fit = 1 - intensity + intensity * payoff_k
        if np.any(fit[s > 0] <= 0):
            raise BadInput(
                Problem("fitness must stay positive: lower the intensity", path="intensity")
            )
        w = s * fit
        birth_cdf = np.cumsum(w, axis=1)
        death_cdf = np.cumsum(s, axis=1)
        u = rng.random((active.size, 2))
        birth = np.minimum((birth_cdf < u[:, :1] * birth_cdf[:, -1:]).sum(axis=1), k - 1)
        death = np.minimum((death_cdf < u[:, 1:] * size).sum(axis=1), k - 1)
        state[active, birth] += 1
        state[active, death] -= 1
        fixed = np.any(state[active] == size, axis=1)
        steps[active[fixed]] = step
        active = active[~fixed]
    winners = np.where(steps >= 0, np.argmax(state, axis=1), -1)
    fixations = np.bincount(winners[winners >= 0], minlength=k).astype(np.int64)
    return MoranResult(fixations=fixations, steps=steps, runs=runs)


def _rhs(a: Floats):  # type: ignore[no-untyped-def]
    def f(_t: float, x: Floats) -> Floats:
        ax = a @ x
        result: Floats = x * (ax - x @ ax)
        return result

    return f


def replicator(
    payoff: npt.ArrayLike, start: npt.ArrayLike, t_max: float = 50.0, points: int = 101
) -> tuple[Floats, Floats]:
    """Integrate the replicator dynamics from ``start``: times (points,), shares (points, k)."""
    a = _square(payoff)
    x0 = np.asarray(start, dtype=np.float64)
    if x0.shape != (a.shape[0],) or np.any(x0 < 0) or not np.isclose(x0.sum(), 1.0):
        raise BadInput(Problem("start must be shares of each strategy summing to 1", path="start"))
    times = np.linspace(0.0, t_max, points)
    sol = solve_ivp(_rhs(a), (0.0, t_max), x0, t_eval=times, rtol=1e-9, atol=1e-12, method="LSODA")
    return times, np.clip(sol.y.T, 0.0, 1.0)


@dataclass(frozen=True)
class RestPoint:
    """A rest point of the replicator dynamics and its linear stability on the simplex."""

    state: Floats
    eigenvalues: npt.NDArray[np.complex128]
    stable: bool
    hyperbolic: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        return {
            "state": self.state.tolist(),
            "eigenvalues_real": self.eigenvalues.real.tolist(),
            "stable": self.stable,
            "hyperbolic": self.hyperbolic,
        }


def rest_points(payoff: npt.ArrayLike, tol: float = 1e-9) -> list[RestPoint]:
    """Every isolated rest point (one per support with equal payoffs on it) and its stability."""
    a = _square(payoff)
    k = a.shape[0]
    basis = np.linalg.svd(np.ones((1, k)))[2][1:].T  # orthonormal basis of sum-zero vectors
    out: list[RestPoint] = []
    seen: set[tuple[float, ...]] = set()
    for r in range(1, k + 1):
        for support in itertools.combinations(range(k), r):
            idx = list(support)
            sub = a[np.ix_(idx, idx)]
            eqs = np.vstack([sub[1:] - sub[:-1], np.ones((1, r))])
            rhs = np.zeros(r)
            rhs[-1] = 1.0
            if abs(np.linalg.det(eqs)) < 1e-12:
                continue
            xs = np.linalg.solve(eqs, rhs)
            if np.any(xs < -tol):
                continue
            x = np.zeros(k)
            x[idx] = np.clip(xs, 0.0, None)
            key = tuple(np.round(x, 9).tolist())
            if key in seen:
                continue
            seen.add(key)
            ax = a @ x
            mean = x @ ax
            jac = np.diag(ax - mean) + x[:, None] * (a - (a.T @ x)[None, :] - ax[None, :])
            eig = np.linalg.eigvals(basis.T @ jac @ basis).astype(np.complex128)
            hyperbolic = bool(np.all(np.abs(eig.real) > 1e-9))
            stable = bool(np.all(eig.real < -1e-9))
            out.append(RestPoint(x + 0.0, eig, stable, hyperbolic))
    return out
