"""What a case's dated moves did: the case as recorded against a counterfactual world, paired.

:func:`compare` runs the case as recorded (the *factual* run) and a counterfactual world
(:func:`security_dilemma.whatif.worlds.apply_counterfactual`) under each lens, with
the same seed and replicates. Replicate ``r`` of any run draws all its randomness from
``SeedSequence(seed, spawn_key=(r,))`` and a fixed number of draws per step that depends only
on the number of actors (:mod:`security_dilemma.engine.draws`); a counterfactual keeps the
actors and the span, so replicate ``r`` of the counterfactual world meets the same types, the
same shocks, the same observation errors and the same crisis draws as replicate ``r`` of the
case as recorded (common random numbers). The paired difference

    d_r = value_r(as recorded) - value_r(counterfactual world)

is then the effect of what the counterfactual takes out, replicate by replicate, free of the
sampling noise that two independent ensembles would add. For each lens, actor and step it
reports, for security, military effort, perceived threat, crisis risk and the crisis
probability with the actor's main adversaries:

* ``mean``: the mean paired difference;
* ``low``, ``high``: the 5% and 95% quantiles of the paired differences across replicates
  (numpy's linear interpolation): the spread of the effect among the replicates;
* ``ci_low``, ``ci_high``: a 90% percentile-bootstrap interval of the mean (replicates
  resampled with replacement, ``resamples`` times, one set of resamples for every value);
* ``p_below``, ``p_above``: the share of replicates with d_r below ``-tolerance`` or above
  ``tolerance`` (for security, ``p_below`` is P(less secure with the moves than without));
* ``factual``, ``counterfactual``: the mean values of the two runs.

>>> from security_dilemma.whatif import compare
>>> cmp = compare("bmd-europe", "no-missile-defence", lens="realism", replicates=20, seed=1)
>>> cmp.lenses, cmp.replicates
(('realism',), 20)
>>> row = cmp.effect("realism", "RUS", "security")
>>> row["ci_low"] <= row["mean"] <= row["ci_high"]
True
>>> cmp.verdict("realism", "RUS") in VERDICTS
True
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import BadInput, Problem
from ..scenario import load_case
from ..scenario.schema import Case, Counterfactual
from .worlds import Changes, apply_counterfactual, counterfactual_changes

if TYPE_CHECKING:
    from ..engine import Result

__all__ = [
    "ACTOR_METRICS",
    "BOOTSTRAP_STREAM",
    "CASE_LENSES",
    "DYAD_METRICS",
    "LEVEL",
    "RESAMPLES",
    "STATS",
    "TOLERANCE",
    "VERDICTS",
    "CounterfactualComparison",
    "bootstrap_rng",
    "compare",
    "compare_all",
    "factual_runs",
    "paired_stats",
]

ACTOR_METRICS = ("security", "effort", "threat", "crisis_risk")
"""Per-actor values compared: perceived security, military effort (index), total perceived
threat and the probability of at least one crisis in the period."""
DYAD_METRICS = ("crisis_prob",)
"""Per-dyad values compared, for each actor's main adversaries."""
LEVEL = 0.9
"""Coverage of the intervals: 5% and 95% quantiles."""
RESAMPLES = 1000
"""Bootstrap resamples of the replicates for the interval of the mean."""
TOLERANCE = 1e-5
"""Paired differences within this of zero count as no difference (the engine's state is
single precision, about 1e-7 relative)."""
BOOTSTRAP_STREAM = 0xB007
"""Part of the bootstrap's seed (:func:`bootstrap_rng`), apart from the replicates' own
streams."""
CASE_LENSES = "case"
"""The lens label for runs where each actor decides by its case's lens."""
STATS = (
    "factual",
    "counterfactual",
    "mean",
    "low",
    "high",
    "ci_low",
    "ci_high",
    "p_below",
    "p_above",
)
"""The statistics of each value, in the tidy frame's column order."""
VERDICTS = ("less secure", "more secure", "no clear change", "unaffected")
"""Answers to "did it leave the actor less secure?": the 90% interval of the mean paired
difference in security is below zero, above zero, or contains it; or every replicate is
within the tolerance of zero."""

