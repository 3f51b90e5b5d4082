"""``dilemma run``: simulate a case under the theory lenses, backtest them, write the report.

The command is kept in small parts (choose lenses, run, render a table, build the JSON); the
backtest against the case's coded record, the headline findings and the HTML report come
from :func:`security_dilemma.pipeline.finish_run` (docs/report.md, docs/backtesting.md); the
case's what-if worlds are compared by
:func:`security_dilemma.whatif.compare_all` (docs/whatif.md).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._tables import Column, FitTable, fixed
from ..errors import BadInput, Problem
from ._common import (
    CaseArg,
    JsonOpt,
    LensesOpt,
    MaxMemoryOpt,
    MetricsOpt,
    QuietOpt,
    ReplicatesOpt,
    RestraintOpt,
    SeedOpt,
    console,
    parse_lenses,
    parse_metrics,
    plain,
    print_json,
    progress_bar,
)

if TYPE_CHECKING:
    from ..engine import Result
    from ..engine.result import SeriesForm
    from ..scenario import Case
    from ..whatif import CounterfactualComparison

__all__ = [
    "SPREAD_SAMPLES",
    "WHATIF_REPLICATES",
    "choose_lenses",
    "legend",
    "register",
    "summary_table",
    "to_document",
]

SPREAD_SAMPLES = 8
"""Default size of ``dilemma run``'s sample of the uncalibrated parameters
(:func:`~security_dilemma.history.parameter_spread`); docs/backtesting.md gives what it adds
to the run's time."""

WHATIF_REPLICATES = 100
"""Default paired replicates per lens of each what-if world in ``dilemma run`` (at most
``--replicates``); docs/report.md gives what the worlds add to the run's time."""


def choose_lenses(values: Sequence[str] | None) -> list[str]:
    """The lens runs of ``--lens`` for run and whatif: names, ``all`` (the default), ``case``."""
    return [run.lens for run in parse_lenses(values, default="all")]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def summary_table(result: Result) -> FitTable:
    """Per actor, who arms, who ends less secure, and the dilemma measures (on a narrow
    terminal uncertainty, harm, self-defeat and no policy are left out, in that order)."""
    digest = result.summary()
    world, first = digest["jervis_world"], digest["jervis_world_start"]
    changed = f"{first['number']} -> " if first["number"] != world["number"] else ""
    title = (
        f"[bold]{result.lens}[/bold]: Jervis world (input) {changed}{world['number']} "
        f"({world['description']}); "
        f"{digest['culture']} culture (mean identity {digest['mean_identity']:+.2f}); "
        f"all arming states less secure: {_pct(digest['self_defeat_all'])}"
    )
    table = FitTable(
        [
            Column("actor"),
            Column("armed", "right"),
            Column("effort", "right"),
            Column("security", "right"),
            Column("worse", "right"),
            Column("harm", "right", drop=2),
            Column("self-\ndefeat", "right", drop=3),
            Column("no\npolicy", "right", drop=4),
            Column("uncer-\ntainty", "right", drop=1, name="uncertainty"),
            Column(f"crisis\n/{result.step}", "right"),
        ],
        title=title,
        padding=(0, 1),
        pad_edge=False,
    )
    mixed = len(set(result.lenses)) > 1
    for actor, row in digest["actors"].items():
        table.add_row(
            f"{actor} ({row['lens'][:4]})" if mixed else actor,
            _pct(row["armed"]),
            _num(row["effort"]),
            f"{_num(row['security_start'])}→{_num(row['security_end'])}",
            _pct(row["less_secure"]),
            fixed(row["harm_done"], sign=True),
            _pct(row["self_defeat"]),
            _pct(row["no_adequate_policy"]),
            _num(row["belief_entropy"]),
            "-" if row["crisis_risk"] is None else f"{100 * row['crisis_risk']:.1f}%",
        )
    return table


def legend(step: str, steps_per_year: float = 1.0) -> str:
    """What the columns of :func:`summary_table` mean (``step``: the run's step length)."""
    yearly = (
        ""
        if step == "year"
        else f"; over a year the same rate compounds to 1 - (1 - p)^{steps_per_year:.4g} "
        "(crisis_risk_yearly in --json)"
    )
    return (
        "armed: P(effort above its start) at the last step; effort: mean index (1 = start); "
        "security: mean perceived security, first -> last step; worse: P(less secure than at "
        "the start); harm: mean fall in others' security caused by the actor's arming; "
        "self-defeat: P(more secure had it never raised its effort); no policy: P(arming and "
        "restraint both leave it less secure); uncertainty: mean belief entropy (bits); "
        f"crisis: mean P(at least one crisis) per {step}{yearly}. Definitions: docs/model.md."
    )


