"""Rolling-origin forecasts: each lens read through the observation model, scored out of sample
against baselines fitted on the past (docs/backtesting.md).

At each **origin** (a year) everything that is fitted is fitted on the observables that ended
before 1 January of that year: the observation model's link per lens
(:mod:`~security_dilemma.history.observation`), the baselines
(:mod:`~security_dilemma.history.baselines`) and, when asked, some engine parameters per lens.
The forecasts are for the observables of the next ``horizon`` years (starting on or after the
origin and ending by the end of its last year); observables that straddle an origin are in
neither set of that fold. Forecasts from every origin are pooled and scored: Brier score,
log-loss, AUC, the Brier decomposition, and the skill of every lens against every baseline with
a percentile bootstrap interval that resamples *years*, since the outcomes of one year are
correlated. The simulation is conditional on the case's events up to the end of the forecast
window, as in the in-sample backtest: these are forecasts of what follows from the recorded
moves, not forecasts of the moves.

>>> from security_dilemma import load_case
>>> fc = rolling_forecast(load_case("bmd-europe"), origins=[2006, 2008], horizon=2,
...                       lenses=["pyramid"], replicates=20)
>>> fc.counts["test"] == sum(len(f.test) for f in fc.folds) == fc.scores["pyramid"].n
True
>>> fc.answer.verdict in ("yes", "not reliably", "no")
True
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import BadInput, Problem
from .baselines import BASELINES, STATISTICAL_MODEL, BaselineFit, fit_baselines
from .fitting import (
    Fit,
    FitParameter,
    Simulate,
    current_values,
    engine_simulate,
    number,
    search,
)
from .observation import Link, LinkPrior, Observed, fit_link, observe
from .scoring import (
    BrierDecomposition,
    CalibrationBin,
    Interval,
    auc,
    bootstrap_auc_difference,
    bootstrap_difference,
    bootstrap_skill,
    brier,
    brier_decomposition,
    brier_terms,
    calibration,
    log_loss,
    log_loss_terms,
)

if TYPE_CHECKING:
    from ..engine import Result
    from ..scenario.schema import Case, Observable

__all__ = [
    "RAW",
    "Answer",
    "Fold",
    "ForecastRow",
    "ForecastScores",
    "KindSkill",
    "RollingForecast",
    "Skill",
    "default_origins",
    "interval_text",
    "lens_brier",
    "lens_choice",
    "rolling_forecast",
    "simulations_needed",
    "split",
]

RAW = " raw"
"""Suffix of a lens's raw-indicator forecaster (``"pyramid raw"``)."""

MIN_TRAIN = 10
"""Training observables :func:`default_origins` wants before its first origin."""

LensChoice = str | Mapping[str, str] | None
"""What ``simulate(lens=...)`` takes: a lens, ``{actor: lens}``, or None (the case's own)."""


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastRow:
    """One forecast: the origin it was made at, the observable and every forecaster's
    probability (``p`` by forecaster name)."""

    origin: int
    id: str
    kind: str
    actor: str
    counterpart: str | None
    year: int
    occurred: bool
    p: Mapping[str, float]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "origin": self.origin,
            "id": self.id,
            "kind": self.kind,
            "actor": self.actor,
            "counterpart": self.counterpart,
            "year": self.year,
            "occurred": self.occurred,
            "p": dict(self.p),
        }


@dataclass(frozen=True)
class Fold:
    """One origin: the training and test observables (ids), the link fitted per lens, the
    baselines, and per lens the engine parameters fitted (when asked)."""

    origin: int
    train: tuple[str, ...]
    test: tuple[str, ...]
    links: Mapping[str, Link]
    baselines: BaselineFit
    parameters: Mapping[str, Fit] = field(default_factory=dict)

    def coefficients(self) -> dict[str, float]:
        """Every number fitted at this origin, by name (``lens/...``, ``baseline/...``)."""
        out: dict[str, float] = {}
        for lens, link in self.links.items():
            out |= {f"{lens}/link/{k}": v for k, v in link.coefficients().items()}
        for lens, fit in self.parameters.items():
            out |= {f"{lens}/engine/{k}": v for k, v in fit.values.items()}
        out |= {f"baseline/{k}": v for k, v in self.baselines.coefficients().items()}
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "origin": self.origin,
            "train": len(self.train),
            "test": len(self.test),
            "links": {lens: link.to_json() for lens, link in self.links.items()},
            "baselines": self.baselines.to_json(),
            "parameters": {lens: fit.to_json() for lens, fit in self.parameters.items()},
        }


