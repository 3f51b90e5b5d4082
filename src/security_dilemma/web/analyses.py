"""A case's heavy analyses for the web: the rolling-origin backtest and the what-if worlds.

Each is computed once per version of the case and settings (:class:`BacktestSettings`,
:class:`WhatifSettings`), off the event loop: in a worker process at a lower priority (the
server keeps a core for its pages), or in a thread of this process (``serial``, for tests).
A page asks :meth:`Analyses.status` and polls until the result is ready; the result is the
library's own record (:class:`~security_dilemma.history.forecast.RollingForecast`,
:class:`~security_dilemma.whatif.compare.CounterfactualComparison`), drawn with the report's
figure functions.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import BadInput, Problem
from .runs import NICE

if TYPE_CHECKING:
    from ..history.forecast import RollingForecast
    from ..scenario import Case
    from ..whatif.compare import CounterfactualComparison

__all__ = [
    "MAX_ANALYSIS_REPLICATES",
    "Analyses",
    "AnalysisStatus",
    "BacktestSettings",
    "WhatifSettings",
    "lower_priority",
]

MAX_ANALYSIS_REPLICATES = 500
"""Replicates a backtest or what-if comparison may ask for on this server."""


def lower_priority() -> None:
    """Worker initializer: compute at a lower priority, so that the server keeps answering."""
    os.nice(NICE)


@dataclass(frozen=True, slots=True)
class BacktestSettings:
    """A rolling-origin backtest: lenses, replicates per lens, horizon (years) and seed."""

    lenses: tuple[str, ...] = ("realism",)
    replicates: int = 40
    horizon: int = 2
    seed: int = 0

    def check(self) -> BacktestSettings:
        """Itself, or :class:`BadInput` naming the parameter."""
        from ..lenses import lens_names

        problems = [
            Problem(f"unknown lens '{lens}' (one of {', '.join(lens_names())})", path="lens")
            for lens in self.lenses
            if lens not in lens_names()
        ]
        if not self.lenses:
            problems.append(Problem("choose at least one lens", path="lens"))
        if not 2 <= self.replicates <= MAX_ANALYSIS_REPLICATES:
            problems.append(Problem(f"from 2 to {MAX_ANALYSIS_REPLICATES}", path="replicates"))
        if not 1 <= self.horizon <= 10:
            problems.append(Problem("from 1 to 10 years", path="horizon"))
        if problems:
            raise BadInput(problems)
        return self


@dataclass(frozen=True, slots=True)
class WhatifSettings:
    """A what-if comparison: the world (a counterfactual id of the case), lenses,
    replicates and seed."""

    world: str
    lenses: tuple[str, ...] = ("realism",)
    replicates: int = 40
    seed: int = 0

    def check(self, case: Case) -> WhatifSettings:
        """Itself, or :class:`BadInput` naming the parameter."""
        from ..lenses import lens_names

        worlds = [c.id for c in case.counterfactuals]
        problems = [
            Problem(f"unknown lens '{lens}' (one of {', '.join(lens_names())})", path="lens")
            for lens in self.lenses
            if lens != "case" and lens not in lens_names()
        ]
        if self.world not in worlds:
            known = ", ".join(worlds) or "none: the case has no counterfactuals"
            problems.append(Problem(f"no world '{self.world}' (worlds: {known})", path="world"))
        if not self.lenses:
            problems.append(Problem("choose at least one lens", path="lens"))
        if not 2 <= self.replicates <= MAX_ANALYSIS_REPLICATES:
            problems.append(Problem(f"from 2 to {MAX_ANALYSIS_REPLICATES}", path="replicates"))
        if problems:
            raise BadInput(problems)
        return self


def run_backtest(case: Case, settings: BacktestSettings) -> RollingForecast:
    """The case's rolling-origin forecasts (``dilemma backtest --origins``, default origins)."""
    from ..history import default_origins, rolling_forecast

    return rolling_forecast(
        case,
        origins=default_origins(case, settings.horizon),
        horizon=settings.horizon,
        lenses=list(settings.lenses),
        replicates=settings.replicates,
        seed=settings.seed,
    )


def run_whatif(case: Case, settings: WhatifSettings) -> CounterfactualComparison:
    """The case against one of its what-if worlds (``dilemma whatif``)."""
    from ..whatif import compare

    lenses = [None if lens == "case" else lens for lens in settings.lenses]
    return compare(
        case,
        settings.world,
        lens=lenses[0] if len(lenses) == 1 else [x or "case" for x in lenses],
        replicates=settings.replicates,
        seed=settings.seed,
    )


State = Literal["running", "done", "failed"]


@dataclass(frozen=True, slots=True)
class AnalysisStatus:
    """Where an analysis is: ``running``, ``done`` (``result``) or ``failed`` (``message``)."""

    state: State
    result: Any = None
    message: str = ""


def case_digest(case: Case) -> str:
    """A short digest of a case's content (the cache key of its analyses)."""
    return hashlib.sha256(case.model_dump_json().encode("utf-8")).hexdigest()[:16]


class Analyses:
    """Analyses computed once per case and settings, at most ``limit`` kept.

    ``executor`` is ``local`` (one worker process at a lower priority, started with the first
    analysis) or ``serial`` (a thread of this process).
    """

    def __init__(self, executor: str = "local", limit: int = 32) -> None:
        self._executor_name = executor
        self._pool: Executor | None = None
        self._futures: dict[tuple[str, str, object], Future[Any]] = {}
        self._lock = threading.Lock()
        self.limit = limit

    def _executor(self) -> Executor:
        if self._pool is None:
            if self._executor_name == "serial":
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="dilemma-analysis")
            else:
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=multiprocessing.get_context("forkserver"),
                    initializer=lower_priority,
                )
        return self._pool

    def status(
        self, kind: str, case: Case, settings: object, fn: Callable[[Case, Any], Any]
    ) -> AnalysisStatus:
        """The analysis ``fn(case, settings)``: started on first asking, then its status."""
        key = (kind, case_digest(case), settings)
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                if len(self._futures) >= self.limit:
                    for old in [k for k, f in self._futures.items() if f.done()]:
                        del self._futures[old]
                future = self._executor().submit(fn, case, settings)
                self._futures[key] = future
        if not future.done():
            return AnalysisStatus("running")
        error = future.exception()
        if isinstance(error, BadInput):
            raise error
        if error is not None:
            return AnalysisStatus("failed", message=f"{type(error).__name__}: {error}")
        return AnalysisStatus("done", future.result())

    def close(self) -> None:
        """Stop the worker (an analysis being computed is abandoned)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
