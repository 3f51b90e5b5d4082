"""Coverage geometry of missile-defence sites: which launch-to-target paths a site can reach.

**The simplification (a public-analysis convention, not an engagement model).** A missile's
ground track is taken to be the geodesic from the launch point to the target (Earth's rotation,
trajectory shape and altitude are ignored). An interceptor site *covers* that path when some
point of the path lies within the site's fly-out radius **and** within the detection range of a
supporting radar, that is, a radar site operated by the same actor or by an ally. Timing (can
the interceptor get there first?), altitude windows, discrimination and countermeasures are all
outside the model. Paths are sampled every ``spacing_km`` (10 km by default): a path that only
grazes a circle by less than about ``spacing_km**2 / (8 * radius)`` (a few centimetres) may be
missed.

The *defended footprint* of a set of sites against a launch point is the set of targets within
the missile's range whose paths are covered, evaluated on a grid of target points.

>>> from security_dilemma.geo import Gazetteer
>>> gaz = Gazetteer.default()
>>> gbi = Site("gbi", "interceptor", "USA", 54.48, 17.10, reach_km=1500)
>>> radar = Site("xband", "radar", "USA", 49.72, 13.85, reach_km=2000)
>>> p = path_coverage(gaz.resolve("Tabriz"), gaz.resolve("London"), [gbi, radar])
>>> p.defended_by()
('gbi',)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import shapely

from .gazetteer import Gazetteer, Location
from .geodesy import GEOD, distances_km, path_points, range_ring, unit_vectors

if TYPE_CHECKING:
    from ..scenario.schema import Case, DefenceSite

__all__ = [
    "PathCoverage",
    "Site",
    "allied",
    "case_sites",
    "defended_area",
    "path_coverage",
    "site_footprint",
]

Array = npt.NDArray[np.float64]
Allied = Callable[[str, str], bool]


def _same(a: str, b: str) -> bool:
    return a == b


@dataclass(frozen=True)
class Site:
    """A defence site placed on the map: interceptors with a fly-out radius, or a radar."""

    id: str
    kind: Literal["interceptor", "radar"]
    actor: str
    lat: float
    lon: float
    reach_km: float
    """Fly-out radius (interceptor) or detection range (radar), km."""
    host: str | None = None
    name: str = ""
    interceptors: float = 0.0
    sspk: float = 0.0
    tracking: float = 1.0
    """Wilkening's q; a site that does not state it is taken to track perfectly."""
    status: str = "operational"
    system: str | None = None
    """The interceptor system the case names (which missiles it engages: ``geo.engagement``)."""

    def engages(self, range_km: float) -> bool:
        """Whether this site can engage a missile of this range (a radar serves every one)."""
        from .engagement import envelope

        return self.kind == "radar" or envelope(self.system).engages(range_km)

    @classmethod
    def from_case(cls, site: DefenceSite, location: Location) -> Site:
        """A :class:`Site` from a case's defence site and its resolved place."""
        if site.kind == "interceptor":
            assert site.flyout_km is not None
            reach = site.flyout_km.value
        else:
            assert site.radar_range_km is not None
            reach = site.radar_range_km.value
        return cls(
            id=site.id,
            kind=site.kind,
            actor=site.actor,
            lat=location.lat,
            lon=location.lon,
            reach_km=reach,
            host=site.host,
            name=site.name or site.id,
            interceptors=site.interceptors.value if site.interceptors else 0.0,
            sspk=site.sspk.value if site.sspk else 0.0,
            tracking=site.tracking.value if site.tracking else 1.0,
            status=site.status,
            system=site.system,
        )


def case_sites(case: Case, gazetteer: Gazetteer | None = None) -> tuple[Site, ...]:
    """Every defence site of a case, placed with the case's gazetteer."""
    gaz = gazetteer or Gazetteer.for_case(case)
    return tuple(
        Site.from_case(s, gaz.resolve(s.place, field=f"defence_sites[{i}].place"))
        for i, s in enumerate(case.defence_sites)
    )


def allied(case: Case) -> Allied:
    """``allied(a, b)``: a and b are the same actor or share an alliance in ``case.alliances``."""
    pairs: set[tuple[str, str]] = set()
    for alliance in case.alliances:
        for a in alliance.members:
            for b in alliance.members:
                pairs.add((a, b))

    def check(a: str, b: str) -> bool:
        return a == b or (a, b) in pairs

    return check


