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

The results depend on the case's geographic content only (not on its parameters: the
conventional reach's ``projection_km`` is applied by the caller), so each is cached per
:func:`~security_dilemma.geo.casegeometry.geometry_key` of the case (and the statuses asked
for), in a bounded LRU cache, as read-only arrays: a sweep or a parameter sample compiles the
same geography once. :func:`clear_cache` empties it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..scenario.schema import Case

__all__ = [
    "ACTIVE_MISSILE_STATUSES",
    "capital_distances",
    "clear_cache",
    "conventional_reach",
    "erosion_matrix",
    "intercept_matrix",
    "missile_reach",
]

Matrix = npt.NDArray[np.float64]

ACTIVE_MISSILE_STATUSES = ("deployed", "tested")
"""Missile statuses that count as a capability."""

CACHE_SIZE = 512
"""Matrices kept per kind (a case has one per distinct set of site and missile statuses)."""


@dataclass(frozen=True)
class _Geographic:
    """A case standing for its geographic content in a cache key: equal, and hashed, by
    ``key`` (its :func:`~security_dilemma.geo.casegeometry.geometry_key` and what else the
    computation reads), whatever the rest of the case."""

    key: tuple[Any, ...]
    case: Case = field(compare=False, hash=False)


def _of(case: Case, *extra: Any) -> _Geographic:
    from ..geo.casegeometry import geometry_key

    return _Geographic((geometry_key(case), *extra), case)


def _frozen(a: Matrix) -> Matrix:
    """``a`` as a read-only array (a cached result is shared by every caller)."""
    a.setflags(write=False)
    return a


def clear_cache() -> None:
    """Forget the cached matrices (the next calls compute them again)."""
    for cached in (_distances, _missile_reach, _defences):
        cached.cache_clear()


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
    """Geodesic distances between capitals, km (NaN where a capital is unknown), and notes.
    Cached per geography and start year (capitals move): the matrix is read-only."""
    out, notes = _distances(_of(case, case.span.start.year))
    return out, list(notes)


@lru_cache(maxsize=CACHE_SIZE)
def _distances(g: _Geographic) -> tuple[Matrix, tuple[str, ...]]:
    from pyproj import Geod

    case = g.case

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
    return _frozen(out), tuple(notes)


def conventional_reach(distances_km: Matrix, projection_km: float) -> Matrix:
    """``exp(-distance / projection_km)``; 1 where the distance is unknown."""
    out: Matrix = np.where(np.isnan(distances_km), 1.0, np.exp(-distances_km / projection_km))
    return out


def missile_reach(case: Case, active: Iterable[str]) -> tuple[Matrix, str]:
    """Reach of the active missile systems (ids), and which method computed it (cached,
    read-only)."""
    return _missile_reach(_of(case), tuple(sorted(active)))


@lru_cache(maxsize=CACHE_SIZE)
def _missile_reach(g: _Geographic, active: tuple[str, ...]) -> tuple[Matrix, str]:
    n = len(g.case.actors)
    if not active:
        return _frozen(np.zeros((n, n))), "none"
    from ..geo import reach_matrix

    out = np.array(reach_matrix(g.case, missiles=active), dtype=np.float64)
    return _frozen(out), "geo.reach_matrix"


def intercept_matrix(
    case: Case, sites: Iterable[str], missiles: Iterable[str]
) -> tuple[Matrix, str]:
    """Interception by the operational sites (ids) of the active missiles, and the method
    (cached, read-only)."""
    return _defences(_of(case), "intercept", tuple(sorted(sites)), tuple(sorted(missiles)))


def erosion_matrix(
    case: Case, sites: Iterable[str], missiles: Iterable[str], intercept: Matrix
) -> tuple[Matrix, str]:
    """Deterrent erosion by the standing (not cancelled) sites, and the method (``intercept``
    is not used; cached, read-only)."""
    return _defences(_of(case), "erosion", tuple(sorted(sites)), tuple(sorted(missiles)))


@lru_cache(maxsize=2 * CACHE_SIZE)
def _defences(
    g: _Geographic,
    which: Literal["intercept", "erosion"],
    sites: tuple[str, ...],
    missiles: tuple[str, ...],
) -> tuple[Matrix, str]:
    """``geo.intercept_matrix`` or ``geo.erosion_matrix`` of the sites and missiles as a
    read-only float64 matrix (zeros, method ``none``, without sites or missiles)."""
    from .. import geo

    n = len(g.case.actors)
    if not sites or not missiles:
        return _frozen(np.zeros((n, n))), "none"
    compute = geo.intercept_matrix if which == "intercept" else geo.erosion_matrix
    out = np.array(compute(g.case, sites=sites, missiles=missiles), dtype=np.float64)
    return _frozen(out), f"geo.{which}_matrix"
