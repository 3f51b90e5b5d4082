"""`dilemma backtest`: score each lens's predictions against a case's coded record."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from .._tables import Column, FitTable
from ..errors import BadInput, Problem
from ._common import (
    ALL_LENSES,
    CaseArg,
    JsonOpt,
    LensesOpt,
    QuietOpt,
    ReplicatesOpt,
    SeedOpt,
    console,
    parse_lenses,
    parse_parameter,
    print_json,
    progress_bar,
)

if TYPE_CHECKING:
    from ..engine import Result
    from ..history import Backtest, FitParameter
    from ..scenario.schema import Case

__all__ = [
    "SimulationBar",
    "backtest_table",
    "fit_option",
    "kinds_table",
    "register",
    "show_backtest",
]


def fit_option(text: str) -> FitParameter:
    """A ``--fit`` value: ``NAME`` (searched over its default range) or ``NAME=LO:HI``."""
    from ..experiments.params import Bound
    from ..history import fit_parameter

    name, low, high = text.strip(), None, None
    if "=" in text:
        spec = parse_parameter(text, "--fit")
        if not isinstance(spec, Bound):
            raise BadInput(Problem(f"a search range is NAME=LO:HI in '{text}'", path="--fit"))
        name, low, high = spec.name, spec.low, spec.high
    try:
        return fit_parameter(name, low, high)
    except BadInput as exc:
        raise BadInput(
            [replace(p, path="--fit", message=f"{p.message} in '{text}'") for p in exc.problems]
        ) from None


def _f(x: float | None, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:.{digits}f}"


def backtest_table(bt: Backtest) -> FitTable:
    """Per-lens scores on the headline window, the climatology row last."""
    split = bt.train_until is not None
    window = f"after {bt.train_until}" if split else "all years"
    columns = [
        Column("lens"),
        Column("Brier", "right"),
        Column("log-loss", "right", drop=1),
        Column("skill", "right"),
        Column("Δ Brier vs clim. [90% CI]", "right"),
    ]
    if split:
        columns += [Column("in-sample", "right", drop=3), Column("unfitted", "right", drop=2)]
    table = FitTable(
        columns, title=f"Backtest of {bt.case_id}: {bt.counts['scored']} observables, {window}"
    )
    diffs = {c.a: c.difference for c in bt.comparisons if c.b == "climatology"}
    for lb in bt.lenses:
        d = diffs.get(lb.lens)
        ci = f"{d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}]" if d else "-"
        row = [
            lb.lens,
            _f(lb.scores.brier),
            _f(lb.scores.log_loss),
            _f(lb.scores.brier_skill, 2),
            ci,
        ]
        if split:
            row += [
                _f(lb.in_sample.brier if lb.in_sample else None),
                _f(lb.default.brier if lb.default else None),
            ]
        table.add_row(*row)
    c = bt.climatology
    row = ["[dim]climatology[/dim]", _f(c.brier), _f(c.log_loss), "0.00", "-"]
    table.add_row(*(row + (["", ""] if split else [])))
    return table


def kinds_table(bt: Backtest) -> FitTable:
    """Brier score by kind of observable: one column per lens and the climatology."""
    table = FitTable(
        [
            Column("kind"),
            Column("n", "right"),
            *(Column(lb.lens, "right") for lb in bt.lenses),
            Column("climatology", "right"),
        ],
        title="Brier score by kind of observable",
    )
    kinds = sorted({k for lb in bt.lenses for k in lb.by_kind})
    for kind in kinds:
        first = next(lb.by_kind[kind] for lb in bt.lenses if kind in lb.by_kind)
        cells = [_f(lb.by_kind[kind].brier) if kind in lb.by_kind else "-" for lb in bt.lenses]
        table.add_row(kind, str(first.n), *cells, _f(first.climatology_brier))
    return table


def fit_table(bt: Backtest) -> FitTable:
    """Fitted parameter values (rows) per lens (columns), with a split."""
    fitted = [lb for lb in bt.lenses if lb.fit is not None]
    table = FitTable(
        [Column("parameter [range]"), *(Column(lb.lens, "right") for lb in fitted)],
        title=f"Parameters fitted on observables ending by {bt.train_until}",
    )
    if not fitted or fitted[0].fit is None:
        return table
    for p in fitted[0].fit.parameters:
        cells = [
            f"{_f(lb.fit.start[p.name])} → {_f(lb.fit.values[p.name])}" if lb.fit else "-"
            for lb in fitted
        ]
        table.add_row(f"{p.name} [{p.low:g}, {p.high:g}]", *cells)
    table.add_row(
        "training Brier",
        *[
            f"{_f(lb.fit.start_objective)} → {_f(lb.fit.train_objective)}" if lb.fit else "-"
            for lb in fitted
        ],
    )
    return table


def show_backtest(bt: Backtest, out: Console, *, details: bool = False) -> None:
    """Print the backtest's tables and verdict."""
    out.print(backtest_table(bt))
    if bt.train_until is not None:
        out.print(fit_table(bt))
    out.print(kinds_table(bt))
    out.print(bt.verdict())
    for note in bt.notes:
        out.print(f"[dim]note: {note}[/dim]")
    if details:
        out.print(predictions_table(bt))


