"""Random numbers per replicate: one stream per replicate, so chunking cannot change results.

Replicate ``r`` (its global index) draws from ``numpy.random.SeedSequence(seed,
spawn_key=(r,))`` - the same sequence as ``SeedSequence(seed).spawn(n)[r]`` - through a
PCG64 generator. Each replicate first draws its actors' motives (``n`` uniforms), then, for
every step, one row of ``uniforms_per_step(n)`` single-precision uniforms: effort shocks and
observation errors (standard normals, by the Box-Muller transform) and the crisis draws of
the ``n (n - 1) / 2`` dyads. Drawing a block of steps at once gives the same numbers as
drawing them one step at a time, so the run loop may pick any block length.

>>> import numpy as np
>>> a = ReplicateStreams(seed=7, first=3, count=2).uniforms(4, steps=2)
>>> b = ReplicateStreams(seed=7, first=4, count=1).uniforms(4, steps=2)
>>> bool(np.array_equal(a[:, 1], b[:, 0]))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Draws", "ReplicateStreams", "split_draws", "uniforms_per_step"]

F32 = npt.NDArray[np.float32]


def _normals(n: int) -> int:
    """Normals per step: one effort shock per actor and one observation error per dyad."""
    return n + n * n


def uniforms_per_step(n: int) -> int:
    """Uniforms one replicate draws per step with ``n`` actors."""
    k = _normals(n)
    return 2 * ((k + 1) // 2) + n * (n - 1) // 2


class ReplicateStreams:
    """Generators for replicates ``first .. first + count - 1`` of a run seeded ``seed``."""

    def __init__(self, seed: int, first: int, count: int) -> None:
        self.seed = seed
        self.first = first
        self.generators = [
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(r,))))
            for r in range(first, first + count)
        ]

    def motives(self, n: int) -> F32:
        """The first draw of each replicate: ``n`` uniforms for the actors' true types."""
        return np.stack([g.random(n, dtype=np.float32) for g in self.generators])

    def uniforms(self, n: int, steps: int) -> F32:
        """The next ``steps`` steps' uniforms: shape ``(steps, replicates, per step)``."""
        k = uniforms_per_step(n)
        return np.stack([g.random((steps, k), dtype=np.float32) for g in self.generators], axis=1)


@dataclass(frozen=True, slots=True)
class Draws:
    """One step's random numbers for a batch of B replicates, shaped to broadcast against the
    state's ``(..., copies, B)`` axes (counterfactual copies share them).

    ``effort`` (n, 1, B) and ``observation`` (n, n, 1, B) are standard normals; ``crisis``
    (m, 1, B) are uniforms for the dyads i < j in row-major order.
    """

    effort: npt.NDArray[np.floating[Any]]
    observation: npt.NDArray[np.floating[Any]]
    crisis: npt.NDArray[np.floating[Any]]


def split_draws(u: F32, n: int, dtype: npt.DTypeLike = np.float32) -> Draws:
    """Turn one step's uniforms ``(B, uniforms_per_step(n))`` into :class:`Draws`."""
    k = _normals(n)
    half = (k + 1) // 2
    b = u.shape[0]
    ut = np.ascontiguousarray(u.T)
    radius = np.sqrt(-2.0 * np.log1p(-ut[:half]))
    angle = np.float32(2.0 * np.pi) * ut[half : 2 * half]
    normals = np.concatenate([radius * np.cos(angle), radius * np.sin(angle)])[:k]
    normals = normals.astype(dtype, copy=False)
    return Draws(
        effort=normals[:n].reshape(n, 1, b),
        observation=normals[n:].reshape(n, n, 1, b),
        crisis=ut[2 * half :].astype(dtype, copy=False).reshape(-1, 1, b),
    )
