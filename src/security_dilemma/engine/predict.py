"""What the model says about coded observables: a raw indicator and a latent quantity per kind.

An observable (``case.observables``) says that something did or did not happen in a period P
(the steps whose periods overlap it; i is the actor, j the counterpart). Every kind of
observable is registered in :data:`KINDS`, with

* its **role**: an *event* (something done during P) or a *standing state* (a relation that
  holds during P);
* its **indicator**, a yes/no threshold per replicate: the share of replicates where it is on
  is the kind's *raw* prediction (:func:`predict`), kept for comparison;
* its **latent** quantity per replicate: a *change* over P, a *hazard* (the chance that the
  thing happens in P) or a *level* during P. The observation model
  (:mod:`security_dilemma.history.observation`, docs/backtesting.md) maps its mean over the
  replicates, turned into a covariate (:meth:`LatentSpec.covariate`), to a probability through
  a link fitted on past observables.

Indicators, per replicate:

===================  ==========================================================================
kind                 indicator per replicate (P = the steps of the period; i actor, j counterpart)
===================  ==========================================================================
``arms_up``          i's own decisions raised its effort by more than 5% over P
``tests``            i's offensive stock grew over P
``counter_deploys``  i's offensive stock grew over P and j was i's main threat in at least half
                     of P
``signs``            mean over P of min(cooperation i->j, j->i) > 0.5 (mutual restraint)
``endorses``         mean commitment of i to j over P >= 0.5
``withdraws``        i's cooperation toward j fell by more than 0.05 over P
``signals``          i's decisions lowered its effort by more than 5% over P and its mean
                     cooperation toward j was > 0.5 (a costly conciliatory move)
``crisis``           a crisis between i and j in some step of P
``war``              a war between i and j in some step of P
``opposes``          mean hostility i reads into j over P > 0.5
``allies``           commitment of i to j at the last step of P >= 0.5
``cooperates``       mean cooperation of i toward j over P > 0.5
===================  ==========================================================================

Latent quantities, per replicate, and the covariate the link reads (m is the mean over the
replicates; growth is the sum over P of log((s + d + 0.01) / (s + 0.01)) for a stock s that
changes by d in a step):

===================  =====  ======  ===========================================================
kind                 role   latent  quantity per replicate; covariate
===================  =====  ======  ===========================================================
``arms_up``          event  change  growth of i's effort by its own decisions; asinh(m / 0.05)
``tests``            event  hazard  1 - prod over P of (1 - test_hazard of i), the chance of a
                                    missile test; logit(m). Without the ``test_hazard``
                                    metric: growth of i's offensive stock, asinh(m / 0.05)
``counter_deploys``  event  change  growth of i's offensive stock times the share of P in
                                    which j is i's main threat; asinh(m / 0.05)
``signs``            event  level   mean over P of min(cooperation i->j, j->i); logit(m)
``endorses``         event  change  change of i's commitment to j over P; asinh(m / 0.05)
``withdraws``        event  change  fall of i's cooperation toward j over P; asinh(m / 0.05)
``signals``          event  change  rise of i's cooperation toward j over P; asinh(m / 0.05)
``crisis``           event  hazard  1 - prod over P of (1 - crisis probability of i and j);
                                    logit(m)
``war``              event  hazard  1 - prod over P of (1 - war probability); logit(m)
``opposes``          state  level   mean hostility i reads into j over P; logit(m)
``allies``           state  level   mean commitment of i to j over P; logit(m)
``cooperates``       state  level   mean cooperation of i toward j over P; logit(m)
===================  =====  ======  ===========================================================

A dyadic kind without a counterpart means "toward any other actor": an indicator is on when
it is on toward some other actor; a hazard combines the others (1 - prod(1 - h_j)); a change or
a level takes the largest over them. A change of a level over P runs from the step before P to
its last step (commitment, recorded at the start of a period: from P's first step to the step
after it, shifted back by a step at the end of the span). Logits clip hazards to [0.001, 0.999]
and levels to [0.01, 0.99].
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem, did_you_mean
from ..scenario.schema import OBSERVABLE_KINDS, Observable
from .measures import ARMING_THRESHOLD, METRICS, Layout

if TYPE_CHECKING:
    from .result import Result

__all__ = [
    "KINDS",
    "THRESHOLD",
    "Kind",
    "Latent",
    "LatentSpec",
    "ObservableSpec",
    "cells_needed",
    "compile_observable",
    "indicator",
    "kind",
    "latent",
    "latent_of",
    "metrics_needed",
    "predict",
]

THRESHOLD = 0.5
"""Level above which a mean hostility, cooperation or commitment counts as the behaviour."""

GROWTH_FLOOR = 0.01
"""Added to a stock before taking the log of its growth, so a stock near 0 stays finite."""

CHANGE_UNIT = 0.05
"""The unit of a change in a covariate (asinh(m / unit)): 5% growth, or 0.05 of a level in
[0, 1], which is the arming threshold."""

HAZARD_CLIP = 1e-3
LEVEL_CLIP = 1e-2

Series = Callable[[int], npt.NDArray[np.floating[Any]]]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Role = Literal["event", "state"]
LatentType = Literal["change", "hazard", "level"]
Read = tuple[str, Literal["actor", "dyad", "reverse"]]
"""A metric an observable reads: of the actor, of the dyad i -> j, or of j -> i."""

_KNOWN_METRICS = frozenset(m.name for m in METRICS)


@dataclass(frozen=True)
class ObservableSpec:
    """An observable resolved against a run: actor indices, steps and the cells it reads."""

    observable: Observable
    actor: int
    counterparts: tuple[int, ...]
    steps: tuple[int, ...]


class Reader:
    """The series one observable reads toward one counterpart, over its period P: each
    (steps of P, replicates), in float64."""

    def __init__(self, spec: ObservableSpec, layout: Layout, series: Series, j: int) -> None:
        self.spec, self.layout, self.series, self.j = spec, layout, series, j
        self.steps = list(spec.steps)

    def has(self, name: str) -> bool:
        """Whether the run recorded metric ``name``."""
        return any(m.name == name for m in self.layout.metrics)

    def full(self, name: str, scope: Literal["actor", "dyad", "reverse"]) -> Floats:
        """The whole run's series (all steps, replicates) of one metric."""
        i, j = self.spec.actor, self.j
        a, b = (i, -1) if scope == "actor" else ((i, j) if scope == "dyad" else (j, i))
        return np.asarray(self.series(self.layout.find(name, a, b)), dtype=np.float64)

    def of(self, name: str, scope: Literal["actor", "dyad", "reverse"] = "dyad") -> Floats:
        """One metric over P."""
        return self.full(name, scope)[self.steps]

    def growth(self, stock: str, change: str) -> Floats:
        """Sum over P of log((s + d + floor) / (s + floor)): the stock's growth."""
        s, d = self.of(stock, "actor"), self.of(change, "actor")
        out: Floats = np.log((s + d + GROWTH_FLOOR) / (s + GROWTH_FLOOR)).sum(axis=0)
        return out

    def change(self, name: str, *, at_start: bool) -> Floats:
        """Change of a dyadic level over P: for a value recorded at the start of a period
        (``at_start``), from P's first step to the step after P; for one decided during a
        period, from the step before P to P's last step. Shifted back at the span's end."""
        full = self.full(name, "dyad")
        first, last = self.steps[0], self.steps[-1]
        end = last + 1 if at_start else last
        begin = first if at_start else first - 1
        shift = max(0, end - (full.shape[0] - 1))
        end, begin = end - shift, max(0, begin - shift)
        out: Floats = full[end] - full[begin]
        return out

    def relative_effort_change(self) -> Floats:
        """The actor's own decisions over P as a share of its effort at P's start."""
        out: Floats = self.of("effort_change", "actor").sum(axis=0) / np.maximum(
            self.of("effort", "actor")[0], 1e-12
        )
        return out