def predictions_table(bt: Backtest) -> FitTable:
    """Every scored observable: what happened and each lens's probability."""
    table = FitTable(
        [
            Column("observable"),
            Column("kind", drop=1),
            Column("happened"),
            *(Column(lb.lens, "right") for lb in bt.lenses),
            Column("climatology", "right"),
        ],
        title="Predictions",
    )
    first = bt.lenses[0]
    others = [{q.id: q for q in lb.predictions} for lb in bt.lenses]
    head = "test" if bt.train_until is not None else "all"
    for q in first.predictions:
        if q.status != "scored" or q.window != head:
            continue
        ps = [_f(o[q.id].p, 2) for o in others]
        table.add_row(q.id, q.kind, "yes" if q.occurred else "no", *ps, _f(q.climatology, 2))
    return table


class SimulationBar:
    """A progress bar counting simulations, each moving it as its replicates are done.

    The fit's count is an estimate (its optimiser may take a few more simulations than the
    budget): the total grows rather than the bar running past it. Until the first simulation
    ends (it also loads the compiled engine, a few seconds) the bar says so.
    """

    def __init__(self, progress: Progress, description: str, total: int) -> None:
        self.progress = progress
        self.description = description
        self.task = progress.add_task(f"{description} (loading the engine)", total=total)
        self.done = 0

    def _show(self, completed: float) -> None:
        total = self.progress.tasks[self.task].total or 0
        self.progress.update(
            self.task,
            completed=completed,
            total=max(total, self.done + 1),
            description=self.description,
        )

    def simulate(self, case: Any, **options: Any) -> Result:
        """The engine's simulate, reporting on the bar."""
        from ..engine import simulate

        replicates = max(1, int(options.get("replicates", 200)))
        result = simulate(
            case, progress=lambda n: self._show(self.done + n / replicates), **options
        )
        self.done += 1
        self._show(self.done)
        return result

    def finish(self) -> None:
        """Show the bar complete, at the number of simulations run."""
        self.progress.update(self.task, completed=self.done, total=self.done)


