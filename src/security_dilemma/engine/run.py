"""The run loop: ``simulate(case, ...) -> Result``, vectorised over replicates, in chunks.

Replicates are processed in chunks whose size follows from ``max_memory`` (or is given as
``chunk_size``); every replicate draws from its own random stream
(:mod:`~security_dilemma.engine.draws`) and the summaries are chunk-invariant
(:mod:`~security_dilemma.engine.summary`), so results do not depend on the chunking.
With ``restraint`` on, each replicate is run ``n + 1`` times side by side with the same
random numbers: as it happens, and with each actor in turn restrained (the restraint copies).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .._deprecation import renamed_keyword
from ..errors import BadInput, Problem, did_you_mean
from ..limits import (
    MAX_REPLICATES,
    check_chunk_size,
    check_count,
    check_flag,
    check_seed,
    check_sequence,
    check_work,
    checked_all,
    integer,
)
from ..scenario import load_case
from ..scenario.overrides import with_parameters
from ..scenario.schema import Case, Observable
from .draws import ReplicateStreams, split_draws, uniforms_per_step
from .events import Occurred, StepEvents
from .measures import METRICS, Context, Layout, record
from .predict import ObservableSpec, cells_needed, compile_observable, indicator, metrics_needed
from .result import Result
from .state import State
from .step import advance
from .summary import Summary
from .world import World, compile_world

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "check_memory",
    "parse_bytes",
    "plan_chunks",
    "restraint_copies",
    "run_world",
    "simulate",
    "world_bytes",
]

DEFAULT_MAX_MEMORY = 1 << 30
"""Memory budget of a run when none is given: 1 GiB."""

_OVERHEAD = 64 << 20
_DYADIC_ARRAYS = 48
_CHUNK_ELEMENTS = 1 << 15
_DRAW_BLOCK_BYTES = 64 << 20
_WORLD_STEP_BYTES = 16 << 10
_SETTING_BYTES_PER_DYAD = 40 * 8

_UNITS = {"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9}
_UNITS |= {"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "t": 1e12, "tb": 1e12}


def parse_bytes(text: str | int) -> int:
    """Bytes from ``2GB``, ``512MiB``, ``1.5G`` or a plain number.

    >>> parse_bytes("2GB"), parse_bytes("512MiB"), parse_bytes(1000)
    (2000000000, 536870912, 1000)
    """
    if integer(text) is not None:
        value = int(text)
    elif not isinstance(text, str):
        raise BadInput(
            Problem(
                f"a memory size is a number of bytes or a text such as '2GB' (got {text!r})",
                path="max_memory",
            )
        )
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", text)
        unit = m.group(2).lower() if m else ""
        if m is None or unit not in _UNITS:
            raise BadInput(
                Problem(
                    f"not a memory size: {text!r} (write e.g. 2GB or 512MiB)", path="max_memory"
                )
            )
        value = int(float(m.group(1)) * _UNITS[unit])
    if value <= 0:
        raise BadInput(Problem(f"memory size must be positive (got {text!r})", path="max_memory"))
    return value


def _size(n: float) -> str:
    """Bytes in words: ``1.3 GB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} bytes"


def world_bytes(case: Case) -> int:
    """An upper estimate of the memory :func:`~.world.compile_world` takes for ``case``
    (checked before compiling it): per step, its inputs (about 10 kB at 13 actors) and n x n
    recorded events; per distinct setting (at most one per dated change), its n x n matrices."""
    n, steps = len(case.actors), case.span.steps
    changes = 1 + len(case.events) + 3 * len(case.defence_sites) + 2 * len(case.alliances)
    changes += 2 * sum(len(i.members) for i in case.institutions)
    settings = min(steps, changes) * _SETTING_BYTES_PER_DYAD * n * n
    return steps * (_WORLD_STEP_BYTES + 4 * n * n) + settings


def _per_replicate_bytes(n: int, copies: int, itemsize: int, cells: int) -> int:
    dyadic = copies * _DYADIC_ARRAYS * n * n * itemsize
    values = cells * 48
    draws = uniforms_per_step(n) * 12
    return dyadic + values + draws


