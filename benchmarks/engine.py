"""Benchmark suite "engine": throughput, memory, and the Mesa 3 peers.

Run with ``python -m benchmarks engine`` (or ``make bench``).

Measured in one run on one machine:

* **pair-updates per second per core** (``replicates * n * n`` per step) of the engine's core
  loop (random numbers, events, the step), for n in {10, 50, 200} and replicates in {1, 100,
  10000}, with the peak memory the loop allocates (``tracemalloc``); the process is pinned to
  one CPU while measuring (numpy's element-wise kernels are single-threaded, and the engine makes
  no BLAS calls);
* a million replicates at n = 10 over 50 steps within 2 GB (``max_memory="2GB"``);
* the Mesa 3 reference model (one Agent per state, the same rules) at n = 10 against the engine
  at 1000 replicates, both as first written (:mod:`benchmarks.mesa_model`) and as tuned by a
  competent Mesa user (:mod:`benchmarks.mesa_tuned`, the same results bit for bit): Mesa runs
  fewer replicates and its time is scaled per replicate. The four timings (engine core loop,
  engine ``run_world``, Mesa, tuned Mesa) alternate over several rounds in CPU time
  (``time.process_time``), so that other programs on the machine weigh on each alike; the
  speed-ups are ratios of the medians, against the tuned model. A deterministic equivalence
  check compares the engine with the Mesa model.

Throughput timings are the best of a few repeats in CPU time (the machine may be shared, and
the pinned core with it: CPU time leaves out the time other programs hold the core, wall time
does not); the load average is recorded with the results.
"""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from security_dilemma.engine import (
    ReplicateStreams,
    World,
    advance,
    compile_world,
    run_world,
    split_draws,
)
from security_dilemma.engine.run import plan_chunks
from security_dilemma.engine.summary import Summary
from security_dilemma.scenario.schema import Case

__all__ = [
    "COMPARED",
    "core_loop",
    "engine_history",
    "mesa_comparison",
    "mesa_deviations",
    "run",
    "synthetic_case",
]

TARGETS = {
    "mesa_speedup_n10_b1000": 100.0,
    "pair_updates_per_s_n200_b64": 5e7,
    "million_replicates_bytes": 2e9,
}


def synthetic_case(n: int, steps: int = 10, *, seed: int = 0, deterministic: bool = False) -> Case:
    """A synthetic case with ``n`` states: uneven capabilities, identities, two institutions,
    an alliance and interdependence, so that every mechanism is exercised."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i:03d}" for i in range(n)]
    milex = np.exp(rng.normal(10, 1.2, n))
    ties = []
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    for k in rng.choice(len(pairs), size=min(len(pairs), 4 * n), replace=False):
        i, j = pairs[int(k)]
        ties.append({"between": [ids[i], ids[j]], "value": float(rng.uniform(-1, 1))})
    half = ids[: max(2, n // 2)]
    params: dict[str, Any] = {"offence_dominance": 0.6, "distinguishability": 0.4}
    if deterministic:
        params |= {"noise": 0.0, "crisis_shock": 0.0, "richardson": {"shock": 0.0}}
    return Case.model_validate(
        {
            "id": f"synthetic-{n}",
            "title": f"Synthetic system of {n} states",
            "span": {"start": 2000, "end": 2000 + steps - 1},
            "actors": [
                {
                    "id": a,
                    "name": a,
                    "prior_greedy": (float(i % 2) if deterministic else 0.3),
                }
                for i, a in enumerate(ids)
            ],
            "capabilities": [
                {"actor": a, "milex": float(m)} for a, m in zip(ids, milex, strict=True)
            ],
            "identities": ties,
            "institutions": [
                {
                    "id": "forum",
                    "name": "Forum",
                    "members": half,
                    "transparency": 0.6,
                    "shadow_of_future": 0.8,
                },
                {
                    "id": "club",
                    "name": "Club",
                    "members": ids[::3] if n >= 6 else ids[:2],
                    "transparency": 0.3,
                    "shadow_of_future": 0.5,
                },
            ],
            "alliances": [{"id": "pact", "name": "Pact", "members": ids[1::4] or ids[:2]}],
            "interdependence": [
                {"between": [ids[i], ids[(i + 1) % n]], "value": 0.3} for i in range(n - 1)
            ],
            "parameters": params,
        }
    )


@contextlib.contextmanager
def one_core() -> Iterator[int | None]:
    """Pin this process to one CPU while inside (Linux); yields the CPU or None."""
    getter = getattr(os, "sched_getaffinity", None)
    setter = getattr(os, "sched_setaffinity", None)
    if getter is None or setter is None:
        yield None
        return
    before = getter(0)
    cpu = max(before)
    setter(0, {cpu})
    try:
        yield cpu
    finally:
        setter(0, before)


def _peak(fn: Callable[[], Any]) -> tuple[Any, int]:
    gc.collect()
    tracemalloc.start()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


def core_loop(
    world: World,
    replicates: int,
    *,
    chunk: int | None = None,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Seconds of ``clock`` for the core loop (random numbers, events, the step) over
    ``replicates``."""
    n, steps = world.n, world.steps
    if chunk is None:
        chunk, _ = plan_chunks(
            n,
            steps,
            1,
            replicates,
            copies=1,
            itemsize=np.dtype(world.dtype).itemsize,
            keep=False,
            chunk_size=None,
            max_memory=1 << 40,
        )
    start = clock()
    done = 0
    while done < replicates:
        count = min(chunk, replicates - done)
        streams = ReplicateStreams(seed, done, count)
        state = world.initial_state(streams.motives(n))
        for t in range(steps):
            uniforms = streams.uniforms(n, 1)[0]
            state, _ = advance(world.inputs[t], state, split_draws(uniforms, n, world.dtype))
        done += count
    return clock() - start


