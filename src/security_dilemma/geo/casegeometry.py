"""The geography of one case, resolved once and cached: places, territories, rings and paths.

:func:`case_geometry` returns the same :class:`CaseGeometry` for cases whose geographic content
is the same (actors' codes, capitals and members, missiles, defence sites, places, alliances):
the key is a SHA-256 digest of that content, so a case updated by copying (e.g. a site status
changed by an event) reuses the rings and path samples already computed.

Conventions (documented in ``docs/geography.md``):

* an actor's **targets** are its capital (``capital`` field, else the capital of its ``iso3``);
  a bloc without a capital uses its members' capitals;
* an actor's **territory** is the Natural Earth polygon of its ``iso3``; a bloc's is the union
  of its members' (actor ids or ISO3 codes);
* a missile system without ``launch_areas`` is launched from its owner's targets (capital);
* a missile system without an ``inventory`` counts as one missile.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import shapely

from ..errors import BadInput, Problem
from .coverage import Allied, PathCoverage, Site, allied, case_sites, path_coverage
from .gazetteer import Gazetteer, Location
from .geodesy import geodesic_area_km2, range_ring
from .reach import check_range, territory

if TYPE_CHECKING:
    from ..scenario.schema import Actor, Case, MissileSystem

__all__ = ["CaseGeometry", "case_geometry", "geometry_key"]

_GEO_FIELDS = {"id", "actors", "missiles", "defence_sites", "places", "alliances"}
_CACHE: OrderedDict[str, CaseGeometry] = OrderedDict()
_CACHE_SIZE = 32
_CACHE_LOCK = threading.Lock()


def geometry_key(case: Case) -> str:
    """Digest of the case's geographic content (what :class:`CaseGeometry` depends on)."""
    payload = case.model_dump(mode="json", include=_GEO_FIELDS)
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def case_geometry(case: Case) -> CaseGeometry:
    """The (cached) :class:`CaseGeometry` of a case."""
    key = geometry_key(case)
    with _CACHE_LOCK:  # threads share the cache (two may build the same geometry at once)
        geo = _CACHE.get(key)
        if geo is not None:
            _CACHE.move_to_end(key)
            return geo
    geo = CaseGeometry.build(case, key)
    with _CACHE_LOCK:
        geo = _CACHE.setdefault(key, geo)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return geo


@lru_cache(maxsize=1024)
def _ring(lat: float, lon: float, range_km: float) -> Any:
    return range_ring(lat, lon, range_km)


@lru_cache(maxsize=8192)
def _path(launch: Location, target: Location, sites: tuple[Site, ...]) -> PathCoverage:
    return path_coverage(launch, target, sites)


@lru_cache(maxsize=256)
def _territory(codes: tuple[str, ...]) -> tuple[Any, float]:
    geom = territory(codes)
    return geom, geodesic_area_km2(geom)


def _member_codes(case: Case, actor: Actor, seen: frozenset[str] = frozenset()) -> list[str]:
    """ISO3 codes making up an actor's territory."""
    if actor.iso3:
        return [actor.iso3]
    ids = set(case.actor_ids())
    out: list[str] = []
    for m in actor.members:
        if m in ids and m not in seen:
            out += _member_codes(case, case.actor(m), seen | {actor.id})
        elif len(m) == 3 and m.isupper():
            out.append(m)
    return out


