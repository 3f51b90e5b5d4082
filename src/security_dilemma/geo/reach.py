"""Who is in reach: national capitals within a missile's range, and the share of each country's
territory inside its range ring.

Territory is the Natural Earth 1:110m country polygons shipped with the package. The share of a
country in reach is ``area(country ∩ ring) / area(country)``, both areas geodesic on the WGS84
ellipsoid (:func:`~security_dilemma.geo.geodesy.geodesic_area_km2`): an equal-area measure, not
a share of map pixels. Intersections are taken in longitude/latitude after the ring has been
split at the antimeridian, with country edges densified to 0.25 degrees.

>>> from security_dilemma.geo import Gazetteer
>>> r = reach(Gazetteer.default().resolve("Tabriz"), 2000)
>>> "Bucharest" in [c.name for c in r.capitals]
True
>>> round(r.fraction("ROU"), 2)      # share of Romania's territory within 2,000 km
0.57
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import shapely
from shapely.strtree import STRtree

from ..errors import BadInput, Problem
from .gazetteer import Gazetteer, Location
from .geodesy import MAX_RING_KM, distances_km, geodesic_area_km2, range_ring

__all__ = [
    "CapitalInReach",
    "Country",
    "CountryInReach",
    "Reach",
    "check_range",
    "countries_table",
    "country",
    "national_capitals",
    "reach",
    "territory",
    "territory_fractions",
]

_SEGMENT_DEG = 0.25

# continents of capitals whose countries are too small for the 1:110m polygons
_SMALL_STATES = {
    "AND": "Europe", "LIE": "Europe", "MCO": "Europe", "MLT": "Europe", "SMR": "Europe",
    "VAT": "Europe", "BHR": "Asia", "MDV": "Asia", "SGP": "Asia", "COM": "Africa",
    "CPV": "Africa", "MUS": "Africa", "STP": "Africa", "SYC": "Africa",
    "ATG": "North America", "BRB": "North America", "DMA": "North America",
    "GRD": "North America", "KNA": "North America", "LCA": "North America",
    "VCT": "North America", "FSM": "Oceania", "KIR": "Oceania", "MHL": "Oceania",
    "PLW": "Oceania", "TON": "Oceania", "TUV": "Oceania", "WSM": "Oceania",
}  # fmt: skip


@dataclass(frozen=True)
class Country:
    """A Natural Earth country: ISO3 code, names, continent, lon/lat geometry and area (km^2)."""

    iso3: str
    name: str
    continent: str
    geometry: Any = field(repr=False)
    area_km2: float


@dataclass(frozen=True)
class CapitalInReach:
    """A national capital within range."""

    name: str
    iso3: str
    country: str
    continent: str
    lat: float
    lon: float
    distance_km: float


@dataclass(frozen=True)
class CountryInReach:
    """A country with part of its territory within range."""

    iso3: str
    name: str
    continent: str
    fraction: float
    """Share of the country's area within range, [0, 1] (geodesic areas)."""
    area_in_range_km2: float
    area_km2: float