def _best(fn: Callable[[], float], repeats: int) -> float:
    return min(fn() for _ in range(repeats))


def throughput(n: int, replicates: int, *, steps: int, repeats: int, lens: str) -> dict[str, Any]:
    """Pair-updates per CPU second of the core loop, and its peak memory."""
    world = compile_world(synthetic_case(n, steps), lens)
    load = round(os.getloadavg()[0], 2)

    def timed() -> float:
        return core_loop(world, replicates, clock=time.process_time)

    seconds, peak = _peak(timed)
    if repeats > 1:
        seconds = min(seconds, _best(timed, repeats - 1))
    updates = replicates * n * n * steps
    return {
        "n": n,
        "replicates": replicates,
        "steps": steps,
        "lens": lens,
        "load_average_1min": load,
        "cpu_seconds": round(seconds, 4),
        "pair_updates_per_s": updates / seconds,
        "peak_bytes": peak,
    }


def mesa_comparison(
    *,
    n: int = 10,
    replicates: int = 1000,
    mesa_replicates: int = 20,
    steps: int = 50,
    rounds: int = 7,
) -> dict[str, Any]:
    """Engine vs the Mesa 3 models at ``n`` states: CPU seconds per replicate over alternating
    rounds, the speed-ups (ratios of the medians), and the models' agreement."""
    from .mesa_model import run_mesa
    from .mesa_tuned import TunedInputs, run_mesa_tuned

    world = compile_world(synthetic_case(n, steps), "pyramid")
    tuned_world = TunedInputs.of(world)  # read once, as the engine's world is compiled once
    cpu = time.process_time

    def engine_core() -> float:
        return core_loop(world, replicates, clock=cpu)

    def engine_full() -> float:
        return _timed(lambda: run_world(world, replicates=replicates, restraint=False), cpu)

    def mesa() -> float:
        return _timed(lambda: [run_mesa(world, replicate=r) for r in range(mesa_replicates)], cpu)

    def mesa_tuned() -> float:
        return _timed(
            lambda: [run_mesa_tuned(tuned_world, replicate=r) for r in range(mesa_replicates)],
            cpu,
        )

    timers = {"engine_core": engine_core, "engine_run_world": engine_full, "mesa": mesa,
              "mesa_tuned": mesa_tuned}  # fmt: skip
    for timer in timers.values():  # warm-up: compiled kernels, caches, imports
        timer()
    seconds: dict[str, list[float]] = {name: [] for name in timers}
    load: list[float] = []
    for _ in range(rounds):
        load.append(round(os.getloadavg()[0], 2))
        for name, timer in timers.items():
            seconds[name].append(timer())
    load.append(round(os.getloadavg()[0], 2))
    per_replicate = {
        name: [t / (mesa_replicates if name.startswith("mesa") else replicates) for t in times]
        for name, times in seconds.items()
    }
    median = {name: statistics.median(v) for name, v in per_replicate.items()}
    ratios = {
        f"speedup_{engine}_vs_{peer}": median[peer] / median[f"engine_{engine}"]
        for engine in ("core", "run_world")
        for peer in ("mesa", "mesa_tuned")
    }
    ratios_by_round = {
        f"speedup_{engine}_vs_mesa_tuned_rounds": [
            round(m / e, 1)
            for m, e in zip(
                per_replicate["mesa_tuned"], per_replicate[f"engine_{engine}"], strict=True
            )
        ]
        for engine in ("core", "run_world")
    }
    det = compile_world(synthetic_case(n, 20, deterministic=True), "pyramid", dtype=np.float64)
    diff = _max_difference(det)
    same = all(
        run_mesa(w, replicate=r).identical(run_mesa_tuned(w, replicate=r))
        for w in (world, det)
        for r in range(2)
    )
    return {
        "n": n,
        "steps": steps,
        "clock": "cpu (time.process_time)",
        "rounds": rounds,
        "load_average_1min_by_round": load,
        "engine_replicates": replicates,
        "mesa_replicates": mesa_replicates,
        "cpu_seconds_rounds": {k: [round(t, 4) for t in v] for k, v in seconds.items()},
        "cpu_seconds_per_replicate_median": {k: float(f"{v:.4g}") for k, v in median.items()},
        "mesa_tuned_speedup_over_mesa": median["mesa"] / median["mesa_tuned"],
        **ratios,
        **ratios_by_round,
        "mesa_tuned_identical_to_mesa": same,
        "equivalence_max_abs_difference": diff,
        "equivalent": diff < 1e-8,
    }