def _hazard(h: Floats) -> Floats:
    out: Floats = 1.0 - np.prod(1.0 - np.clip(h, 0.0, 1.0), axis=0)
    return out


@dataclass(frozen=True)
class LatentSpec:
    """A latent quantity: its type, the metrics it reads and its value per replicate."""

    type: LatentType
    reads: tuple[Read, ...]
    value: Callable[[Reader], Floats]
    unit: float = CHANGE_UNIT

    def covariate(self, mean: float) -> float:
        """The link's covariate from the latent's mean over replicates: logit of a hazard or
        a level (clipped), asinh(mean / unit) of a change."""
        if self.type == "change":
            return math.asinh(mean / self.unit)
        clip = HAZARD_CLIP if self.type == "hazard" else LEVEL_CLIP
        q = min(max(mean, clip), 1.0 - clip)
        return math.log(q / (1.0 - q))


@dataclass(frozen=True)
class Kind:
    """A kind of observable: role, raw indicator and latent quantity (module docstring).

    ``fallback`` is the latent used when a run did not record a metric ``latent`` reads
    (``tests`` without ``test_hazard``).
    """

    name: str
    reads: tuple[Read, ...]
    hit: Callable[[Reader], Bools]
    latent: LatentSpec
    fallback: LatentSpec | None = None

    def latent_for(self, layout: Layout) -> LatentSpec:
        """The latent this run can compute: ``latent``, or ``fallback`` when a metric it
        reads was not recorded."""
        names = {m.name for m in layout.metrics}
        if self.fallback is not None and not all(n in names for n, _ in self.latent.reads):
            return self.fallback
        return self.latent

    @property
    def role(self) -> Role:
        """Event or state, as the case format defines the kind (``OBSERVABLE_KINDS``)."""
        return OBSERVABLE_KINDS[self.name].nature

    @property
    def dyadic(self) -> bool:
        """Whether the kind takes a counterpart, as the case format defines it."""
        return OBSERVABLE_KINDS[self.name].dyadic


