"""Reach and missile-defence interception for the engine, from the geography module.

* ``reach[i, j]``: the fraction of j's territory within i's strike range. Missile reach is
  computed from the case's missiles by ``security_dilemma.geo.reach_matrix``; it is combined
  with conventional reach, which falls with the distance between capitals as
  ``exp(-distance / projection_km)`` (Boulding's loss-of-strength gradient):
  ``reach = max(missile reach, conventional reach)``. Actors whose capital cannot be placed
  get conventional reach 1.
* ``intercept[i, j]``: the expected fraction of j's missiles aimed at i that missile defences
  of i or its allies stop, from ``security_dilemma.geo.intercept_matrix`` for the operational
  sites.
* ``erosion[i, j]``: the share of j's *retaliatory* warheads that i's defences could stop,
  counting every site not cancelled (planned ones too: a state judges its deterrent by the
  defences it sees coming), from ``security_dilemma.geo.erosion_matrix``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ..scenario.schema import Case

__all__ = [
    "ACTIVE_MISSILE_STATUSES",
    "capital_distances",
    "conventional_reach",
    "erosion_matrix",
    "intercept_matrix",
    "missile_reach",
]

Matrix = npt.NDArray[np.float64]

ACTIVE_MISSILE_STATUSES = ("deployed", "tested")
"""Missile statuses that count as a capability."""


def _capital(case: Case, actor_id: str) -> tuple[float, float] | None:
    from ..errors import BadInput

    gaz = _gazetteer(case)
    actor = case.actor(actor_id)
    year = case.span.start.year
    queries: list[tuple[str | int, bool]] = []
    if actor.capital:
        queries.append((actor.capital, False))
    if actor.iso3:
        queries.append((actor.iso3, True))
    if actor.ccode:
        queries.append((actor.ccode, True))
    queries.append((actor.id, True))
    for query, is_country in queries:
        try:
            loc = gaz.capital(query, year) if is_country else gaz.resolve(str(query))
        except (BadInput, KeyError, ValueError):
            continue
        return float(loc.lat), float(loc.lon)
    return None


def _gazetteer(case: Case) -> Any:
    from ..geo import Gazetteer

    return _cached_gazetteer(tuple((p.name, p.lat, p.lon) for p in case.places), Gazetteer)


@lru_cache(maxsize=8)
def _cached_gazetteer(places: tuple[tuple[str, float, float], ...], cls: Any) -> Any:
    return cls.with_places(places)


def capital_distances(case: Case) -> tuple[Matrix, list[str]]:
    """Geodesic distances between capitals, km (NaN where a capital is unknown), and notes."""
    from pyproj import Geod

    ids = case.actor_ids()
    points = [_capital(case, a) for a in ids]
    notes = [
        f"capital of {a} unknown: conventional reach 1"
        for a, p in zip(ids, points, strict=True)
        if not p
    ]
    n = len(ids)
    out = np.full((n, n), np.nan)
    geod = Geod(ellps="WGS84")
    for i, p in enumerate(points):
        for j, q in enumerate(points):
            if p is None or q is None:
                continue
            if i == j:
                out[i, j] = 0.0
            elif j > i:
                _, _, metres = geod.inv(p[1], p[0], q[1], q[0])
                out[i, j] = out[j, i] = metres / 1000.0
    return out, notes


def conventional_reach(distances_km: Matrix, projection_km: float) -> Matrix:
    """``exp(-distance / projection_km)``; 1 where the distance is unknown."""
    out: Matrix = np.where(np.isnan(distances_km), 1.0, np.exp(-distances_km / projection_km))
    return out


def missile_reach(case: Case, active: Iterable[str]) -> tuple[Matrix, str]:
    """Reach of the active missile systems (ids), and which method computed it."""
    active = tuple(sorted(active))
    n = len(case.actors)
    if not active:
        return np.zeros((n, n)), "none"
    from ..geo import reach_matrix

    return np.asarray(reach_matrix(case, missiles=active), dtype=np.float64), "geo.reach_matrix"


def intercept_matrix(
    case: Case, sites: Iterable[str], missiles: Iterable[str]
) -> tuple[Matrix, str]:
    """Interception by the operational sites (ids) of the active missiles, and the method."""
    sites, missiles = tuple(sorted(sites)), tuple(sorted(missiles))
    n = len(case.actors)
    if not sites or not missiles:
        return np.zeros((n, n)), "none"
    from ..geo import intercept_matrix as geo_intercept

    out = geo_intercept(case, sites=sites, missiles=missiles)
    return np.asarray(out, dtype=np.float64), "geo.intercept_matrix"


def erosion_matrix(
    case: Case, sites: Iterable[str], missiles: Iterable[str], intercept: Matrix
) -> tuple[Matrix, str]:
    """Deterrent erosion by the standing (not cancelled) sites, and the method (``intercept``
    is not used)."""
    sites, missiles = tuple(sorted(sites)), tuple(sorted(missiles))
    n = len(case.actors)
    if not sites or not missiles:
        return np.zeros((n, n)), "none"
    from ..geo import erosion_matrix as geo_erosion

    out = geo_erosion(case, sites=sites, missiles=missiles)
    return np.asarray(out, dtype=np.float64), "geo.erosion_matrix"