@dataclass(frozen=True)
class PathCoverage:
    """How a launch-to-target geodesic passes the defence sites."""

    launch: Location
    target: Location
    distance_km: float
    closest_km: dict[str, float]
    """Closest approach of the path to each site, km."""
    within: dict[str, bool]
    """Whether the path enters each site's fly-out or radar circle."""
    pairs: frozenset[tuple[str, str]] = field(default=frozenset())
    """(interceptor, radar) pairs with a point of the path inside both circles."""
    sites: tuple[Site, ...] = field(default=(), repr=False)

    def defended_by(
        self, active: Iterable[str] | None = None, allied: Allied | None = None
    ) -> tuple[str, ...]:
        """Interceptor sites (among ``active``) covering the path with a supporting radar."""
        ok = _same if allied is None else allied
        act = None if active is None else set(active)
        by_id = {s.id: s for s in self.sites}
        out = []
        for s in self.sites:
            if s.kind != "interceptor" or (act is not None and s.id not in act):
                continue
            for i, r in self.pairs:
                if i == s.id and (act is None or r in act) and ok(by_id[r].actor, s.actor):
                    out.append(s.id)
                    break
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (stable keys: launch, target, distance_km, sites, defended_by)."""
        return {
            "launch": self.launch.name,
            "target": self.target.name,
            "distance_km": self.distance_km,
            "sites": {
                s.id: {
                    "kind": s.kind,
                    "closest_km": self.closest_km[s.id],
                    "reach_km": s.reach_km,
                    "within": self.within[s.id],
                }
                for s in self.sites
            },
            "defended_by": list(self.defended_by()),
        }


def _site_distances(lats: Array, lons: Array, sites: Sequence[Site]) -> Array:
    """Distances (km) from every sample point (rows) to every site (columns)."""
    n, m = lats.size, len(sites)
    slat = np.repeat([[s.lat for s in sites]], n, axis=0)
    slon = np.repeat([[s.lon for s in sites]], n, axis=0)
    plat = np.repeat(lats[:, None], m, axis=1)
    plon = np.repeat(lons[:, None], m, axis=1)
    _, _, d = GEOD.inv(slon.ravel(), slat.ravel(), plon.ravel(), plat.ravel())
    return np.asarray(d, dtype=float).reshape(n, m) / 1000.0


_MEAN_RADIUS_KM = 6371.0088


def _within(lats: Array, lons: Array, sites: Sequence[Site]) -> npt.NDArray[np.bool_]:
    """Whether each point (rows) lies within each site's circle (columns), exactly.

    A spherical distance settles most points (it differs from the geodesic distance on WGS84
    by less than 0.6 per cent); the points within 1 per cent of a circle's edge are settled
    with the exact geodesic distance.
    """
    reach = np.array([s.reach_km for s in sites])
    centres = unit_vectors([s.lat for s in sites], [s.lon for s in sites])
    cos_ang = np.clip(unit_vectors(lats, lons) @ centres.T, -1.0, 1.0)
    approx = np.arccos(cos_ang) * _MEAN_RADIUS_KM
    inside = approx <= reach
    unsure = np.abs(approx - reach) <= 0.01 * reach
    rows, cols = np.nonzero(unsure)
    if rows.size:
        slon = np.array([s.lon for s in sites])[cols]
        slat = np.array([s.lat for s in sites])[cols]
        _, _, d = GEOD.inv(slon, slat, lons[rows], lats[rows])
        inside[rows, cols] = np.asarray(d, dtype=float) / 1000.0 <= reach[cols]
    return inside


def _pair_hits(
    inside: npt.NDArray[np.bool_], sites: Sequence[Site]
) -> dict[tuple[int, int], npt.NDArray[np.bool_]]:
    """For each (interceptor, radar) index pair: whether some sample point lies in both
    circles. ``inside`` has the samples on its second-to-last axis and the sites on its last."""
    out = {}
    for i, s in enumerate(sites):
        if s.kind != "interceptor":
            continue
        for j, r in enumerate(sites):
            if r.kind == "radar":
                out[(i, j)] = np.any(inside[..., i] & inside[..., j], axis=-1)
    return out


def path_coverage(
    launch: Location, target: Location, sites: Sequence[Site], *, spacing_km: float = 10.0
) -> PathCoverage:
    """Closest approach to each site and the covering (interceptor, radar) pairs of one path."""
    lats, lons = path_points(launch.lat, launch.lon, target.lat, target.lon, spacing_km=spacing_km)
    dist = float(GEOD.inv(launch.lon, launch.lat, target.lon, target.lat)[2]) / 1000.0
    if not sites:
        return PathCoverage(launch, target, dist, {}, {})
    d = _site_distances(lats, lons, sites)
    reach = np.array([s.reach_km for s in sites])
    inside = d <= reach
    pairs = {(sites[i].id, sites[j].id) for (i, j), hit in _pair_hits(inside, sites).items() if hit}
    return PathCoverage(
        launch,
        target,
        dist,
        {s.id: float(d[:, k].min()) for k, s in enumerate(sites)},
        {s.id: bool(inside[:, k].any()) for k, s in enumerate(sites)},
        frozenset(pairs),
        tuple(sites),
    )


def site_footprint(site: Site) -> Any:
    """The site's fly-out (interceptor) or detection (radar) circle, as a lon/lat polygon."""
    return range_ring(site.lat, site.lon, site.reach_km)


