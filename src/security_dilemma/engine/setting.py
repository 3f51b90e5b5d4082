"""The world around the states in one step: geography, defences, institutions, treaties.

Everything here is the same in every replicate and changes only through dated events
(a site becomes operational, a state joins an institution, a treaty forms), so it is
computed once per distinct configuration, not per step or per replicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Setting", "make_setting"]

Matrix = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True)
class Setting:
    """Exogenous arrays of one step, shaped ``(n, n, 1, 1)`` (``weight``: ``(n, 1, 1)``) to
    broadcast against the batch axes of the state; ``[i, j]`` conventions as in docs/model.md.

    * ``reach[i, j]``: fraction of j's territory within i's reach;
    * ``intercept[i, j]``: fraction of j's missiles aimed at i that defences stop;
    * ``exposure[i, j] = reach[j, i] * (1 - intercept[i, j])``: how much of j's offence
      can strike i;
    * ``erosion[i, j]``: share of j's retaliatory warheads that i's defences (standing or
      coming) could stop; ``retaliation[i, j] = reach[i, j] * (1 - erosion[j, i])``: how much
      of i's offence can strike back at j (missile defence erodes deterrence);
    * ``transparency``, ``shadow``: of the most transparent / longest-lived institution the
      two share (0 when none); ``treaty``: formal alliance commitment between them;
    * ``interdependence``; ``proximity = max(reach, reach.T)``; ``shield =
      max(erosion, erosion.T)`` (a defence that could blunt retaliation invites a first
      strike); ``weight``: each actor's initial effort in capability units (its milex over the
      mean actor's).
    """

    weight: Matrix
    reach: Matrix
    intercept: Matrix
    erosion: Matrix
    exposure: Matrix
    retaliation: Matrix
    transparency: Matrix
    shadow: Matrix
    treaty: Matrix
    interdependence: Matrix
    proximity: Matrix
    shield: Matrix
    offdiag: Matrix
    eye: Matrix
    notes: tuple[str, ...] = ()


def make_setting(
    weight: Any,
    reach: Any,
    intercept: Any,
    erosion: Any,
    transparency: Any,
    shadow: Any,
    treaty: Any,
    interdependence: Any,
    dtype: npt.DTypeLike = np.float32,
    notes: tuple[str, ...] = (),
) -> Setting:
    """Build a :class:`Setting` (derived arrays included) from (n, n) inputs."""
    reach = np.asarray(reach, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    erosion = np.asarray(erosion, dtype=np.float64)
    n = reach.shape[0]
    off = 1.0 - np.eye(n)

    def f(a: Any) -> Matrix:
        out: Matrix = np.ascontiguousarray(np.asarray(a).reshape(n, n, 1, 1), dtype=dtype)
        return out

    return Setting(
        weight=np.asarray(weight, dtype=dtype).reshape(n, 1, 1),
        reach=f(reach * off),
        intercept=f(intercept * off),
        erosion=f(erosion * off),
        exposure=f(reach.T * (1.0 - intercept) * off),
        retaliation=f(reach * (1.0 - erosion.T) * off),
        transparency=f(np.asarray(transparency) * off),
        shadow=f(np.asarray(shadow) * off),
        treaty=f(np.asarray(treaty) * off),
        interdependence=f(np.asarray(interdependence) * off),
        proximity=f(np.maximum(reach, reach.T) * off),
        shield=f(np.maximum(erosion, erosion.T) * off),
        offdiag=f(off),
        eye=f(np.eye(n)),
        notes=notes,
    )
