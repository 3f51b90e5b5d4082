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
    from ..history.uncertainty import ParameterSpread

__all__ = [
    "MARKS",
    "forecast_kinds_table",
    "forecast_table",
    "kind_marks",
    "rows_table",
    "show_forecast",
    "spread_table",
    "versus_table",
]


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
_KIND_DROP = _DROP | {"persistence": 3, "statistical": 4}
"""In the table by kind the lenses' marks compare them with every baseline, so the baselines'
own columns go first on a narrow terminal."""


def _short(name: str) -> str:
    """A column header of at most 8 characters."""
    return _SHORT.get(name, name if len(name) <= 8 else name[:6] + ".")


MARKS = {"better": "+", "worse": "-", "unclear": "."}
"""Per baseline, in :data:`~security_dilemma.history.baselines.BASELINES` order: the lens's
Brier difference on the kind has an interval below 0 (+), above 0 (-) or around 0 (.)."""


def kind_marks(fc: RollingForecast, lens: str, kind: str) -> str:
    """``+.-.``: the lens against each baseline on one kind (:data:`MARKS`)."""
    from ..history.baselines import BASELINES

    out = ""
    for b in BASELINES:
        i = fc.kind_skill(lens, b, kind).brier
        key = "better" if i.high < 0 else "worse" if i.low > 0 else "unclear"
        out += MARKS[key]
    return out


def forecast_kinds_table(fc: RollingForecast) -> FitTable:
    """Brier score by kind: one column per lens and per baseline; each lens's score is
    followed by its marks against the four baselines (:func:`kind_marks`)."""
    from ..history.baselines import BASELINES

    names = [*fc.lenses, *BASELINES]
    level = fc.kind_skills[0].brier.level if fc.kind_skills else 0.9
    table = FitTable(
        [
            Column("kind"),
            Column("n", "right"),
            *(Column(_short(f), "right", drop=_KIND_DROP.get(f, 0), name=f) for f in names),
        ],
        title="Rolling-origin Brier score by kind of observable",
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
        caption="clim. climatology, persist. persistence, soft. softened persistence, stat. "
        "statistical baseline. After each lens's score, one mark per baseline in that order: "
        f"+ the {level:.0%} interval (years resampled) of the Brier difference is below 0, "
        "- above 0, . it contains 0 (intervals in --json and the report).",
    )
    for kind in fc.kinds():
        first = fc.by_kind[names[0]][kind]
        cells = []
        for f in names:
            score = _f(fc.by_kind[f][kind].brier)
            if f in fc.lenses and fc.kind_skills:
                score += f" {kind_marks(fc, f, kind)}"
            cells.append(score)
        table.add_row(kind, str(first.n), *cells)
    return table


def spread_table(spread: ParameterSpread, fc: RollingForecast | None = None) -> FitTable:
    """Each lens's rolling-origin Brier score over the parameter sample: at the case's values
    (from ``fc``), the 5-95% spread, and how often it beats persistence, the statistical
    baseline and both."""
    table = FitTable(
        [
            Column("lens"),
            Column("Brier", "right"),
            Column("5-95%", "right"),
            Column("beats\npersist.", "right", name="beats persistence"),
            Column("beats\nstat.", "right", name="beats statistical"),
            Column("beats\nboth", "right", name="beats both"),
            Column("best\nlens", "right", drop=1, name="best lens"),
        ],
        title=(
            f"Over {len(spread.points)} samples of {len(spread.parameters)} uncalibrated "
            f"parameters ({spread.replicates} replicates each)"
        ),
        caption=(
            f"Brier at the case's values; 5-95% over the sample; share of the sample at which "
            f"the lens beats each baseline (persistence "
            f"{_f(float(spread.brier['persistence'][0]))}, statistical "
            f"{_f(float(spread.brier['statistical'][0]))}: the baselines need no model "
            f"parameter). Sampled: {', '.join(p.name for p in spread.parameters)}."
        ),
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    best = spread.best()
    for lens in spread.lenses:
        low, _, high = spread.quantiles(lens)
        at_case = fc.scores[lens].brier if fc is not None and lens in fc.scores else math.nan
        table.add_row(
            escape(lens),
            _f(at_case),
            f"{_f(low)}-{_f(high)}",
            f"{spread.beats(lens, 'persistence'):.0%}",
            f"{spread.beats(lens, 'statistical'):.0%}",
            f"{spread.beats(lens, 'persistence', 'statistical'):.0%}",
            f"{best[lens]:.0%}",
        )
    return table


def spread_answer(spread: ParameterSpread) -> str:
    """The question "does any lens beat persistence and the statistical baseline?" over the
    parameter sample, in one sentence."""
    shares = {lens: spread.beats(lens, "persistence", "statistical") for lens in spread.lenses}
    top = max(shares.values())
    who = [lens for lens, v in shares.items() if v == top]
    n = len(spread.points)
    if top == 0:
        return (
            f"Over the {n} parameter samples no lens beats both persistence and the "
            "statistical baseline at any sample."
        )
    return (
        f"Over the {n} parameter samples, {', '.join(who)} beat(s) both persistence and the "
        f"statistical baseline (point estimates) at {top:.0%} of them; "
        + "; ".join(f"{lens} {v:.0%}" for lens, v in shares.items())
        + "."
    )


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
    fc: RollingForecast,
    out: Console,
    *,
    details: bool = False,
    kinds: bool = True,
    spread: ParameterSpread | None = None,
) -> None:
    """Print the scores, each lens against each baseline, the scores by kind (with ``kinds``),
    the spread over the parameter sample (with ``spread``) and the answer; every forecast
    with ``details``."""
    out.print(forecast_table(fc))
    out.print(versus_table(fc))
    if kinds:
        out.print(forecast_kinds_table(fc))
    if spread is not None:
        out.print(spread_table(spread, fc))
    out.print(fc.answer.text, markup=False)
    if spread is not None:
        out.print(spread_answer(spread), markup=False)
    for note in fc.notes:
        out.print(f"[dim]note: {escape(note)}[/dim]")
    if details:
        out.print(rows_table(fc))
