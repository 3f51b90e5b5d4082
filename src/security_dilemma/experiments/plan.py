"""A plan: what an experiment computes, split into chunks, with a run id from its content.

A run is identified by a hash of everything that determines its numbers: the model's
identity (case content, stored metrics), the points, replicates, chunk size, seed, and the
versions of this package and numpy. The same command therefore names the same run (and resumes
it); any change names a new run. Chunk ``c`` of point ``p`` holds replicates
``c*chunk_size .. min((c+1)*chunk_size, replicates) - 1``; replicate ``r`` of *every* point draws
from ``SeedSequence(seed, spawn_key=(r,))`` (common random numbers across points).

>>> from security_dilemma.experiments.params import Point
>>> plan = Plan(model=FixedIdentity({"model": "demo"}), points=(Point((("k", 0.5),)),),
...             replicates=250, chunk_size=100)
>>> [(c.point, c.chunk, c.first_replicate, c.replicates) for c in plan.chunks()]
[(0, 0, 0, 100), (0, 1, 100, 100), (0, 2, 200, 50)]
>>> plan.run_id == Plan(model=FixedIdentity({"model": "demo"}), points=plan.points,
...                     replicates=250, chunk_size=100).run_id
True
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .params import Point

if TYPE_CHECKING:
    from .chunks import ChunkValues

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ChunkSpec",
    "FixedIdentity",
    "Model",
    "Plan",
    "default_chunk_size",
    "identity_versions",
]

DEFAULT_CHUNK_SIZE = 50
"""Replicates per chunk unless the command says otherwise."""


def default_chunk_size(replicates: int) -> int:
    """The default chunk size: at most :data:`DEFAULT_CHUNK_SIZE`, never more than needed."""
    return max(1, min(replicates, DEFAULT_CHUNK_SIZE))


class Model(Protocol):
    """What a plan runs: picklable, so workers in other processes or machines can call it."""

    def identity(self) -> dict[str, Any]:
        """JSON-ready data that determines the model's output (hashed into the run id)."""
        ...

    def replicates(
        self, point: Point, *, seed: int, first_replicate: int, replicates: int
    ) -> ChunkValues:
        """Every value of replicates ``first_replicate ..`` at every step."""
        ...


@dataclass(frozen=True, slots=True)
class FixedIdentity:
    """A model that only has an identity (for planning and hashing; it cannot run)."""

    data: Mapping[str, Any]

    def identity(self) -> dict[str, Any]:
        """The identity given."""
        return dict(self.data)

    def replicates(
        self, point: Point, *, seed: int, first_replicate: int, replicates: int
    ) -> ChunkValues:
        """Always fails: this model only plans."""
        raise NotImplementedError("FixedIdentity cannot compute")


@dataclass(frozen=True, slots=True)
class ChunkSpec:
    """One unit of work: a replicate range of one point."""

    point: int
    chunk: int
    first_replicate: int
    replicates: int


def identity_versions() -> dict[str, str]:
    """Versions that change numbers, hashed into run ids: this package and numpy."""
    import numpy as np

    from .. import __version__

    return {"security_dilemma": __version__, "numpy": np.__version__}


@dataclass(frozen=True)
class Plan:
    """An experiment: a model evaluated at points, ``replicates`` times each, in chunks."""

    model: Model
    points: tuple[Point, ...]
    replicates: int
    seed: int = 0
    chunk_size: int = DEFAULT_CHUNK_SIZE
    kind: Literal["sweep", "sensitivity"] = "sweep"
    spec: Mapping[str, Any] = field(default_factory=dict)
    """How the points were specified (parameter texts, method...), stored for provenance."""

    def __post_init__(self) -> None:
        if self.replicates < 1:
            raise ValueError("replicates must be at least 1")
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        if not self.points:
            raise ValueError("a plan needs at least one point")

    @property
    def chunks_per_point(self) -> int:
        """Chunks in each point."""
        return math.ceil(self.replicates / self.chunk_size)

    @property
    def n_chunks(self) -> int:
        """Chunks in the whole plan."""
        return self.chunks_per_point * len(self.points)

    def chunks(self) -> list[ChunkSpec]:
        """Every chunk, point by point."""
        out = []
        for p in range(len(self.points)):
            for c in range(self.chunks_per_point):
                first = c * self.chunk_size
                out.append(ChunkSpec(p, c, first, min(self.chunk_size, self.replicates - first)))
        return out

    def identity(self) -> dict[str, Any]:
        """Everything hashed into the run id."""
        return {
            "kind": self.kind,
            "model": self.model.identity(),
            "points": [
                {"lens": p.lens, "values": [list(v) for v in p.values]} for p in self.points
            ],
            "replicates": self.replicates,
            "seed": self.seed,
            "chunk_size": self.chunk_size,
            "versions": identity_versions(),
        }

    @property
    def run_id(self) -> str:
        """A 16-hex-digit id: the start of the SHA-256 of :meth:`identity` as canonical JSON."""
        text = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