def to_document(
    case: Case,
    results: dict[str, Result],
    *,
    series: SeriesForm = "all",
    metrics: Sequence[str] | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """The ``--json`` document (keys documented in docs/engine.md); ``series`` and ``metrics``
    choose the steps and metrics written (:meth:`~security_dilemma.engine.Result.to_json`)."""
    return {
        "ok": True,
        "case": case.id,
        "title": case.title,
        **settings,
        "lenses": {
            name: result.to_json(series=series, metrics=metrics) for name, result in results.items()
        },
    }


def run(
    case: CaseArg,
    lens: LensesOpt = None,
    replicates: ReplicatesOpt = 200,
    seed: SeedOpt = 0,
    max_memory: MaxMemoryOpt = None,
    restraint: RestraintOpt = True,
    metrics: MetricsOpt = None,
    series: Annotated[
        str,
        typer.Option(
            "--series",
            help="Steps written by --json: all, final (the last step only: about 1/steps of "
            "the size) or none (summary and observables only).",
        ),
    ] = "all",
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Where to write the HTML report [./<case>-report.html]."),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Write no report.")] = False,
    no_whatif: Annotated[
        bool,
        typer.Option(
            "--no-whatif",
            help="Skip the case's what-if worlds (its `counterfactuals` section; docs/whatif.md).",
        ),
    ] = False,
    whatif_replicates: Annotated[
        int | None,
        typer.Option(
            "--whatif-replicates",
            min=2,
            help="Paired replicates per lens for each what-if world "
            f"[default: the smaller of --replicates and {WHATIF_REPLICATES}].",
        ),
    ] = None,
    spread_samples: Annotated[
        int,
        typer.Option(
            "--spread-samples",
            min=0,
            help="Samples of the uncalibrated parameters over which the forecasts and the "
            "case's question are made again (0: none; docs/backtesting.md).",
        ),
    ] = SPREAD_SAMPLES,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Simulate a case under theory lenses, backtest them, compare its what-if worlds, report.

    Runs every lens by default, backtests each against the case's coded record, compares the
    case with its counterfactual worlds, prints a summary and writes a self-contained HTML
    report.
    """
    from .._output import check_writable
    from ..engine import simulate_lenses
    from ..pipeline import finish_run
    from ..report import show_job
    from ..report.findings import REPORT_METRICS, low_start, low_start_text
    from ..report.forecast import show_forecast
    from ..report.question import question_table
    from ..scenario import load_case
    from ..whatif import compare_all

    if series not in ("all", "final", "none"):
        raise BadInput(Problem(f"all, final or none (got {series!r})", path="--series"))
    c = load_case(case)
    lenses = choose_lenses(lens)
    written = parse_metrics(metrics) or None
    recorded = None if written is None else sorted({*written, *REPORT_METRICS})
    worlds = [] if no_whatif else list(c.counterfactuals)
    paired = whatif_replicates or max(2, min(replicates, WHATIF_REPLICATES))
    target = None if no_report else (report or Path(f"{c.id}-report.html"))
    if target is not None:
        check_writable(target, "--report")
    with progress_bar(quiet, as_json) as progress:
        task = progress.add_task(f"{c.id}", total=replicates * len(lenses))
        results = simulate_lenses(
            c,
            lenses,
            replicates=replicates,
            seed=seed,
            max_memory=max_memory,
            restraint=restraint,
            metrics=recorded,
            progress=lambda n: progress.update(task, completed=n),
        )
        comparisons: list[CounterfactualComparison] = []
        if worlds:
            whatif_task = progress.add_task(
                f"{len(worlds)} what-if worlds", total=paired * len(lenses) * (1 + len(worlds))
            )
            comparisons = compare_all(
                c,
                worlds,
                lens=lenses,
                replicates=paired,
                seed=seed,
                max_memory=max_memory,
                progress=lambda n: progress.update(whatif_task, completed=n),
            )
        finishing = progress.add_task("backtest and report", total=1)
        command = _command(
            case,
            ",".join(lenses),
            replicates,
            seed,
            restraint,
            target,
            no_whatif=no_whatif,
            whatif_replicates=whatif_replicates,
            spread_samples=spread_samples,
        )
        job = finish_run(
            c,
            results,
            report=target,
            command=command,
            comparisons=comparisons,
            spread_samples=spread_samples,
        )
        progress.advance(finishing)
    if as_json:
        doc = to_document(
            c,
            results,
            series=series,  # type: ignore[arg-type]  # checked above
            metrics=written,
            replicates=replicates,
            seed=seed,
            restraint=restraint,
            whatif_replicates=paired if worlds else None,
        )
        print_json({**doc, **job.to_json()})
        return
    if not quiet:
        console.print(
            f"[bold]{plain(c.title)}[/bold] ({c.id}): {len(c.actors)} actors, "
            f"{len(next(iter(results.values())).dates)} steps, {replicates} replicates per lens, "
            f"seed {seed}."
        )
    if job.question is not None:
        console.print(question_table(job.question))
    if job.forecast is not None:
        show_forecast(job.forecast, console, spread=job.spread)
    for result in results.values():
        console.print(summary_table(result))
    if not quiet:
        first = next(iter(results.values()))
        console.print(legend(first.step, first.steps_per_year), style="dim")
        if why := low_start_text(low_start(results, c)):
            console.print(why, style="dim")
    show_job(job, console, replicates=replicates)


def _command(
    case: str,
    lens: str,
    replicates: int,
    seed: int,
    restraint: bool,
    report: Path | None,
    *,
    no_whatif: bool = False,
    whatif_replicates: int | None = None,
    spread_samples: int = SPREAD_SAMPLES,
) -> str:
    """The command line that reproduces this run (for the report's footer)."""
    parts = ["dilemma", "run", case, "--lens", lens, "--replicates", str(replicates)]
    parts += ["--seed", str(seed)]
    if not restraint:
        parts.append("--no-restraint")
    if no_whatif:
        parts.append("--no-whatif")
    elif whatif_replicates is not None:
        parts += ["--whatif-replicates", str(whatif_replicates)]
    if spread_samples != SPREAD_SAMPLES:
        parts += ["--spread-samples", str(spread_samples)]
    parts += ["--report", str(report)] if report is not None else ["--no-report"]
    return shlex.join(parts)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(run)
