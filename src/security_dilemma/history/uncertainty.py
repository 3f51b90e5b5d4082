"""Parameter uncertainty: the headline findings rerun over a sample of the parameters that are
not calibrated (docs/backtesting.md, "Parameter uncertainty").

The parameters sampled are the case's stated assumptions with a sensitivity ``range``
(``parameter_sources``) and the model parameters of :data:`SPREAD_PARAMETERS` that the case
neither sets from a source nor calibrates, each over its stated range (the default search
range of :func:`~.fitting.fit_parameter`, searched on a log scale where that says so). SALib
draws a Latin hypercube of ``samples`` points; at each point (the same seed everywhere: common
random numbers) the rolling-origin forecasts are made again with every lens
(:func:`~.forecast.rolling_forecast`) and, when the case asks a question, the difference that
answers it is simulated again (the case as recorded minus the question's world, per lens and
step). The result gives each output's 5-95% spread over the sample and how often each lens
beats persistence and the statistical baseline.

>>> from security_dilemma import load_case
>>> s = parameter_spread(load_case("bmd-europe"), lenses=["realism"], samples=2,
...                      replicates=4, origins=[2008], horizon=2)
>>> len(s.points), s.brier["realism"].shape, s.question is not None
(2, (2,), True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem
from .fitting import FitParameter, Simulate, engine_simulate, fit_parameter
from .forecast import LensChoice

if TYPE_CHECKING:
    from ..engine import Result
    from ..scenario.schema import Case, Question

__all__ = [
    "SPREAD_PARAMETERS",
    "ParameterSpread",
    "QuestionSpread",
    "parameter_spread",
    "question_of",
    "spread_parameters",
]

SPREAD_PARAMETERS = (
    "richardson.k",
    "richardson.g",
    "richardson.g_greedy",
    "richardson.saturation",
    "richardson.status_quo",
    "allocation_rate",
    "identity_rate",
    "commitment_rate",
    "common_fate",
    "noise",
)
"""Model parameters sampled when a case does not set them from a source: those with a default
range in :func:`~.fitting.fit_parameter`, less the calibrated ones (:mod:`.calibration`) and
``richardson.shock`` (calibrated for the flagship) and ``crisis_base``."""

LOW, HIGH = 0.05, 0.95
"""Quantiles of the spread."""

Array = npt.NDArray[np.float64]


def spread_parameters(case: Case) -> tuple[FitParameter, ...]:
    """The parameters sampled for ``case``: its assumptions with a range, then
    :data:`SPREAD_PARAMETERS` that it does not source (module docstring)."""
    sourced = {p.name for p in case.parameter_sources}
    out = [
        FitParameter(p.name, float(p.range[0]), float(p.range[1]))
        for p in case.parameter_sources
        if p.range is not None and p.range[0] < p.range[1]
    ]
    out += [fit_parameter(name) for name in SPREAD_PARAMETERS if name not in sourced]
    return tuple(out)


def question_of(case: Case) -> Question | None:
    """The case's question, or one made from its first what-if world and its first key
    actor; None without a what-if world."""
    from ..report.findings import key_actors, key_dyads
    from ..scenario.schema import Question

    if case.question is not None:
        return case.question
    if not case.counterfactuals:
        return None
    world = case.counterfactuals[0]
    actor = key_actors(case, key_dyads(case), limit=1)[0]
    return Question(
        text=f"Did what '{world.id}' takes out change {actor}'s security?",
        world=world.id,
        actor=actor,
    )


@dataclass(frozen=True)
class QuestionSpread:
    """The question's difference (recorded minus the world) at every sample point:
    ``values[lens]`` has shape (points, steps)."""

    world: str
    actor: str
    metric: str
    years: tuple[int, ...]
    values: Mapping[str, Array] = field(repr=False)

    def band(self, lens: str) -> tuple[Array, Array]:
        """The 5% and 95% quantiles over the sample, per step."""
        q = np.quantile(self.values[lens], [LOW, HIGH], axis=0)
        return q[0], q[1]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        out: dict[str, Any] = {
            "world": self.world,
            "actor": self.actor,
            "metric": self.metric,
            "years": list(self.years),
        }
        out["lenses"] = {}
        for lens in self.values:
            low, high = self.band(lens)
            out["lenses"][lens] = {"low": low.tolist(), "high": high.tolist()}
        return out


@dataclass(frozen=True)
class ParameterSpread:
    """The headline findings over a sample of the uncalibrated parameters (module
    docstring): the rolling-origin Brier score of every lens and baseline at every point
    (``brier[forecaster]``, one value per point) and the question's differences."""

    case_id: str
    parameters: tuple[FitParameter, ...]
    points: tuple[Mapping[str, float], ...]
    replicates: int
    seed: int
    lenses: tuple[str, ...]
    brier: Mapping[str, Array] = field(repr=False)
    question: QuestionSpread | None = None

    def quantiles(self, forecaster: str) -> tuple[float, float, float]:
        """The 5%, 50% and 95% quantiles of a forecaster's Brier score over the sample."""
        q = np.quantile(self.brier[forecaster], [LOW, 0.5, HIGH])
        return float(q[0]), float(q[1]), float(q[2])

    def beats(self, lens: str, *baselines: str) -> float:
        """Share of the sample at which ``lens`` has a lower Brier score than every one of
        ``baselines``."""
        better = np.ones(len(self.points), dtype=bool)
        for b in baselines:
            better &= self.brier[lens] < self.brier[b]
        return float(better.mean())

    def best(self) -> dict[str, float]:
        """How often each lens has the lowest Brier score of the lenses."""
        stacked = np.vstack([self.brier[lens] for lens in self.lenses])
        winner = stacked.argmin(axis=0)
        return {lens: float((winner == k).mean()) for k, lens in enumerate(self.lenses)}

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields (docs/backtesting.md)."""
        return {
            "case": self.case_id,
            "samples": len(self.points),
            "replicates": self.replicates,
            "seed": self.seed,
            "quantiles": [LOW, HIGH],
            "parameters": [
                {"name": p.name, "low": p.low, "high": p.high, "log": p.log}
                for p in self.parameters
            ],
            "points": [dict(p) for p in self.points],
            "brier": {
                f: dict(zip(("low", "median", "high"), self.quantiles(f), strict=True))
                | {"values": self.brier[f].tolist()}
                for f in self.brier
            },
            "beats": {
                lens: {
                    "persistence": self.beats(lens, "persistence"),
                    "statistical": self.beats(lens, "statistical"),
                    "both": self.beats(lens, "persistence", "statistical"),
                }
                for lens in self.lenses
            },
            "best": self.best(),
            "question": self.question.to_json() if self.question is not None else None,
        }


def _sample(parameters: Sequence[FitParameter], samples: int, seed: int) -> list[dict[str, float]]:
    """SALib's Latin hypercube on the unit cube, mapped onto each parameter's range."""
    from SALib.sample import latin

    from ..experiments.params import Bound
    from ..experiments.sensitivity import salib_problem

    unit = [Bound(p.name, 0.0, 1.0) for p in parameters]
    x = np.asarray(latin.sample(salib_problem(unit), samples, seed=seed))
    return [
        {p.name: p.from_unit(float(u)) for p, u in zip(parameters, row, strict=True)} for row in x
    ]


def parameter_spread(
    case: Case,
    *,
    lenses: Sequence[str] | Mapping[str, LensChoice],
    samples: int,
    replicates: int = 20,
    seed: int = 0,
    origins: Sequence[int],
    horizon: int = 2,
    parameters: Sequence[FitParameter] | None = None,
    baselines: Mapping[str, float] | None = None,
    simulate: Simulate | None = None,
) -> ParameterSpread:
    """Rerun the headline's rolling-origin forecasts and question over ``samples`` points of
    the uncalibrated ``parameters`` (default :func:`spread_parameters`), ``replicates`` per
    lens and point (module docstring). The baselines' Brier scores do not depend on the
    model's parameters: give them (``{name: brier}`` from the headline's
    :class:`~.forecast.RollingForecast`) or they are computed once."""
    from .baselines import BASELINES
    from .forecast import _lens_arguments, rolling_forecast

    problems = []
    if samples < 2:
        problems.append(Problem(f"give at least 2 samples (got {samples})", path="samples"))
    if replicates < 2:
        problems.append(
            Problem(f"give at least 2 replicates (got {replicates})", path="replicates")
        )
    if problems:
        raise BadInput(problems)
    params = tuple(parameters) if parameters is not None else spread_parameters(case)
    if not params:
        raise BadInput(Problem("no parameter to sample", path="parameters"))
    sim = simulate or engine_simulate()
    runs = _lens_arguments(lenses)
    if baselines is None:
        fc = rolling_forecast(
            case, origins=origins, horizon=horizon, lenses=dict(list(runs.items())[:1]),
            replicates=2, seed=seed, resamples=1, simulate=sim,
        )  # fmt: skip
        baselines = {b: fc.scores[b].brier for b in BASELINES}
    points = _sample(params, samples, seed)
    question = question_of(case)
    setting = _Setting(
        case, runs, tuple(origins), horizon, replicates, seed, sim, question,
        _world(case, question),
    )  # fmt: skip
    done = [_at_point(setting, point) for point in points]
    brier = {lens: [d[0][lens] for d in done] for lens in runs}
    spread_q = None
    if question is not None and setting.world is not None:
        spread_q = QuestionSpread(
            question.world,
            question.actor,
            question.metric,
            done[0][1],
            {lens: np.vstack([d[2][lens] for d in done]) for lens in runs},
        )
    every = {lens: np.asarray(v, dtype=np.float64) for lens, v in brier.items()}
    every |= {b: np.full(len(points), baselines[b], dtype=np.float64) for b in baselines}
    return ParameterSpread(
        case_id=case.id,
        parameters=params,
        points=tuple(points),
        replicates=replicates,
        seed=seed,
        lenses=tuple(runs),
        brier=every,
        question=spread_q,
    )


@dataclass(frozen=True)
class _Setting:
    """What every point of a parameter sample shares."""

    case: Case
    runs: Mapping[str, LensChoice]
    origins: tuple[int, ...]
    horizon: int
    replicates: int
    seed: int
    simulate: Simulate
    question: Question | None
    world: Case | None


def _at_point(
    setting: _Setting, point: Mapping[str, float]
) -> tuple[dict[str, float], tuple[int, ...], dict[str, Array]]:
    """At one point: each lens's rolling-origin Brier score, and the years and differences
    of the question (empty without one)."""
    from .forecast import lens_brier

    question, case = setting.question, setting.case
    factual: dict[str, Result] = {}

    def at_point(c: Case, **kw: Any) -> Result:
        kw["overrides"] = {**point, **(kw.get("overrides") or {})}
        if question is not None and c is case:  # the forecast's run is the question's too
            kw["metrics"] = sorted({*kw.get("metrics", ()), question.metric})
            factual[_label(setting.runs, kw["lens"])] = result = setting.simulate(c, **kw)
            return result
        return setting.simulate(c, **kw)

    scores = lens_brier(
        case,
        origins=setting.origins,
        horizon=setting.horizon,
        lenses=setting.runs,
        replicates=setting.replicates,
        seed=setting.seed,
        simulate=at_point,
    )
    years: tuple[int, ...] = ()
    deltas: dict[str, Array] = {}
    if question is not None and setting.world is not None:
        for lens, choice in setting.runs.items():
            other = at_point(
                setting.world, lens=choice, replicates=setting.replicates, seed=setting.seed,
                restraint=False, metrics=[question.metric],
            )  # fmt: skip
            years, deltas[lens] = _difference(factual[lens], other, question)
    return scores, years, deltas


def _label(runs: Mapping[str, LensChoice], choice: LensChoice) -> str:
    """The label of the run simulated with ``choice``."""
    return next(label for label, c in runs.items() if c == choice)


def _world(case: Case, question: Question | None) -> Case | None:
    from ..whatif.worlds import apply_counterfactual

    if question is None:
        return None
    return apply_counterfactual(case, question.world).model_copy(update={"observables": []})


def _difference(
    factual: Result, world: Result, question: Question
) -> tuple[tuple[int, ...], Array]:
    """The years of the steps and the mean difference (recorded minus world) of the
    question's value at each."""
    a = factual.series(question.metric, question.actor)["mean"].to_numpy(dtype=np.float64)
    b = world.series(question.metric, question.actor)["mean"].to_numpy(dtype=np.float64)
    return tuple(d.year for d in factual.dates), np.asarray(a - b, dtype=np.float64)
