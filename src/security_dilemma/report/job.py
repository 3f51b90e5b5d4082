"""What `dilemma run` does after the simulations: backtest the runs, read the findings, write
the report and print the summary.

Kept apart from the command so that the command stays a thin layer over the engine and this
step can be called from Python on runs made any other way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from ..errors import BadInput
from .console import summary_table
from .counterfactuals import answers_table
from .findings import LensFindings, findings_by_lens, key_actors, key_dyads
from .html import write_report

if TYPE_CHECKING:
    from ..engine import Result
    from ..history.backtest import Backtest
    from ..history.counterfactual import CounterfactualComparison
    from ..scenario.schema import Case

__all__ = ["JobOutput", "finish_run", "show_job"]


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
    (:func:`~security_dilemma.history.counterfactual.compare_all`) go in the report."""
    notes: list[str] = []
    bt: Backtest | None = None
    if case.observables:
        from ..history.backtest import backtest

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
            from ..errors import Problem

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
        )
    return JobOutput(case, bt, found, path, tuple(notes), tuple(comparisons))


def show_job(job: JobOutput, out: Console, *, replicates: int) -> None:
    """Print the findings table, the backtest verdict, the answers of the counterfactual
    worlds (one line per lens, for the key actors) and where the report is."""
    out.print(summary_table(job.findings, f"{job.case.title}: {replicates} replicates per lens"))
    if job.backtest is not None:
        bt = job.backtest
        out.print(f"Backtest ({bt.counts['scored']} observables): {bt.verdict()}")
    if job.comparisons:
        key = key_actors(job.case, key_dyads(job.case), limit=4)
        out.print(
            "What if: the case as recorded against its counterfactual worlds, paired by "
            "replicate (docs/whatif.md). Did what each world takes out leave the key actors "
            "less secure? yes: the 90% CI of the mean Δsecurity is below 0; no: above 0 (more "
            "secure with it); ?: the CI contains 0 (no clear change).",
            markup=False,
        )
        for comparison in job.comparisons:
            out.print(
                f"[bold]{escape(comparison.changes.title)}[/bold] ({escape(comparison.id)}, "
                f"{comparison.replicates} paired replicates per lens)"
            )
            out.print(answers_table(comparison, key))
    for note in job.notes:
        out.print(f"[dim]{note}[/dim]")
    if job.report is not None:
        out.print(f"Report: {job.report}", soft_wrap=True)
