"""`dilemma fit`: Richardson arms-race coefficients from a CSV file or the built-in replications."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from .._tables import FitTable
from ..errors import BadInput, Problem, did_you_mean
from ..history.richardson import (
    REPLICATIONS,
    RICHARDSON_FORMS,
    BlocFit,
    DyadFit,
    RaceSeries,
    fit_richardson,
    read_series_csv,
    replicate,
)
from ._common import JsonOpt, console, print_json

__all__ = ["fit_app", "register"]

fit_app = typer.Typer(
    name="fit",
    help="Fit models to data: Richardson's arms-race equations, with standard errors.",
    no_args_is_help=True,
)

_BUILTINS = ", ".join(REPLICATIONS)


def _check_form(form: str | None) -> None:
    if form is not None and form not in RICHARDSON_FORMS:
        raise BadInput(
            Problem(
                f"unknown form '{form}'{did_you_mean(form, RICHARDSON_FORMS)}; forms: dyad, bloc",
                path="--form",
            )
        )


def _window(series: RaceSeries, start: int | None, end: int | None) -> RaceSeries:
    if start is None and end is None:
        return series
    lo = -np.inf if start is None else start
    hi = np.inf if end is None else end
    keep = (series.time >= lo) & (series.time <= hi)
    if not keep.any():
        raise BadInput(Problem(f"no rows between {start} and {end}", file=series.source))
    return replace(series, time=series.time[keep], x=series.x[keep], y=series.y[keep])


@fit_app.command("richardson")
def richardson(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="CSV file with a header row; columns year, x, y unless --year/--x/--y say.",
            show_default=False,
        ),
    ] = None,
    x: Annotated[
        str | None, typer.Option("--x", help="Column of side x's spending (default: x).")
    ] = None,
    y: Annotated[
        str | None, typer.Option("--y", help="Column of side y's spending (default: y).")
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="Column of the year (default: year).")
    ] = None,
    form: Annotated[
        str | None,
        typer.Option(
            "--form",
            help="dyad: two equations, k a g and l b h; bloc: Richardson's change of the total "
            "x + y against the total. Default: dyad for a file, the replication's own form.",
        ),
    ] = None,
    builtin: Annotated[
        str | None,
        typer.Option("--builtin", help=f"Fit a built-in replication on COW data: {_BUILTINS}."),
    ] = None,
    start: Annotated[int | None, typer.Option("--start", help="First year to use.")] = None,
    end: Annotated[int | None, typer.Option("--end", help="Last year to use.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit Richardson's arms-race coefficients by least squares, with standard errors."""
    _check_form(form)
    if start is not None and end is not None and start > end:
        raise BadInput(Problem(f"--start {start} is after --end {end}", path="--start"))
    if (file is None) == (builtin is None):
        raise BadInput(
            f"give a CSV file or --builtin NAME ({_BUILTINS}), not "
            + ("both" if file is not None else "neither")
        )
    if builtin is not None:
        if x is not None or y is not None or year is not None:
            raise BadInput(Problem("--x, --y and --year name columns of a CSV file", path="--x"))
        rep = replicate(builtin, form=form, start=start, end=end)
        doc = {"ok": True, **rep.to_dict()}
        title, note, fit = rep.spec.title, rep.spec.note, rep.fit
    else:
        assert file is not None
        series = read_series_csv(file, time=year or "year", x=x or "x", y=y or "y")
        series = _window(series, start, end)
        fit = fit_richardson(series, form or "dyad")
        doc = {"ok": True, "file": str(file), "data": series.to_dict(), "fit": fit.to_dict()}
        title, note = f"{file}: {series.x_name} and {series.y_name}", ""
    if as_json:
        print_json(doc)
    else:
        _show(title, note, fit)


@fit_app.command("replications")
def replications(as_json: JsonOpt = False) -> None:
    """Run every built-in replication in both forms (dyad and bloc) on the shipped COW data."""
    runs = [replicate(name, form=form) for name in REPLICATIONS for form in RICHARDSON_FORMS]
    if as_json:
        print_json({"ok": True, "replications": [r.to_dict() for r in runs]})
        return
    for r in runs:
        _show(r.spec.title, r.spec.note, r.fit)
        console.print()


def _show(title: str, note: str, fit: DyadFit | BlocFit) -> None:
    s = fit.series
    first, last = int(s.time[0]), int(s.time[-1])
    console.print(f"[bold]{title}[/bold] ({fit.form} form, {first}-{last})")
    if note:
        console.print(note, markup=False, style="dim")
    if isinstance(fit, BlocFit):
        regs = [(f"change of the total {s.x_name} + {s.y_name}", fit.regression)]
    else:
        regs = [(f"change of {s.x_name}", fit.x_eq), (f"change of {s.y_name}", fit.y_eq)]
    for label, reg in regs:
        t = FitTable(
            title=f"{label}: R^2 {reg.r2:.3f}, n {reg.n}, residual SE {reg.resid_se:.3g}",
            pad_edge=False,
        )
        for col in ("", "estimate", "SE", "SE HC1", "t", "p", "95% interval"):
            t.add_column(col, "left" if not col else "right")
        for e in reg.estimates:
            t.add_row(
                e.name,
                f"{e.value:.4g}",
                f"{e.se:.3g}",
                f"{e.se_hc1:.3g}",
                f"{e.t:.2f}",
                f"{e.p:.3g}",
                f"[{e.ci_low:.3g}, {e.ci_high:.3g}]",
            )
        console.print(t)
    for line in fit.summary():
        console.print(f"- {line}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.add_typer(fit_app, name="fit")
