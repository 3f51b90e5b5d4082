"""Resolve place names, country codes and coordinates to points.

``Gazetteer.default().resolve(q)`` accepts

* a place name: "Warsaw", "Tabriz", "Kürecik" (accents and case do not matter),
* a country's ISO3 code, COW code or name ("POL", "290", "Poland"): its capital,
* a coordinate pair "lat,lon" in decimal degrees, signed or with hemispheres ("38.07,46.30",
  "-33.86,151.21", "33.86S,151.21E"),

and a case's own named places (``Gazetteer.for_case(case)``), which take precedence.
Unknown names raise :class:`~security_dilemma.errors.BadInput` listing close matches.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import BadInput, Problem
from .coordinates import COORDINATES, parse_coordinates

if TYPE_CHECKING:
    from ..scenario.schema import Case

__all__ = ["Gazetteer", "Location", "normalise_name"]


@dataclass(frozen=True, slots=True)
class Location:
    """A resolved point: name, WGS84 latitude and longitude, what it is, and where from."""

    name: str
    lat: float
    lon: float
    kind: str
    country: str | None
    source: str


def normalise_name(name: str) -> str:
    """Lower-case, accent-free, single-spaced form used for matching."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"['’]", "", text)
    text = re.sub(r"[\s._\-]+", " ", text)
    return text.strip()


class Gazetteer:
    """A look-up table from names to :class:`Location`; later additions take precedence."""

    def __init__(self, entries: dict[str, Location] | None = None) -> None:
        self._entries: dict[str, Location] = dict(entries or {})

    # construction -------------------------------------------------------------------
    @classmethod
    def default(cls) -> Gazetteer:
        """The built-in gazetteer: COW capitals, Natural Earth places, the shipped extra places."""
        return cls(_default_entries())

    @classmethod
    def with_places(cls, places: Iterable[tuple[str, float, float]]) -> Gazetteer:
        """The built-in gazetteer plus ``(name, lat, lon)`` places, which take precedence."""
        gaz = cls.default()
        for name, lat, lon in places:
            gaz.add(Location(name, float(lat), float(lon), "case place", None, "case file"))
        return gaz

    @classmethod
    def for_case(cls, case: Case) -> Gazetteer:
        """The built-in gazetteer plus the case's named places."""
        gaz = cls.default()
        for p in case.places:
            gaz.add(Location(p.name, p.lat, p.lon, "case place", p.country, f"case {case.id}"))
        return gaz

    def add(self, location: Location, *aliases: str) -> None:
        """Add a location under its name (and aliases), replacing any existing entry."""
        for name in (location.name, *aliases):
            self._entries[normalise_name(name)] = location

    # look-up ----------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every name the gazetteer knows (display form)."""
        return sorted({loc.name for loc in self._entries.values()})

    def __contains__(self, query: object) -> bool:
        return isinstance(query, str) and self._lookup(query) is not None

    def _lookup(self, query: str) -> Location | None:
        point = parse_coordinates(query)
        if point is not None:
            lat, lon = point
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                return Location(f"{lat:g},{lon:g}", lat, lon, "coordinates", None, "given")
            return None
        return self._entries.get(normalise_name(query))

    def explain_unknown(self, query: str) -> str | None:
        """Why ``query`` cannot be resolved (with close matches), or None when it can."""
        if self._lookup(query) is not None:
            return None
        if parse_coordinates(query) is not None:
            return (
                f"coordinates '{query}' are out of range: give 'lat,lon' with latitude in "
                "[-90, 90] and longitude in [-180, 180]"
            )
        if COORDINATES.match(query):
            return (
                f"coordinates '{query}' give both a sign and a hemisphere: write '-33.86,151.21' "
                "or '33.86S,151.21E'"
            )
        close = difflib.get_close_matches(
            normalise_name(query), list(self._entries), n=4, cutoff=0.7
        )
        shown = list(dict.fromkeys(self._entries[c].name for c in close))
        hint = f" (did you mean {', '.join(repr(s) for s in shown)}?)" if shown else ""
        return (
            f"unknown place '{query}'{hint}; give a place name, an ISO3 or COW code, or "
            "'lat,lon', or add it to the case's `places`"
        )

    def resolve(self, query: str, *, field: str = "place") -> Location:
        """The location ``query`` names; raise :class:`BadInput` when there is none."""
        loc = self._lookup(query)
        if loc is None:
            raise BadInput(Problem(self.explain_unknown(query) or "unknown place", path=field))
        return loc

    def capital(self, country: str | int, year: int | None = None) -> Location:
        """Capital of a country given by ISO3 code, COW code or name, optionally in a given year."""
        key = str(country)
        if year is not None:
            hit = _historical_capital(key, year)
            if hit is not None:
                return hit
        return self.resolve(key, field="country")


def _iso3_by_ccode() -> dict[int, str]:
    from ..data.loaders import cow_iso3

    frame = cow_iso3()
    return {int(c): str(i) for c, i in zip(frame.ccode, frame.iso3, strict=True) if i}


def _historical_capital(country: str, year: int) -> Location | None:
    from ..data.loaders import capitals

    frame = capitals()
    iso = {v: k for k, v in _iso3_by_ccode().items()}
    ccode = int(country) if country.isdigit() else iso.get(country.upper())
    if ccode is None:
        return None
    when = dt.date(year, 7, 1)
    rows = frame[(frame.ccode == ccode) & (frame.stdate <= when) & (frame.enddate >= when)]
    if rows.empty:
        return None
    r = _rows(rows)[0]
    return Location(
        _spelled(r["capital"]),
        float(r["lat"]),
        float(r["lng"]),
        "capital (COW)",
        country,
        "COW capitals",
    )


SPELLINGS = {"Kiev": "Kyiv"}
"""Names the shipped data spell the old way, shown in today's English spelling (the data's
spelling still resolves)."""


def _spelled(name: object) -> str:
    text = str(name)
    return SPELLINGS.get(text, text)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict(orient="records")  # type: ignore[return-value]


@cache
def _default_entries() -> dict[str, Location]:
    gaz = Gazetteer()
    capital_of = _add_cow_capitals(gaz)
    capital_of.update(_add_natural_earth_places(gaz))
    _add_extra_places(gaz)
    for name, alias in (
        ("Washington D.C.", "Washington"),
        ("København", "Copenhagen"),
    ):
        gaz.add(gaz.resolve(name), alias)
    # countries: ISO3 code, COW code and names resolve to the capital
    names_of = _country_names()
    for iso3, capital in capital_of.items():
        for name in (iso3, *sorted(names_of.get(iso3, ()))):
            key = normalise_name(name)
            if key not in gaz._entries or gaz._entries[key].kind.startswith("capital"):
                gaz._entries[key] = capital
    return gaz._entries


def _add_cow_capitals(gaz: Gazetteer) -> dict[str, Location]:
    """Add every capital COW lists; each state's latest capital, by ISO3."""
    from ..data.loaders import capitals

    iso_by_ccode = _iso3_by_ccode()
    capital_of: dict[str, Location] = {}
    caps = capitals().sort_values("enddate", kind="stable")
    for r in _rows(caps):  # later end dates last: the latest capital wins
        iso3 = iso_by_ccode.get(int(r["ccode"]))
        loc = Location(
            _spelled(r["capital"]),
            float(r["lat"]),
            float(r["lng"]),
            "capital (COW)",
            iso3,
            "COW capitals",
        )
        gaz.add(loc, str(r["capital"]))
        if iso3:
            capital_of[iso3] = loc
    return capital_of


def _add_natural_earth_places(gaz: Gazetteer) -> dict[str, Location]:
    """Add Natural Earth's populated places; the capitals among them, by ISO3."""
    from ..data.loaders import places

    capital_of: dict[str, Location] = {}
    for r in _rows(places()):
        iso3 = str(r["iso3"])
        loc = Location(
            _spelled(r["name"]), float(r["lat"]), float(r["lon"]), "place", iso3, "Natural Earth"
        )
        gaz.add(loc, str(r["name"]), str(r["nameascii"]))
        if r["capital"]:
            capital_of[iso3] = Location(loc.name, loc.lat, loc.lon, "capital", iso3, loc.source)
    return capital_of


def _add_extra_places(gaz: Gazetteer) -> None:
    """Add the places shipped beyond Natural Earth's (cities, military sites) and their
    aliases."""
    from ..data.loaders import extra_places

    for r in _rows(extra_places()):
        loc = Location(
            str(r["name"]),
            float(r["lat"]),
            float(r["lon"]),
            str(r["kind"]),
            str(r["iso3"]),
            str(r["source"]),
        )
        gaz.add(loc, *[a for a in str(r["aliases"]).split("|") if a])


def _country_names() -> dict[str, set[str]]:
    """Each country's names by ISO3: Natural Earth's name and admin name, COW's state name
    and code."""
    from ..data.loaders import countries, cow_iso3

    names_of: dict[str, set[str]] = {}
    for r in _rows(countries()):
        names_of.setdefault(str(r["iso3"]), set()).update({str(r["name"]), str(r["admin"])})
    for r in _rows(cow_iso3()):
        if r["iso3"]:
            names_of.setdefault(str(r["iso3"]), set()).update({str(r["statenme"]), str(r["ccode"])})
    return names_of