Array = npt.NDArray[np.float64]


def paired_stats(
    factual: npt.ArrayLike,
    counterfactual: npt.ArrayLike,
    *,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    rng: np.random.Generator | int = 0,
    tolerance: float = TOLERANCE,
) -> dict[str, Array]:
    """Statistics of the paired differences ``factual - counterfactual`` along the last axis
    (the replicates): see the module docstring. Every value gets the same bootstrap
    resamples; the interval of the mean is widened to contain the mean when rounding puts
    it just outside (a constant difference).

    >>> s = paired_stats([[3.0, 4.0, 6.0, 7.0]], [[1.0, 2.0, 3.0, 4.0]], resamples=200)
    >>> float(s["mean"][0]), float(s["low"][0]), float(s["high"][0]), float(s["p_above"][0])
    (2.5, 2.0, 3.0, 1.0)
    """
    f = np.asarray(factual, dtype=np.float64)
    c = np.asarray(counterfactual, dtype=np.float64)
    if f.shape != c.shape or f.ndim == 0 or f.shape[-1] < 1:
        raise ValueError(f"need paired arrays with replicates last (got {f.shape}, {c.shape})")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1) (got {level})")
    d = f - c
    r = d.shape[-1]
    tail = (1.0 - level) / 2.0
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    counts = generator.multinomial(r, np.full(r, 1.0 / r), size=max(1, resamples))
    flat = d.reshape(-1, r)
    boot = (flat @ counts.T.astype(np.float64)) / r
    ci = np.quantile(boot, [tail, 1.0 - tail], axis=-1).reshape(2, *d.shape[:-1])
    spread = np.quantile(d, [tail, 1.0 - tail], axis=-1)
    return {
        "factual": f.mean(axis=-1),
        "counterfactual": c.mean(axis=-1),
        "mean": d.mean(axis=-1),
        "low": spread[0],
        "high": spread[1],
        "ci_low": np.minimum(ci[0], d.mean(axis=-1)),
        "ci_high": np.maximum(ci[1], d.mean(axis=-1)),
        "p_below": (d < -tolerance).mean(axis=-1),
        "p_above": (d > tolerance).mean(axis=-1),
    }


def _lens_list(lens: str | Sequence[str] | None) -> list[str]:
    if lens is None:
        return [CASE_LENSES]
    if isinstance(lens, str):
        return [lens]
    out = list(dict.fromkeys(lens))
    if not out:
        raise BadInput(Problem("give at least one lens", path="lens"))
    return out


def _comparable(case: Case) -> Case:
    """The case without its coded record: the runs then record only what is compared (the
    observables are read from a run, never acted on, so the dynamics are the same)."""
    return case.model_copy(update={"observables": []})


def _run(
    case: Case,
    label: str,
    *,
    replicates: int,
    seed: int,
    max_memory: int | str | None,
    progress: Callable[[int], None] | None,
) -> Result:
    from ..engine import simulate

    return simulate(
        _comparable(case),
        lens=None if label == CASE_LENSES else label,
        replicates=replicates,
        seed=seed,
        max_memory=max_memory,
        keep_replicates=True,
        restraint=False,
        metrics=[*ACTOR_METRICS, *DYAD_METRICS],
        progress=progress,
    )


def factual_runs(
    case: Case | str | Path,
    lens: str | Sequence[str] | None = None,
    *,
    replicates: int = 200,
    seed: int = 0,
    max_memory: int | str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Result]:
    """The case as recorded, one run per lens, keeping every replicate's values: the runs
    that :func:`compare` pairs counterfactual worlds with (reuse them for several worlds)."""
    c = load_case(case)
    return {
        label: _run(
            c,
            label,
            replicates=replicates,
            seed=seed,
            max_memory=max_memory,
            progress=_offset(progress, k * replicates),
        )
        for k, label in enumerate(_lens_list(lens))
    }


