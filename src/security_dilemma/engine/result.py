"""The result of a run: summaries per step and cell, tidy frames, and JSON (docs/engine.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .measures import SYSTEM, Layout, culture, jervis_world
from .summary import QUANTILES

__all__ = ["Result"]


@dataclass(frozen=True, eq=False)
class Result:
    """What :func:`~security_dilemma.engine.simulate` returns. Immutable.

    ``means`` has shape (steps, cells) and ``quantiles`` (3, steps, cells) for the 5%, 50% and
    95% quantiles; ``layout`` says which (metric, actor, counterpart) each cell is.
    ``replicate_values`` (steps, cells, replicates) is kept only with ``keep_replicates``.
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

        Values are None for metrics the run did not record.
        """
        last = self.steps - 1
        per_actor = {}
        for a in self.actors:
            risks = [self._maybe("crisis_risk", a, step=t) for t in range(self.steps)]
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
                "crisis_risk": None if None in risks else float(np.mean(risks)),  # type: ignore[arg-type]
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

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data; keys documented in docs/engine.md ("The JSON of a run")."""
        names, actors, counterparts = self._labels()
        stats = ("mean", "q05", "q50", "q95")
        steps_out = []
        for t in range(self.steps):
            system: dict[str, Any] = {}
            per_actor: dict[str, dict[str, Any]] = {a: {} for a in self.actors}
            dyads: dict[str, dict[str, dict[str, Any]]] = {a: {} for a in self.actors}
            for cell, (m, a, c) in enumerate(zip(names, actors, counterparts, strict=True)):
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
