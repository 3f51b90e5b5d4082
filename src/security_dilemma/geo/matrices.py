"""Actor-by-actor geography for the engine: reach, interception and deterrent erosion.

Rows and columns follow ``case.actor_ids()``. The expensive geometry (rings, territory
intersections, path samples) is computed once per case geography and cached
(:func:`~security_dilemma.geo.casegeometry.case_geometry`); calling these again with other
``sites`` or ``missiles`` only redoes the arithmetic.

* ``reach[i, j]``: share of actor j's territory (equal-area) within range of any of actor i's
  missile systems from any of their launch points; 0 when i has no systems.
* ``intercept[i, j]``: expected share of j's warheads aimed at i (those in range of i's capital)
  that the active interceptor sites defending i stop; 0 on the diagonal and when none of j's
  warheads reaches i.
* ``erosion[i, j]``: the same quantity for j's *retaliatory* force against i's defences, by
  default counting every site not cancelled and a full retaliation; the engine's
  deterrent-erosion term.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .casegeometry import case_geometry
from .erosion import DEFAULT_SHOTS, active_sites, defence_outcome

if TYPE_CHECKING:
    from ..scenario.schema import Case

__all__ = ["erosion_matrix", "intercept_matrix", "reach_matrix"]

Matrix = npt.NDArray[np.float64]


def _missile_set(case: Case, missiles: Iterable[str] | None) -> frozenset[str] | None:
    if missiles is None:
        return None
    chosen = frozenset(missiles)
    known = {m.id for m in case.missiles}
    bad = sorted(chosen - known)
    if bad:
        from ..errors import BadInput, Problem, did_you_mean

        raise BadInput(
            Problem(
                f"unknown missile system '{bad[0]}'{did_you_mean(bad[0], known)}", path="missiles"
            )
        )
    return chosen


def reach_matrix(case: Case, missiles: Iterable[str] | None = None) -> Matrix:
    """``reach[i, j]``: share of j's territory within range of i's missiles (N x N).

    ``missiles``: ids of the systems to count (default: every system of the case).
    """
    geo = case_geometry(case)
    chosen = _missile_set(case, missiles)
    ids = geo.actor_ids
    out = np.zeros((len(ids), len(ids)))
    for i, a in enumerate(ids):
        if not geo.systems(a, chosen):
            continue
        for j, b in enumerate(ids):
            out[i, j] = geo.reach_fraction(a, b, chosen)
    return out


def intercept_matrix(
    case: Case,
    sites: Iterable[str] | None = None,
    *,
    missiles: Iterable[str] | None = None,
    shots: int = DEFAULT_SHOTS,
) -> Matrix:
    """``intercept[i, j]``: expected share of j's warheads aimed at i that i's defences stop.

    ``sites``: ids of the active defence sites (default: those whose status is operational).
    A site defends i when i operates it, hosts it, or shares an alliance with its operator; an
    interceptor site counts only with an active radar of its operator or an ally covering the
    same stretch of the path (see :mod:`~security_dilemma.geo.coverage`).
    """
    geo = case_geometry(case)
    active = active_sites(geo, sites, "operational")
    chosen = _missile_set(case, missiles)
    return _outcomes(case, active, chosen, shots, 1.0)


def erosion_matrix(
    case: Case,
    sites: Iterable[str] | None = None,
    *,
    missiles: Iterable[str] | None = None,
    shots: int = DEFAULT_SHOTS,
    retaliation: float = 1.0,
) -> Matrix:
    """``erosion[i, j]``: share of j's retaliatory warheads that i's defences could stop.

    ``sites`` defaults to every site that is not cancelled; ``retaliation`` is the share of
    j's force that survives to retaliate.
    """
    geo = case_geometry(case)
    active = active_sites(geo, sites, "standing")
    chosen = _missile_set(case, missiles)
    return _outcomes(case, active, chosen, shots, retaliation)


def _outcomes(
    case: Case,
    active: frozenset[str],
    chosen: frozenset[str] | None,
    shots: int,
    retaliation: float,
) -> Matrix:
    geo = case_geometry(case)
    ids = geo.actor_ids
    out = np.zeros((len(ids), len(ids)))
    if not active:
        return out
    attackers = [j for j, b in enumerate(ids) if geo.systems(b, chosen)]
    for i, a in enumerate(ids):
        for j in attackers:
            if i == j:
                continue
            res = defence_outcome(
                geo, a, ids[j], active, shots=shots, retaliation=retaliation, missiles=chosen
            )
            out[i, j] = res.fraction
    return out
