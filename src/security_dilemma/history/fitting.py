"""Fitting a few model parameters to a window of coded observables (for backtesting).

:func:`fit_lens` minimises the Brier score (or log-loss) of one lens's predicted probabilities
of a case's observables over the search ranges of a few dotted parameters
(:data:`DEFAULT_FIT`): a scrambled Sobol design, then Nelder-Mead (scipy) from the best point.
Every evaluation simulates with the same seed (common random numbers), so two parameter
values are compared on the same random draws and the objective's differences are not Monte
Carlo noise. The fit sees only the observables of the case it is given: the backtest gives
it a copy of the case holding the training window alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem, did_you_mean
from ..scenario.schema import Case
from .scoring import brier, log_loss

if TYPE_CHECKING:
    from ..engine import Result

__all__ = [
    "DEFAULT_FIT",
    "Fit",
    "FitParameter",
    "Objective",
    "Search",
    "Simulate",
    "current_values",
    "fit_lens",
    "fit_parameter",
    "predict_observables",
    "search",
]

Objective = Literal["brier", "log_loss"]
Simulate = Callable[..., "Result"]


def number(v: Any) -> Any:
    """A float for JSON: NaN and infinities become None; other values pass through."""
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else None
    return v


def engine_simulate() -> Simulate:
    """The engine's :func:`~security_dilemma.engine.simulate` (imported when first needed)."""
    from ..engine import simulate

    return simulate


def predict_observables(
    simulate: Simulate,
    case: Case,
    lens: str,
    *,
    replicates: int,
    seed: int,
    overrides: Mapping[str, float] | None,
    progress: Callable[[], None] | None = None,
) -> dict[str, float]:
    """Each observable's predicted probability from one run of ``case`` under ``lens``
    (no restraint copies: predictions do not need them)."""
    result = simulate(
        case,
        lens=lens,
        replicates=replicates,
        seed=seed,
        overrides=dict(overrides) if overrides else None,
        restraint=False,
    )
    if progress is not None:
        progress()
    return {o.id: float(result.observables[o.id]) for o in case.observables}


@dataclass(frozen=True)
class FitParameter:
    """A parameter fitted on the training window: dotted name and search bounds."""

    name: str
    low: float
    high: float
    log: bool = False

    def from_unit(self, u: float) -> float:
        """The value at position ``u`` in [0, 1] of the search range."""
        u = min(max(u, 0.0), 1.0)
        if self.log:
            return float(
                math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
            )
        return float(self.low + u * (self.high - self.low))

    def to_unit(self, value: float) -> float:
        """Position of ``value`` in the search range, in [0, 1]."""
        if self.log:
            u = (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        else:
            u = (value - self.low) / (self.high - self.low)
        return min(max(u, 0.0), 1.0)


DEFAULT_FIT: tuple[FitParameter, ...] = (
    FitParameter("richardson.k", 0.0, 1.5),
    FitParameter("richardson.g", -0.1, 0.2),
    FitParameter("richardson.shock", 0.0, 0.3),
    FitParameter("offence_dominance", 0.0, 1.0),
)
"""Fitted by default: the reaction to threat and the drift of effort (Richardson's k and g),
the size of random shocks to effort, and the offence-defence balance. A one-at-a-time screen
of every parameter with a known range (docs/backtesting.md) ranks three of them among the four
that move the bmd-europe Brier score most; ``richardson.k`` ranks seventh."""

_KNOWN_BOUNDS: dict[str, tuple[float, float, bool]] = {
    p.name: (p.low, p.high, p.log) for p in DEFAULT_FIT
} | {
    "richardson.a": (0.0, 1.0, False),
    "richardson.saturation": (0.0, 5.0, False),
    "richardson.status_quo": (0.0, 1.0, False),
    "richardson.g_greedy": (-0.1, 0.3, False),
    "distinguishability": (0.0, 1.0, False),
    "noise": (0.001, 0.5, True),
    "crisis_base": (0.001, 0.2, True),
    "identity_rate": (0.0, 0.5, False),
    "common_fate": (0.0, 0.5, False),
    "commitment_rate": (0.0, 1.0, False),
    "allocation_rate": (0.0, 1.0, False),
}


def fit_parameter(
    name: str, low: float | None = None, high: float | None = None, *, log: bool | None = None
) -> FitParameter:
    """A parameter to fit: its search range ``low .. high``, or its default range when both
    are None; ``log`` searches the logarithm (default: no, or as the default range says).

    >>> fit_parameter("crisis_base")
    FitParameter(name='crisis_base', low=0.001, high=0.2, log=True)
    >>> fit_parameter("lenses.realism.worst_case", 0, 1)
    FitParameter(name='lenses.realism.worst_case', low=0.0, high=1.0, log=False)
    """
    name = name.strip()
    if low is None and high is None:
        if name not in _KNOWN_BOUNDS:
            known = sorted(_KNOWN_BOUNDS)
            raise BadInput(
                Problem(
                    f"no default search range for '{name}'{did_you_mean(name, known)}: give its "
                    f"range (parameters with a default range: {', '.join(known)})",
                    path="name",
                )
            )
        low, high, default_log = _KNOWN_BOUNDS[name]
        log = default_log if log is None else log
    if low is None or high is None:
        raise BadInput(Problem("give both low and high, or neither", path="high"))
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise BadInput(Problem(f"need low < high (got {low:g} and {high:g})", path="high"))
    if log and low <= 0:
        raise BadInput(Problem("a log search range needs a positive low", path="low"))
    return FitParameter(name, float(low), float(high), bool(log))


@dataclass(frozen=True)
class Fit:
    """Parameters fitted on the training window for one lens."""

    parameters: tuple[FitParameter, ...]
    values: Mapping[str, float]
    start: Mapping[str, float]
    objective: Objective
    train_objective: float
    start_objective: float
    evaluations: int
    replicates: int
    train_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "parameters": [
                {"name": p.name, "low": p.low, "high": p.high, "log": p.log}
                for p in self.parameters
            ],
            "values": {k: number(v) for k, v in self.values.items()},
            "start": {k: number(v) for k, v in self.start.items()},
            "objective": self.objective,
            "train_objective": number(self.train_objective),
            "start_objective": number(self.start_objective),
            "evaluations": self.evaluations,
            "replicates": self.replicates,
            "train_observables": len(self.train_ids),
        }


