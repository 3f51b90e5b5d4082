"""Random numbers per replicate: one stream per replicate, so chunking cannot change results.

Replicate ``r`` (its global index) draws from ``numpy.random.SeedSequence(seed,
spawn_key=(r,))`` - the same sequence as ``SeedSequence(seed).spawn(n)[r]`` - through a
PCG64 generator. Each replicate first draws its actors' motives (``n`` uniforms), then, for
every step, one row of ``uniforms_per_step(n)`` single-precision uniforms: effort shocks and
observation errors (standard normals, by the Box-Muller transform) and the crisis draws of
the ``n (n - 1) / 2`` dyads. Drawing a block of steps at once gives the same numbers as
drawing them one step at a time, so the run loop may pick any block length.

The uniforms are exactly those of ``Generator.random(dtype=numpy.float32)`` (the top 24 bits
of successive 32-bit halves of the generator's 64-bit outputs, low half first), computed from
the raw 64-bit outputs in bulk, which is about twice as fast.

>>> import numpy as np
>>> a = ReplicateStreams(seed=7, first=3, count=2).uniforms(4, steps=2)
>>> b = ReplicateStreams(seed=7, first=4, count=1).uniforms(4, steps=2)
>>> bool(np.array_equal(a[:, 1], b[:, 0]))
True
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from . import kernels

__all__ = ["Draws", "ReplicateStreams", "split_draws", "step_uniforms", "uniforms_per_step"]

F32 = npt.NDArray[np.float32]
U32 = npt.NDArray[np.uint32]

_LITTLE = sys.byteorder == "little"


def _normals(n: int) -> int:
    """Normals per step: one effort shock per actor and one observation error per dyad."""
    return n + n * n


def uniforms_per_step(n: int) -> int:
    """Uniforms one replicate draws per step with ``n`` actors: the normals (in pairs), one per
    dyad i < j for crises, one per actor for its choices (whether it sends a signal)."""
    k = _normals(n)
    return 2 * ((k + 1) // 2) + n * (n - 1) // 2 + n


class ReplicateStreams:
    """Generators for replicates ``first .. first + count - 1`` of a run seeded ``seed``."""

    def __init__(self, seed: int, first: int, count: int) -> None:
        self.seed = seed
        self.first = first
        self.generators = [
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(r,))))
            for r in range(first, first + count)
        ]
        self._spare: list[int | None] = [None] * count

    def _words(self, r: int, count: int) -> U32:
        """The next ``count`` 32-bit words of replicate ``r`` (numpy's ``next_uint32``: the
        low half of a 64-bit output first, its high half kept for the next call)."""
        spare = self._spare[r]
        start = 0 if spare is None else 1
        raw = self.generators[r].bit_generator.random_raw((count - start + 1) // 2)
        if _LITTLE:
            halves: U32 = raw.view(np.uint32)
        else:  # pragma: no cover - big-endian machines
            halves = np.stack([raw & 0xFFFFFFFF, raw >> 32], axis=-1).astype(np.uint32).ravel()
        if spare is not None:
            halves = np.concatenate([np.array([spare], dtype=np.uint32), halves])
        self._spare[r] = int(halves[count]) if halves.size > count else None
        out: U32 = halves[:count]
        return out

    def _uniforms(self, r: int, count: int) -> F32:
        out: F32 = np.empty(count, dtype=np.float32)
        kernels.ready()
        kernels.unit_uniforms(np.ascontiguousarray(self._words(r, count)), out)
        return out

    def motives(self, n: int) -> F32:
        """The first draw of each replicate: ``n`` uniforms for the actors' true types."""
        return np.stack([self._uniforms(r, n) for r in range(len(self.generators))])

    def uniforms(self, n: int, steps: int) -> F32:
        """The next ``steps`` steps' uniforms: shape ``(steps, replicates, per step)``."""
        k = uniforms_per_step(n)
        rows = [self._uniforms(r, steps * k) for r in range(len(self.generators))]
        if len(rows) == 1:
            return rows[0].reshape(steps, 1, k)
        return np.stack([u.reshape(steps, k) for u in rows], axis=1)


def step_uniforms(seed: int, replicate: int, n: int, step: int) -> F32:
    """Step ``step``'s uniforms of one replicate ``(1, uniforms_per_step(n))``, drawn directly:
    the same numbers as :meth:`ReplicateStreams.uniforms` gives after the motives and ``step``
    earlier steps (the generator jumps ahead), so a world stepped one period at a time
    (:mod:`security_dilemma.classroom`) draws what a run draws.

    >>> import numpy as np
    >>> s = ReplicateStreams(seed=7, first=2, count=1)
    >>> _ = s.motives(3)
    >>> run = s.uniforms(3, steps=4)
    >>> bool(np.array_equal(step_uniforms(7, 2, 3, 3), run[3]))
    True
    """
    k = uniforms_per_step(n)
    skip = n + step * k  # 32-bit words drawn before: the motives, then k per step
    bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replicate,)))
    bits.advance(skip // 2)
    first = skip % 2
    raw = bits.random_raw((first + k + 1) // 2)
    if _LITTLE:
        halves: U32 = raw.view(np.uint32)
    else:  # pragma: no cover - big-endian machines
        halves = np.stack([raw & 0xFFFFFFFF, raw >> 32], axis=-1).astype(np.uint32).ravel()
    out: F32 = np.empty(k, dtype=np.float32)
    kernels.ready()
    kernels.unit_uniforms(np.ascontiguousarray(halves[first : first + k]), out)
    return out.reshape(1, k)


class Draws(NamedTuple):
    """One step's random numbers for a batch of B replicates (the restraint copies of a
    replicate share them): ``effort`` (n, B) and ``observation`` (n, n, B) are standard
    normals; ``crisis`` (m, B) are uniforms for the dyads i < j in row-major order;
    ``choice`` (n, B) are uniforms for each actor's choices (whether it sends a signal)."""

    effort: npt.NDArray[np.floating[Any]]
    observation: npt.NDArray[np.floating[Any]]
    crisis: npt.NDArray[np.floating[Any]]
    choice: npt.NDArray[np.floating[Any]]


def split_draws(u: F32, n: int, dtype: npt.DTypeLike = np.float32) -> Draws:
    """Turn one step's uniforms ``(B, uniforms_per_step(n))`` into :class:`Draws`.

    Box-Muller in single precision: ``sqrt(-2 log1p(-u1)) * (cos, sin)(2 pi u2)`` with numpy's
    vectorised ``log1p``, ``cos`` and ``sin``; the arithmetic around them is compiled.
    """
    k = _normals(n)
    half = (k + 1) // 2
    b = u.shape[0]
    u = np.ascontiguousarray(u, dtype=np.float32)
    kernels.ready()
    work = np.empty((3, half, b), dtype=np.float32)
    minus_u, angle, sine = work[0], work[1], work[2]
    kernels.polar_in(u, half, minus_u, angle)
    np.log1p(minus_u, out=minus_u)
    np.sin(angle, out=sine)
    np.cos(angle, out=angle)
    normals = np.empty((k, b), dtype=np.float32)
    m = n * (n - 1) // 2
    crisis = np.empty((m, b), dtype=np.float32)
    kernels.polar_out(u, minus_u, angle, sine, half, normals, crisis)
    choice = np.ascontiguousarray(u[:, 2 * half + m :].T, dtype=dtype)
    normals = normals.astype(dtype, copy=False)
    return Draws(
        effort=normals[:n],
        observation=normals[n:].reshape(n, n, b),
        crisis=crisis.astype(dtype, copy=False),
        choice=choice,
    )
