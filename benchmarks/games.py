"""Benchmark "games": a noisy 12-strategy round robin against ``axelrod.Tournament``.

Workload (full): 12 strategies, 200 turns, 50 repetitions, noise 0.05 (implementation error),
self-play included: 78 pairings x 50 = 3,900 matches, 780,000 rounds. Both run in this process
on one core (Axelrod's ``processes=None``); Axelrod is also run with ``processes=2`` (both
cores of the reference machine) when ``quick`` is false. Ours is timed as the best of seven
runs (the machine may be shared; the load average before the run is recorded). Target: at
least 30x faster than the serial Axelrod run. The result also reports how well the two agree
(z-scores of the mean scores per strategy), so a fast but wrong engine cannot pass unnoticed.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import warnings
from typing import Any

import numpy as np

from security_dilemma.games import MatchConfig, parse_strategy, round_robin

__all__ = ["LINEUP", "run"]

LINEUP = (
    "Cooperator",
    "Defector",
    "TitForTat",
    "SuspiciousTitForTat",
    "TitFor2Tats",
    "Grudger",
    "WinStayLoseShift",
    "GenerousTitForTat",
    "Alternator",
    "Random(0.5)",
    "Random(0.8)",
    "MemoryOne(1,0.2,0.8,0.3)",
)
TARGET = 30.0


def _import_axelrod() -> Any:
    """Import axelrod, undoing its global ``set_start_method("spawn", force=True)``."""
    before = multiprocessing.get_start_method(allow_none=True)
    import axelrod as axl  # type: ignore[import-untyped]

    multiprocessing.set_start_method(before, force=True)
    return axl


def _axelrod_players() -> list[Any]:
    axl = _import_axelrod()

    return [
        axl.Cooperator(),
        axl.Defector(),
        axl.TitForTat(),
        axl.SuspiciousTitForTat(),
        axl.TitFor2Tats(),
        axl.Grudger(),
        axl.WinStayLoseShift(),
        axl.GTFT(),
        axl.Alternator(),
        axl.Random(0.5),
        axl.Random(0.8),
        axl.MemoryOnePlayer((1, 0.2, 0.8, 0.3)),
    ]


def _axelrod(
    turns: int, repetitions: int, noise: float, processes: int | None
) -> tuple[float, Any]:
    axl = _import_axelrod()
    before = multiprocessing.get_start_method(allow_none=True)
    if processes is not None:
        multiprocessing.set_start_method("spawn", force=True)  # as axelrod configures itself
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        tour = axl.Tournament(
            _axelrod_players(), turns=turns, repetitions=repetitions, noise=noise, seed=1
        )
        try:
            results = tour.play(progress_bar=False, processes=processes)
        finally:
            multiprocessing.set_start_method(before, force=True)
        return time.perf_counter() - t0, results


def run(*, quick: bool = False) -> dict[str, Any]:
    """Time our round robin and Axelrod's on the same workload; report the ratio."""
    turns, repetitions, noise = (50, 5, 0.05) if quick else (200, 50, 0.05)
    strategies = [parse_strategy(s) for s in LINEUP]
    config = MatchConfig(turns=turns, noise=noise)
    round_robin(strategies, MatchConfig(turns=5, noise=noise), 1, seed=0)  # warm-up
    load_before = [round(v, 2) for v in os.getloadavg()]
    times = []
    ours = None
    for k in range(3 if quick else 7):  # best of several: the machine may be shared
        t0 = time.perf_counter()
        ours = round_robin(strategies, config, repetitions, seed=k)
        times.append(time.perf_counter() - t0)
    assert ours is not None
    ours_seconds = min(times)
    ax_seconds, ax = _axelrod(turns, repetitions, noise, None)
    ax_scores = np.array(ax.normalised_scores)
    se = np.sqrt(
        ax_scores.var(axis=1, ddof=1) / repetitions + ours.scores.var(axis=1, ddof=1) / repetitions
    )
    z = (ours.mean_scores - ax_scores.mean(axis=1)) / np.where(se > 0, se, 1.0)
    result: dict[str, Any] = {
        "workload": {
            "strategies": list(LINEUP),
            "turns": turns,
            "repetitions": repetitions,
            "noise": noise,
            "matches": len(LINEUP) * (len(LINEUP) + 1) // 2 * repetitions,
        },
        "load_average_before": load_before,
        "ours_seconds": round(ours_seconds, 4),
        "ours_seconds_all_runs": [round(t, 4) for t in times],
        "axelrod_seconds": round(ax_seconds, 3),
        "speedup": round(ax_seconds / ours_seconds, 1),
        "target_speedup": TARGET,
        "target_met": bool(ax_seconds / ours_seconds >= TARGET),
        "agreement": {
            "max_abs_z": round(float(np.max(np.abs(z))), 3),
            "z_by_strategy": dict(zip(LINEUP, np.round(z, 3).tolist(), strict=True)),
        },
    }
    if not quick:
        try:
            ax2_seconds, _ = _axelrod(turns, repetitions, noise, 2)
            result["axelrod_2_processes_seconds"] = round(ax2_seconds, 3)
            result["speedup_vs_2_processes"] = round(ax2_seconds / ours_seconds, 1)
        except Exception as exc:  # pragma: no cover - depends on the machine's multiprocessing
            result["axelrod_2_processes_error"] = f"{type(exc).__name__}: {exc}"
    if quick:
        result["note"] = "quick: small sizes check the harness, not the target"
    return result
