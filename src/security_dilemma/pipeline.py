"""What `dilemma run` does after the simulations: forecast the case's record from rolling origins
(:func:`~security_dilemma.history.rolling_forecast`, the job's lead), backtest the runs
against it, read the findings, gather the what-if comparisons and have the report written.

Kept apart from the command so that the command stays a thin layer over the engine, and apart
from :mod:`security_dilemma.report`, which only renders what this step hands it; it can be
called from Python on runs made any other way. :func:`security_dilemma.report.show_job` prints
its output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._output import atomic_path, check_writable
from .errors import BadInput
from .report.findings import LensFindings, findings_by_lens, key_dyads
from .report.html import write_report

if TYPE_CHECKING:
    from .engine import Result
    from .history.backtest import Backtest
    from .history.forecast import RollingForecast
    from .history.uncertainty import ParameterSpread
    from .report.question import QuestionAnswer
    from .scenario.schema import Case
    from .whatif.compare import CounterfactualComparison

__all__ = ["SPREAD_REPLICATES", "JobOutput", "finish_run"]

SPREAD_REPLICATES = 20
"""Replicates per lens at each point of the parameter sample."""


@dataclass(frozen=True)
class JobOutput:
    """The rolling-origin forecasts and the backtest (None when the case has no record to
    score), the findings per lens and the report's path (None with no report)."""

    case: Case
    backtest: Backtest | None
    findings: tuple[LensFindings, ...]
    report: Path | None
    notes: tuple[str, ...]
    comparisons: tuple[CounterfactualComparison, ...] = ()
    forecast: RollingForecast | None = None
    spread: ParameterSpread | None = None
    question: QuestionAnswer | None = None

    def to_json(self) -> dict[str, Any]:
        """The keys `dilemma run --json` adds: ``question`` (docs/report.md), ``forecast``
        and ``parameter_spread`` (docs/backtesting.md), ``backtest``, ``findings``,
        ``report``, ``report_notes`` and ``counterfactuals`` (``{id: comparison}``,
        docs/whatif.md)."""
        return {
            "question": self.question.to_json() if self.question is not None else None,
            "forecast": self.forecast.to_json() if self.forecast is not None else None,
            "parameter_spread": self.spread.to_json() if self.spread is not None else None,
            "backtest": self.backtest.to_json() if self.backtest is not None else None,
            "findings": {f.lens: f.to_json() for f in self.findings},
            "report": str(self.report) if self.report is not None else None,
            "report_notes": list(self.notes),
            "counterfactuals": {c.id: c.to_json() for c in self.comparisons},
        }


def finish_run(
    case: Case,
    results: Mapping[str, Result],
    *,
    report: str | Path | None,
    command: str | None = None,
    include_map: bool = True,
    comparisons: Sequence[CounterfactualComparison] = (),
    forecast: bool = True,
    horizon: int = 2,
    spread_samples: int = 0,
    spread_replicates: int = SPREAD_REPLICATES,
) -> JobOutput:
    """Forecast the case's record from rolling origins (with ``forecast``: each run's lenses
    simulated again with their replicates kept, at the runs' replicates and seed, origins
    every ``horizon`` years by :func:`~security_dilemma.history.default_origins`), backtest
    the runs against it, read the findings and write the report to ``report`` (skipped when
    None); ``comparisons`` of the case's counterfactual worlds
    (:func:`~security_dilemma.whatif.compare_all`) go in the report, and the one of the
    case's question leads it. With ``spread_samples`` (0: none) the forecasts and the question
    are made again over that many samples of the uncalibrated parameters
    (:func:`~security_dilemma.history.parameter_spread`, ``spread_replicates`` each)."""
    from .report.question import question_answer

    notes: list[str] = []
    bt: Backtest | None = None
    fc: RollingForecast | None = None
    spread: ParameterSpread | None = None
    if case.observables:
        from .history.backtest import backtest

        if forecast:
            fc = _forecast(case, results, horizon, notes)
        if fc is not None and spread_samples:
            spread = _spread(case, results, fc, spread_samples, spread_replicates, notes)
        try:
            bt = backtest(case, results=results)
        except BadInput as exc:  # e.g. every observable is given by events: report it, go on
            notes.append(f"no backtest: {exc}")
    else:
        notes.append("no backtest: the case has no coded observables")
    answer = question_answer(case, comparisons, spread)
    dyads = key_dyads(case)
    found = tuple(findings_by_lens(results, dyads, bt))
    path = None
    if report is not None:
        path = check_writable(report, "report")
        with atomic_path(path) as tmp:
            write_report(
                tmp,
                case,
                results,
                bt,
                dyads=dyads,
                command=command,
                include_map=include_map,
                comparisons=comparisons,
                forecast=fc,
                spread=spread,
                question=answer,
            )
    return JobOutput(case, bt, found, path, tuple(notes), tuple(comparisons), fc, spread, answer)


def _spread(
    case: Case,
    results: Mapping[str, Result],
    fc: RollingForecast,
    samples: int,
    replicates: int,
    notes: list[str],
) -> ParameterSpread | None:
    """The forecasts and the question over a sample of the uncalibrated parameters, or None
    with a note on why not."""
    from .history.baselines import BASELINES
    from .history.forecast import lens_choice
    from .history.uncertainty import parameter_spread

    try:
        return parameter_spread(
            case,
            lenses={label: lens_choice(r) for label, r in results.items()},
            samples=samples,
            replicates=replicates,
            seed=fc.seed,
            origins=fc.origins,
            horizon=fc.horizon,
            baselines={b: fc.scores[b].brier for b in BASELINES},
        )
    except BadInput as exc:
        notes.append(f"no parameter spread: {exc}")
        return None


def _forecast(
    case: Case, results: Mapping[str, Result], horizon: int, notes: list[str]
) -> RollingForecast | None:
    """The rolling-origin forecasts of the runs' lenses, or None with a note on why not."""
    from .history.forecast import default_origins, lens_choice, rolling_forecast

    first = next(iter(results.values()))
    origins = default_origins(case, horizon)
    if not origins:
        notes.append("no rolling-origin forecasts: too few observables before the last window")
        return None
    try:
        return rolling_forecast(
            case,
            origins=origins,
            horizon=horizon,
            lenses={label: lens_choice(r) for label, r in results.items()},
            replicates=first.replicates,
            seed=first.seed,
        )
    except BadInput as exc:
        notes.append(f"no rolling-origin forecasts: {exc}")
        return None