@dataclass(frozen=True)
class Reach:
    """What a missile of a given range reaches from one place."""

    origin: Location
    range_km: float
    capitals: tuple[CapitalInReach, ...]
    """National capitals within range, nearest first."""
    countries: tuple[CountryInReach, ...]
    """Countries with territory within range, largest share first."""
    ring: Any = field(repr=False)
    """The range ring (lon/lat polygon)."""

    def fraction(self, iso3: str) -> float:
        """Share of a country's territory within range (0 when none)."""
        for c in self.countries:
            if c.iso3 == iso3:
                return c.fraction
        return 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (stable keys: origin, range_km, capitals, countries)."""
        o = self.origin
        return {
            "origin": {"name": o.name, "lat": o.lat, "lon": o.lon, "country": o.country},
            "range_km": self.range_km,
            "capitals": [vars(c) for c in self.capitals],
            "countries": [vars(c) for c in self.countries],
        }


def check_range(range_km: float, *, field: str = "range_km") -> float:
    """``range_km`` if it can be drawn as a ring; :class:`BadInput` otherwise."""
    if not (0 < range_km <= MAX_RING_KM):
        raise BadInput(
            Problem(
                f"range must be more than 0 and at most {MAX_RING_KM:,.0f} km (got {range_km:g})",
                path=field,
            )
        )
    return float(range_km)


@cache
def _countries() -> tuple[tuple[Country, ...], STRtree]:
    from ..data import countries

    rows = []
    for r in countries().to_dict(orient="records"):
        geom = shapely.segmentize(shapely.make_valid(r["geometry"]), _SEGMENT_DEG)
        geom = shapely.orient_polygons(geom)
        rows.append(
            Country(
                str(r["iso3"]),
                str(r["name"]),
                str(r["continent"]),
                geom,
                geodesic_area_km2(geom),
            )
        )
    out = tuple(rows)
    return out, STRtree([c.geometry for c in out])


def countries_table() -> tuple[Country, ...]:
    """Every Natural Earth country with its densified, valid geometry and geodesic area."""
    return _countries()[0]


def country(iso3: str) -> Country | None:
    """The Natural Earth country with this ISO3 code, or None."""
    for c in countries_table():
        if c.iso3 == iso3:
            return c
    return None


def territory(codes: Iterable[str]) -> Any:
    """Union of the countries with these ISO3 codes (lon/lat); empty when none is known."""
    wanted = set(codes)
    parts = [c.geometry for c in countries_table() if c.iso3 in wanted]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def territory_fractions(region: Any) -> list[CountryInReach]:
    """Every country with territory inside ``region`` (lon/lat), largest share first."""
    table, tree = _countries()
    out = []
    for i in tree.query(region, predicate="intersects"):
        c = table[int(i)]
        if region.covers(c.geometry):
            inside = c.area_km2
        else:
            inside = geodesic_area_km2(c.geometry.intersection(region))
        if inside <= 0:
            continue
        frac = min(inside / c.area_km2, 1.0) if c.area_km2 > 0 else 0.0
        out.append(CountryInReach(c.iso3, c.name, c.continent, frac, inside, c.area_km2))
    out.sort(key=lambda c: (-c.fraction, c.iso3))
    return out


@cache
def _capitals() -> tuple[tuple[Location, str, str], ...]:
    from ..data import countries, places

    gaz = Gazetteer.default()
    names = {str(r["iso3"]): str(r["name"]) for r in countries().to_dict(orient="records")}
    places_frame = places()
    caps = places_frame[places_frame.capital]
    names.update({str(i): str(n) for i, n in zip(caps.iso3, caps.country, strict=True)})
    continents = {c.iso3: c.continent for c in countries_table()} | _SMALL_STATES
    out = []
    for iso3 in sorted(names):
        if iso3 not in gaz:
            continue
        loc = gaz.resolve(iso3)
        if loc.kind.startswith("capital"):
            out.append((loc, names[iso3], continents.get(iso3, "")))
    return tuple(out)


def national_capitals() -> tuple[Location, ...]:
    """National capitals (Natural Earth, completed from the Correlates of War list), one each."""
    return tuple(loc for loc, _, _ in _capitals())


def reach(origin: Location, range_km: float) -> Reach:
    """Capitals within ``range_km`` of ``origin`` and each country's share within range."""
    range_km = check_range(range_km)
    ring = range_ring(origin.lat, origin.lon, range_km)
    caps = _capitals()
    lats = np.array([c[0].lat for c in caps])
    lons = np.array([c[0].lon for c in caps])
    dist = distances_km(origin.lat, origin.lon, lats, lons)
    capitals = [
        CapitalInReach(loc.name, loc.country or "", name, cont, loc.lat, loc.lon, float(d))
        for (loc, name, cont), d in zip(caps, dist, strict=True)
        if d <= range_km
    ]
    capitals.sort(key=lambda c: c.distance_km)
    return Reach(origin, range_km, tuple(capitals), tuple(territory_fractions(ring)), ring)