@dataclass(frozen=True)
class CaseGeometry:
    """A case's resolved geography, with memoised rings, territories fractions and paths."""

    key: str
    case_id: str
    actor_ids: tuple[str, ...]
    sites: tuple[Site, ...]
    launches: dict[str, tuple[Location, ...]]
    """Missile id -> launch points."""
    targets: dict[str, tuple[Location, ...]]
    """Actor id -> target points (capitals)."""
    territories: dict[str, Any] = field(repr=False)
    territory_km2: dict[str, float] = field(repr=False)
    missiles: tuple[MissileSystem, ...] = field(repr=False)
    allied: Allied = field(repr=False)
    _reach: dict[tuple[str, frozenset[str], str], float] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(cls, case: Case, key: str | None = None) -> CaseGeometry:
        """Resolve every place of the case (raising :class:`BadInput` for unknown ones)."""
        gaz = Gazetteer.for_case(case)
        problems: list[Problem] = []
        targets: dict[str, tuple[Location, ...]] = {}
        for i, actor in enumerate(case.actors):
            targets[actor.id] = _targets(case, actor, gaz, i, problems)
        launches: dict[str, tuple[Location, ...]] = {}
        for i, m in enumerate(case.missiles):
            check_range(m.range_km.value, field=f"missiles[{i}].range_km")
            points = []
            for j, name in enumerate(m.launch_areas):
                where = f"missiles[{i}].launch_areas[{j}]"
                if name in gaz:
                    points.append(gaz.resolve(name))
                else:
                    problems.append(Problem(gaz.explain_unknown(name) or "unknown", path=where))
            launches[m.id] = tuple(points) or targets.get(m.actor, ())
        try:
            sites = case_sites(case, gaz)
        except BadInput as exc:
            problems += exc.problems
            sites = ()
        if problems:
            raise BadInput(problems)
        lands = {a.id: _territory(tuple(sorted(set(_member_codes(case, a))))) for a in case.actors}
        return cls(
            key=key or geometry_key(case),
            case_id=case.id,
            actor_ids=tuple(case.actor_ids()),
            sites=sites,
            launches=launches,
            targets=targets,
            territories={k: v[0] for k, v in lands.items()},
            territory_km2={k: v[1] for k, v in lands.items()},
            missiles=tuple(case.missiles),
            allied=allied(case),
        )

    # --- memoised geometry ------------------------------------------------------------
    def site(self, site_id: str) -> Site:
        """The site with this id."""
        for s in self.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)

    def path(self, launch: Location, target: Location) -> PathCoverage:
        """Coverage of the launch-to-target geodesic by every site of the case (memoised)."""
        return _path(launch, target, self.sites)

    def ring(self, lat: float, lon: float, range_km: float) -> Any:
        """Range ring (memoised)."""
        return _ring(lat, lon, range_km)

    def systems(self, actor: str, missiles: frozenset[str] | None = None) -> list[MissileSystem]:
        """An actor's missile systems, optionally only those with ids in ``missiles``."""
        return [
            m for m in self.missiles if m.actor == actor and (missiles is None or m.id in missiles)
        ]

    def reach_region(self, actor: str, missiles: frozenset[str] | None = None) -> Any:
        """Union of the range rings of an actor's systems from all their launch points."""
        rings = [
            self.ring(p.lat, p.lon, m.range_km.value)
            for m in self.systems(actor, missiles)
            for p in self.launches[m.id]
        ]
        return shapely.union_all(rings) if rings else shapely.Polygon()

    def reach_fraction(
        self, attacker: str, defender: str, missiles: frozenset[str] | None = None
    ) -> float:
        """Share of ``defender``'s territory within range of ``attacker``'s systems."""
        k = (attacker, missiles or frozenset({"*"}), defender)
        hit = self._reach.get(k)
        if hit is None:
            area = self.territory_km2[defender]
            if area <= 0 or not self.systems(attacker, missiles):
                hit = 0.0
            else:
                region = self.reach_region(attacker, missiles)
                inside = geodesic_area_km2(self.territories[defender].intersection(region))
                hit = min(inside / area, 1.0)
            self._reach[k] = hit
        return hit


def _targets(
    case: Case,
    actor: Actor,
    gaz: Gazetteer,
    index: int,
    problems: list[Problem],
    seen: frozenset[str] = frozenset(),
) -> tuple[Location, ...]:
    """An actor's target points: its capital, or for a bloc its members' capitals."""
    if actor.capital:
        if actor.capital in gaz:
            return (gaz.resolve(actor.capital),)
        problems.append(
            Problem(
                gaz.explain_unknown(actor.capital) or "unknown", path=f"actors[{index}].capital"
            )
        )
        return ()
    if actor.iso3:
        loc = gaz.resolve(actor.iso3) if actor.iso3 in gaz else None
        return (loc,) if loc is not None and loc.kind.startswith("capital") else ()
    ids = case.actor_ids()
    out: list[Location] = []
    for m in actor.members:
        if m in ids and m not in seen:
            member = case.actor(m)
            out += _targets(case, member, gaz, ids.index(m), problems, seen | {actor.id})
        elif len(m) == 3 and m.isupper() and m in gaz:
            out.append(gaz.resolve(m))
    return tuple(dict.fromkeys(out))