def _above(x: Floats, level: float = THRESHOLD) -> Bools:
    return np.asarray(x > level, dtype=bool)


def _offence_growth(r: Reader) -> Floats:
    return r.growth("offence", "offence_change")


_OFFENCE_GROWTH = LatentSpec(
    "change", (("offence", "actor"), ("offence_change", "actor")), _offence_growth
)
_EFFORT: tuple[Read, ...] = (("effort", "actor"), ("effort_change", "actor"))


def _level(name: str) -> LatentSpec:
    return LatentSpec("level", ((name, "dyad"),), lambda r: r.of(name).mean(axis=0))


def _dyad_hazard(name: str) -> LatentSpec:
    return LatentSpec("hazard", ((name, "dyad"),), lambda r: _hazard(r.of(name)))


def _counter_deploys(r: Reader) -> Floats:
    out: Floats = _offence_growth(r) * r.of("main_threat").mean(axis=0)
    return out


def _mutual(r: Reader) -> Floats:
    return np.minimum(r.of("cooperation"), r.of("cooperation", "reverse"))


def _signals_hit(r: Reader) -> Bools:
    lowered = r.relative_effort_change() < -ARMING_THRESHOLD
    return np.asarray(lowered & (r.of("cooperation").mean(axis=0) > THRESHOLD), dtype=bool)


KINDS: Mapping[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "arms_up",
            _EFFORT,
            lambda r: _above(r.relative_effort_change(), ARMING_THRESHOLD),
            LatentSpec("change", _EFFORT, lambda r: r.growth("effort", "effort_change")),
        ),
        Kind(
            "tests",
            (("offence_change", "actor"),),
            lambda r: _above(r.of("offence_change", "actor").sum(axis=0), 0.0),
            LatentSpec(
                "hazard",
                (("test_hazard", "actor"),),
                lambda r: _hazard(r.of("test_hazard", "actor")),
            ),
            fallback=_OFFENCE_GROWTH,
        ),
        Kind(
            "counter_deploys",
            (("offence_change", "actor"), ("main_threat", "dyad")),
            lambda r: (
                _above(r.of("offence_change", "actor").sum(axis=0), 0.0)
                & (r.of("main_threat").mean(axis=0) >= 0.5)
            ),
            LatentSpec(
                "change",
                (*_OFFENCE_GROWTH.reads, ("main_threat", "dyad")),
                _counter_deploys,
            ),
        ),
        Kind(
            "signs",
            (("cooperation", "dyad"), ("cooperation", "reverse")),
            lambda r: _above(_mutual(r).mean(axis=0)),
            LatentSpec(
                "level",
                (("cooperation", "dyad"), ("cooperation", "reverse")),
                lambda r: _mutual(r).mean(axis=0),
            ),
        ),
        Kind(
            "endorses",
            (("commitment", "dyad"),),
            lambda r: np.asarray(r.of("commitment").mean(axis=0) >= THRESHOLD, dtype=bool),
            LatentSpec(
                "change",
                (("commitment", "dyad"),),
                lambda r: r.change("commitment", at_start=True),
            ),
        ),
        Kind(
            "withdraws",
            (("cooperation", "dyad"),),
            lambda r: _above(-r.change("cooperation", at_start=False), ARMING_THRESHOLD),
            LatentSpec(
                "change",
                (("cooperation", "dyad"),),
                lambda r: -r.change("cooperation", at_start=False),
            ),
        ),
        Kind(
            "signals",
            (*_EFFORT, ("cooperation", "dyad")),
            _signals_hit,
            LatentSpec(
                "change",
                (("cooperation", "dyad"),),
                lambda r: r.change("cooperation", at_start=False),
            ),
        ),
        Kind(
            "crisis",
            (("crisis", "dyad"),),
            lambda r: _above(r.of("crisis").max(axis=0)),
            _dyad_hazard("crisis_prob"),
        ),
        Kind(
            "war",
            (("war", "dyad"),),
            lambda r: _above(r.of("war").max(axis=0)),
            _dyad_hazard("war_prob"),
        ),
        Kind(
            "opposes",
            (("hostility", "dyad"),),
            lambda r: _above(r.of("hostility").mean(axis=0)),
            _level("hostility"),
        ),
        Kind(
            "allies",
            (("commitment", "dyad"),),
            lambda r: np.asarray(r.of("commitment")[-1] >= THRESHOLD, dtype=bool),
            _level("commitment"),
        ),
        Kind(
            "cooperates",
            (("cooperation", "dyad"),),
            lambda r: _above(r.of("cooperation").mean(axis=0)),
            _level("cooperation"),
        ),
    )
}
"""Every kind of observable the engine can predict, by name (module docstring)."""