def _timed(fn: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> float:
    t0 = clock()
    fn()
    return clock() - t0


COMPARED = ("effort", "effort_next", "share", "offence", "defence", "offence_next", "security",
            "threat", "hostility", "main_threat", "pressure", "cooperation", "stance", "belief",
            "identity", "commitment", "crisis_prob", "war_prob", "crisis", "war", "crisis_risk",
            "abandonment", "entrapment", "test_hazard")  # fmt: skip
"""What the engine reports per step and the Mesa models record, by the engine's names: the
fields of :class:`~security_dilemma.engine.step.Period`, and ``stance`` from the state at the
end of the period."""


def engine_history(world: World, *, seed: int = 0) -> dict[str, np.ndarray[Any, Any]]:
    """The engine's :data:`COMPARED` quantities, step by step, for replicate 0 of ``world`` in
    double precision (the random numbers the Mesa models draw): arrays ``(steps, n)`` or
    ``(steps, n, n)``."""
    streams = ReplicateStreams(seed, 0, 1)
    state = world.initial_state(streams.motives(world.n))
    uniforms = streams.uniforms(world.n, world.steps)
    rows: dict[str, list[Any]] = {name: [] for name in COMPARED}
    for t in range(world.steps):
        state, period = advance(
            world.inputs[t], state, split_draws(uniforms[t], world.n, np.float64)
        )
        for name in COMPARED:
            value = state.stance if name == "stance" else getattr(period, name)
            rows[name].append(value[..., 0])
    return {name: np.array(v, dtype=np.float64) for name, v in rows.items()}


def mesa_deviations(world: World, *, seed: int = 0) -> dict[str, float]:
    """The largest absolute difference between the engine and the Mesa model for each of the
    :data:`COMPARED` quantities, over every step, state and dyad (the diagonal, a state about
    itself, is not modelled)."""
    from .mesa_model import run_mesa

    engine = engine_history(world, seed=seed)
    mesa = run_mesa(world, seed=seed)
    off = ~np.eye(world.n, dtype=bool)
    out = {}
    for name in COMPARED:
        ours, theirs = engine[name], mesa.array(name)
        if ours.ndim == 3:
            ours, theirs = ours[:, off], theirs[:, off]
        out[name] = float(np.max(np.abs(ours - theirs)))
    return out


def _max_difference(world: World) -> float:
    return max(mesa_deviations(world).values())


def million(replicates: int = 1_000_000, steps: int = 50, n: int = 10) -> dict[str, Any]:
    """A large ensemble within 2 GB: recorded metrics restricted to a few per actor."""
    world = compile_world(synthetic_case(n, steps), "pyramid")
    metrics = ["effort", "security", "arming", "crisis_risk"]

    def go() -> Any:
        return run_world(
            world, replicates=replicates, restraint=False, max_memory="2GB", metrics=metrics
        )

    t0, c0 = time.perf_counter(), time.process_time()
    result, peak = _peak(go)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "n": n,
        "steps": steps,
        "replicates": replicates,
        "metrics": metrics,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_traced_bytes": peak,
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "quantile_method": result.quantile_method,
        "summary_bytes": Summary.estimate_bytes(result.layout.cells, steps, replicates, keep=False),
        "within_2GB": peak < 2e9,
        "mean_final_effort": float(result.means[-1, 0]),
    }


