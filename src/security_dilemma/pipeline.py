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

from .errors import BadInput, Problem
from .report.findings import LensFindings, findings_by_lens, key_dyads
from .report.html import write_report

if TYPE_CHECKING:
    from .engine import Result
    from .history.backtest import Backtest
    from .history.forecast import RollingForecast
    from .scenario.schema import Case
    from .whatif.compare import CounterfactualComparison

__all__ = ["JobOutput", "finish_run"]


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

    def to_json(self) -> dict[str, Any]:
        """The keys `dilemma run --json` adds: ``forecast`` (docs/backtesting.md),
        ``backtest``, ``findings``, ``report``, ``report_notes`` and ``counterfactuals``
        (``{id: comparison}``, docs/whatif.md)."""
        return {
            "forecast": self.forecast.to_json() if self.forecast is not None else None,
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
) -> JobOutput:
    """Forecast the case's record from rolling origins (with ``forecast``: each run's lenses
    simulated again with their replicates kept, at the runs' replicates and seed, origins
    every ``horizon`` years by :func:`~security_dilemma.history.default_origins`), backtest
    the runs against it, read the findings and write the report to ``report`` (skipped when
    None); ``comparisons`` of the case's counterfactual worlds
    (:func:`~security_dilemma.whatif.compare_all`) go in the report."""
    notes: list[str] = []
    bt: Backtest | None = None
    fc: RollingForecast | None = None
    if case.observables:
        from .history.backtest import backtest

        if forecast:
            fc = _forecast(case, results, horizon, notes)
        try:
            bt = backtest(case, results=results)
        except BadInput as exc:  # e.g. every observable is given by events: report it, go on
            notes.append(f"no backtest: {exc}")
    else:
        notes.append("no backtest: the case has no coded observables")
    dyads = key_dyads(case)
    found = tuple(findings_by_lens(results, dyads, bt))
    path = None
    if report is not None:
        target = Path(report)
        if target.parent != Path("") and not target.parent.exists():
            raise BadInput(Problem(f"no such directory: {target.parent}", path="--report"))
        path = write_report(
            target,
            case,
            results,
            bt,
            dyads=dyads,
            command=command,
            include_map=include_map,
            comparisons=comparisons,
            forecast=fc,
        )
    return JobOutput(case, bt, found, path, tuple(notes), tuple(comparisons), fc)


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