def kind(name: str) -> Kind:
    """The registered kind ``name``; :class:`BadInput` for an unknown one."""
    if name not in KINDS:
        raise BadInput(
            Problem(f"unknown observable kind '{name}'{did_you_mean(name, list(KINDS))}")
        )
    return KINDS[name]


def _steps(
    dates: Sequence[dt.date], end_of_span: dt.date, start: dt.date, end: dt.date
) -> tuple[int, ...]:
    out = []
    for t, d in enumerate(dates):
        nxt = dates[t + 1] if t + 1 < len(dates) else end_of_span + dt.timedelta(days=1)
        if d <= end and nxt > start:
            out.append(t)
    return tuple(out)


def compile_observable(
    observable: Observable, actors: Sequence[str], dates: Sequence[dt.date], span_end: dt.date
) -> ObservableSpec:
    """Resolve an observable; :class:`BadInput` when its kind is unknown or its actors or
    period are not in the run."""
    problems = []
    if observable.kind not in KINDS:
        hint = did_you_mean(observable.kind, list(KINDS))
        problems.append(Problem(f"unknown kind '{observable.kind}'{hint}", path=observable.id))
    if observable.actor not in actors:
        hint = did_you_mean(observable.actor, actors)
        problems.append(Problem(f"unknown actor '{observable.actor}'{hint}", path=observable.id))
    if observable.counterpart is not None and observable.counterpart not in actors:
        hint = did_you_mean(observable.counterpart, actors)
        problems.append(
            Problem(f"unknown counterpart '{observable.counterpart}'{hint}", path=observable.id)
        )
    steps = _steps(dates, span_end, observable.start, observable.end)
    if not steps:
        problems.append(
            Problem(
                f"period {observable.start}..{observable.end} is outside the run "
                f"({dates[0]}..{span_end})",
                path=observable.id,
            )
        )
    if problems:
        raise BadInput(problems)
    i = list(actors).index(observable.actor)
    if observable.counterpart is not None:
        counterparts: tuple[int, ...] = (list(actors).index(observable.counterpart),)
    else:
        counterparts = tuple(j for j in range(len(actors)) if j != i)
    return ObservableSpec(observable, i, counterparts, steps)


def metrics_needed(name: str) -> set[str]:
    """Names of the metrics a kind of observable reads: its indicator and its latent (those
    the engine knows)."""
    k = kind(name)
    reads = [*k.reads, *k.latent.reads, *(k.fallback.reads if k.fallback else ())]
    return {n for n, _ in reads if n in _KNOWN_METRICS}


def _cells(spec: ObservableSpec, layout: Layout, reads: Sequence[Read]) -> list[int]:
    out = []
    for name, scope in reads:
        if scope == "actor":
            out.append(layout.find(name, spec.actor))
        elif scope == "reverse":
            out += [layout.find(name, j, spec.actor) for j in spec.counterparts]
        else:
            out += [layout.find(name, spec.actor, j) for j in spec.counterparts]
    return out


