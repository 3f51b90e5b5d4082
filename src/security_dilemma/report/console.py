"""The terminal output of a run: the headline findings as a Rich table (fits in 100 columns for
4 lenses), and what `dilemma run` prints after its simulations (:func:`show_job`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape

from .._tables import Column, FitTable
from .findings import LensFindings, TableRow, key_actors, key_dyads, rate_text, split_rows
from .whatif import answers_table

if TYPE_CHECKING:
    from ..pipeline import JobOutput

__all__ = ["show_job", "summary_table"]

_WORLDS = {
    1: "1 doubly dangerous",
    2: "2 dilemma, compatible",
    3: "3 no dilemma, aggression",
    4: "4 doubly safe",
}


def _f(x: float | None, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def _pct(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.0%}"


def _world(f: LensFindings) -> str:
    end = _WORLDS.get(f.jervis_world, str(f.jervis_world))
    if f.jervis_world_start is None or f.jervis_world_start == f.jervis_world:
        return end
    return f"{f.jervis_world_start} → {end}"


def _names(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "nobody"


def summary_table(findings: Sequence[LensFindings], title: str) -> FitTable:
    """One column per lens; rows: backtest, who arms, who ends less secure, Jervis's world
    (an input), the four security-dilemma measures and the highest crisis risk. A row that is
    the same under every lens goes under the table: the table shows what tells them apart."""
    table = FitTable(
        [Column("", wrap=True), *(Column(f.lens, wrap=True) for f in findings)],
        title=title,
        box=box.SIMPLE_HEAD,
    )
    rows: list[TableRow] = []
    if any(f.brier is not None for f in findings):
        rows.append(
            TableRow(
                "in-sample Brier (skill)",
                [f"{_f(f.brier)} ({_f(f.brier_skill, 2)})" for f in findings],
            )
        )
    rows += [
        TableRow("who arms", [_names([a for a, _ in f.arms]) for f in findings]),
        TableRow("ends less secure", [_names([a for a, _ in f.less_secure]) for f in findings]),
        TableRow("Jervis's world (input)", [_world(f) for f in findings]),
        TableRow("culture", [f.culture for f in findings]),
        TableRow("(a) harm to others", [_f(f.harm, 4) for f in findings]),
        TableRow("(b) self-defeat", [_pct(f.self_defeat_all) for f in findings]),
        TableRow(
            "(c) entropy · misread",
            [f"{_f(f.belief_entropy, 2)} bits · {_pct(f.misperception)}" for f in findings],
        ),
        TableRow("(d) no adequate policy", [_pct(f.no_adequate_policy) for f in findings]),
        TableRow(
            "top crisis risk",
            [
                rate_text(f.top_crisis, f.step, short=True) if f.top_crisis else "-"
                for f in findings
            ],
        ),
    ]
    split = split_rows(rows)
    for row in split.distinct:  # what distinguishes the lenses
        table.add_row(f"[bold]{row.label}[/bold]", *row.cells)
    if split.same:
        table.caption = split.caption()
    return table


def show_job(job: JobOutput, out: Console, *, replicates: int) -> None:
    """Print the findings table, the backtest verdict, the answers of the counterfactual
    worlds (one line per lens, for the key actors) and where the report is."""
    out.print(
        summary_table(job.findings, f"{escape(job.case.title)}: {replicates} replicates per lens")
    )
    if job.backtest is not None:
        bt = job.backtest
        out.print(
            f"In-sample backtest of the raw indicators ({bt.counts['scored']} observables; the "
            f"rolling-origin forecasts above are the out-of-sample test): {bt.verdict()}"
        )
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
