"""The simulation engine as a plan model: one case, optionally restricted to some metrics."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import BadInput, Problem, did_you_mean
from ..limits import check_sequence
from ..scenario.schema import Case
from .chunks import ChunkValues
from .params import Point, engine_lens

__all__ = ["EngineModel", "case_sha256", "check_metrics", "engine_metrics"]


def case_sha256(case: Case) -> str:
    """SHA-256 of the case's canonical JSON (its content, whatever file it came from)."""
    return hashlib.sha256(case.model_dump_json(by_alias=True).encode()).hexdigest()


def engine_metrics(*, restraint: bool = True) -> list[str]:
    """Names of the metrics the engine reports (with ``restraint=False``, those that do not
    need the restraint copies)."""
    from ..engine import METRICS

    return [m.name for m in METRICS if restraint or not m.restraint]


def check_metrics(metrics: Sequence[str], *, restraint: bool = True) -> None:
    """Raise :class:`BadInput` for a metric the engine does not report."""
    known = engine_metrics(restraint=restraint)
    problems = []
    for m in check_sequence(metrics, "metrics", str, "metric names"):
        if m not in known:
            hint = did_you_mean(m, known)
            if not restraint and m in engine_metrics():
                hint = " (a restraint measure: it needs the restraint copies)"
            problems.append(Problem(f"unknown metric '{m}'{hint}", path="metrics"))
    if problems:
        raise BadInput(problems)


@functools.lru_cache(maxsize=8)
def _case_from_json(text: str) -> Case:
    return Case.model_validate_json(text)


def _engine_model(case_json: str, metrics: tuple[str, ...], restraint: bool) -> EngineModel:
    return EngineModel(_case_from_json(case_json), metrics, restraint)


@dataclass(frozen=True)
class EngineModel:
    """Run :func:`security_dilemma.engine.simulate` on ``case`` at a point.

    ``metrics`` restricts what is stored (all the engine reports when empty);
    ``restraint=False`` skips the restraint copies (and the measures that need them).
    """

    case: Case
    metrics: tuple[str, ...] = ()
    restraint: bool = True

    @functools.cached_property
    def _case_json(self) -> str:
        return self.case.model_dump_json(by_alias=True)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the case's JSON: cheap to send, and parsed once per worker process."""
        return (_engine_model, (self._case_json, self.metrics, self.restraint))

    def identity(self) -> dict[str, Any]:
        """Case id and content hash, the stored metrics, and the restraint switch.

        The switch keeps its first key, ``"counterfactual"``: the identity is hashed into the
        run id, so a new key would give every run a new id, and the same command would no
        longer resume a run begun before the rename (docs/experiments.md).
        """
        return {
            "engine": "security_dilemma.engine.simulate",
            "case": self.case.id,
            "case_sha256": hashlib.sha256(self._case_json.encode()).hexdigest(),
            "metrics": list(self.metrics),
            "counterfactual": self.restraint,
        }

    def check_memory(self, replicates: int) -> None:
        """Refuse (:class:`BadInput`) chunks of ``replicates`` that a worker's memory budget
        (the engine's default) cannot hold, before any is computed."""
        from ..engine.run import check_memory

        check_memory(
            self.case,
            replicates,
            restraint=self.restraint,
            metrics=list(self.metrics) or None,
            keep=True,
            advice="give a smaller chunk size (--chunk-size), or fewer actors, steps or metrics",
            path="chunk_size",
        )

    def replicates(
        self, point: Point, *, seed: int, first_replicate: int, replicates: int
    ) -> ChunkValues:
        """The engine's per-replicate values for replicates ``first_replicate ..``."""
        from ..engine import simulate

        result = simulate(
            self.case,
            lens=engine_lens(point.lens, self.case.actor_ids()),
            replicates=replicates,
            seed=seed,
            first_replicate=first_replicate,
            overrides=point.overrides or None,
            keep_replicates=True,
            restraint=self.restraint,
            metrics=list(self.metrics) or None,
        )
        assert result.replicate_values is not None
        cells = result.tidy().query("step == 0")
        values = ChunkValues(
            np.asarray(result.replicate_values, dtype=np.float64),
            tuple(result.dates),
            tuple(str(a) for a in cells["actor"]),
            tuple(str(c) for c in cells["counterpart"]),
            tuple(str(m) for m in cells["metric"]),
            first_replicate,
        )
        return values.select(self.metrics)
