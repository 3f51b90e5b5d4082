"""Backtesting: each lens's predicted probability of every coded observable, scored.

For each lens the case is simulated and every observable in ``case.observables`` gets a
predicted probability (:func:`security_dilemma.engine.predict`: the share of replicates in
which the model's indicator for that kind of observable is on; the indicators are listed in
docs/model.md). The probabilities are scored against what happened (``occurred``) with the
Brier score and the log-loss, against a climatology baseline, and checked for calibration
(:mod:`~security_dilemma.history.scoring`; definitions in docs/backtesting.md).

With ``train_until=YEAR`` the observables are split: those that end by the end of YEAR are the
training window, those that start after it the test window (observables that straddle the
split are left out of both). A few parameters (:data:`DEFAULT_FIT`) are fitted per lens on the
training window only, by minimising its Brier score (a scrambled Sobol design, then
Nelder-Mead from the best point, with common random numbers: the same seed at every
evaluation), and the lens is scored on the test window with the fitted values. The fit never
sees a test observable: it runs on a copy of the case whose observables are the training ones.

Observables whose outcome the case's own events impose (a ``crisis`` event between the two
sides in the period makes the engine record that crisis) are *given*, not predicted: they are
reported but not scored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem
from ..scenario.schema import Case, CrisisOccurs, Observable
from .fitting import (
    DEFAULT_FIT,
    Fit,
    FitParameter,
    Objective,
    Simulate,
    engine_simulate,
    fit_lens,
    fit_parameter,
    number,
    predict_observables,
)
from .scoring import (
    CLIP,
    CalibrationBin,
    Interval,
    bootstrap_difference,
    brier,
    brier_terms,
    calibration,
    climatology,
    log_loss,
    skill_score,
)

if TYPE_CHECKING:
    from ..engine import Result

__all__ = [
    "CLIMATOLOGY_DEFINITION",
    "DEFAULT_FIT",
    "Backtest",
    "Comparison",
    "Fit",
    "FitParameter",
    "LensBacktest",
    "Prediction",
    "Scores",
    "backtest",
    "classify_observables",
    "fit_lens",
    "fit_parameter",
    "score",
    "simulations_needed",
]

CLIMATOLOGY_DEFINITION = (
    "For each observable: the share of the reference observables of the same kind that "
    "happened, shrunk towards the overall share by one pseudo-observation, "
    "(m_kind + r) / (n_kind + 1) with r = (m + 1) / (n + 2). Reference: every other scored "
    "observable (leave-one-out) without a split; the training window with --train-until."
)

Window = Literal["all", "train", "test"]


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """One observable, the lens's predicted probability ``p`` and the climatology forecast.

    ``window`` is ``all`` (no split), ``train`` or ``test``; ``status`` is ``scored``,
    ``given`` (its outcome is imposed by a case event), ``straddles`` (crosses the split) or
    ``outside`` (not in the case's span). ``p`` is None when the observable was not predicted.
    """

    id: str
    kind: str
    actor: str
    counterpart: str | None
    start: dt.date
    end: dt.date
    occurred: bool
    p: float | None
    climatology: float | None
    window: Window
    status: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "id": self.id,
            "kind": self.kind,
            "actor": self.actor,
            "counterpart": self.counterpart,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "occurred": self.occurred,
            "p": self.p,
            "climatology": self.climatology,
            "window": self.window,
            "status": self.status,
        }


@dataclass(frozen=True)
class Scores:
    """Scores of a set of forecasts and of the climatology baseline on the same observables.

    Skill scores are ``1 - lens / climatology`` (above 0: the lens beats the baseline).
    """

    n: int
    occurred: int
    brier: float
    log_loss: float
    climatology_brier: float
    climatology_log_loss: float
    brier_skill: float
    log_loss_skill: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {k: number(v) for k, v in self.__dict__.items()}


def score(p: Sequence[float], clim: Sequence[float], y: Sequence[bool]) -> Scores:
    """Scores of forecasts ``p`` and the climatology ``clim`` against outcomes ``y``."""
    ya = np.asarray(y, dtype=np.float64)
    b, lg = brier(p, ya), log_loss(p, ya)
    cb, cl = brier(clim, ya), log_loss(clim, ya)
    return Scores(
        n=int(ya.size),
        occurred=int(ya.sum()),
        brier=b,
        log_loss=lg,
        climatology_brier=cb,
        climatology_log_loss=cl,
        brier_skill=skill_score(b, cb),
        log_loss_skill=skill_score(lg, cl),
    )


@dataclass(frozen=True)
class LensBacktest:
    """One lens's backtest.

    ``scores`` are on the headline window: every scored observable without a split, the
    test window with one. With a split, ``in_sample`` scores the training window with the
    fitted parameters and ``default`` the test window with the case's own parameters.
    """

    lens: str
    predictions: tuple[Prediction, ...]
    scores: Scores
    by_kind: Mapping[str, Scores]
    calibration: tuple[CalibrationBin, ...]
    fit: Fit | None = None
    in_sample: Scores | None = None
    default: Scores | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "lens": self.lens,
            "scores": self.scores.to_json(),
            "by_kind": {k: s.to_json() for k, s in self.by_kind.items()},
            "calibration": [_bin(b) for b in self.calibration],
            "fit": self.fit.to_json() if self.fit else None,
            "in_sample": self.in_sample.to_json() if self.in_sample else None,
            "default": self.default.to_json() if self.default else None,
            "predictions": [p.to_json() for p in self.predictions],
        }


@dataclass(frozen=True)
class Comparison:
    """Mean Brier difference ``a - b`` over the scored observables, with a bootstrap interval
    (below 0: ``a`` forecasts better)."""

    a: str
    b: str
    difference: Interval

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        d = self.difference
        return {
            "a": self.a,
            "b": self.b,
            "brier_difference": number(d.estimate),
            "low": number(d.low),
            "high": number(d.high),
            "level": d.level,
            "resamples": d.resamples,
        }


@dataclass(frozen=True)
class Backtest:
    """Every lens's backtest of one case, the climatology baseline and lens comparisons."""

    case_id: str
    title: str
    lenses: tuple[LensBacktest, ...]
    climatology: Scores
    climatology_calibration: tuple[CalibrationBin, ...]
    comparisons: tuple[Comparison, ...]
    replicates: int
    seed: int
    train_until: int | None
    counts: Mapping[str, int]
    notes: tuple[str, ...] = field(default=())

    def lens(self, name: str) -> LensBacktest:
        """The backtest of one lens."""
        for lb in self.lenses:
            if lb.lens == name:
                return lb
        raise KeyError(name)

    def ranking(self) -> list[str]:
        """Lenses from the lowest (best) Brier score on the headline window."""
        return [
            lb.lens
            for lb in sorted(
                self.lenses,
                key=lambda x: math.inf if math.isnan(x.scores.brier) else x.scores.brier,
            )
        ]

    def verdict(self) -> str:
        """One plain sentence on what the backtest found."""
        ranking = self.ranking()
        if not ranking:
            return "No lens was scored."
        best = self.lens(ranking[0])
        clim = self.climatology.brier
        beat = [lb.lens for lb in self.lenses if lb.scores.brier < clim]
        where = f"after {self.train_until}" if self.train_until is not None else "over the case"
        text = (
            f"Best lens {where}: {best.lens} (Brier {best.scores.brier:.3f}; climatology "
            f"{clim:.3f}). "
        )
        if beat:
            return text + f"Beating the climatology baseline: {', '.join(beat)}."
        return text + "No lens beats the climatology baseline."

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data; keys documented in docs/backtesting.md."""
        return {
            "case": self.case_id,
            "title": self.title,
            "replicates": self.replicates,
            "seed": self.seed,
            "train_until": self.train_until,
            "clip": CLIP,
            "window": "test" if self.train_until is not None else "all",
            "counts": dict(self.counts),
            "climatology": {
                "definition": CLIMATOLOGY_DEFINITION,
                "scores": self.climatology.to_json(),
                "calibration": [_bin(b) for b in self.climatology_calibration],
            },
            "lenses": {lb.lens: lb.to_json() for lb in self.lenses},
            "ranking": self.ranking(),
            "verdict": self.verdict(),
            "comparisons": [c.to_json() for c in self.comparisons],
            "notes": list(self.notes),
        }


def _bin(b: CalibrationBin) -> dict[str, Any]:
    return {
        "lower": b.lower,
        "upper": b.upper,
        "count": b.count,
        "mean_p": b.mean_p,
        "observed": b.observed,
    }


# --- which observables are scored ------------------------------------------------------------


def _step_dates(case: Case) -> list[dt.date]:
    from ..engine import step_dates

    return step_dates(case.span.start, case.span.end, case.span.step)


def _steps_of(
    dates: Sequence[dt.date], span_end: dt.date, start: dt.date, end: dt.date
) -> set[int]:
    out = set()
    for t, d in enumerate(dates):
        nxt = dates[t + 1] if t + 1 < len(dates) else span_end + dt.timedelta(days=1)
        if d <= end and nxt > start:
            out.add(t)
    return out


def _imposed(case: Case, observable: Observable, dates: Sequence[dt.date]) -> bool:
    """Whether a case event forces the engine to record this crisis or war."""
    if observable.kind not in ("crisis", "war") or observable.counterpart is None:
        return False
    pair = {observable.actor, observable.counterpart}
    steps = _steps_of(dates, case.span.end, observable.start, observable.end)
    for event in case.events:
        for effect in event.effects:
            if not isinstance(effect, CrisisOccurs) or set(effect.between) != pair:
                continue
            if observable.kind == "war" and effect.level != "war":
                continue
            if _steps_of(dates, case.span.end, event.date, event.date) & steps:
                return True
    return False


def classify_observables(
    case: Case, train_until: int | None = None
) -> dict[str, tuple[Window, str]]:
    """Each observable's window (all, train, test) and status (scored, given, straddles,
    outside), keyed by id.

    Training: ends by 31 December of ``train_until``; test: starts after it.
    """
    dates = _step_dates(case)
    out: dict[str, tuple[Window, str]] = {}
    split = dt.date(train_until, 12, 31) if train_until is not None else None
    for o in case.observables:
        window: Window = "all"
        if split is not None:
            window = "train" if o.end <= split else "test"
        if o.end < case.span.start or o.start > case.span.end:
            status = "outside"
        elif split is not None and o.start <= split < o.end:
            status = "straddles"
        elif _imposed(case, o, dates):
            status = "given"
        else:
            status = "scored"
        out[o.id] = (window, status)
    return out


# --- the backtest ---------------------------------------------------------------------------


def _with_observables(case: Case, keep: Sequence[Observable]) -> Case:
    return case.model_copy(update={"observables": list(keep)})


def _lens_scores(
    lens: str,
    observables: Sequence[Observable],
    preds: Mapping[str, float],
    clim: Mapping[str, float],
    classes: Mapping[str, tuple[Window, str]],
    *,
    headline: Window,
    bins: int,
) -> LensBacktest:
    predictions = tuple(
        Prediction(
            id=o.id,
            kind=o.kind,
            actor=o.actor,
            counterpart=o.counterpart,
            start=o.start,
            end=o.end,
            occurred=o.occurred,
            p=preds.get(o.id),
            climatology=clim.get(o.id),
            window=classes[o.id][0],
            status=classes[o.id][1],
        )
        for o in observables
    )
    scored = [
        q for q in predictions if q.status == "scored" and q.window == headline and q.p is not None
    ]
    return LensBacktest(
        lens=lens,
        predictions=predictions,
        scores=_scores_of(scored),
        by_kind={
            kind: _scores_of([q for q in scored if q.kind == kind])
            for kind in sorted({q.kind for q in scored})
        },
        calibration=calibration(
            [q.p for q in scored if q.p is not None], [q.occurred for q in scored], bins
        ),
    )


def _scores_of(preds: Sequence[Prediction]) -> Scores:
    p = [q.p for q in preds if q.p is not None]
    c = [q.climatology for q in preds if q.climatology is not None]
    return score(p, c, [q.occurred for q in preds])


def backtest(
    case: Case,
    *,
    lenses: Sequence[str] | None = None,
    replicates: int = 200,
    seed: int = 0,
    train_until: int | None = None,
    fit: Sequence[FitParameter] = DEFAULT_FIT,
    fit_replicates: int | None = None,
    fit_budget: int = 48,
    objective: Objective = "brier",
    bins: int = 5,
    results: Mapping[str, Result] | None = None,
    resamples: int = 2000,
    simulate: Simulate | None = None,
    progress: Callable[[], None] | None = None,
) -> Backtest:
    """Backtest every lens (default: :func:`~security_dilemma.lenses.lens_names`) on ``case``.

    ``results`` reuses runs already made (``{lens: Result}``, e.g. by ``dilemma run``) instead
    of simulating; it cannot be combined with ``train_until``, which refits. ``fit_replicates``
    (default ``min(replicates, 50)``) and ``fit_budget`` (simulations per lens) size the fit.
    ``progress`` is called after each simulation; :func:`simulations_needed` says how many.
    """
    from ..lenses import get_lens, lens_names

    names = list(lenses) if lenses is not None else list(results or lens_names())
    if results is None:
        for name in names:
            get_lens(name)
    elif missing := [n for n in names if n not in results]:
        raise BadInput(Problem(f"no run for lens(es) {', '.join(missing)}", path="lenses"))
    if results is not None and train_until is not None:
        raise BadInput(Problem("a backtest with train_until refits: do not pass results"))
    if train_until is not None and not (case.span.start.year <= train_until < case.span.end.year):
        raise BadInput(
            Problem(
                f"train_until must be a year from {case.span.start.year} to "
                f"{case.span.end.year - 1} (got {train_until})",
                path="train_until",
            )
        )
    if not case.observables:
        raise BadInput(
            Problem(f"case '{case.id}' has no observables to backtest", path="observables")
        )
    sim = simulate or engine_simulate()
    classes = classify_observables(case, train_until)
    observables = list(case.observables)
    predictable = [o for o in observables if classes[o.id][1] != "outside"]
    scored = [o for o in observables if classes[o.id][1] == "scored"]
    headline: Window = "test" if train_until is not None else "all"
    train = [o for o in scored if classes[o.id][0] == "train"]
    test = [o for o in scored if classes[o.id][0] == "test"]
    if train_until is not None and (not train or not test):
        raise BadInput(
            Problem(
                f"train_until {train_until} leaves {len(train)} training and {len(test)} test "
                "observables: both windows need at least one",
                path="train_until",
            )
        )
    clim = _climatology(scored, classes, train_until is not None)
    notes = []
    lens_results = []
    for name in names:
        if results is not None:
            result = results[name]
            preds = {
                o.id: float(result.observables[o.id])
                for o in predictable
                if o.id in result.observables
            }
            lens_results.append(
                _lens_scores(name, observables, preds, clim, classes, headline=headline, bins=bins)
            )
            continue
        base_case = _with_observables(case, predictable)
        preds = predict_observables(
            sim,
            base_case,
            name,
            replicates=replicates,
            seed=seed,
            overrides=None,
            progress=progress,
        )
        lb = _lens_scores(name, observables, preds, clim, classes, headline=headline, bins=bins)
        if train_until is not None:
            fitted = fit_lens(
                _with_observables(case, train),
                name,
                fit,
                replicates=fit_replicates or min(replicates, 50),
                seed=seed,
                objective=objective,
                budget=fit_budget,
                simulate=sim,
                progress=progress,
            )
            fitted_preds = predict_observables(
                sim,
                base_case,
                name,
                replicates=replicates,
                seed=seed,
                overrides=fitted.values,
                progress=progress,
            )
            flb = _lens_scores(
                name, observables, fitted_preds, clim, classes, headline=headline, bins=bins
            )
            in_sample = _lens_scores(
                name, observables, fitted_preds, clim, classes, headline="train", bins=bins
            )
            lb = replace(flb, fit=fitted, in_sample=in_sample.scores, default=lb.scores)
        lens_results.append(lb)
    head = [o for o in scored if classes[o.id][0] == headline]
    y = [o.occurred for o in head]
    c = [clim[o.id] for o in head]
    clim_scores = score(c, c, y)
    comparisons = _comparisons(lens_results, head, clim, seed=seed, resamples=resamples)
    given = [o.id for o in observables if classes[o.id][1] == "given"]
    if given:
        notes.append(
            f"{len(given)} observable(s) not scored because a case event imposes their outcome: "
            + ", ".join(given)
        )
    counts = {
        "total": len(observables),
        "scored": len(head),
        "given": len(given),
        "straddles": sum(1 for o in observables if classes[o.id][1] == "straddles"),
        "outside": sum(1 for o in observables if classes[o.id][1] == "outside"),
        "train": len(train),
        "test": len(test),
    }
    return Backtest(
        case_id=case.id,
        title=case.title,
        lenses=tuple(lens_results),
        climatology=clim_scores,
        climatology_calibration=calibration(c, y, bins),
        comparisons=comparisons,
        replicates=replicates if results is None else _replicates_of(results),
        seed=seed if results is None else _seed_of(results, seed),
        train_until=train_until,
        counts=counts,
        notes=tuple(notes),
    )


def simulations_needed(lenses: int, *, train_until: int | None, fit_budget: int = 48) -> int:
    """Simulations :func:`backtest` runs (for a progress bar); an upper bound with a fit."""
    return lenses * (1 if train_until is None else fit_budget + 3)


def _replicates_of(results: Mapping[str, Result]) -> int:
    return min((r.replicates for r in results.values()), default=0)


def _seed_of(results: Mapping[str, Result], default: int) -> int:
    seeds = {r.seed for r in results.values()}
    return seeds.pop() if len(seeds) == 1 else default


def _climatology(
    scored: Sequence[Observable], classes: Mapping[str, tuple[Window, str]], split: bool
) -> dict[str, float]:
    kinds = [o.kind for o in scored]
    y = [o.occurred for o in scored]
    reference = [classes[o.id][0] == "train" for o in scored] if split else None
    values = climatology(kinds, y, reference)
    return {o.id: float(v) for o, v in zip(scored, values, strict=True)}


def _comparisons(
    lens_results: Sequence[LensBacktest],
    head: Sequence[Observable],
    clim: Mapping[str, float],
    *,
    seed: int,
    resamples: int,
) -> tuple[Comparison, ...]:
    ids = [o.id for o in head]
    y = [o.occurred for o in head]
    losses: dict[str, npt.NDArray[np.float64]] = {
        "climatology": brier_terms([clim[i] for i in ids], y)
    }
    for lb in lens_results:
        p = {q.id: q.p for q in lb.predictions}
        if all(p.get(i) is not None for i in ids):
            losses[lb.lens] = brier_terms([float(p[i] or 0.0) for i in ids], y)
    names = [lb.lens for lb in lens_results if lb.lens in losses]
    out = []
    for a_i, a in enumerate(names):
        out.append(
            Comparison(
                a,
                "climatology",
                bootstrap_difference(
                    losses[a], losses["climatology"], resamples=resamples, seed=seed
                ),
            )
        )
        for b in names[a_i + 1 :]:
            out.append(
                Comparison(
                    a, b, bootstrap_difference(losses[a], losses[b], resamples=resamples, seed=seed)
                )
            )
    return tuple(out)