def backtest_command(
    case: CaseArg,
    lens: LensesOpt = None,
    train_until: Annotated[
        int | None,
        typer.Option(
            "--train-until",
            help="Fit parameters on observables ending by this year; score the later ones.",
        ),
    ] = None,
    replicates: ReplicatesOpt = 200,
    seed: SeedOpt = 0,
    fit: Annotated[
        list[str] | None,
        typer.Option(
            "--fit",
            help="Parameter to fit, NAME or NAME=LOW:HIGH, repeated (default: richardson.k, "
            "richardson.g, richardson.shock, offence_dominance).",
        ),
    ] = None,
    fit_budget: Annotated[
        int, typer.Option("--fit-budget", min=4, help="Simulations per lens for the fit.")
    ] = 48,
    fit_replicates: Annotated[
        int | None,
        typer.Option(
            "--fit-replicates",
            min=1,
            help="Replicates per fit simulation (default: the smaller of --replicates and 50).",
        ),
    ] = None,
    objective: Annotated[
        str, typer.Option("--objective", help="What the fit minimises: brier or log-loss.")
    ] = "brier",
    origins: Annotated[
        str | None,
        typer.Option(
            "--origins",
            help="Rolling-origin forecasts from these years, comma-separated (e.g. "
            "2004,2006,2008,2010): at each, fit on the observables that ended before it and "
            "score the next --horizon years against four baselines.",
        ),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option(
            "--horizon",
            min=1,
            help="Years forecast from each origin [2]; alone, origins every --horizon years "
            "from the first with 10 observables behind it.",
        ),
    ] = None,
    bins: Annotated[int, typer.Option("--bins", min=1, max=50, help="Calibration bins.")] = 5,
    details: Annotated[
        bool, typer.Option("--details", help="Also list every observable's predictions.")
    ] = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Score each lens's predicted probabilities of the case's coded observables.

    Brier score, log-loss, a climatology baseline, calibration; with --train-until, a few
    parameters are fitted on the early window and the lens is scored on the later one. With
    --origins (or --horizon), rolling-origin forecasts: at each origin the observation model
    and four baselines are fitted on the past only and the next years are scored.
    """
    from ..history import DEFAULT_FIT, backtest, simulations_needed
    from ..scenario import load_case

    if objective not in ("brier", "log-loss", "log_loss"):
        raise BadInput(
            Problem(f"--objective is brier or log-loss (got {objective!r})", path="--objective")
        )
    c = load_case(case)
    names = [run.lens for run in parse_lenses(lens, default=ALL_LENSES, keywords=[ALL_LENSES])]
    if origins is not None or horizon is not None:
        if train_until is not None:
            raise BadInput(
                Problem(
                    "--train-until and --origins are two kinds of backtest: give one",
                    path="--origins",
                )
            )
        _rolling(
            c,
            names,
            origins,
            horizon or 2,
            replicates=replicates,
            seed=seed,
            fit=tuple(fit_option(f) for f in fit or ()),
            fit_budget=fit_budget,
            fit_replicates=fit_replicates,
            bins=bins,
            details=details,
            quiet=quiet,
            as_json=as_json,
        )
        return
    params = tuple(fit_option(f) for f in fit) if fit else DEFAULT_FIT
    count = len(names)
    with progress_bar(quiet, as_json) as progress:
        bar = SimulationBar(
            progress,
            "backtest",
            simulations_needed(count, train_until=train_until, fit_budget=fit_budget),
        )
        bt = backtest(
            c,
            lenses=names,
            replicates=replicates,
            seed=seed,
            train_until=train_until,
            fit=params,
            fit_replicates=fit_replicates,
            fit_budget=fit_budget,
            objective="brier" if objective == "brier" else "log_loss",
            bins=bins,
            simulate=bar.simulate,
        )
        bar.finish()
    if as_json:
        print_json({"ok": True, **bt.to_json()})
        return
    show_backtest(bt, console, details=details)


def parse_origins(text: str) -> list[int]:
    """An ``--origins`` value: years, comma-separated."""
    years = []
    for part in (p.strip() for p in text.split(",")):
        try:
            years.append(int(part))
        except ValueError:
            raise BadInput(
                Problem(f"an origin is a year, e.g. 2004,2006 (got {part!r})", path="--origins")
            ) from None
    return years


def _rolling(
    case: Case,
    lenses: list[str],
    origins: str | None,
    horizon: int,
    *,
    replicates: int,
    seed: int,
    fit: tuple[FitParameter, ...],
    fit_budget: int,
    fit_replicates: int | None,
    bins: int,
    details: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """``backtest --origins``: rolling-origin forecasts, printed or as JSON."""
    from ..history import default_origins, rolling_forecast
    from ..history.forecast import simulations_needed as forecasts_needed
    from ..report.forecast import show_forecast

    years = parse_origins(origins) if origins is not None else default_origins(case, horizon)
    with progress_bar(quiet, as_json) as progress:
        bar = SimulationBar(
            progress,
            "rolling-origin backtest",
            forecasts_needed(len(lenses), len(years), fit=bool(fit), fit_budget=fit_budget),
        )
        fc = rolling_forecast(
            case,
            origins=years,
            horizon=horizon,
            lenses=lenses,
            replicates=replicates,
            seed=seed,
            fit=fit,
            fit_budget=fit_budget,
            fit_replicates=fit_replicates,
            bins=bins,
            simulate=bar.simulate,
        )
        bar.finish()
    if as_json:
        print_json({"ok": True, **fc.to_json()})
        return
    show_forecast(fc, console, details=details)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command("backtest")(backtest_command)
