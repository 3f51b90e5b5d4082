"""Rolling-origin forecasts in the terminal: the scores of every forecaster, each lens against
each baseline with intervals, and the Brier score by kind (:func:`show_forecast`; printed by
``dilemma backtest --origins`` and at the head of ``dilemma run``'s summary).

>>> from security_dilemma import load_case
>>> from security_dilemma.history import rolling_forecast
>>> from rich.console import Console
>>> fc = rolling_forecast(load_case("bmd-europe"), origins=[2008], horizon=2,
...                       lenses=["realism"], replicates=10, resamples=200)
>>> out = Console(width=80, record=True)
>>> show_forecast(fc, out)
Rolling-origin forecasts of bmd-europe...
>>> "realism raw" in out.export_text()
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from .._tables import Column, FitTable

if TYPE_CHECKING:
    from ..history.forecast import RollingForecast

__all__ = ["forecast_kinds_table", "forecast_table", "rows_table", "show_forecast", "versus_table"]


def _f(x: float | None, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:.{digits}f}"


def forecast_table(fc: RollingForecast) -> FitTable:
    """Pooled scores of every forecaster: the lenses through the observation model, their raw
    indicators, the baselines."""
    n = fc.counts["test"]
    table = FitTable(
        [
            Column("forecaster"),
            Column("Brier", "right"),
            Column("log-loss", "right"),
            Column("AUC", "right"),
            Column("reliab.", "right", drop=2, name="reliability"),
            Column("resol.", "right", drop=1, name="resolution"),
        ],
        title=(
            f"Rolling-origin forecasts of {fc.case_id}: {n} forecasts, windows {fc.windows()}, "
            "everything fitted on the observables that ended before each origin"
        ),
        caption=(
            f"uncertainty {_f(next(iter(fc.scores.values())).decomposition.uncertainty)} "
            f"({fc.counts['occurred']} of {n} happened); reliability - resolution + "
            "uncertainty + the within-bin terms = Brier"
        ),
    )
    for f in fc.forecasters:
        s = fc.scores[f]
        d = s.decomposition
        name = f"[dim]{escape(f)}[/dim]" if f not in fc.lenses else escape(f)
        table.add_row(
            name,
            _f(s.brier),
            _f(s.log_loss),
            _f(s.auc),
            _f(d.reliability),
            _f(d.resolution),
        )
    return table


def versus_table(fc: RollingForecast) -> FitTable:
    """Each lens against each baseline: the differences of Brier, log-loss and AUC with
    their block-bootstrap intervals."""
    from ..history.baselines import BASELINES
    from ..history.forecast import interval_text

    first = fc.skill(fc.lenses[0], BASELINES[0]).brier
    table = FitTable(
        [
            Column("lens, baseline"),
            Column("Δ Brier", "right"),
            Column("Δ log-loss", "right"),
            Column("Δ AUC", "right"),
        ],
        title=(
            f"Each lens against each baseline: lens minus baseline, {first.level:.0%} "
            f"intervals resampling years ({first.resamples} resamples)"
        ),
        caption="Brier and log-loss: below 0 the lens is better; AUC: above 0.",
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    for lens in fc.lenses:
        table.add_row(f"[bold]{escape(lens)}[/bold]", "", "", "")
        for b in BASELINES:
            s = fc.skill(lens, b)
            table.add_row(
                f"  {b}",
                interval_text(s.brier, 3, ","),
                interval_text(s.log_loss, 2, ","),
                interval_text(s.auc, 2, ","),
            )
    return table


_SHORT = {
    "climatology": "clim.",
    "persistence": "persist.",
    "softened": "soft.",
    "statistical": "stat.",
}
_DROP = {"softened": 1, "climatology": 2}


def _short(name: str) -> str:
    """A column header of at most 8 characters."""
    return _SHORT.get(name, name if len(name) <= 8 else name[:6] + ".")


def forecast_kinds_table(fc: RollingForecast) -> FitTable:
    """Brier score by kind: one column per lens and per baseline."""
    from ..history.baselines import BASELINES

    names = [*fc.lenses, *BASELINES]
    table = FitTable(
        [
            Column("kind"),
            Column("n", "right"),
            *(Column(_short(f), "right", drop=_DROP.get(f, 0), name=f) for f in names),
        ],
        title="Rolling-origin Brier score by kind of observable",
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
        caption="clim. climatology, persist. persistence, soft. softened persistence, stat. "
        "statistical baseline.",
    )
    for kind in fc.kinds():
        first = fc.by_kind[names[0]][kind]
        table.add_row(kind, str(first.n), *(_f(fc.by_kind[f][kind].brier) for f in names))
    return table


def rows_table(fc: RollingForecast) -> FitTable:
    """Every forecast: origin, observable, what happened, each lens's and baseline's p."""
    from ..history.baselines import BASELINES

    names = [*fc.lenses, *BASELINES]
    table = FitTable(
        [
            Column("origin", "right"),
            Column("observable"),
            Column("happened"),
            *(Column(f, "right") for f in names),
        ],
        title="Rolling-origin forecasts",
    )
    for r in fc.rows:
        table.add_row(
            str(r.origin),
            r.id,
            "yes" if r.occurred else "no",
            *(_f(r.p[f], 2) for f in names),
        )
    return table


def show_forecast(
    fc: RollingForecast, out: Console, *, details: bool = False, kinds: bool = True
) -> None:
    """Print the scores, each lens against each baseline, the scores by kind (with ``kinds``)
    and the answer; every forecast with ``details``."""
    out.print(forecast_table(fc))
    out.print(versus_table(fc))
    if kinds:
        out.print(forecast_kinds_table(fc))
    out.print(fc.answer.text, markup=False)
    for note in fc.notes:
        out.print(f"[dim]note: {escape(note)}[/dim]")
    if details:
        out.print(rows_table(fc))