def _offset(progress: Callable[[int], None] | None, base: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda n: progress(base + n)


def _check_pair(factual: Result, world: Result) -> None:
    """The two runs must be twins: same actors, steps, replicates and random streams."""
    from ..engine import uniforms_per_step

    same = (
        factual.actors == world.actors
        and factual.dates == world.dates
        and factual.replicates == world.replicates
        and factual.seed == world.seed
        and factual.first_replicate == world.first_replicate
        and factual.lenses == world.lenses
        and uniforms_per_step(len(factual.actors)) == uniforms_per_step(len(world.actors))
    )
    if not same:
        raise ValueError(
            "the factual and counterfactual runs are not paired (actors, steps, replicates, "
            "seed or lenses differ): common random numbers need twins"
        )
    if factual.replicate_values is None or world.replicate_values is None:
        raise ValueError("paired differences need keep_replicates=True in both runs")


@dataclass(frozen=True, eq=False)
class CounterfactualComparison:
    """The case as recorded against one counterfactual world, per lens (immutable).

    ``frame`` is tidy: one row per lens, actor, counterpart ('' for per-actor values), metric
    and step, with the date and the :data:`STATS` columns. ``adversaries[lens][actor]`` are
    the counterparts whose crisis probability is compared (the actor's main adversaries in
    the case as recorded). ``span`` has the same statistics of each replicate's difference
    averaged over all the steps (no step or date column): the effect over the whole span.
    """

    case_id: str
    changes: Changes
    lenses: tuple[str, ...]
    actors: tuple[str, ...]
    dates: tuple[dt.date, ...]
    replicates: int
    seed: int
    level: float
    resamples: int
    tolerance: float
    frame: pd.DataFrame = field(repr=False)
    span: pd.DataFrame = field(repr=False)
    adversaries: Mapping[str, Mapping[str, tuple[str, ...]]] = field(repr=False)

    @property
    def id(self) -> str:
        """The counterfactual's id."""
        return self.changes.id

    def final(self) -> pd.DataFrame:
        """The rows of the last step."""
        frame = self.frame
        return frame[frame["step"] == len(self.dates) - 1].reset_index(drop=True)

    @cached_property
    def _index(self) -> dict[tuple[str, str, str, str], tuple[Array, Array]]:
        """(lens, actor, counterpart, metric) -> (statistics per step, span statistics)."""
        steps = len(self.dates)
        keys = ["lens", "actor", "counterpart", "metric"]
        per_step = self.frame.sort_values([*keys, "step"], kind="stable")
        values = per_step[list(STATS)].to_numpy(dtype=np.float64).reshape(-1, steps, len(STATS))
        labels = per_step[keys].to_numpy()[::steps]
        span = {
            tuple(str(x) for x in k): v
            for k, v in zip(
                self.span[keys].to_numpy(),
                self.span[list(STATS)].to_numpy(dtype=np.float64),
                strict=True,
            )
        }
        return {
            (str(a), str(b), str(c), str(d)): (v, span[(str(a), str(b), str(c), str(d))])
            for (a, b, c, d), v in zip(labels, values, strict=True)
        }

    def effect(
        self,
        lens: str,
        actor: str,
        metric: str = "security",
        counterpart: str = "",
        step: int | None = -1,
    ) -> dict[str, float]:
        """The statistics of one value at one step (default: the last; None: averaged over
        the span)."""
        key = (lens, actor, counterpart, metric)
        if key not in self._index:
            raise KeyError(key)
        per_step, span = self._index[key]
        row = span if step is None else per_step[step % len(self.dates)]
        return dict(zip(STATS, (float(x) for x in row), strict=True))

    def series(self, lens: str, actor: str, metric: str = "security") -> pd.DataFrame:
        """One value's statistics over the steps, indexed by date."""
        f = self.frame
        rows = f[
            (f["lens"] == lens)
            & (f["actor"] == actor)
            & (f["metric"] == metric)
            & (f["counterpart"] == "")
        ]
        return rows.set_index("date")[list(STATS)]

    def verdict(self, lens: str, actor: str, step: int | None = -1) -> str:
        """Did the moves the world takes out leave ``actor`` less secure at the last step
        (or at ``step``; None: on average over the span)? One of :data:`VERDICTS`."""
        return verdict(self.effect(lens, actor, "security", step=step))

    def answer(self, lens: str, actor: str, step: int | None = -1) -> str:
        """The verdict in words, with the numbers."""
        e = self.effect(lens, actor, "security", step=step)
        v = verdict(e)
        if v == "unaffected":
            return f"{actor}: unaffected (no replicate differs)"
        numbers = (
            f"Δ {e['mean']:+.4f}, 90% CI {e['ci_low']:+.4f} to {e['ci_high']:+.4f}; "
            f"less secure in {e['p_below']:.0%} of replicates"
        )
        words = {
            "less secure": "yes, less secure",
            "more secure": "no, more secure",
            "no clear change": "no clear change",
        }[v]
        return f"{actor}: {words} ({numbers})"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: see docs/whatif.md ("The JSON document")."""
        effects: dict[str, dict[str, Any]] = {}
        series: dict[str, dict[str, Any]] = {}
        index = self._index
        for lens in self.lenses:
            effects[lens] = {}
            series[lens] = {}
            for actor in self.actors:
                mine = [k for k in index if k[0] == lens and k[1] == actor]
                final: dict[str, Any] = {"crisis_prob": {}}
                span: dict[str, Any] = {"crisis_prob": {}}
                per_step: dict[str, Any] = {}
                for key in mine:
                    _, _, counterpart, metric = key
                    steps, over = index[key]
                    last = {s: _round(x) for s, x in zip(STATS, steps[-1], strict=True)}
                    mean = {s: _round(x) for s, x in zip(STATS, over, strict=True)}
                    if counterpart:
                        final["crisis_prob"][counterpart] = last
                        span["crisis_prob"][counterpart] = mean
                    else:
                        final[metric] = last
                        span[metric] = mean
                        per_step[metric] = {
                            s: [_round(x) for x in steps[:, STATS.index(s)]]
                            for s in ("mean", "low", "high", "ci_low", "ci_high")
                        }
                final["p_less_secure"] = final["security"]["p_below"]
                final["verdict"] = self.verdict(lens, actor)
                final["span"] = span
                final["span_verdict"] = self.verdict(lens, actor, step=None)
                effects[lens][actor] = final
                series[lens][actor] = per_step
        return {
            "counterfactual": self.changes.to_json(),
            "lenses": list(self.lenses),
            "actors": list(self.actors),
            "dates": [d.isoformat() for d in self.dates],
            "replicates": self.replicates,
            "seed": self.seed,
            "level": self.level,
            "resamples": self.resamples,
            "tolerance": self.tolerance,
            "adversaries": {
                lens: {a: list(v) for a, v in per.items()} for lens, per in self.adversaries.items()
            },
            "effects": effects,
            "series": series,
        }


def verdict(security: Mapping[str, float]) -> str:
    """One of :data:`VERDICTS` from the statistics of the security difference."""
    if security["p_below"] == 0 and security["p_above"] == 0:
        return "unaffected"
    if security["ci_high"] < 0:
        return "less secure"
    if security["ci_low"] > 0:
        return "more secure"
    return "no clear change"


def _round(x: Any) -> float | None:
    value = float(x)
    return round(value, 7) if np.isfinite(value) else None


def _adversaries(result: Result, count: int) -> dict[str, tuple[str, ...]]:
    """Each actor's ``count`` counterparts with the highest mean crisis probability over the
    run (positive only), highest first."""
    out: dict[str, tuple[str, ...]] = {}
    for i, a in enumerate(result.actors):
        scores = []
        for j, b in enumerate(result.actors):
            if i == j:
                continue
            cell = result.layout.find("crisis_prob", i, j)
            scores.append((float(result.means[:, cell].mean()), j, b))
        scores.sort(key=lambda x: (-x[0], x[1]))
        out[a] = tuple(b for p, _, b in scores[:count] if p > 0)
    return out


def bootstrap_rng(seed: int, lens: str, part: int) -> np.random.Generator:
    """The bootstrap's generator for one lens (``part`` 0: per step, 1: span averages):
    ``default_rng([seed, BOOTSTRAP_STREAM, crc32(lens), part])``, so a lens's intervals do not
    depend on which other lenses are compared."""
    return np.random.default_rng([seed, BOOTSTRAP_STREAM, zlib.crc32(lens.encode()), part])


def _pair_frame(
    label: str,
    factual: Result,
    world: Result,
    adversaries: Mapping[str, tuple[str, ...]],
    *,
    level: float,
    resamples: int,
    seed: int,
    tolerance: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy frame per step and the frame of span means of one lens's pair of runs."""
    _check_pair(factual, world)
    assert factual.replicate_values is not None and world.replicate_values is not None
    actors = factual.actors
    keys: list[tuple[str, str, str]] = []
    cells: list[int] = []
    for i, a in enumerate(actors):
        for metric in ACTOR_METRICS:
            keys.append((a, "", metric))
            cells.append(factual.layout.find(metric, i, -1))
        for b in adversaries[a]:
            for metric in DYAD_METRICS:
                keys.append((a, b, metric))
                cells.append(factual.layout.find(metric, i, actors.index(b)))
    # (steps, cells, replicates) -> (cells, steps, replicates)
    f = np.moveaxis(factual.replicate_values[:, cells, :], 1, 0)
    c = np.moveaxis(world.replicate_values[:, cells, :], 1, 0)
    stats = paired_stats(
        f,
        c,
        level=level,
        resamples=resamples,
        rng=bootstrap_rng(seed, label, 0),
        tolerance=tolerance,
    )
    span = paired_stats(
        f.mean(axis=1, dtype=np.float64),  # a span of float32 steps, summed in float64
        c.mean(axis=1, dtype=np.float64),
        level=level,
        resamples=resamples,
        rng=bootstrap_rng(seed, label, 1),
        tolerance=tolerance,
    )
    steps = len(factual.dates)
    k = len(keys)
    frame = pd.DataFrame(
        {
            "lens": label,
            "actor": np.repeat([a for a, _, _ in keys], steps),
            "counterpart": np.repeat([b for _, b, _ in keys], steps),
            "metric": np.repeat([m for _, _, m in keys], steps),
            "step": np.tile(np.arange(steps), k),
            "date": np.tile(np.array(factual.dates, dtype="datetime64[D]"), k),
            **{s: stats[s].ravel() for s in STATS},
        }
    )
    overall = pd.DataFrame(
        {
            "lens": label,
            "actor": [a for a, _, _ in keys],
            "counterpart": [b for _, b, _ in keys],
            "metric": [m for _, _, m in keys],
            **{s: span[s] for s in STATS},
        }
    )
    return frame, overall


def compare(
    case: Case | str | Path,
    counterfactual: Counterfactual | str,
    *,
    lens: str | Sequence[str] | None = None,
    replicates: int = 200,
    seed: int = 0,
    max_memory: int | str | None = None,
    factual: Mapping[str, Result] | None = None,
    adversaries: int = 2,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    tolerance: float = TOLERANCE,
    progress: Callable[[int], None] | None = None,
) -> CounterfactualComparison:
    """The case as recorded against the world ``counterfactual`` describes (an id from the
    case's ``counterfactuals`` or a :class:`Counterfactual`), per lens, paired replicate by
    replicate (see the module docstring).

    * ``lens``: a lens name, ``"case"`` or None (each actor's lens from the case), or a list;
    * ``factual``: runs of the case as recorded from :func:`factual_runs` with the same
      lenses, replicates and seed, to reuse across several worlds;
    * ``adversaries``: how many main adversaries per actor get their crisis probability
      compared;
    * ``progress(n)``: called with the number of replicates simulated so far.
    """
    c = load_case(case)
    labels = _lens_list(lens)
    _check_settings(replicates, seed, adversaries, level, resamples, tolerance)
    world_case = apply_counterfactual(c, counterfactual)
    changes = counterfactual_changes(c, counterfactual)
    done = 0

    def advance(n: int) -> None:
        if progress is not None:
            progress(done + n)

    runs = dict(factual) if factual is not None else {}
    frames: list[pd.DataFrame] = []
    spans: list[pd.DataFrame] = []
    picked: dict[str, dict[str, tuple[str, ...]]] = {}
    for label in labels:
        f = runs.get(label)
        if f is None:
            f = _run(
                c, label, replicates=replicates, seed=seed, max_memory=max_memory, progress=advance
            )
            done += replicates
            runs[label] = f
        elif f.replicates != replicates or f.seed != seed:
            raise BadInput(
                Problem(
                    f"the factual run of lens '{label}' has {f.replicates} replicates and seed "
                    f"{f.seed}, not {replicates} and {seed}",
                    path="factual",
                )
            )
        w = _run(
            world_case,
            label,
            replicates=replicates,
            seed=seed,
            max_memory=max_memory,
            progress=advance,
        )
        done += replicates
        picked[label] = _adversaries(f, adversaries)
        per_step, over_span = _pair_frame(
            label,
            f,
            w,
            picked[label],
            level=level,
            resamples=resamples,
            seed=seed,
            tolerance=tolerance,
        )
        frames.append(per_step)
        spans.append(over_span)
    dates = tuple(runs[labels[0]].dates)
    return CounterfactualComparison(
        case_id=c.id,
        changes=changes,
        lenses=tuple(labels),
        actors=tuple(c.actor_ids()),
        dates=dates,
        replicates=replicates,
        seed=seed,
        level=level,
        resamples=resamples,
        tolerance=tolerance,
        frame=pd.concat(frames, ignore_index=True),
        span=pd.concat(spans, ignore_index=True),
        adversaries=picked,
    )


def _check_settings(
    replicates: int, seed: int, adversaries: int, level: float, resamples: int, tolerance: float
) -> None:
    problems = []
    if not isinstance(replicates, int) or replicates < 2:
        problems.append(
            Problem(f"replicates must be an integer >= 2 (got {replicates!r})", path="replicates")
        )
    if not isinstance(seed, int) or seed < 0:
        problems.append(Problem(f"seed must be a non-negative integer (got {seed!r})", path="seed"))
    if not isinstance(adversaries, int) or adversaries < 0:
        problems.append(
            Problem(f"adversaries must be >= 0 (got {adversaries!r})", path="adversaries")
        )
    if not 0 < level < 1:
        problems.append(Problem(f"level must be in (0, 1) (got {level!r})", path="level"))
    if not isinstance(resamples, int) or resamples < 1:
        problems.append(Problem(f"resamples must be >= 1 (got {resamples!r})", path="resamples"))
    if not tolerance >= 0:
        problems.append(Problem(f"tolerance must be >= 0 (got {tolerance!r})", path="tolerance"))
    if problems:
        raise BadInput(problems)


def compare_all(
    case: Case | str | Path,
    counterfactuals: Sequence[Counterfactual | str] | None = None,
    *,
    lens: str | Sequence[str] | None = None,
    replicates: int = 200,
    seed: int = 0,
    max_memory: int | str | None = None,
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> list[CounterfactualComparison]:
    """:func:`compare` for several worlds (default: every one the case lists), running the
    case as recorded once per lens. ``progress(n)`` counts replicates simulated."""
    c = load_case(case)
    worlds = list(counterfactuals) if counterfactuals is not None else list(c.counterfactuals)
    labels = _lens_list(lens)
    _check_settings(
        replicates,
        seed,
        options.get("adversaries", 2),
        options.get("level", LEVEL),
        options.get("resamples", RESAMPLES),
        options.get("tolerance", TOLERANCE),
    )
    for world in worlds:  # every bad id before any simulation
        apply_counterfactual(c, world)
    runs = factual_runs(
        c, labels, replicates=replicates, seed=seed, max_memory=max_memory, progress=progress
    )
    base = replicates * len(labels)
    out = []
    for k, world in enumerate(worlds):
        out.append(
            compare(
                c,
                world,
                lens=labels,
                replicates=replicates,
                seed=seed,
                max_memory=max_memory,
                factual=runs,
                progress=_offset(progress, base * (k + 1)),
                **options,
            )
        )
    return out