@dataclass(frozen=True)
class Search:
    """The end of a search: the best values, their objective, the objective at the start and
    how many distinct points were evaluated."""

    values: Mapping[str, float]
    objective: float
    start_objective: float
    evaluations: int


def search(
    objective: Callable[[Mapping[str, float]], float],
    parameters: Sequence[FitParameter],
    start: Mapping[str, float],
    *,
    budget: int = 48,
    seed: int = 0,
) -> Search:
    """Minimise ``objective(values)`` over the parameters' ranges from ``start``: a scrambled
    Sobol design of about a third of ``budget`` evaluations, then Nelder-Mead from the best
    point with the rest (points are cached: an evaluation is a distinct point)."""
    from scipy.optimize import minimize
    from scipy.stats import qmc

    k = len(parameters)
    cache: dict[tuple[float, ...], float] = {}

    def values_at(u: npt.NDArray[np.float64]) -> dict[str, float]:
        return {p.name: p.from_unit(float(x)) for p, x in zip(parameters, u, strict=True)}

    def f(u: npt.NDArray[np.float64]) -> float:
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        key = tuple(np.round(u, 6))
        if key not in cache:
            cache[key] = objective(values_at(u))
        return cache[key]

    u0 = np.array([p.to_unit(start[p.name]) for p in parameters])
    start_objective = f(u0)
    n_design = max(2, min(budget // 3, 2 ** int(math.log2(max(budget // 3, 2)))))
    design = qmc.Sobol(d=k, scramble=True, seed=seed).random(n_design)
    best_u, best = u0, start_objective
    for u in design:
        value = f(u)
        if value < best:
            best_u, best = u, value
    remaining = max(budget - len(cache), k + 2)
    simplex = np.vstack(
        [best_u]
        + [
            np.clip(best_u + 0.15 * np.eye(k)[i] * (1 if best_u[i] < 0.5 else -1), 0, 1)
            for i in range(k)
        ]
    )
    opt = minimize(
        f,
        best_u,
        method="Nelder-Mead",
        bounds=[(0.0, 1.0)] * k,
        options={"maxfev": remaining, "initial_simplex": simplex, "xatol": 1e-3, "fatol": 1e-5},
    )
    final_u = np.clip(opt.x, 0.0, 1.0)
    final = f(final_u)
    if best < final:
        final_u, final = best_u, best
    return Search(values_at(final_u), final, start_objective, len(cache))


def fit_lens(
    case: Case,
    lens: str,
    parameters: Sequence[FitParameter] = DEFAULT_FIT,
    *,
    replicates: int = 50,
    seed: int = 0,
    objective: Objective = "brier",
    budget: int = 48,
    simulate: Simulate | None = None,
    progress: Callable[[], None] | None = None,
) -> Fit:
    """Fit ``parameters`` for ``lens`` to every observable of ``case`` (the training set).

    Minimises the Brier score (or log-loss) of the predicted probabilities over the
    parameters' search ranges (:func:`search`). Every evaluation uses the same ``seed``
    (common random numbers), so differences are not Monte Carlo noise.
    """
    if not case.observables:
        raise BadInput(Problem("no observables to fit to", path="train_until"))
    if not parameters:
        raise BadInput(Problem("no parameters to fit", path="parameters"))
    sim = simulate or engine_simulate()
    y = np.array([o.occurred for o in case.observables], dtype=np.float64)
    loss = brier if objective == "brier" else log_loss

    def f(values: Mapping[str, float]) -> float:
        preds = predict_observables(
            sim,
            case,
            lens,
            replicates=replicates,
            seed=seed,
            overrides=values,
            progress=progress,
        )
        return loss(np.array([preds[o.id] for o in case.observables]), y)

    start_values = current_values(case, lens, parameters)
    found = search(f, parameters, start_values, budget=budget, seed=seed)
    return Fit(
        parameters=tuple(parameters),
        values=found.values,
        start=start_values,
        objective=objective,
        train_objective=found.objective,
        start_objective=found.start_objective,
        evaluations=found.evaluations,
        replicates=replicates,
        train_ids=tuple(o.id for o in case.observables),
    )


def current_values(case: Case, lens: str, parameters: Sequence[FitParameter]) -> dict[str, float]:
    """The case's value of each parameter (the fit's starting point), clipped to its range."""
    from ..lenses import lens_parameters
    from ..scenario.overrides import parameter_names

    known = parameter_names(case)
    data = case.parameters.model_dump()
    out = {}
    problems = []
    for p in parameters:
        if p.name not in known:
            problems.append(
                Problem(
                    f"unknown parameter '{p.name}'{did_you_mean(p.name, known)}",
                    path=f"parameters[{p.name!r}]",
                )
            )
            continue
        parts = p.name.split(".")
        node: Any = data
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None and parts[0] == "lenses" and len(parts) == 3:
            node = lens_parameters(parts[1]).get(parts[2])
        if node is None and parts[0] == "actors" and len(parts) == 3:
            node = data["richardson"].get(parts[2])
        value = float(node) if node is not None else p.low
        out[p.name] = min(max(value, p.low), p.high)
    if problems:
        raise BadInput(problems)
    return out