@dataclass(frozen=True)
class ForecastScores:
    """Scores of one forecaster's pooled forecasts: Brier, log-loss (nats), AUC (NaN without
    both outcomes) and the Brier decomposition."""

    n: int
    occurred: int
    brier: float
    log_loss: float
    auc: float
    decomposition: BrierDecomposition

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        d = self.decomposition
        return {
            "n": self.n,
            "occurred": self.occurred,
            "brier": number(self.brier),
            "log_loss": number(self.log_loss),
            "auc": number(self.auc),
            "reliability": number(d.reliability),
            "resolution": number(d.resolution),
            "uncertainty": number(d.uncertainty),
            "bins": d.bins,
        }


def scores_of(p: Sequence[float], y: Sequence[bool], bins: int) -> ForecastScores:
    """:class:`ForecastScores` of forecasts ``p`` against outcomes ``y``."""
    ya = np.asarray(y, dtype=np.float64)
    return ForecastScores(
        n=int(ya.size),
        occurred=int(ya.sum()),
        brier=brier(p, ya),
        log_loss=log_loss(p, ya),
        auc=auc(p, ya),
        decomposition=brier_decomposition(p, ya, bins),
    )


def interval_json(i: Interval) -> dict[str, Any]:
    """An interval's ``estimate``, ``low`` and ``high``, JSON-ready."""
    return {"estimate": number(i.estimate), "low": number(i.low), "high": number(i.high)}


@dataclass(frozen=True)
class Skill:
    """``forecaster`` against ``baseline`` over the pooled forecasts: the differences of the
    Brier score, the log-loss and the AUC (forecaster minus baseline: below 0 is better for
    the first two, above 0 for the AUC) and the Brier skill score, each with a percentile
    bootstrap interval that resamples whole years (the same draws for all four)."""

    forecaster: str
    baseline: str
    brier: Interval
    log_loss: Interval
    auc: Interval
    brier_skill: Interval

    @property
    def reliably_better(self) -> bool:
        """The interval of the Brier difference lies below 0."""
        return math.isfinite(self.brier.high) and self.brier.high < 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        interval = interval_json
        return {
            "forecaster": self.forecaster,
            "baseline": self.baseline,
            "brier_difference": interval(self.brier),
            "log_loss_difference": interval(self.log_loss),
            "auc_difference": interval(self.auc),
            "brier_skill": interval(self.brier_skill),
            "level": self.brier.level,
            "resamples": self.brier.resamples,
        }


@dataclass(frozen=True)
class KindSkill:
    """A lens against a baseline on one kind of observable: the Brier difference (lens minus
    baseline) over that kind's forecasts, with a block-bootstrap interval resampling years."""

    forecaster: str
    baseline: str
    kind: str
    n: int
    brier: Interval

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "forecaster": self.forecaster,
            "baseline": self.baseline,
            "kind": self.kind,
            "n": self.n,
            "brier_difference": interval_json(self.brier),
        }


@dataclass(frozen=True)
class Answer:
    """Does any lens beat persistence and the statistical baseline out of sample?

    ``verdict`` is ``yes`` (some lens's Brier skill against both has an interval above 0),
    ``not reliably`` (some lens's skill against both is above 0, but not both intervals) or
    ``no``; ``best`` is the lens with the lowest Brier score.
    """

    verdict: Literal["yes", "not reliably", "no"]
    best: str
    beat: tuple[str, ...]
    reliably: tuple[str, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "question": "Does any lens beat persistence and the statistical baseline out of "
            "sample?",
            "verdict": self.verdict,
            "best": self.best,
            "beat_both": list(self.beat),
            "reliably_beat_both": list(self.reliably),
            "text": self.text,
        }