def defended_area(
    launches: Sequence[Location],
    range_km: float,
    sites: Sequence[Site],
    *,
    allied: Allied | None = None,
    max_targets: int = 2500,
    spacing_km: float = 100.0,
) -> tuple[Any, float]:
    """Targets defended against a missile of ``range_km`` from ``launches``: (polygon, cell).

    A target is defended when at least one launch point reaches it and the path from *every*
    launch point that reaches it is covered. Targets are the centres of a longitude/latitude
    grid over the union of the range rings, with the cell size (degrees, returned) chosen to
    keep at most about ``max_targets`` points; the footprint is the union of the covered cells,
    its outline simplified to the grid's resolution.
    """
    ok = _same if allied is None else allied
    interceptors = [s for s in sites if s.kind == "interceptor"]
    radars = [
        s for s in sites if s.kind == "radar" and any(ok(s.actor, i.actor) for i in interceptors)
    ]
    rings = [range_ring(p.lat, p.lon, range_km) for p in launches]
    region = shapely.union_all(rings) if rings else shapely.Polygon()
    if region.is_empty or not interceptors or not radars:
        return shapely.Polygon(), 0.0
    west, south, east, north = region.bounds
    cell = max(0.1, math.sqrt((east - west) * (north - south) / max_targets))
    xe = west + cell * np.arange(math.ceil((east - west) / cell) + 1)
    ye = south + cell * np.arange(math.ceil((north - south) / cell) + 1)
    ix, iy = np.meshgrid(np.arange(xe.size - 1), np.arange(ye.size - 1))
    keep = shapely.contains_xy(region, (xe[ix] + xe[ix + 1]) / 2, (ye[iy] + ye[iy + 1]) / 2)
    ix, iy = ix[keep], iy[keep]
    tlon, tlat = (xe[ix] + xe[ix + 1]) / 2, (ye[iy] + ye[iy + 1]) / 2
    if tlon.size == 0:
        return shapely.Polygon(), cell
    used = [*interceptors, *radars]
    reached = np.zeros(tlon.size, dtype=bool)
    defended = np.ones(tlon.size, dtype=bool)
    for p in launches:
        in_range, covered = _covered_targets(
            p, tlat, tlon, range_km=range_km, used=used, ok=ok, spacing_km=spacing_km
        )
        reached |= in_range
        defended &= covered | ~in_range
    hit = reached & defended
    if not hit.any():
        return shapely.Polygon(), cell
    # cells built from shared edge coordinates, so that neighbours merge exactly
    cells = shapely.box(xe[ix[hit]], ye[iy[hit]], xe[ix[hit] + 1], ye[iy[hit] + 1])
    area = shapely.union_all(cells).simplify(0.75 * cell).intersection(region)
    return shapely.make_valid(area), cell


def _covered_targets(
    launch: Location,
    tlat: Array,
    tlon: Array,
    *,
    range_km: float,
    used: Sequence[Site],
    ok: Allied,
    spacing_km: float,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """For each target: within range of ``launch``, and path covered by an allied pair."""
    n = tlon.size
    az, _, dist = GEOD.inv(np.full(n, launch.lon), np.full(n, launch.lat), tlon, tlat)
    dist = np.asarray(dist, dtype=float)
    in_range = dist / 1000.0 <= range_km
    covered = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(in_range)
    # a path from the launch point stays inside its range ring: only sites whose circle
    # meets the ring can cover anything
    site_d = distances_km(launch.lat, launch.lon, [s.lat for s in used], [s.lon for s in used])
    near = site_d <= range_km + np.array([s.reach_km for s in used])
    used = [s for s, k in zip(used, near, strict=True) if k]
    if idx.size == 0 or not any(s.kind == "interceptor" for s in used):
        return in_range, covered
    k = max(2, math.ceil(float(dist[idx].max()) / 1000.0 / spacing_km) + 1)
    frac = np.linspace(0.0, 1.0, k)
    s_az = np.repeat(np.asarray(az)[idx][:, None], k, axis=1).ravel()
    s_d = (dist[idx][:, None] * frac[None, :]).ravel()
    m = s_az.size
    plon, plat, _ = GEOD.fwd(np.full(m, launch.lon), np.full(m, launch.lat), s_az, s_d)
    inside = _within(np.asarray(plat), np.asarray(plon), used).reshape(idx.size, k, len(used))
    hit = np.zeros(idx.size, dtype=bool)
    for (a, b), pair in _pair_hits(inside, used).items():
        if ok(used[b].actor, used[a].actor):
            hit |= pair
    covered[idx] = hit
    return in_range, covered
