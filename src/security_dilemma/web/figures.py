"""The results page's figures and tables, drawn from the store (not from a live run).

A figure is a metric's mean per step with a band of one standard deviation either side
(cut at the metric's bounds, :data:`security_dilemma.engine.METRICS`), one line per lens
setting (the run's points), from the per-step sufficient statistics that
every committed chunk leaves in the store (``steps``). Drawn with matplotlib's Agg canvas
(no pyplot), in the report's plain-text style, so a ``$`` or ``<`` in a name is drawn as is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..experiments import Store
from ..report.figures import LENS_COLOURS, PALETTE, plain_text

if TYPE_CHECKING:
    from ..history.forecast import RollingForecast

__all__ = [
    "DILEMMA_MEASURES",
    "Series",
    "calibration_frame",
    "measures_frame",
    "network_matrices",
    "render",
    "render_network",
    "save",
    "series_frame",
    "series_options",
    "skill_figure",
    "skill_frame",
]

DILEMMA_MEASURES = ("harm_done", "self_defeat", "belief_entropy", "no_adequate_policy")
"""The four security-dilemma measures (docs/model.md), per actor at the last step."""


def _bounds(metric: str) -> tuple[float | None, float | None]:
    from ..engine import METRICS

    found = next((m for m in METRICS if m.name == metric), None)
    return (None, None) if found is None else (found.low, found.high)


def measures_frame(store: Store, run_id: str) -> pd.DataFrame:
    """Per lens and actor: the mean of each dilemma measure at the last step (columns in
    :data:`DILEMMA_MEASURES` order; a measure the run did not store is left out)."""
    sql = store.table_sql(run_id, "summary")
    marks = ", ".join("?" for _ in DILEMMA_MEASURES)
    long: pd.DataFrame = store.con.execute(
        f"SELECT lens, actor, metric, mean FROM ({sql}) "
        f"WHERE counterpart = '' AND metric IN ({marks})",
        list(DILEMMA_MEASURES),
    ).df()
    if long.empty:
        return long
    wide = long.pivot_table(index=["lens", "actor"], columns="metric", values="mean")
    return wide[[m for m in DILEMMA_MEASURES if m in wide.columns]].reset_index()


Format = Literal["svg", "png"]


@dataclass(frozen=True, slots=True)
class Series:
    """One stored time series of a run: a metric of an actor (and counterpart, for dyads)."""

    metric: str
    actor: str = ""
    counterpart: str = ""

    @property
    def label(self) -> str:
        """``metric``, ``metric: actor`` or ``metric: actor-counterpart``."""
        who = "-".join(p for p in (self.actor, self.counterpart) if p)
        return f"{self.metric}: {who}" if who else self.metric


def series_options(store: Store, run_id: str) -> list[Series]:
    """Every series the run stored, sorted by metric, actor, counterpart."""
    return [
        Series(str(r.metric), str(r.actor), str(r.counterpart))
        for r in store.outputs(run_id).itertuples()
    ]


def series_frame(store: Store, run_id: str, series: Series) -> pd.DataFrame:
    """Per lens and step: date, n, mean and sd of one series (empty if never stored)."""
    sql = store.table_sql(run_id, "steps")
    frame: pd.DataFrame = store.con.execute(
        f"SELECT lens, step, date, n, mean, sd FROM ({sql}) "
        "WHERE metric = ? AND actor = ? AND counterpart = ? ORDER BY lens, step",
        [series.metric, series.actor, series.counterpart],
    ).df()
    return frame


def _figure(frame: pd.DataFrame, series: Series, title: str) -> Figure:
    with plain_text():
        fig = Figure(figsize=(7.5, 3.6), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        for k, (lens, group) in enumerate(frame.groupby("lens", sort=True)):
            name = str(lens) or "case lenses"
            colour = LENS_COLOURS.get(name, PALETTE[k % len(PALETTE)])
            x = pd.to_datetime(group["date"])
            mean = group["mean"].astype(float)
            sd = group["sd"].astype(float).fillna(0.0)
            low, high = _bounds(series.metric)
            ax.fill_between(
                x,
                (mean - sd).clip(lower=low),
                (mean + sd).clip(upper=high),
                color=colour,
                alpha=0.18,
                linewidth=0,
            )
            ax.plot(x, mean, color=colour, linewidth=1.6, label=name)
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel(series.label)
        ax.grid(alpha=0.3, linewidth=0.5)
        if not frame.empty:
            ax.legend(fontsize=8, frameon=False, loc="best")
        else:
            ax.text(0.5, 0.5, "no data yet", transform=ax.transAxes, ha="center")
    return fig


def save(fig: Figure, fmt: Format) -> bytes:
    """A figure as SVG or PNG bytes (no date or software stamp: the same figure, the same
    bytes)."""
    buffer = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": None}
    with plain_text():
        fig.savefig(buffer, format=fmt, dpi=110, facecolor="white", metadata=meta)
    return buffer.getvalue()


def render(frame: pd.DataFrame, series: Series, title: str, fmt: Format) -> bytes:
    """The series' figure as SVG or PNG bytes (mean line, band of ±1 sd per lens, within the
    metric's bounds)."""
    return save(_figure(frame, series, title), fmt)