@dataclass(frozen=True)
class RollingForecast:
    """Rolling-origin forecasts of a case's record (module docstring).

    ``forecasters`` are the lenses (through the observation model), each lens's raw indicator
    (``"<lens> raw"``) and the baselines (:data:`~.baselines.BASELINES`).
    """

    case_id: str
    title: str
    origins: tuple[int, ...]
    horizon: int
    replicates: int
    seed: int
    lenses: tuple[str, ...]
    forecasters: tuple[str, ...]
    folds: tuple[Fold, ...]
    rows: tuple[ForecastRow, ...]
    scores: Mapping[str, ForecastScores]
    by_kind: Mapping[str, Mapping[str, ForecastScores]]
    calibration: Mapping[str, tuple[CalibrationBin, ...]]
    skills: tuple[Skill, ...]
    counts: Mapping[str, int]
    fitted: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    kind_skills: tuple[KindSkill, ...] = ()

    def kind_skill(self, forecaster: str, baseline: str, kind: str) -> KindSkill:
        """One lens against one baseline on one kind."""
        for s in self.kind_skills:
            if (s.forecaster, s.baseline, s.kind) == (forecaster, baseline, kind):
                return s
        raise KeyError((forecaster, baseline, kind))

    @property
    def answer(self) -> Answer:
        """Does any lens beat persistence and the statistical baseline? (:func:`answer`)"""
        return answer(self)

    def skill(self, forecaster: str, baseline: str) -> Skill:
        """The skill of one forecaster against one baseline."""
        for s in self.skills:
            if s.forecaster == forecaster and s.baseline == baseline:
                return s
        raise KeyError((forecaster, baseline))

    def kinds(self) -> list[str]:
        """Kinds of observable forecast, sorted."""
        return sorted({r.kind for r in self.rows})

    def windows(self) -> str:
        """The forecast windows, e.g. ``2004-2005, 2006-2007``."""
        return ", ".join(
            str(o) if self.horizon == 1 else f"{o}-{o + self.horizon - 1}" for o in self.origins
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data; keys documented in docs/backtesting.md."""
        return {
            "case": self.case_id,
            "title": self.title,
            "origins": list(self.origins),
            "horizon": self.horizon,
            "replicates": self.replicates,
            "seed": self.seed,
            "lenses": list(self.lenses),
            "forecasters": list(self.forecasters),
            "fitted_parameters": list(self.fitted),
            "statistical_model": STATISTICAL_MODEL,
            "counts": dict(self.counts),
            "scores": {k: s.to_json() for k, s in self.scores.items()},
            "by_kind": {
                f: {k: s.to_json() for k, s in kinds.items()} for f, kinds in self.by_kind.items()
            },
            "calibration": {
                f: [
                    {
                        "lower": b.lower,
                        "upper": b.upper,
                        "count": b.count,
                        "mean_p": b.mean_p,
                        "observed": b.observed,
                    }
                    for b in bins
                ]
                for f, bins in self.calibration.items()
            },
            "skills": [s.to_json() for s in self.skills],
            "by_kind_skills": [s.to_json() for s in self.kind_skills],
            "answer": self.answer.to_json(),
            "folds": [f.to_json() for f in self.folds],
            "rows": [r.to_json() for r in self.rows],
            "notes": list(self.notes),
        }


# --- origins ----------------------------------------------------------------------------------


def _window(origin: int, horizon: int) -> tuple[dt.date, dt.date]:
    return dt.date(origin, 1, 1), dt.date(origin + horizon - 1, 12, 31)


def split(
    observables: Sequence[Observable], origin: int, horizon: int
) -> tuple[list[Observable], list[Observable]]:
    """Training (ended before the origin) and test observables (in the next ``horizon``
    years) of one origin."""
    first, last = _window(origin, horizon)
    train = [o for o in observables if o.end < first]
    test = [o for o in observables if o.start >= first and o.end <= last]
    return train, test


def default_origins(case: Case, horizon: int = 2, min_train: int = MIN_TRAIN) -> list[int]:
    """Origins every ``horizon`` years, from the first year by which at least ``min_train``
    scored observables have ended, while the forecast window fits in the case's span.

    >>> from security_dilemma import load_case
    >>> default_origins(load_case("bmd-europe"))
    [2002, 2004, 2006, 2008, 2010]
    """
    from .backtest import classify_observables

    classes = classify_observables(case)
    scored = [o for o in case.observables if classes[o.id][1] == "scored"]
    first = case.span.start.year + 1
    while first <= case.span.end.year and sum(o.end.year < first for o in scored) < min_train:
        first += 1
    return list(range(first, case.span.end.year - horizon + 2, horizon))


def _check(case: Case, origins: Sequence[int], horizon: int) -> list[int]:
    problems = []
    if horizon < 1:
        problems.append(Problem(f"horizon must be at least 1 year (got {horizon})", path="horizon"))
    low, high = case.span.start.year + 1, case.span.end.year
    if not origins:
        problems.append(Problem("give at least one origin", path="origins"))
    for o in origins:
        if not low <= o <= high:
            problems.append(
                Problem(
                    f"origin {o} is outside {low}-{high}: an origin needs a year of the case "
                    "before it and a year to forecast",
                    path="origins",
                )
            )
    if problems:
        raise BadInput(problems)
    return sorted(set(origins))


# --- the forecast -----------------------------------------------------------------------------


def _lens_arguments(lenses: Sequence[str] | Mapping[str, LensChoice] | None) -> dict[str, Any]:
    from ..lenses import get_lens, lens_names

    if isinstance(lenses, Mapping):
        return dict(lenses)
    names = list(lenses) if lenses is not None else list(lens_names())
    for name in names:
        get_lens(name)
    return {name: name for name in names}


def lens_choice(result: Result) -> LensChoice:
    """How to simulate a run's lenses again: one lens, or ``{actor: lens}`` for a mixed run."""
    if len(set(result.lenses)) == 1:
        return result.lenses[0]
    return dict(zip(result.actors, result.lenses, strict=True))


def _metrics(observables: Sequence[Observable]) -> list[str]:
    from ..engine.predict import KINDS, metrics_needed

    return sorted({m for o in observables if o.kind in KINDS for m in metrics_needed(o.kind)})


def _simulate(
    sim: Simulate,
    case: Case,
    choice: LensChoice,
    overrides: Mapping[str, float] | None,
    *,
    replicates: int,
    seed: int,
    metrics: Sequence[str],
) -> Result:
    """A lens's run for the forecasts: replicates kept, no restraint copies."""
    return sim(
        case,
        lens=choice,
        replicates=replicates,
        seed=seed,
        overrides=dict(overrides) if overrides else None,
        restraint=False,
        keep_replicates=True,
        metrics=metrics,
    )


def rolling_forecast(
    case: Case,
    *,
    origins: Sequence[int],
    horizon: int = 2,
    lenses: Sequence[str] | Mapping[str, LensChoice] | None = None,
    replicates: int = 200,
    seed: int = 0,
    fit: Sequence[FitParameter] = (),
    fit_budget: int = 24,
    fit_replicates: int | None = None,
    prior: LinkPrior = LinkPrior(),
    bins: int = 5,
    resamples: int = 2000,
    level: float = 0.9,
    simulate: Simulate | None = None,
) -> RollingForecast:
    """Forecast the case's record from rolling origins and score the pooled forecasts.

    ``lenses`` are lens names (default: every lens) or ``{label: lens choice}`` (a lens, an
    ``{actor: lens}`` mapping or None for the case's own). Each lens is simulated once
    (``replicates``, ``seed``, no restraint copies) and its link fitted at every origin; with
    ``fit`` (engine parameters) the parameters are also fitted per lens and origin on the
    training observables (``fit_budget`` simulations of ``fit_replicates``, default
    ``min(replicates, 50)``, minimising the training Brier score of the link fitted to
    them), and the lens is simulated again with them. ``simulate`` replaces the engine's
    (e.g. to count simulations); :func:`simulations_needed` says how many.
    """
    from .backtest import classify_observables

    runs = _lens_arguments(lenses)
    years = _check(case, origins, horizon)
    classes = classify_observables(case)
    scored = [o for o in case.observables if classes[o.id][1] == "scored"]
    if not scored:
        raise BadInput(
            Problem(f"case '{case.id}' has no observables to forecast", path="observables")
        )
    sim = simulate or engine_simulate()
    metrics = _metrics(scored)
    notes: list[str] = []
    given = [o.id for o in case.observables if classes[o.id][1] == "given"]
    if given:
        notes.append(
            f"{len(given)} observable(s) left out because a case event imposes their outcome: "
            + ", ".join(given)
        )

    def run(choice: LensChoice, overrides: Mapping[str, float] | None, n: int) -> Result:
        return _simulate(sim, case, choice, overrides, replicates=n, seed=seed, metrics=metrics)

    base: dict[str, dict[str, Observed]] = {}
    for label, choice in runs.items():
        observed, skipped = observe(run(choice, None, replicates), case, scored)
        base[label] = observed
        for note in skipped:
            if note not in notes:
                notes.append(note)
    usable = [o for o in scored if all(o.id in base[label] for label in runs)]
    refit = _refit(
        run,
        case,
        scored,
        fit=fit,
        budget=fit_budget,
        replicates=fit_replicates or min(replicates, 50),
        seed=seed,
        prior=prior,
    )
    folds, rows = [], []
    for origin in years:
        fold, fold_rows = _fold(
            origin,
            horizon,
            usable,
            runs,
            base,
            refit=refit,
            prior=prior,
            notes=notes,
        )
        folds.append(fold)
        rows += fold_rows
    if not rows:
        raise BadInput(
            Problem(
                f"no observable falls in the forecast windows ({_windows(years, horizon)})",
                path="origins",
            )
        )
    labels = list(runs)
    forecasters = (*labels, *(label + RAW for label in labels), *BASELINES)
    scores, by_kind, bins_of, skills = _scores(
        rows, forecasters, bins=bins, resamples=resamples, level=level, seed=seed
    )
    kind_skills = _kind_skills(rows, labels, resamples=resamples, level=level, seed=seed)
    return RollingForecast(
        case_id=case.id,
        title=case.title,
        origins=tuple(years),
        horizon=horizon,
        replicates=replicates,
        seed=seed,
        lenses=tuple(labels),
        forecasters=forecasters,
        folds=tuple(folds),
        rows=tuple(rows),
        scores=scores,
        by_kind=by_kind,
        calibration=bins_of,
        skills=skills,
        counts={
            "scored": len(scored),
            "test": len(rows),
            "observables": len({r.id for r in rows}),
            "years": len({r.year for r in rows}),
            "occurred": sum(r.occurred for r in rows),
        },
        fitted=tuple(f.name for f in fit),
        notes=tuple(notes),
        kind_skills=kind_skills,
    )


def lens_brier(
    case: Case,
    *,
    origins: Sequence[int],
    horizon: int = 2,
    lenses: Sequence[str] | Mapping[str, LensChoice],
    replicates: int = 200,
    seed: int = 0,
    prior: LinkPrior = LinkPrior(),
    simulate: Simulate | None = None,
) -> dict[str, float]:
    """The pooled rolling-origin Brier score of each lens through its link, as
    :func:`rolling_forecast` scores it, without the baselines, raw indicators and intervals:
    what a parameter sample (:mod:`.uncertainty`) needs at each point."""
    from .backtest import classify_observables

    years = _check(case, origins, horizon)
    runs = _lens_arguments(lenses)
    classes = classify_observables(case)
    scored = [o for o in case.observables if classes[o.id][1] == "scored"]
    sim = simulate or engine_simulate()
    metrics = _metrics(scored)
    observed = {
        label: observe(
            _simulate(sim, case, choice, None, replicates=replicates, seed=seed, metrics=metrics),
            case,
            scored,
        )[0]
        for label, choice in runs.items()
    }
    usable = [o for o in scored if all(o.id in observed[label] for label in runs)]
    p: dict[str, list[float]] = {label: [] for label in runs}
    y: list[bool] = []
    for origin in years:
        train, test = split(usable, origin, horizon)
        if not train:
            raise BadInput(
                Problem(
                    f"origin {origin}: no observable of the record ends before it", path="origins"
                )
            )
        y += [o.occurred for o in test]
        for label in runs:
            link = _link(observed[label], train, prior)
            p[label] += [link.probability(o.kind, observed[label][o.id].covariate) for o in test]
    if not y:
        raise BadInput(Problem("no observable falls in the forecast windows", path="origins"))
    return {label: brier(p[label], y) for label in runs}


if TYPE_CHECKING:
    Refit = Callable[[LensChoice, Sequence[Observable]], tuple[Fit, dict[str, Observed]] | None]
    """Engine parameters fitted on a fold's training observables, and what the lens then shows."""


def _refit(
    run: Callable[[LensChoice, Mapping[str, float] | None, int], Result],
    case: Case,
    scored: Sequence[Observable],
    *,
    fit: Sequence[FitParameter],
    budget: int,
    replicates: int,
    seed: int,
    prior: LinkPrior,
) -> Refit:
    """The refit of a fold: none without parameters to fit."""

    def refit(
        choice: LensChoice, train: Sequence[Observable]
    ) -> tuple[Fit, dict[str, Observed]] | None:
        if not fit:
            return None
        fitted = _fit_engine(
            run, choice, case, train, fit,
            budget=budget, replicates=replicates, seed=seed, prior=prior,
        )  # fmt: skip
        observed, _ = observe(run(choice, fitted.values, replicates), case, scored)
        return fitted, observed

    return refit


def _fold(
    origin: int,
    horizon: int,
    usable: Sequence[Observable],
    runs: Mapping[str, LensChoice],
    base: Mapping[str, Mapping[str, Observed]],
    *,
    refit: Refit,
    prior: LinkPrior,
    notes: list[str],
) -> tuple[Fold, list[ForecastRow]]:
    """One origin: fit each lens's link (and parameters) and the baselines on the observables
    that end before it, and forecast those of the next ``horizon`` years."""
    train, test = split(usable, origin, horizon)
    if not train:
        raise BadInput(
            Problem(
                f"origin {origin}: no observable of the record ends before it, nothing to fit on",
                path="origins",
            )
        )
    if not test:
        notes.append(f"origin {origin}: no observable in {_label(origin, horizon)}")
    links, fits, probabilities = {}, {}, {}
    for label, choice in runs.items():
        observed = base[label]
        refitted = refit(choice, train)
        if refitted is not None:
            fits[label], observed = refitted
        link = _link(observed, train, prior)
        links[label] = link
        probabilities[label] = {
            o.id: (link.probability(o.kind, observed[o.id].covariate), observed[o.id].raw)
            for o in test
        }
    baselines = fit_baselines(train, dt.date(origin, 1, 1))
    ids = (tuple(o.id for o in train), tuple(o.id for o in test))
    rows = []
    for o in test:
        p: dict[str, float] = {}
        for label in runs:
            p[label], p[label + RAW] = probabilities[label][o.id]
        p |= baselines.forecasts(o)
        rows.append(
            ForecastRow(origin, o.id, o.kind, o.actor, o.counterpart, o.start.year, o.occurred, p)
        )
    return Fold(origin, *ids, links, baselines, fits), rows


def _label(origin: int, horizon: int) -> str:
    return str(origin) if horizon == 1 else f"{origin}-{origin + horizon - 1}"


def _windows(origins: Sequence[int], horizon: int) -> str:
    return ", ".join(_label(o, horizon) for o in origins)


def _link(observed: Mapping[str, Observed], train: Sequence[Observable], prior: LinkPrior) -> Link:
    return fit_link(
        [o.kind for o in train],
        [observed[o.id].covariate for o in train],
        [o.occurred for o in train],
        prior,
    )


def _fit_engine(
    run: Callable[[LensChoice, Mapping[str, float] | None, int], Result],
    choice: LensChoice,
    case: Case,
    train: Sequence[Observable],
    parameters: Sequence[FitParameter],
    *,
    budget: int,
    replicates: int,
    seed: int,
    prior: LinkPrior,
) -> Fit:
    """Engine parameters fitted on the training observables: minimise the training Brier
    score of the link fitted to them (the link is refitted at every point)."""
    y = [o.occurred for o in train]

    def objective(values: Mapping[str, float]) -> float:
        observed, _ = observe(run(choice, values, replicates), case, train)
        link = _link(observed, train, prior)
        return brier([link.probability(o.kind, observed[o.id].covariate) for o in train], y)

    start = current_values(case, choice if isinstance(choice, str) else "", parameters)
    found = search(objective, parameters, start, budget=budget, seed=seed)
    return Fit(
        parameters=tuple(parameters),
        values=found.values,
        start=start,
        objective="brier",
        train_objective=found.objective,
        start_objective=found.start_objective,
        evaluations=found.evaluations,
        replicates=replicates,
        train_ids=tuple(o.id for o in train),
    )


def _scores(
    rows: Sequence[ForecastRow],
    forecasters: Sequence[str],
    *,
    bins: int,
    resamples: int,
    level: float,
    seed: int,
) -> tuple[
    dict[str, ForecastScores],
    dict[str, dict[str, ForecastScores]],
    dict[str, tuple[CalibrationBin, ...]],
    tuple[Skill, ...],
]:
    """Pooled scores, scores by kind and reliability bins per forecaster, and every
    forecaster's skill against every baseline (years resampled)."""
    y = [r.occurred for r in rows]
    years = [r.year for r in rows]
    p = {f: [r.p[f] for r in rows] for f in forecasters}
    kinds = sorted({r.kind for r in rows})
    by_kind = {
        f: {
            kind: scores_of(
                [r.p[f] for r in rows if r.kind == kind],
                [r.occurred for r in rows if r.kind == kind],
                bins,
            )
            for kind in kinds
        }
        for f in forecasters
    }
    terms = {f: brier_terms(p[f], y) for f in forecasters}
    logs = {f: log_loss_terms(p[f], y) for f in forecasters}
    kw: dict[str, Any] = {"resamples": resamples, "level": level, "seed": seed}
    skills = tuple(
        Skill(
            f,
            b,
            brier=bootstrap_difference(terms[f], terms[b], blocks=years, **kw),
            log_loss=bootstrap_difference(logs[f], logs[b], blocks=years, **kw),
            auc=bootstrap_auc_difference(p[f], p[b], y, blocks=years, **kw),
            brier_skill=bootstrap_skill(terms[f], terms[b], blocks=years, **kw),
        )
        for f in forecasters
        for b in BASELINES
        if f != b
    )
    scores = {f: scores_of(p[f], y, bins) for f in forecasters}
    return scores, by_kind, {f: calibration(p[f], y, bins) for f in forecasters}, skills


def _kind_skills(
    rows: Sequence[ForecastRow],
    lenses: Sequence[str],
    *,
    resamples: int,
    level: float,
    seed: int,
) -> tuple[KindSkill, ...]:
    """Every lens against every baseline on every kind (years resampled within the kind)."""
    out = []
    for kind in sorted({r.kind for r in rows}):
        mine = [r for r in rows if r.kind == kind]
        y = [r.occurred for r in mine]
        years = [r.year for r in mine]
        terms = {f: brier_terms([r.p[f] for r in mine], y) for f in (*lenses, *BASELINES)}
        for lens in lenses:
            for b in BASELINES:
                interval = bootstrap_difference(
                    terms[lens], terms[b], blocks=years, resamples=resamples, level=level,
                    seed=seed,
                )  # fmt: skip
                out.append(KindSkill(lens, b, kind, len(mine), interval))
    return tuple(out)


def answer(fc: RollingForecast) -> Answer:
    """The answer to "does any lens beat persistence and the statistical baseline out of
    sample?", on the Brier score (:class:`Answer`)."""
    against = ("persistence", "statistical")
    beat = tuple(
        lens for lens in fc.lenses if all(fc.skill(lens, b).brier.estimate < 0 for b in against)
    )
    reliably = tuple(
        lens for lens in beat if all(fc.skill(lens, b).reliably_better for b in against)
    )
    best = min(fc.lenses, key=lambda lens: _key(fc.scores[lens].brier))
    verdict: Literal["yes", "not reliably", "no"] = (
        "yes" if reliably else ("not reliably" if beat else "no")
    )
    pct = f"{fc.skill(best, 'persistence').brier.level:.0%}"
    lead = {
        "yes": f"Yes: {', '.join(reliably)} beat(s) both, the {pct} intervals of the Brier "
        "difference below 0.",
        "not reliably": f"Not reliably: {', '.join(beat)} beat(s) both on the point estimate, "
        f"but a {pct} interval of the Brier difference includes 0.",
        "no": "No: no lens has a lower Brier score than both.",
    }[verdict]
    s_p, s_s = fc.skill(best, "persistence").brier, fc.skill(best, "statistical").brier
    text = (
        f"Does any lens beat persistence and the statistical baseline out of sample "
        f"({fc.counts['test']} forecasts, {_windows(fc.origins, fc.horizon)})? {lead} Best "
        f"lens: {best}, Brier {fc.scores[best].brier:.3f} (persistence "
        f"{fc.scores['persistence'].brier:.3f}, statistical {fc.scores['statistical'].brier:.3f}); "
        f"Brier difference {interval_text(s_p)} against persistence, {interval_text(s_s)} "
        "against the statistical baseline."
    )
    return Answer(verdict, best, beat, reliably, text)


def _key(x: float) -> float:
    return math.inf if math.isnan(x) else x


def interval_text(i: Interval, digits: int = 3, sep: str = ", ") -> str:
    """``+0.012 [-0.004, +0.030]``: an estimate and its interval, signed."""
    if not math.isfinite(i.estimate):
        return "-"
    if not math.isfinite(i.low):
        return f"{i.estimate:+.{digits}f}"
    return f"{i.estimate:+.{digits}f} [{i.low:+.{digits}f}{sep}{i.high:+.{digits}f}]"


def simulations_needed(lenses: int, origins: int, *, fit: bool, fit_budget: int = 24) -> int:
    """Simulations :func:`rolling_forecast` runs (for a progress bar); an estimate with a fit."""
    return lenses * (1 + (origins * (fit_budget + 1) if fit else 0))