def run(*, quick: bool = False) -> dict[str, Any]:
    """Run the suite; ``quick`` uses small sizes (checks the harness, not the targets)."""
    sizes = [(10, 1), (10, 100), (10, 10_000), (50, 1), (50, 100), (50, 10_000), (200, 1)]
    sizes += [(200, 100), (200, 10_000)]
    if quick:
        sizes = [(10, 1), (10, 100), (50, 10), (200, 1)]
    out: dict[str, Any] = {"load_average": list(os.getloadavg())}
    with one_core() as cpu:
        out["pinned_cpu"] = cpu
        rows = []
        for n, b in sizes:
            steps = max(2, min(20, int(2e8 // (n * n * b)))) if not quick else 2
            rows.append(throughput(n, b, steps=steps, repeats=1 if quick else 2, lens="pyramid"))
        out["pair_updates"] = rows
        per_lens = []
        for lens in ("realism", "liberalism", "constructivism", "pyramid"):
            b = 4 if quick else 64
            per_lens.append(throughput(200, b, steps=2 if quick else 20, repeats=1 if quick else 3,
                                       lens=lens))  # fmt: skip
        out["n200_b64_by_lens"] = per_lens
        out["mesa"] = mesa_comparison(
            replicates=20 if quick else 1000, mesa_replicates=2 if quick else 20,
            steps=5 if quick else 50, rounds=2 if quick else 7,
        )  # fmt: skip
    out["million"] = million(replicates=2_000 if quick else 1_000_000, steps=5 if quick else 50)
    best_200 = max(r["pair_updates_per_s"] for r in per_lens)
    default_200 = next(r for r in per_lens if r["lens"] == "pyramid")["pair_updates_per_s"]
    out["targets"] = {
        "mesa_speedup_n10_b1000": {
            "target": TARGETS["mesa_speedup_n10_b1000"],
            "against": "mesa_tuned",
            "measured_core": out["mesa"]["speedup_core_vs_mesa_tuned"],
            "measured_run_world": out["mesa"]["speedup_run_world_vs_mesa_tuned"],
            "met": out["mesa"]["speedup_run_world_vs_mesa_tuned"]
            >= TARGETS["mesa_speedup_n10_b1000"],
        },
        "pair_updates_per_s_n200_b64": {
            "target": TARGETS["pair_updates_per_s_n200_b64"],
            "measured_pyramid": default_200,
            "measured_best_lens": best_200,
            "met": default_200 >= TARGETS["pair_updates_per_s_n200_b64"],
        },
        "million_replicates_n10_50_steps_within_2GB": {
            "target_bytes": TARGETS["million_replicates_bytes"],
            "measured_peak_bytes": out["million"]["peak_traced_bytes"],
            "met": out["million"]["within_2GB"] and not quick,
        },
    }
    return out