def cells_needed(spec: ObservableSpec, layout: Layout) -> list[int]:
    """The value cells an observable's indicator reads."""
    return _cells(spec, layout, KINDS[spec.observable.kind].reads)


def _toward(spec: ObservableSpec, k: Kind) -> tuple[int, ...]:
    return spec.counterparts if k.dyadic else (-1,)


def indicator(spec: ObservableSpec, layout: Layout, series: Series) -> Bools:
    """The observable's indicator per replicate; ``series(cell)`` gives (steps, replicates)."""
    k = KINDS[spec.observable.kind]
    hits = [k.hit(Reader(spec, layout, series, j)) for j in _toward(spec, k)]
    out: Bools = np.asarray(np.any(np.stack(hits), axis=0), dtype=bool)
    return out


@dataclass(frozen=True)
class Latent:
    """An observable's latent quantity per replicate (``values``) and how it is read."""

    spec: LatentSpec
    values: Floats

    @property
    def type(self) -> LatentType:
        """change, hazard or level."""
        return self.spec.type

    @property
    def mean(self) -> float:
        """Mean over the replicates."""
        return float(np.mean(self.values))

    @property
    def covariate(self) -> float:
        """The link's covariate (:meth:`LatentSpec.covariate` of the mean)."""
        return self.spec.covariate(self.mean)


def latent(spec: ObservableSpec, layout: Layout, series: Series) -> Latent:
    """The observable's latent quantity per replicate (module docstring), combined over the
    counterparts of a dyadic kind without one."""
    k = KINDS[spec.observable.kind]
    chosen = k.latent_for(layout)
    values = np.stack([chosen.value(Reader(spec, layout, series, j)) for j in _toward(spec, k)])
    if chosen.type == "hazard":
        combined: Floats = _hazard(values)
    else:
        combined = values.max(axis=0)
    return Latent(chosen, np.asarray(combined, dtype=np.float64))


def _replicate_series(result: Result, what: str) -> Series:
    values = result.replicate_values
    if values is None:
        raise BadInput(
            Problem(
                f"{what} needs the replicates' values: run with keep_replicates=True",
                path="keep_replicates",
            )
        )
    return lambda cell: values[:, cell, :]


def latent_of(result: Result, observable: Observable) -> Latent:
    """An observable's latent quantity in a run kept with ``keep_replicates=True``.

    >>> from security_dilemma.engine import simulate
    >>> from security_dilemma.scenario.schema import Observable
    >>> r = simulate("bmd-europe", lens="realism", replicates=20, keep_replicates=True)
    >>> obs = Observable(id="x", kind="crisis", actor="USA", counterpart="RUS", start=2007,
    ...                  end=2008, occurred=False, source="seed-article")
    >>> z = latent_of(r, obs)
    >>> z.type, z.values.shape, 0.0 < z.mean < 1.0
    ('hazard', (20,), True)
    """
    series = _replicate_series(result, f"the latent of observable '{observable.id}'")
    spec = compile_observable(observable, result.actors, result.dates, result.span_end)
    return latent(spec, result.layout, series)


def predict(result: Result, observable: Observable | str) -> float:
    """Predicted probability that ``observable`` happens, from a run (the raw indicator).

    Observables of the run's case (and any passed to ``simulate(observables=...)``) are
    computed during the run; others need ``keep_replicates=True``.

    >>> from security_dilemma.engine import simulate
    >>> from security_dilemma.scenario.schema import Observable
    >>> r = simulate("bmd-europe", lens="realism", replicates=20, keep_replicates=True)
    >>> obs = Observable(id="x", kind="arms_up", actor="RUS", start=2007, end=2009,
    ...                  occurred=True, source="seed-article")
    >>> 0.0 <= predict(r, obs) <= 1.0
    True
    """
    key = observable if isinstance(observable, str) else observable.id
    if isinstance(observable, str) or key in result.observables:
        if key in result.observables:
            return result.observables[key]
        known = list(result.observables)
        raise BadInput(Problem(f"no prediction for observable '{key}'{did_you_mean(key, known)}"))
    if result.replicate_values is None:
        raise BadInput(
            Problem(
                f"observable '{key}' was not computed during the run: pass it to "
                "simulate(observables=...) or run with keep_replicates=True"
            )
        )
    series = _replicate_series(result, f"observable '{key}'")
    spec = compile_observable(observable, result.actors, result.dates, result.span_end)
    return float(indicator(spec, result.layout, series).mean())
