"""The report's figures, drawn with matplotlib (Agg canvas, no pyplot, no display).

* :func:`trajectories_figure`: security, military effort and threat of the key actors and
  the crisis probability per step (per week in a weekly case) of the key dyads, mean and
  5-95% band, one column per lens;
* :func:`network_figure`: actors on a circle, edges coloured by identity and as thick as the
  alliance commitment, at the start (the case file) and at the end of each lens's run;
* :func:`backtest_figure`: reliability diagram and Brier scores against climatology;
* :func:`map_figure`: the case map from :mod:`security_dilemma.geo.maps` (None when the
  geography module cannot draw it);
* :func:`data_uri`: a figure as a ``data:image/png;base64,...`` URI for a self-contained page.

Text from case files is drawn with ``text.parse_math`` off, so a ``$`` in a name stays a
dollar sign.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

if TYPE_CHECKING:
    from ..engine import Result
    from ..history.backtest import Backtest
    from ..history.forecast import RollingForecast
    from ..history.scoring import CalibrationBin
    from ..scenario.schema import Case

__all__ = [
    "NETWORK_MAX_ACTORS",
    "PALETTE",
    "backtest_figure",
    "data_uri",
    "forecast_figure",
    "map_figure",
    "network_figure",
    "plain_text",
    "trajectories_figure",
]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
LENS_COLOURS = {
    "realism": "#b03a2e",
    "liberalism": "#1f618d",
    "constructivism": "#7d3c98",
    "pyramid": "#b9770e",
}
DPI = 110
EDGE_BASE, EDGE_SCALE = 0.7, 3.0
NETWORK_MAX_ACTORS = 8
"""Above this many actors the identities and alliances are drawn as matrices (heat maps):
a circle of 13 states has 78 pairs, too many edges to read."""


@contextmanager
def plain_text() -> Iterator[None]:
    """Matplotlib settings for the report: no mathtext, a readable base font size."""
    with mpl.rc_context({"text.parse_math": False, "font.size": 9, "svg.hashsalt": "report"}):
        yield


def data_uri(fig: Figure, dpi: int = DPI) -> str:
    """The figure as a base64 PNG data URI."""
    buffer = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _lens_colour(lens: str, k: int) -> str:
    return LENS_COLOURS.get(lens, PALETTE[k % len(PALETTE)])


def _band(ax: Any, frame: Any, colour: str, label: str) -> None:
    x = frame.index.to_numpy()
    ax.fill_between(x, frame["q05"], frame["q95"], color=colour, alpha=0.15, linewidth=0)
    ax.plot(x, frame["mean"], color=colour, linewidth=1.6, label=label)


def trajectories_figure(
    results: Mapping[str, Result],
    actors: Sequence[str],
    dyads: Sequence[tuple[str, str]],
) -> Figure:
    """Rows: security, effort, threat (per key actor) and crisis probability (per key dyad);
    columns: lenses. Lines are means over replicates, bands the 5-95% range."""
    rows: list[tuple[str, str, list[tuple[str, str, str]]]] = [
        ("security", "security S (0-1)", [(a, "", a) for a in actors]),
        ("effort", "military effort (1 = start)", [(a, "", a) for a in actors]),
        ("threat", "perceived threat", [(a, "", a) for a in actors]),
    ]
    lenses = list(results)
    step = results[lenses[0]].step if lenses else "year"
    rows.append(
        ("crisis_prob", f"crisis probability per {step}", [(a, b, f"{a}-{b}") for a, b in dyads])
    )
    with plain_text():
        fig = Figure(
            figsize=(3.0 * len(lenses) + 1.6, 2.25 * len(rows) + 0.6), layout="constrained"
        )
        axes = fig.subplots(len(rows), len(lenses), sharex=True, sharey="row", squeeze=False)
        for c, lens in enumerate(lenses):
            result = results[lens]
            axes[0, c].set_title(lens, fontsize=10, fontweight="bold")
            for r, (metric, ylabel, series) in enumerate(rows):
                ax = axes[r, c]
                for k, (a, b, label) in enumerate(series):
                    if a not in result.actors or (b and b not in result.actors):
                        continue
                    _band(ax, result.series(metric, a, b), PALETTE[k % len(PALETTE)], label)
                ax.grid(alpha=0.3, linewidth=0.5)
                if c == 0:
                    ax.set_ylabel(ylabel)
                if r == len(rows) - 1:
                    ax.tick_params(axis="x", labelrotation=45)
                    for label in ax.get_xticklabels():
                        label.set_horizontalalignment("right")
            for r, (metric, _, _) in enumerate(rows):
                if metric == "security":
                    axes[r, c].set_ylim(0.0, 1.02)
                else:
                    axes[r, c].set_ylim(bottom=0)
        for r, (_, _, series) in enumerate(rows):
            handles = [
                Line2D([], [], color=PALETTE[k % len(PALETTE)], linewidth=2)
                for k in range(len(series))
            ]
            axes[r, -1].legend(
                handles,
                [label for _, _, label in series],
                loc="upper left",
                bbox_to_anchor=(1.02, 1.0),
                fontsize=8,
                frameon=False,
            )
        fig.suptitle(
            "Mean over replicates (line) and 5-95% range (band)", fontsize=9, x=0.02, ha="left"
        )
    return fig


def _circle(n: int) -> tuple[Any, Any]:
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    return np.cos(angles), np.sin(angles)


def _initial_matrices(case: Case) -> tuple[Any, Any]:
    ids = case.actor_ids()
    index = {a: k for k, a in enumerate(ids)}
    n = len(ids)
    identity = np.zeros((n, n))
    for tie in case.identities:
        for a, b in tie.pairs():
            if a in index and b in index:
                identity[index[a], index[b]] = tie.value.value
    commitment = np.zeros((n, n))
    for alliance in case.alliances:
        members = [index[m] for m in alliance.members if m in index]
        start_ok = alliance.start is None or alliance.start <= case.span.start
        end_ok = alliance.end is None or alliance.end >= case.span.start
        if start_ok and end_ok:
            for i in members:
                for j in members:
                    if i != j:
                        commitment[i, j] = max(commitment[i, j], alliance.commitment.value)
    return identity, commitment


def _final_matrices(result: Result) -> tuple[Any, Any]:
    n = len(result.actors)
    identity = np.zeros((n, n))
    commitment = np.zeros((n, n))
    for i, a in enumerate(result.actors):
        for j, b in enumerate(result.actors):
            if i != j:
                identity[i, j] = result.value("identity", a, b)
                commitment[i, j] = result.value("commitment", a, b)
    return identity, commitment


def _draw_network(
    ax: Any, labels: Sequence[str], identity: Any, commitment: Any, title: str, cmap: Any
) -> None:
    n = len(labels)
    x, y = _circle(n)
    norm = Normalize(-1.0, 1.0)
    sym_id = (identity + identity.T) / 2.0
    sym_c = np.maximum(commitment, commitment.T)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    # friends first, enemies last (on top): hostile pairs are what the eye should find
    pairs.sort(key=lambda p: -sym_id[p])
    for i, j in pairs:
        value, bond = sym_id[i, j], sym_c[i, j]
        if abs(value) < 0.15 and bond < 0.2:
            continue
        ax.plot(
            [x[i], x[j]],
            [y[i], y[j]],
            color=cmap(norm(value)),
            linewidth=EDGE_BASE + EDGE_SCALE * bond,
            alpha=0.55 if value >= 0 else 0.95,
            solid_capstyle="round",
            zorder=1 if value >= 0 else 1.5,
        )
    ax.scatter(x, y, s=170, color="white", edgecolors="#333333", linewidths=1.0, zorder=2)
    for k, label in enumerate(labels):
        ax.text(
            x[k] * 1.2,
            y[k] * 1.2,
            label,
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
        )
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")


def _draw_matrix(
    ax: Any, labels: Sequence[str], identity: Any, commitment: Any, title: str, cmap: Any
) -> None:
    """Identity as a heat map (row actor's view of the column actor) and alliance
    commitment as dots as large as the commitment."""
    n = len(labels)
    shown = np.array(identity, dtype=float)
    np.fill_diagonal(shown, np.nan)
    ax.imshow(shown, cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest")
    rows, cols = np.nonzero(np.asarray(commitment) > 0.05)
    sizes = 60.0 * np.asarray(commitment)[rows, cols]
    ax.scatter(cols, rows, s=sizes, color="#111111", marker="o", linewidths=0)
    ax.set_xticks(range(n), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    ax.set_title(title, fontsize=10)
    ax.tick_params(length=0)


def network_figure(case: Case, results: Mapping[str, Result]) -> Figure:
    """Identity (edge colour, mean of both directions) and alliance commitment (edge width,
    the larger direction) at the start and at each lens's last step. Pairs with |identity|
    below 0.15 and commitment below 0.2 are not drawn. With more than
    :data:`NETWORK_MAX_ACTORS` actors, each panel is a matrix instead: identity as a heat
    map, commitment as dots."""
    labels = case.actor_ids()
    panels: list[tuple[str, Any, Any]] = [("start (case file)", *_initial_matrices(case))]
    for lens, result in results.items():
        panels.append((f"{lens}, {result.dates[-1].year}", *_final_matrices(result)))
    cols = 3
    rows = math.ceil((len(panels) + 1) / cols)
    with plain_text():
        cmap = mpl.colormaps["RdBu"]
        fig = Figure(figsize=(4.0 * cols, 3.9 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        draw = _draw_matrix if len(labels) > NETWORK_MAX_ACTORS else _draw_network
        for ax, (title, identity, commitment) in zip(axes, panels, strict=False):
            draw(ax, labels, identity, commitment, title, cmap)
        key = axes[len(panels)]
        key.axis("off")
        sm = mpl.cm.ScalarMappable(norm=Normalize(-1, 1), cmap=cmap)
        bar = fig.colorbar(sm, ax=key, orientation="horizontal", fraction=0.12, pad=0.0)
        bar.set_label("identity: -1 enemy ... +1 friend")
        if draw is _draw_matrix:
            handles = [
                Line2D([], [], color="#111111", marker="o", linestyle="", markersize=m)
                for m in (math.sqrt(60 * 0.5), math.sqrt(60.0))
            ]
            names, heading = ["commitment 0.5", "commitment 1"], "alliance commitment"
        else:
            handles = [
                Line2D([], [], color="#555555", linewidth=EDGE_BASE + EDGE_SCALE * c)
                for c in (0.0, 0.5, 1.0)
            ]
            names = ["no alliance commitment", "commitment 0.5", "commitment 1"]
            heading = "edge width"
        key.legend(handles, names, loc="center", frameon=False, fontsize=8, title=heading)
        for ax in axes[len(panels) + 1 :]:
            ax.axis("off")
    return fig


def backtest_figure(backtest: Backtest) -> Figure:
    """Left: reliability diagram (forecast probability against observed frequency per bin,
    marker area by count). Right: Brier score per lens against the climatology baseline."""
    with plain_text():
        fig = Figure(figsize=(11.0, 4.2), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=(1.1, 1.0))
        left.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1, label="perfect")
        series = [
            (lb.lens, lb.calibration, _lens_colour(lb.lens, k))
            for k, lb in enumerate(backtest.lenses)
        ]
        series.append(("climatology", backtest.climatology_calibration, "#555555"))
        for name, bins, colour in series:
            used = [b for b in bins if b.count]
            if not used:
                continue
            xs = [b.mean_p for b in used]
            ys = [b.observed for b in used]
            sizes = [12 + 6 * b.count for b in used]
            style = ":" if name == "climatology" else "-"
            left.plot(xs, ys, style, color=colour, linewidth=1.2, label=name)
            left.scatter(xs, ys, s=sizes, color=colour, alpha=0.7, edgecolors="white")
        left.set_xlim(-0.02, 1.02)
        left.set_ylim(-0.02, 1.02)
        left.set_xlabel("forecast probability (bin mean)")
        left.set_ylabel("observed frequency")
        left.set_title("Calibration (marker area: observables in the bin)", fontsize=10)
        left.legend(fontsize=8, loc="lower right", frameon=False)
        left.grid(alpha=0.3, linewidth=0.5)
        names = [lb.lens for lb in backtest.lenses]
        values = [lb.scores.brier for lb in backtest.lenses]
        colours = [_lens_colour(n, k) for k, n in enumerate(names)]
        diffs = {c.a: c.difference for c in backtest.comparisons if c.b == "climatology"}
        clim = backtest.climatology.brier
        ypos = np.arange(len(names))
        right.barh(ypos, values, color=colours, alpha=0.85)
        for k, name in enumerate(names):
            d = diffs.get(name)
            if d is not None and math.isfinite(d.low):
                right.errorbar(
                    clim + d.estimate,
                    k,
                    xerr=[[d.estimate - d.low], [d.high - d.estimate]],
                    color="black",
                    capsize=3,
                    linewidth=1,
                )
            right.text(
                0.004,
                k,
                f"{values[k]:.3f}",
                va="center",
                ha="left",
                fontsize=8.5,
                color="white",
                fontweight="bold",
            )
        if math.isfinite(clim):
            right.axvline(clim, color="#555555", linestyle=":", linewidth=1.5)
            right.text(
                clim, len(names) - 0.45, f" climatology {clim:.3f}", fontsize=8, color="#555555"
            )
        right.set_yticks(ypos, names)
        right.invert_yaxis()
        right.set_xlabel("Brier score (lower is better); whiskers: 90% bootstrap interval")
        window = (
            f"observables after {backtest.train_until}"
            if backtest.train_until
            else "all observables"
        )
        right.set_title(f"Brier score, {window}", fontsize=10)
        top = max([clim, *values]) if values else 1.0
        right.set_xlim(0, (top if math.isfinite(top) else 1.0) * 1.25)
        right.grid(axis="x", alpha=0.3, linewidth=0.5)
    return fig


def _reliability(
    ax: Any, name: str, bins: Sequence[CalibrationBin], colour: str, style: str
) -> None:
    used = [b for b in bins if b.count]
    if not used:
        return
    xs = [b.mean_p for b in used]
    ys = [b.observed for b in used]
    ax.plot(xs, ys, style, color=colour, linewidth=1.2, label=name)
    ax.scatter(xs, ys, s=[12 + 6 * b.count for b in used], color=colour, alpha=0.7)


def forecast_figure(fc: RollingForecast) -> Figure:
    """A reliability diagram per lens of the rolling-origin forecasts: the lens through the
    observation model, its raw indicator and the climatology and statistical baselines
    (marker area by the forecasts in the bin)."""
    n = len(fc.lenses)
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    with plain_text():
        fig = Figure(figsize=(2.9 * cols + 0.4, 3.0 * rows + 0.3), layout="constrained")
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
        for k, lens in enumerate(fc.lenses):
            ax = axes[k]
            ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1)
            colour = _lens_colour(lens, k)
            _reliability(
                ax, f"{lens} (Brier {fc.scores[lens].brier:.3f})", fc.calibration[lens], colour, "-"
            )
            raw = f"{lens} raw"
            _reliability(
                ax, f"raw indicator ({fc.scores[raw].brier:.3f})", fc.calibration[raw], colour, ":"
            )
            for name, tone, style in (
                ("climatology", "#555555", "--"),
                ("statistical", "#222222", "-."),
            ):
                _reliability(
                    ax, f"{name} ({fc.scores[name].brier:.3f})", fc.calibration[name], tone, style
                )
            ax.set_xlim(-0.02, 1.02)
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(lens, fontsize=10)
            ax.set_xlabel("forecast probability (bin mean)")
            if k % cols == 0:
                ax.set_ylabel("observed frequency")
            ax.legend(fontsize=7, loc="lower right", frameon=False)
            ax.grid(alpha=0.3, linewidth=0.5)
        for ax in axes[n:]:
            ax.axis("off")
    return fig


ICBM_KM = 5500.0
"""Missiles at or above this range (intercontinental, as in the START treaties) get no range
ring on the report's theatre map: their rings would cover the whole map."""


def theatre(case: Case) -> tuple[Case, list[str]]:
    """The part of a case the report's map shows, and what was left out.

    Range rings of missiles shorter than :data:`ICBM_KM`; defence sites within twice the
    longest such range of one of their launch areas (or all sites when no missile is shown).
    """
    from ..geo.gazetteer import Gazetteer
    from ..geo.geodesy import distances_km

    gaz = Gazetteer.for_case(case)
    regional = [m for m in case.missiles if m.range_km.value < ICBM_KM]
    left_out = [m.name for m in case.missiles if m.range_km.value >= ICBM_KM]
    launches = []
    for m in regional:
        for place in m.launch_areas:
            try:
                loc = gaz.resolve(place)
            except Exception:  # unresolvable places are the map's business to report
                continue
            launches.append((loc.lat, loc.lon))
    sites = list(case.defence_sites)
    if launches:
        radius = 2.0 * max(m.range_km.value for m in regional)
        lats = [p[0] for p in launches]
        lons = [p[1] for p in launches]
        kept = []
        for site in sites:
            try:
                loc = gaz.resolve(site.place)
            except Exception:
                kept.append(site)
                continue
            if float(distances_km(loc.lat, loc.lon, lats, lons).min()) <= radius:
                kept.append(site)
            else:
                left_out.append(site.name or site.id)
        sites = kept
    update = {"missiles": regional, "defence_sites": sites}
    return case.model_copy(update=update), left_out


def map_figure(case: Case, *, footprints: bool = True) -> tuple[Figure | None, str | None]:
    """The theatre map of a case (:func:`theatre`), or None and the reason when it cannot be
    drawn. The second value also lists what the theatre map leaves out."""
    try:
        from ..geo.maps import case_map
    except ImportError as exc:  # the geography module is optional for the report
        return None, f"the map needs security_dilemma.geo.maps ({exc})"
    with plain_text():
        try:
            shown, left_out = theatre(case)
            fig = Figure(figsize=(11.0, 9.6))
            FigureCanvasAgg(fig)
            ax = fig.add_axes((0.02, 0.17, 0.96, 0.78))
            case_map(shown, ax=ax, footprints=footprints, title=f"{case.title}: the theatre")
        except Exception as exc:  # a map problem should not lose the rest of the report
            return None, f"the map could not be drawn: {type(exc).__name__}: {exc}"
    note = f"Left out of the map: {', '.join(left_out)}." if left_out else None
    return fig, note