def network_matrices(
    store: Store, run_id: str, step: int, lens: str
) -> tuple[list[str], Any, Any, str]:
    """Mean identity and alliance commitment between the run's actors at one step of one
    lens setting: labels, the two matrices (row actor's view of the column actor) and the
    step's date. Empty labels when the run stored neither metric."""
    import numpy as np

    sql = store.table_sql(run_id, "steps")
    frame: pd.DataFrame = store.con.execute(
        f"SELECT actor, counterpart, metric, mean, date FROM ({sql}) "
        "WHERE metric IN ('identity', 'commitment') AND step = ? AND lens = ?",
        [step, lens],
    ).df()
    labels = sorted({*frame["actor"], *frame["counterpart"]} - {""})
    where = {a: i for i, a in enumerate(labels)}
    matrices = {m: np.zeros((len(labels), len(labels))) for m in ("identity", "commitment")}
    for r in frame.to_dict(orient="records"):
        if r["counterpart"] in where:
            cell = (where[str(r["actor"])], where[str(r["counterpart"])])
            matrices[str(r["metric"])][cell] = float(r["mean"])
    date = str(frame["date"].iloc[0])[:10] if len(frame) else ""
    return labels, matrices["identity"], matrices["commitment"], date


def render_network(
    labels: list[str], identity: Any, commitment: Any, title: str, fmt: Format
) -> bytes:
    """The identity and alliance network as the report draws it: a circle of actors (a heat
    map above :data:`~security_dilemma.report.figures.NETWORK_MAX_ACTORS` actors)."""
    import matplotlib as mpl

    from ..report.figures import NETWORK_MAX_ACTORS, _draw_matrix, _draw_network

    draw = _draw_network if len(labels) <= NETWORK_MAX_ACTORS else _draw_matrix
    with plain_text():
        fig = Figure(figsize=(5.2, 5.0), layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig.subplots(), labels, identity, commitment, title, mpl.colormaps["RdBu"])
    return save(fig, fmt)


# --- the rolling-origin backtest and the what-if worlds ---------------------------------------


def skill_frame(fc: RollingForecast) -> pd.DataFrame:
    """Each lens against each baseline (:data:`~security_dilemma.history.baselines.BASELINES`):
    both Brier scores and the difference, lens minus baseline, with its bootstrap interval
    (years resampled)."""
    from ..history.baselines import BASELINES

    rows = []
    for lens in fc.lenses:
        for b in BASELINES:
            d = fc.skill(lens, b).brier
            rows.append(
                {
                    "lens": lens,
                    "baseline": b,
                    "brier_lens": fc.scores[lens].brier,
                    "brier_baseline": fc.scores[b].brier,
                    "difference": d.estimate,
                    "low": d.low,
                    "high": d.high,
                    "level": d.level,
                    "resamples": d.resamples,
                }
            )
    return pd.DataFrame(rows)


def calibration_frame(fc: RollingForecast) -> pd.DataFrame:
    """The reliability diagram's data: every forecaster's bins (range, forecasts in the bin,
    mean forecast, share that happened)."""
    return pd.DataFrame(
        [
            {
                "forecaster": f,
                "lower": b.lower,
                "upper": b.upper,
                "count": b.count,
                "mean_p": b.mean_p,
                "observed": b.observed,
            }
            for f in fc.forecasters
            for b in fc.calibration[f]
        ]
    )


def skill_figure(fc: RollingForecast) -> Figure:
    """Each lens's Brier score against each baseline's: the difference (dot) with its bootstrap
    interval (bar), one row per baseline, one panel per lens; left of 0 the lens is better."""
    frame = skill_frame(fc)
    n = len(fc.lenses)
    with plain_text():
        fig = Figure(figsize=(3.3 * n + 1.2, 2.8), layout="constrained")
        axes = fig.subplots(1, n, squeeze=False, sharex=True)[0]
        for k, lens in enumerate(fc.lenses):
            ax = axes[k]
            rows = frame[frame["lens"] == lens].reset_index(drop=True)
            colour = LENS_COLOURS.get(lens, PALETTE[k % len(PALETTE)])
            y = list(range(len(rows)))
            ax.hlines(y, rows["low"], rows["high"], color=colour, linewidth=3)
            ax.scatter(rows["difference"], y, color="black", s=16, zorder=3)
            ax.axvline(0.0, color="#333333", linewidth=0.8)
            ax.set_yticks(
                y,
                [
                    f"{b} ({v:.3f})"
                    for b, v in zip(rows["baseline"], rows["brier_baseline"], strict=True)
                ],
            )
            ax.invert_yaxis()
            ax.set_title(f"{lens} (Brier {fc.scores[lens].brier:.3f})", fontsize=10)
            ax.set_xlabel("Δ Brier, lens − baseline")
            ax.grid(axis="x", alpha=0.3, linewidth=0.5)
        level = float(frame["level"].iloc[0]) if len(frame) else 0.9
        fig.suptitle(
            f"Rolling-origin Brier score of each lens against each baseline "
            f"({level:.0%} intervals resampling years; below 0 the lens is better)",
            fontsize=9,
            x=0.02,
            ha="left",
        )
    return fig
