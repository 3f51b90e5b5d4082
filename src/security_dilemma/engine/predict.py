"""Predicted probabilities of coded observables, for backtesting (docs/model.md, section 7).

An observable (``case.observables``) says that something did or did not happen in a period.
The engine turns it into an indicator per replicate, over the steps whose periods overlap the
observable's period, and the prediction is the share of replicates where the indicator is 1:

===================  ==========================================================================
kind                 indicator per replicate (P = the steps of the period; i actor, j counterpart)
===================  ==========================================================================
``arms_up``          i's own decisions raised its effort by more than 1% over P
``tests``            i's offensive stock grew over P
``opposes``          mean hostility i reads into j over P > 0.5
``cooperates``       mean cooperation of i toward j over P > 0.5
``counter_deploys``  i's offensive stock grew over P and j was i's main threat in at least half
                     of P
``endorses``         mean commitment of i to j over P >= 0.5
``signs``            mean over P of min(cooperation i->j, j->i) > 0.5 (mutual restraint)
``crisis``           a crisis between i and j in some step of P
``war``              a war between i and j in some step of P
``allies``           commitment of i to j at the last step of P >= 0.5
``signals``          i's decisions lowered its effort by more than 1% over P and its mean
                     cooperation toward j was > 0.5 (a costly conciliatory move)
``withdraws``        none yet: not forecast (skipped with a note, as is an observable whose
                     actor or counterpart is not simulated: an institution or another state)
===================  ==========================================================================

A dyadic kind without a counterpart means "toward any other actor".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem, did_you_mean
from ..scenario.schema import Observable
from .measures import ARMING_THRESHOLD, Layout

if TYPE_CHECKING:
    from .result import Result

__all__ = [
    "FORECAST_KINDS",
    "THRESHOLD",
    "ObservableSpec",
    "cells_needed",
    "compile_observable",
    "indicator",
    "metrics_needed",
    "predict",
]

THRESHOLD = 0.5
"""Level above which a mean hostility, cooperation or commitment counts as the behaviour."""

Series = Callable[[int], npt.NDArray[np.floating[Any]]]

_ACTOR_KINDS = ("arms_up", "tests")
_NEEDS = {
    "arms_up": (("effort", False), ("effort_change", False)),
    "tests": (("offence_change", False),),
    "opposes": (("hostility", True),),
    "cooperates": (("cooperation", True),),
    "counter_deploys": (("offence_change", False), ("main_threat", True)),
    "endorses": (("commitment", True),),
    "signs": (("cooperation", True), ("cooperation", "reverse")),
    "crisis": (("crisis", True),),
    "war": (("war", True),),
    "allies": (("commitment", True),),
    "signals": (("effort", False), ("effort_change", False), ("cooperation", True)),
}


FORECAST_KINDS = frozenset(_NEEDS)
"""The observable kinds the engine has an indicator for (not ``withdraws`` yet)."""


@dataclass(frozen=True)
class ObservableSpec:
    """An observable resolved against a run: actor indices, steps and the cells it reads."""

    observable: Observable
    actor: int
    counterparts: tuple[int, ...]
    steps: tuple[int, ...]


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
    """Resolve an observable; :class:`BadInput` when its actors or period are not in the run."""
    problems = []
    if observable.kind not in FORECAST_KINDS:  # no indicator for it (withdraws)
        problems.append(Problem(f"no forecast for kind '{observable.kind}'", path=observable.id))
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


def metrics_needed(kind: str) -> set[str]:
    """Names of the metrics an observable kind reads."""
    return {name for name, _ in _NEEDS[kind]}


def cells_needed(spec: ObservableSpec, layout: Layout) -> list[int]:
    """The value cells an observable's indicator reads."""
    out = []
    kind = spec.observable.kind
    for name, dyadic in _NEEDS[kind]:
        if dyadic is False:
            out.append(layout.find(name, spec.actor))
        elif dyadic == "reverse":
            out += [layout.find(name, j, spec.actor) for j in spec.counterparts]
        else:
            out += [layout.find(name, spec.actor, j) for j in spec.counterparts]
    return out


def indicator(spec: ObservableSpec, layout: Layout, series: Series) -> npt.NDArray[np.bool_]:
    """The observable's indicator per replicate; ``series(cell)`` gives (steps, replicates)."""
    kind = spec.observable.kind
    steps = list(spec.steps)
    i = spec.actor

    def s(name: str, a: int, b: int = -1) -> npt.NDArray[np.float64]:
        return np.asarray(series(layout.find(name, a, b)), dtype=np.float64)[steps]

    def change() -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = s("effort_change", i).sum(axis=0) / np.maximum(
            s("effort", i)[0], 1e-12
        )
        return out

    if kind == "arms_up":
        return np.asarray(change() > ARMING_THRESHOLD, dtype=bool)
    if kind == "tests":
        return np.asarray(s("offence_change", i).sum(axis=0) > 0.0, dtype=bool)
    hits = []
    for j in spec.counterparts:
        if kind == "opposes":
            hit = s("hostility", i, j).mean(axis=0) > THRESHOLD
        elif kind == "cooperates":
            hit = s("cooperation", i, j).mean(axis=0) > THRESHOLD
        elif kind == "counter_deploys":
            grew = s("offence_change", i).sum(axis=0) > 0.0
            hit = grew & (s("main_threat", i, j).mean(axis=0) >= 0.5)
        elif kind == "endorses":
            hit = s("commitment", i, j).mean(axis=0) >= THRESHOLD
        elif kind == "signs":
            mutual = np.minimum(s("cooperation", i, j), s("cooperation", j, i))
            hit = mutual.mean(axis=0) > THRESHOLD
        elif kind == "crisis":
            hit = s("crisis", i, j).max(axis=0) > 0.5
        elif kind == "war":
            hit = s("war", i, j).max(axis=0) > 0.5
        elif kind == "allies":
            hit = s("commitment", i, j)[-1] >= THRESHOLD
        elif kind == "signals":
            hit = (change() < -ARMING_THRESHOLD) & (s("cooperation", i, j).mean(axis=0) > THRESHOLD)
        else:  # pragma: no cover - the schema lists every kind
            raise BadInput(Problem(f"unknown observable kind '{kind}'"))
        hits.append(hit)
    out: npt.NDArray[np.bool_] = np.asarray(np.any(np.stack(hits), axis=0), dtype=bool)
    return out


def predict(result: Result, observable: Observable | str) -> float:
    """Predicted probability that ``observable`` happens, from a run.

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
    values = result.replicate_values
    if values is None:
        raise BadInput(
            Problem(
                f"observable '{key}' was not computed during the run: pass it to "
                "simulate(observables=...) or run with keep_replicates=True"
            )
        )
    spec = compile_observable(observable, result.actors, result.dates, result.span_end)
    hit = indicator(spec, result.layout, lambda cell: values[:, cell, :])
    return float(hit.mean())