def plan_chunks(
    n: int,
    steps: int,
    cells: int,
    replicates: int,
    *,
    copies: int,
    itemsize: int,
    keep: bool,
    chunk_size: int | None,
    max_memory: int,
    fixed: int = 0,
    advice: str = "",
    path: str = "max_memory",
) -> tuple[int, int]:
    """Chunk size and draw-block length (steps) for a run within ``max_memory`` bytes, of
    which ``fixed`` are already taken (the compiled world); checked before anything is
    allocated: a run that cannot fit is :class:`BadInput` at ``path`` with the budget it
    needs and ``advice`` (default: the ``max_memory`` to give)."""
    store = Summary.estimate_bytes(cells, steps, replicates, keep=keep)
    per = _per_replicate_bytes(n, copies, itemsize, cells)
    room = max_memory - fixed - store - _OVERHEAD
    if room < per:
        need = fixed + store + _OVERHEAD + per
        suggest = f"{math.ceil(need / 1e8) / 10:g}GB"
        raise BadInput(
            Problem(
                f"the memory budget of {_size(max_memory)} is too small for this run: it needs "
                f"about {_size(need)} (the compiled case {_size(fixed)}, summaries "
                f"{_size(store)}, one replicate {_size(per)}): "
                + (
                    advice
                    or f"give max_memory='{suggest}' (--max-memory {suggest}), or run fewer "
                    "actors, steps or metrics"
                ),
                path=path,
            )
        )
    by_memory = room // per
    if chunk_size is None:
        by_speed = max(1, _CHUNK_ELEMENTS // max(1, copies * n * n))
        chunk = int(max(1, min(replicates, by_memory, by_speed)))
    else:
        chunk = int(max(1, min(chunk_size, replicates, by_memory)))
    draw_row = chunk * uniforms_per_step(n) * 4
    block = int(max(1, min(steps, _DRAW_BLOCK_BYTES // max(draw_row, 1))))
    return chunk, block


def restraint_copies(state: State) -> State:
    """``n + 1`` copies: copy 0 as is, copy ``c`` with actor ``c - 1`` restrained."""
    n, b = state.n, state.batch
    copies = state.with_copies(n + 1)
    restrained = copies.restrained.copy()
    for c in range(1, n + 1):
        restrained[c - 1, c * b : (c + 1) * b] = 1.0
    return copies.replace(restrained=restrained)


def _burned_in(
    world: World, state: State, streams: ReplicateStreams, steps: int, block: int
) -> State:
    """The state after ``steps`` steps of the case's first period without its events (the
    burn-in: beliefs, identities and commitments settle before the case starts)."""
    if steps == 0:
        return state
    quiet = dataclasses.replace(world.inputs[0], events=StepEvents(Occurred.none(world.n)))
    done = 0
    while done < steps:
        length = min(block, steps - done)
        uniforms = streams.uniforms(world.n, length)
        for k in range(length):
            state, _ = advance(quiet, state, split_draws(uniforms[k], world.n, world.dtype))
        done += length
    return state


def _run_chunk(
    world: World,
    layout: Layout,
    summary: Summary,
    *,
    seed: int,
    first_global: int,
    first_local: int,
    count: int,
    restraint: bool,
    block: int,
    specs: Sequence[tuple[ObservableSpec, list[int]]],
    hits: npt.NDArray[np.int64],
    burn_in: int = 0,
) -> None:
    n, steps = world.n, world.steps
    streams = ReplicateStreams(seed, first_global, count)
    state = _burned_in(world, world.initial_state(streams.motives(n)), streams, burn_in, block)
    motive = state.motive
    copies = n + 1 if restraint else 1
    first = slice(0, count)
    if restraint:
        state = restraint_copies(state)
    needed = sorted({c for _, cells in specs for c in cells})
    position = {c: k for k, c in enumerate(needed)}
    kept = np.empty((steps, count, len(needed)), dtype=np.float32) if needed else None
    security_start: Any = None
    t = 0
    while t < steps:
        length = min(block, steps - t)
        uniforms = streams.uniforms(n, length)
        for k in range(length):
            inputs = world.inputs[t]
            draws = split_draws(uniforms[k], n, world.dtype)
            state, period = advance(inputs, state, draws)
            actual = period.take(first)
            if security_start is None:
                security_start = actual.security.copy()
            context = Context(
                period=actual,
                security_copies=period.security.reshape(n, copies, count) if restraint else None,
                security_start=security_start,
                motive=motive,
                offence_dominance=inputs.setting.theta,
                distinguishability=inputs.setting.delta,
            )
            values = record(layout, context)
            summary.add(t, first_local, values)
            if kept is not None:
                kept[t] = values[needed].T
            t += 1
    if kept is not None:
        for k, (spec, _) in enumerate(specs):
            hit = indicator(spec, layout, lambda cell: kept[:, :, position[cell]])
            hits[k] += int(hit.sum())


def run_world(
    world: World,
    *,
    replicates: int = 200,
    seed: int = 0,
    first_replicate: int = 0,
    chunk_size: int | None = None,
    max_memory: int | str | None = None,
    keep_replicates: bool = False,
    restraint: bool = True,
    observables: Sequence[Observable] = (),
    progress: Callable[[int], None] | None = None,
    label: str | None = None,
    metrics: Sequence[str] | None = None,
    notes: Sequence[str] = (),
    counterfactual: bool | None = None,
    burn_in: int = 0,
) -> Result:
    """Run a compiled world: the loop behind :func:`simulate` (``counterfactual`` is the old
    name of ``restraint``, deprecated)."""
    restraint = renamed_keyword(
        "run_world", "counterfactual", counterfactual, "restraint", restraint, default=True
    )
    replicates, seed, first_replicate, chunk_size, burn_in = _check_run(
        replicates, seed, first_replicate, chunk_size, burn_in
    )
    check_work(world.n, world.steps + burn_in, replicates)
    budget = DEFAULT_MAX_MEMORY if max_memory is None else parse_bytes(max_memory)
    if metrics is not None:
        known = {m.name for m in METRICS}
        unknown = [m for m in metrics if m not in known]
        if unknown:
            raise BadInput(
                [
                    Problem(f"unknown metric '{m}'{did_you_mean(m, known)}", path="metrics")
                    for m in unknown
                ]
            )
        metrics = sorted({*metrics, *(n for o in observables for n in metrics_needed(o.kind))})
    layout = Layout.build(world.actors, restraint=restraint, metrics=metrics)
    copies = world.n + 1 if restraint else 1
    chunk, block = plan_chunks(
        world.n,
        world.steps,
        layout.cells,
        replicates,
        copies=copies,
        itemsize=np.dtype(world.dtype).itemsize,
        keep=keep_replicates,
        chunk_size=chunk_size,
        max_memory=budget,
        fixed=world_bytes(world.case),
    )
    summary = Summary(layout, world.steps, replicates, keep=keep_replicates)
    span_end = world.case.span.end
    specs = [
        (spec, cells_needed(spec, layout))
        for spec in (
            compile_observable(o, world.actors, world.dates, span_end) for o in observables
        )
    ]
    hits = np.zeros(len(specs), dtype=np.int64)
    done = 0
    while done < replicates:
        count = min(chunk, replicates - done)
        _run_chunk(
            world,
            layout,
            summary,
            seed=seed,
            first_global=first_replicate + done,
            first_local=done,
            count=count,
            restraint=restraint,
            block=block,
            specs=specs,
            hits=hits,
            burn_in=burn_in,
        )
        done += count
        if progress is not None:
            progress(done)
    notes = [*world.notes, *notes]
    lenses = world.lenses
    return Result(
        case_id=world.case.id,
        title=world.case.title,
        lens=label or _lens_label(world.actors, lenses),
        lenses=lenses,
        actors=world.actors,
        dates=world.dates,
        span_end=span_end,
        replicates=replicates,
        seed=seed,
        first_replicate=first_replicate,
        layout=layout,
        means=summary.means(),
        quantiles=summary.quantiles(),
        quantile_method="exact" if summary.exact else "histogram",
        restraint=restraint,
        observables={
            s.observable.id: float(h) / replicates for (s, _), h in zip(specs, hits, strict=True)
        },
        observed={
            s.observable.id: {
                "kind": s.observable.kind,
                "actor": s.observable.actor,
                "counterpart": s.observable.counterpart,
                "start": s.observable.start.isoformat(),
                "end": s.observable.end.isoformat(),
                "occurred": s.observable.occurred,
            }
            for s, _ in specs
        },
        events=tuple(inp.events.titles for inp in world.inputs),
        notes=tuple(notes),
        replicate_values=summary.store if keep_replicates else None,
    )


def _lens_label(actors: Sequence[str], lenses: Sequence[str]) -> str:
    if len(set(lenses)) == 1:
        return lenses[0]
    return "mixed: " + ", ".join(f"{a}={lens}" for a, lens in zip(actors, lenses, strict=True))


def _check_run(
    replicates: int, seed: int, first: int, chunk_size: int | None, burn_in: int = 0
) -> tuple[int, int, int, int | None, int]:
    """The run's counts as Python ints (numpy integers accepted), every problem at once."""
    out = checked_all(
        lambda: check_count(replicates, "replicates", maximum=MAX_REPLICATES),
        lambda: check_seed(seed),
        lambda: check_count(first, "first_replicate", maximum=2**62, minimum=0),
        lambda: check_chunk_size(chunk_size),
        lambda: check_count(burn_in, "burn_in", maximum=10**6, minimum=0),
    )
    r, s, f, c, b = out
    assert r is not None and s is not None and f is not None and b is not None
    return r, s, f, c, b


def check_memory(
    case: Case,
    replicates: int,
    max_memory: int | str | None = None,
    *,
    restraint: bool = True,
    metrics: Sequence[str] | None = None,
    keep: bool = False,
    dtype: str = "float32",
    advice: str = "",
    path: str = "max_memory",
) -> None:
    """Refuse (:class:`BadInput`, see :func:`plan_chunks`), before the case is compiled, a
    run of ``case`` that cannot fit in ``max_memory`` bytes (default 1 GiB)."""
    if metrics is not None:
        metrics = [*metrics, *(n for o in case.observables for n in metrics_needed(o.kind))]
    layout = Layout.build(case.actor_ids(), restraint=restraint, metrics=metrics)
    n = len(case.actors)
    plan_chunks(
        n,
        case.span.steps,
        layout.cells,
        replicates,
        copies=n + 1 if restraint else 1,
        itemsize=np.dtype(dtype).itemsize,
        keep=keep,
        chunk_size=None,
        max_memory=DEFAULT_MAX_MEMORY if max_memory is None else parse_bytes(max_memory),
        fixed=world_bytes(case),
        advice=advice,
        path=path,
    )


def simulate(
    case: Case | str | Path,
    *,
    lens: str | Mapping[str, str] | None = None,
    replicates: int = 200,
    seed: int = 0,
    first_replicate: int = 0,
    overrides: Mapping[str, float] | None = None,
    chunk_size: int | None = None,
    max_memory: int | str | None = None,
    keep_replicates: bool = False,
    progress: Callable[[int], None] | None = None,
    restraint: bool = True,
    observables: Sequence[Observable] | None = None,
    dtype: str = "float32",
    metrics: Sequence[str] | None = None,
    counterfactual: bool | None = None,
    burn_in: int = 0,
) -> Result:
    """Simulate a case under one or more lenses; an ensemble of ``replicates`` runs.

    * ``case``: a :class:`Case`, a built-in case name or a path;
    * ``lens``: None (each actor's ``lens`` from the case, default pyramid), one lens for all,
      or ``{actor: lens}``;
    * ``overrides``: dotted parameter names and values (``{"lenses.realism.k": 0.5}``);
    * replicate ``r`` (global index ``first_replicate + local index``) draws from
      ``SeedSequence(seed, spawn_key=(r,))``: results do not depend on chunking;
    * ``max_memory`` (bytes or "2GB") picks the chunk size unless ``chunk_size`` is given;
    * ``restraint``: run the restraint copies (each actor in turn never raising its effort)
      that the harm, self-defeat and no-adequate-policy measures need (``n + 1`` times the
      work); ``counterfactual`` is its old name, deprecated;
    * ``observables``: extra coded observables to predict (the case's own are always
      predicted); ``dtype``: "float32" (default) or "float64";
    * ``metrics``: record only these metric names (plus what the observables need); recording
      every metric of every dyad costs more than simulating when n is large;
    * ``burn_in``: steps of the case's first period, without its events, run before the case
      starts (beliefs, identities and commitments settle; docs/model.md, departures); the
      results start with the case.

    >>> r = simulate("bmd-europe", lens="realism", replicates=8, seed=1)
    >>> r.replicates, r.lens, r.tidy().columns.tolist()[:4]
    (8, 'realism', ['lens', 'step', 'date', 'actor'])
    """
    restraint = renamed_keyword(
        "simulate", "counterfactual", counterfactual, "restraint", restraint, default=True
    )
    if dtype not in ("float32", "float64"):
        raise BadInput(Problem(f"dtype must be float32 or float64 (got {dtype!r})", path="dtype"))
    replicates, seed, first_replicate, chunk_size, burn_in = _check_run(
        replicates, seed, first_replicate, chunk_size, burn_in
    )
    c = load_case(case)
    if overrides is not None and not isinstance(overrides, Mapping):
        raise BadInput(
            Problem(
                f"must be a mapping of parameter names to values (got {overrides!r:.60})",
                path="overrides",
            )
        )
    if overrides:
        c = with_parameters(c, dict(overrides))
    if metrics is not None:
        metrics = check_sequence(metrics, "metrics", str, "metric names")
    keep_replicates = check_flag(keep_replicates, "keep_replicates")
    check_work(len(c.actors), c.span.steps + burn_in, replicates)
    check_memory(
        c,
        replicates,
        max_memory,
        restraint=restraint,
        metrics=metrics,
        keep=keep_replicates,
        dtype=dtype,
    )
    extra = check_sequence(observables or (), "observables", Observable, "Observable records")
    world = compile_world(c, lens, dtype=np.dtype(dtype))
    known = {o.id for o in c.observables}
    usable, skipped = [], []
    for o in c.observables:  # the case's own: skip those the run cannot see, with a note
        try:
            compile_observable(o, world.actors, world.dates, c.span.end)
        except BadInput:
            skipped.append(o.id)
        else:
            usable.append(o)
    return run_world(
        world,
        replicates=replicates,
        seed=seed,
        first_replicate=first_replicate,
        chunk_size=chunk_size,
        max_memory=max_memory,
        keep_replicates=keep_replicates,
        restraint=restraint,
        observables=[*usable, *(o for o in extra if o.id not in known)],
        progress=progress,
        metrics=metrics,
        burn_in=burn_in,
        notes=[f"observables outside the run, not predicted: {', '.join(skipped)}"]
        if skipped
        else [],
    )
