"""The result of a run: summaries per step and cell, tidy frames, xarray, files and JSON.

docs/engine.md describes it. A :class:`Result` pickles (its layout travels as metric names),
saves to NetCDF and loads back bit for bit, shows itself briefly in a notebook and plots a
metric (``result.plot("security", actors=["RUS", "USA"])``).
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .measures import SYSTEM, Layout, culture, jervis_world
from .summary import QUANTILES

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes

__all__ = ["STEPS_PER_YEAR", "Result", "step_of", "yearly_rate"]

STEPS_PER_YEAR: Mapping[str, float] = {
    "year": 1.0,
    "quarter": 4.0,
    "month": 12.0,
    "week": 365.25 / 7,
    "day": 365.25,
}
"""Steps in a year for each step length of a case (``span.step``)."""


def yearly_rate(per_step: float, steps_per_year: float) -> float:
    """Probability of at least one event in a year at a constant probability ``per_step`` per
    step: 1 - (1 - p)^(steps per year).

    >>> round(yearly_rate(0.133, STEPS_PER_YEAR["month"]), 2)
    0.82
    >>> yearly_rate(0.1, 1.0)
    0.1
    """
    if per_step >= 1.0:
        return 1.0
    return float(-np.expm1(steps_per_year * np.log1p(-per_step)))


def step_of(dates: Sequence[dt.date], end: dt.date | None = None) -> str:
    """The step length (a key of :data:`STEPS_PER_YEAR`) of a run's step dates; one date is
    read against ``end``, the last day of the span.

    >>> step_of([dt.date(1962, 8, 1), dt.date(1962, 8, 8)])
    'week'
    """
    if len(dates) >= 2:
        days = float(np.median(np.diff(np.array(dates, dtype="datetime64[D]")).astype(float)))
    elif dates and end is not None:
        days = (end - dates[0]).days + 1.0
    else:
        return "year"
    for name, shortest in (("year", 360), ("quarter", 89), ("month", 28), ("week", 7)):
        if days >= shortest:
            return name
    return "day"


def _layout(actors: tuple[str, ...], metrics: tuple[tuple[str, str], ...]) -> Layout:
    """The layout of ``actors`` with exactly these (name, scope) metrics, from the metric
    table (how a :class:`Layout` is unpickled: its metrics hold functions)."""
    names = list(dict.fromkeys(name for name, _ in metrics))
    layout = Layout.build(actors, restraint=True, metrics=names)
    if tuple((m.name, m.scope) for m in layout.metrics) != metrics:
        raise ValueError(f"cannot rebuild a layout with metrics {metrics} from the metric table")
    return layout


def _reduce_layout(layout: Layout) -> tuple[Any, ...]:
    return _layout, (layout.actors, tuple((m.name, m.scope) for m in layout.metrics))


copyreg.pickle(Layout, _reduce_layout)

SeriesForm = Literal["all", "final", "none"]
"""Which steps :meth:`Result.to_json` writes: every step, the last one, or none."""


def _rebuild(fields: dict[str, Any]) -> Result:
    return Result(**fields)


@dataclass(frozen=True, eq=False, repr=False)
class Result:
    """What :func:`~security_dilemma.engine.simulate` returns. Immutable.

    ``means`` has shape (steps, cells) and ``quantiles`` (3, steps, cells) for the 5%, 50% and
    95% quantiles; ``layout`` says which (metric, actor, counterpart) each cell is.
    ``replicate_values`` (steps, cells, replicates) is kept only with ``keep_replicates``.

    >>> from security_dilemma.engine import simulate
    >>> r = simulate("cuban-missile-crisis", lens="realism", replicates=4, seed=1)
    >>> print(repr(r).partition(", steps")[0])
    Result(case='cuban-missile-crisis', lens='realism', replicates=4, seed=1
    >>> len(repr(r)) < 200
    True
    """

    case_id: str
    title: str
    lens: str
    lenses: tuple[str, ...]
    actors: tuple[str, ...]
    dates: tuple[dt.date, ...]
    span_end: dt.date
    replicates: int
    seed: int
    first_replicate: int
    layout: Layout
    means: npt.NDArray[np.float64]
    quantiles: npt.NDArray[np.float64]
    quantile_method: str
    restraint: bool
    observables: Mapping[str, float]
    observed: Mapping[str, Mapping[str, Any]]
    events: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    replicate_values: npt.NDArray[np.float32] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for array in (self.means, self.quantiles, self.replicate_values):
            if array is not None:
                array.flags.writeable = False

    @property
    def steps(self) -> int:
        """Number of steps."""
        return len(self.dates)

    @property
    def step(self) -> str:
        """Length of one step: year, quarter, month, week or day."""
        return step_of(self.dates, self.span_end)

    @property
    def steps_per_year(self) -> float:
        """Steps in a year (52.18 for weekly steps): converts rates per step to yearly ones."""
        return STEPS_PER_YEAR[self.step]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by field (the layout by its metric names), read-only arrays again on load."""
        return _rebuild, ({f.name: getattr(self, f.name) for f in dataclasses.fields(self)},)

    def __repr__(self) -> str:
        start = self.dates[0].isoformat() if self.dates else "-"
        unit = {"day": "daily"}.get(self.step, f"{self.step}ly")
        return (
            f"Result(case={self.case_id!r}, lens={self.lens!r}, replicates={self.replicates}, "
            f"seed={self.seed}, steps={self.steps} {unit} from {start}, "
            f"actors={' '.join(self.actors)}, metrics={len(self.layout.metrics)})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: the run, and each actor's security at the first and last step."""
        rows = []
        for a in self.actors:
            try:
                first = self.value("security", a, step=0)
                last = self.value("security", a)
                low, high = (
                    self.value("security", a, stat="q05"),
                    self.value("security", a, stat="q95"),
                )
            except KeyError:
                continue
            rows.append(
                f"<tr><td>{html.escape(a)}</td><td>{html.escape(self.lenses[self.actors.index(a)])}"
                f"</td><td>{first:.3f}</td><td>{last:.3f}</td><td>{low:.3f} – {high:.3f}</td></tr>"
            )
        span = f"{self.dates[0]} to {self.dates[-1]}" if self.dates else ""
        table = (
            "<table><thead><tr><th>actor</th><th>lens</th><th>security, first step</th>"
            "<th>last step</th><th>last step, 5–95%</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
            if rows
            else "<p>(security was not recorded)</p>"
        )
        return (
            f"<div><p><b>{html.escape(self.title)}</b> ({html.escape(self.case_id)}): lens "
            f"<code>{html.escape(self.lens)}</code>, {self.replicates} replicates, seed "
            f"{self.seed}, {self.steps} {self.step}ly steps ({span}).</p>{table}</div>"
        )

    def _labels(self) -> tuple[list[str], list[str], list[str]]:
        names = [self.layout.metrics[k].name for k in self.layout.metric_index]
        actors = [SYSTEM if a < 0 else self.actors[a] for a in self.layout.actor_index]
        counterparts = ["" if c < 0 else self.actors[c] for c in self.layout.counterpart_index]
        return names, actors, counterparts

    def tidy(self) -> pd.DataFrame:
        """One row per step and value: lens, step, date, actor, counterpart, metric, mean, q05,
        q50, q95 (counterpart is '' for per-actor metrics; actor is '*' for the system)."""
        names, actors, counterparts = self._labels()
        steps, cells = self.means.shape
        frame = pd.DataFrame(
            {
                "lens": self.lens,
                "step": np.repeat(np.arange(steps), cells),
                "date": np.repeat(np.array(self.dates, dtype="datetime64[D]"), cells),
                "actor": np.tile(np.array(actors, dtype=object), steps),
                "counterpart": np.tile(np.array(counterparts, dtype=object), steps),
                "metric": np.tile(np.array(names, dtype=object), steps),
                "mean": self.means.ravel(),
                "q05": self.quantiles[0].ravel(),
                "q50": self.quantiles[1].ravel(),
                "q95": self.quantiles[2].ravel(),
            }
        )
        return frame

    def replicates_frame(self, final_only: bool = False) -> pd.DataFrame:
        """One row per replicate, step and value: replicate (global index), step, date, actor,
        counterpart, metric, value. Needs ``keep_replicates=True``."""
        from ..errors import BadInput, Problem

        values = self.replicate_values
        if values is None:
            raise BadInput(
                Problem("per-replicate values were not kept: run with keep_replicates=True")
            )
        names, actors, counterparts = self._labels()
        if final_only:
            values = values[-1:]
            steps = np.array([self.steps - 1])
        else:
            steps = np.arange(self.steps)
        values = np.moveaxis(values, -1, 0)
        r, t, c = values.shape
        reps = np.arange(self.first_replicate, self.first_replicate + r)
        dates = np.array(self.dates, dtype="datetime64[D]")[steps]
        return pd.DataFrame(
            {
                "replicate": np.repeat(reps, t * c),
                "step": np.tile(np.repeat(steps, c), r),
                "date": np.tile(np.repeat(dates, c), r),
                "actor": np.tile(np.array(actors, dtype=object), r * t),
                "counterpart": np.tile(np.array(counterparts, dtype=object), r * t),
                "metric": np.tile(np.array(names, dtype=object), r * t),
                "value": values.ravel().astype(np.float64),
            }
        )

    # --- xarray, files and plots
    def to_xarray(self) -> xr.Dataset:
        """The summaries with labelled dimensions: ``mean`` (metric, step, actor,
        counterpart) and ``quantiles`` (quantile, metric, step, actor, counterpart), with
        ``date`` along ``step``. A per-actor metric has counterpart ``""``, a system metric
        actor ``"*"``; cells a metric does not have are NaN.

        >>> from security_dilemma.engine import simulate
        >>> ds = simulate("cuban-missile-crisis", lens="realism", replicates=4).to_xarray()
        >>> ds["mean"].sel(metric="security", actor="RUS", counterpart="").dims
        ('step',)
        >>> float(ds["quantiles"].sel(quantile=0.5, metric="crisis_prob", actor="USA",
        ...                            counterpart="CUB", step=0)) >= 0
        True
        """
        import xarray as xr

        names, actors, counterparts = self._labels()
        metrics = list(dict.fromkeys(names))
        actor_axis = [*self.actors, SYSTEM]
        counterpart_axis = ["", *self.actors]
        index = (
            np.array([metrics.index(m) for m in names]),
            np.array([actor_axis.index(a) for a in actors]),
            np.array([counterpart_axis.index(c) for c in counterparts]),
        )
        shape = (len(metrics), self.steps, len(actor_axis), len(counterpart_axis))
        mean = np.full(shape, np.nan)
        mean[index[0], :, index[1], index[2]] = self.means.T
        quantiles = np.full((len(QUANTILES), *shape), np.nan)
        quantiles[:, index[0], :, index[1], index[2]] = np.moveaxis(self.quantiles, 2, 0)
        dims = ("metric", "step", "actor", "counterpart")
        return xr.Dataset(
            {"mean": (dims, mean), "quantiles": (("quantile", *dims), quantiles)},
            coords={
                "metric": metrics,
                "step": np.arange(self.steps),
                "date": ("step", np.array(self.dates, dtype="datetime64[ns]")),
                "actor": actor_axis,
                "counterpart": counterpart_axis,
                "quantile": list(QUANTILES),
            },
            attrs={
                "case": self.case_id,
                "lens": self.lens,
                "replicates": self.replicates,
                "seed": self.seed,
                "step_length": self.step,
            },
        )

    def save(self, path: str | Path) -> Path:
        """Write the result to a NetCDF file (``.nc``) that :meth:`load` reads back exactly.

        The summaries (and the per-replicate values, when kept) are arrays over labelled cells;
        everything else is in the file's attributes. Returns the path.
        """
        import xarray as xr

        target = Path(path)
        names, actors, counterparts = self._labels()
        scalars = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("layout", "means", "quantiles", "replicate_values")
        }
        meta = {
            **scalars,
            "lenses": list(self.lenses),
            "actors": list(self.actors),
            "dates": [d.isoformat() for d in self.dates],
            "span_end": self.span_end.isoformat(),
            "observables": dict(self.observables),
            "observed": {k: dict(v) for k, v in self.observed.items()},
            "events": [list(e) for e in self.events],
            "notes": list(self.notes),
            "metrics": [[m.name, m.scope] for m in self.layout.metrics],
        }
        data: dict[str, Any] = {
            "means": (("step", "cell"), self.means),
            "quantiles": (("quantile", "step", "cell"), self.quantiles),
        }
        if self.replicate_values is not None:
            data["replicate_values"] = (("step", "cell", "replicate"), self.replicate_values)
        ds = xr.Dataset(
            data,
            coords={
                "metric": ("cell", names),
                "actor": ("cell", actors),
                "counterpart": ("cell", counterparts),
                "quantile": list(QUANTILES),
            },
            attrs={"security_dilemma_result": json.dumps(meta, ensure_ascii=True)},
        )
        ds.to_netcdf(target, engine="scipy")
        return target

    @classmethod
    def load(cls, path: str | Path) -> Result:
        """Read a result written by :meth:`save`.

        >>> import tempfile, pathlib, numpy as np
        >>> from security_dilemma.engine import simulate
        >>> r = simulate("cuban-missile-crisis", lens="realism", replicates=4)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     back = Result.load(r.save(pathlib.Path(d) / "run.nc"))
        >>> np.array_equal(back.means, r.means), back.summary() == r.summary()
        (True, True)
        """
        import xarray as xr

        from ..errors import BadInput, Problem

        source = Path(path)
        if not source.is_file():
            raise BadInput(Problem(f"{source}: no such file", path="path"))
        try:
            with xr.open_dataset(source, engine="scipy") as ds:
                meta = json.loads(ds.attrs["security_dilemma_result"])
                means = np.array(ds["means"].values, dtype=np.float64)
                quantiles = np.array(ds["quantiles"].values, dtype=np.float64)
                kept = (
                    np.array(ds["replicate_values"].values, dtype=np.float32)
                    if "replicate_values" in ds
                    else None
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadInput(
                Problem(f"{source}: not a result saved by Result.save ({exc})", path="path")
            ) from None
        actors = tuple(meta.pop("actors"))
        layout = _layout(actors, tuple((m, s) for m, s in meta.pop("metrics")))
        return cls(
            **{
                **meta,
                "lenses": tuple(meta["lenses"]),
                "actors": actors,
                "dates": tuple(dt.date.fromisoformat(d) for d in meta["dates"]),
                "span_end": dt.date.fromisoformat(meta["span_end"]),
                "events": tuple(tuple(e) for e in meta["events"]),
                "notes": tuple(meta["notes"]),
                "layout": layout,
                "means": means,
                "quantiles": quantiles,
                "replicate_values": kept,
            }
        )

    def plot(
        self,
        metric: str,
        actors: Sequence[str] | None = None,
        *,
        counterpart: str = "",
        band: bool = True,
        ax: Axes | None = None,
    ) -> Axes:
        """Draw a metric over the steps: the mean per actor (``actors``, default all; a
        system metric has one line) and its 5-95% band; ``counterpart`` picks a dyad's other
        side. Returns the matplotlib Axes (a new figure's unless ``ax`` is given).

        >>> from security_dilemma.engine import simulate
        >>> r = simulate("cuban-missile-crisis", lens="realism", replicates=4)
        >>> ax = r.plot("security", actors=["USA", "RUS"])
        >>> [line.get_label() for line in ax.get_lines()]
        ['USA', 'RUS']
        >>> import matplotlib.pyplot as plt; plt.close("all")
        """
        import matplotlib.pyplot as plt

        from ..errors import BadInput, Problem, did_you_mean

        known = {m.name: m for m in self.layout.metrics}
        if metric not in known:
            raise BadInput(
                Problem(f"unknown metric '{metric}'{did_you_mean(metric, known)}", path="metric")
            )
        system = all(m.scope == "system" for m in self.layout.metrics if m.name == metric)
        who = [SYSTEM] if system else list(actors or self.actors)
        unknown = [a for a in who if a != SYSTEM and a not in self.actors]
        if unknown:
            raise BadInput(
                [
                    Problem(f"unknown actor '{a}'{did_you_mean(a, self.actors)}", path="actors")
                    for a in unknown
                ]
            )
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        for a in who:
            if counterpart == a:
                continue
            frame = self.series(metric, a, counterpart)
            label = "system" if a == SYSTEM else (f"{a}-{counterpart}" if counterpart else a)
            (line,) = ax.plot(frame.index, frame["mean"], label=label)
            if band:
                ax.fill_between(
                    frame.index, frame["q05"], frame["q95"], color=line.get_color(), alpha=0.2
                )
        ax.set_title(f"{self.title}: {metric} ({self.lens}, {self.replicates} replicates)")
        ax.set_ylabel(f"{metric} (mean, 5-95% band)" if band else f"{metric} (mean)")
        ax.legend(loc="best", fontsize="small")
        return ax

    # --- look-ups
    def value(
        self,
        metric: str,
        actor: str = SYSTEM,
        counterpart: str = "",
        *,
        step: int = -1,
        stat: str = "mean",
    ) -> float:
        """One summary number, e.g. ``result.value("security", "RUS", step=-1)``."""
        a = -1 if actor == SYSTEM else self.actors.index(actor)
        c = self.actors.index(counterpart) if counterpart else -1
        cell = self.layout.find(metric, a, c)
        t = step % self.steps
        if stat == "mean":
            return float(self.means[t, cell])
        k = {"q05": 0, "q50": 1, "q95": 2}[stat]
        return float(self.quantiles[k, t, cell])

    def series(self, metric: str, actor: str = SYSTEM, counterpart: str = "") -> pd.DataFrame:
        """Mean and quantiles of one value over the steps, indexed by date."""
        a = -1 if actor == SYSTEM else self.actors.index(actor)
        c = self.actors.index(counterpart) if counterpart else -1
        cell = self.layout.find(metric, a, c)
        return pd.DataFrame(
            {
                "mean": self.means[:, cell],
                "q05": self.quantiles[0, :, cell],
                "q50": self.quantiles[1, :, cell],
                "q95": self.quantiles[2, :, cell],
            },
            index=pd.Index(np.array(self.dates, dtype="datetime64[D]"), name="date"),
        )

    # --- digests
    def _maybe(self, metric: str, actor: str = SYSTEM, *, step: int = -1) -> float | None:
        try:
            return self.value(metric, actor, step=step)
        except KeyError:  # the metric was not recorded (simulate(metrics=...))
            return None

    def summary(self) -> dict[str, Any]:
        """A digest of the last step: who arms, who ends less secure, the dilemma measures.

        ``crisis_risk`` is the mean over the steps of the probability of at least one crisis
        in a step (per week in a weekly case); ``crisis_risk_yearly`` the same rate over a
        year. Values are None for metrics the run did not record.
        """
        last = self.steps - 1
        per_actor = {}
        for a in self.actors:
            risks = [self._maybe("crisis_risk", a, step=t) for t in range(self.steps)]
            crisis = None if None in risks else float(np.mean(risks))  # type: ignore[arg-type]
            per_actor[a] = {
                "lens": self.lenses[self.actors.index(a)],
                "armed": self._maybe("armed", a),
                "effort": self._maybe("effort", a),
                "security_start": self._maybe("security", a, step=0),
                "security_end": self._maybe("security", a),
                "less_secure": self._maybe("less_secure", a),
                "harm_done": self._maybe("harm_done", a),
                "self_defeat": self._maybe("self_defeat", a),
                "no_adequate_policy": self._maybe("no_adequate_policy", a),
                "belief_entropy": self._maybe("belief_entropy", a),
                "misperception": self._maybe("misperception", a),
                "crisis_risk": crisis,
                "crisis_risk_yearly": None
                if crisis is None
                else yearly_rate(crisis, self.steps_per_year),
            }
        worlds = []
        for t in (0, last):
            o, d = (
                self._maybe("offence_dominance", step=t),
                self._maybe("distinguishability", step=t),
            )
            number, description = jervis_world(o, d) if o is not None and d is not None else (0, "")
            worlds.append({"number": number, "description": description})
        mean_identity = self._maybe("mean_identity", step=last)
        return {
            "jervis_world": worlds[1],
            "jervis_world_start": worlds[0],
            "culture": culture(mean_identity) if mean_identity is not None else None,
            "mean_identity": mean_identity,
            "self_defeat_all": self._maybe("self_defeat_all", step=last),
            "actors": per_actor,
        }

    def to_json(
        self, series: SeriesForm = "all", metrics: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """JSON-ready data; keys documented in docs/engine.md ("The JSON of a run").

        ``series``: the steps written under ``steps``: ``all``, ``final`` (the last one only,
        about 1/steps of the size) or ``none``; ``metrics``: only these metrics under ``steps``
        and ``metrics`` (default: every metric recorded). The summary is always whole.
        """
        if series not in ("all", "final", "none"):
            from ..errors import BadInput, Problem

            raise BadInput(Problem(f"series is all, final or none (got {series!r})", path="series"))
        names, actors, counterparts = self._labels()
        stats = ("mean", "q05", "q50", "q95")
        steps_out = []
        chosen = {"all": range(self.steps), "final": range(self.steps - 1, self.steps)}
        for t in chosen.get(series, range(0)):
            system: dict[str, Any] = {}
            per_actor: dict[str, dict[str, Any]] = {a: {} for a in self.actors}
            dyads: dict[str, dict[str, dict[str, Any]]] = {a: {} for a in self.actors}
            for cell, (m, a, c) in enumerate(zip(names, actors, counterparts, strict=True)):
                if metrics is not None and m not in metrics:
                    continue
                numbers = (
                    self.means[t, cell],
                    self.quantiles[0, t, cell],
                    self.quantiles[1, t, cell],
                    self.quantiles[2, t, cell],
                )
                entry = {s: _round(x) for s, x in zip(stats, numbers, strict=True)}
                if a == SYSTEM:
                    system[m] = entry
                elif c:
                    dyads[a].setdefault(c, {})[m] = entry
                else:
                    per_actor[a][m] = entry
            steps_out.append(
                {
                    "step": t,
                    "date": self.dates[t].isoformat(),
                    "events": list(self.events[t]),
                    "system": system,
                    "actors": per_actor,
                    "dyads": dyads,
                }
            )
        return {
            "case": self.case_id,
            "title": self.title,
            "lens": self.lens,
            "lenses": dict(zip(self.actors, self.lenses, strict=True)),
            "actors": list(self.actors),
            "dates": [d.isoformat() for d in self.dates],
            "step": self.step,
            "steps_per_year": self.steps_per_year,
            "series": series,
            "replicates": self.replicates,
            "seed": self.seed,
            "first_replicate": self.first_replicate,
            "quantiles": list(QUANTILES),
            "quantile_method": self.quantile_method,
            "restraint": self.restraint,
            "metrics": [
                {
                    "name": m.name,
                    "scope": m.scope,
                    "description": m.description,
                    "restraint": m.restraint,
                }
                for m in self.layout.metrics
                if metrics is None or m.name in metrics
            ],
            "summary": self.summary(),
            "observables": {
                k: {**self.observed[k], "predicted": v} for k, v in self.observables.items()
            },
            "notes": list(self.notes),
            "steps": steps_out,
        }


def _round(x: float) -> float | None:
    value = float(x)
    return round(value, 6) if np.isfinite(value) else None
