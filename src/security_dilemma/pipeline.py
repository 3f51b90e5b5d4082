"""What `dilemma run` does after the simulations: backtest the runs against the case's record,
read the findings, gather the what-if comparisons and have the report written.

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
    from .scenario.schema import Case
    from .whatif.compare import CounterfactualComparison

__all__ = ["JobOutput", "finish_run"]


@dataclass(frozen=True)
class JobOutput:
    """The backtest (None when the case has no record to score), the findings per lens and
    the report's path (None with no report)."""

    case: Case
    backtest: Backtest | None
    findings: tuple[LensFindings, ...]
    report: Path | None
    notes: tuple[str, ...]
    comparisons: tuple[CounterfactualComparison, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The keys `dilemma run --json` adds: ``backtest``, ``findings``, ``report``,
        ``report_notes`` and ``counterfactuals`` (``{id: comparison}``, docs/whatif.md)."""
        return {
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
) -> JobOutput:
    """Backtest the runs against the case's record, read the findings and write the report
    to ``report`` (skipped when None); ``comparisons`` of the case's counterfactual worlds
    (:func:`~security_dilemma.whatif.compare_all`) go in the report."""
    notes: list[str] = []
    bt: Backtest | None = None
    if case.observables:
        from .history.backtest import backtest

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
            )
    return JobOutput(case, bt, found, path, tuple(notes), tuple(comparisons))
