"""Offline loaders for the public data shipped with the package.

Each loader returns a fresh pandas DataFrame (a copy of a cached one, so callers may modify it).
Attribution for every file is in :data:`DATASETS` and in ``docs/data.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

__all__ = [
    "DATASETS",
    "Dataset",
    "arms_races",
    "atop",
    "capitals",
    "countries",
    "cow_iso3",
    "data_path",
    "extra_places",
    "igo",
    "mid_disputes",
    "mid_dyads",
    "nmc",
    "places",
    "rivalries",
    "trade",
    "wars",
]


@dataclass(frozen=True)
class Dataset:
    """A shipped data file and how to cite it."""

    name: str
    file: str
    what: str
    citation: str
    terms: str


_RESEARCH = "free for research use with citation of the original source"
_PEACESCIENCER = "converted from the R package peacesciencer (S. Miller)"

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "nmc",
            "cow_nmc.csv",
            "COW National Material Capabilities 1816-2022: milex (thousands; current GBP to "
            "1913, current USD after), milper, irst, pec, tpop, upop, cinc",
            "Singer, Bremer & Stuckey 1972; Correlates of War National Material Capabilities "
            f"v6.0; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "atop",
            "atop_alliance.csv.gz",
            "ATOP alliance dyad-years 1815-2018: defence, offence, neutrality, non-aggression, "
            "consultation pledges",
            f"Leeds, Ritter, Mitchell & Long 2002, ATOP 5.1; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "igo",
            "cow_igo_ndy.csv.gz",
            "shared IGO memberships per dyad-year (dyadigos)",
            f"Pevehouse et al. 2020, COW Intergovernmental Organizations v3; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "trade",
            "cow_trade_sy.csv",
            "state imports and exports per year (millions of current USD)",
            f"Barbieri & Keshk, COW Trade v4; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "mid_disputes",
            "cow_mid_disps.csv",
            "militarised interstate disputes",
            f"Palmer et al. 2022, COW MID 5; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "mid_dyads",
            "cow_mid_dirdisps.csv",
            "directed dispute dyad-years",
            f"Palmer et al. 2022, COW MID 5; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "wars",
            "cow_war_inter.csv",
            "inter-state war dyad-years",
            f"Sarkees & Wayman 2010, COW Inter-State War v4; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "arms_races",
            "grh_arms_races.csv",
            "arms races 1854-1984",
            f"Gibler, Rider & Hutchison, Journal of Peace Research 2005; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "rivalries",
            "tss_rivalries.csv",
            "strategic rivalries",
            f"Thompson, Sakuwa & Suhas, Strategic Rivalries; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "capitals",
            "cow_capitals.csv",
            "state capitals with coordinates and date ranges",
            f"Correlates of War state system; {_PEACESCIENCER}",
            _RESEARCH,
        ),
        Dataset(
            "cow_iso3",
            "cow_iso3.csv",
            "crosswalk from COW state codes to ISO 3166 alpha-3 codes (historical codes from "
            "ISO 3166-3 where the state no longer exists)",
            "compiled for this package from the COW state list and Natural Earth country names",
            "public domain",
        ),
        Dataset(
            "countries",
            "ne_110m_admin_0_countries.geojson",
            "177 country polygons at 1:110m, with ISO codes",
            "Natural Earth, naturalearthdata.com, admin 0 countries 1:110m",
            "public domain",
        ),
        Dataset(
            "places",
            "ne_110m_populated_places_simple.geojson",
            "197 populated places including national capitals (adm0cap == 1)",
            "Natural Earth, naturalearthdata.com, populated places 1:110m",
            "public domain",
        ),
        Dataset(
            "places_extra",
            "places_extra.csv",
            "places that the shipped cases use and Natural Earth lacks (sites, launch areas), "
            "coordinates rounded to 0.01 degrees",
            "coordinates as given by the Wikipedia article linked in each row",
            "facts; CC BY-SA for the articles cited",
        ),
    ]
}


def data_path(name: str) -> Any:
    """Path (a :class:`importlib.resources` traversable) of a shipped data file."""
    return resources.files("security_dilemma.data") / "files" / DATASETS[name].file


def _csv(name: str, **kwargs: Any) -> pd.DataFrame:
    with resources.as_file(data_path(name)) as path:
        frame: pd.DataFrame = pd.read_csv(path, **kwargs)
    return frame


@cache
def _load(name: str) -> pd.DataFrame:
    if name in ("countries", "places"):
        return _geo(name)
    if name == "capitals":
        frame = _csv(name)
        epoch = dt.date(1970, 1, 1)
        for col in ("stdate", "enddate"):
            frame[col] = [epoch + dt.timedelta(days=int(d)) for d in frame[col]]
        return frame
    return _csv(name, keep_default_na=name not in ("cow_iso3", "places_extra"))


def _geo(name: str) -> pd.DataFrame:
    import shapely
    import shapely.geometry

    with resources.as_file(data_path(name)) as path:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    rows = []
    for f in features:
        p = f["properties"]
        geom = shapely.make_valid(shapely.geometry.shape(f["geometry"]))
        if name == "countries":
            iso3 = p["ISO_A3_EH"] if p["ISO_A3_EH"] != "-99" else p["ADM0_A3"]
            rows.append(
                {
                    "iso3": iso3,
                    "name": p["NAME"],
                    "admin": p["ADMIN"],
                    "continent": p["CONTINENT"],
                    "subregion": p["SUBREGION"],
                    "geometry": geom,
                }
            )
        else:  # use the point geometry: the latitude/longitude properties are stale for some
            rows.append(
                {
                    "name": p["name"],
                    "nameascii": p["nameascii"],
                    "iso3": p["adm0_a3"],
                    "country": p["adm0name"],
                    "capital": bool(p["adm0cap"]),
                    "lat": geom.y,
                    "lon": geom.x,
                    "pop_max": p["pop_max"],
                }
            )
    return pd.DataFrame(rows)


def _copy(name: str) -> pd.DataFrame:
    return _load(name).copy()


def nmc() -> pd.DataFrame:
    """COW National Material Capabilities, one row per state-year (ccode, year, milex, ...)."""
    return _copy("nmc")


def atop() -> pd.DataFrame:
    """ATOP alliance obligations, one row per directed dyad-year (ccode1, ccode2, year, atop_*)."""
    return _copy("atop")


def igo() -> pd.DataFrame:
    """Number of shared IGO memberships per dyad-year (ccode1, ccode2, year, dyadigos)."""
    return _copy("igo")


def trade() -> pd.DataFrame:
    """State imports and exports per year (ccode, year, imports, exports; millions of USD)."""
    return _copy("trade")


def mid_disputes() -> pd.DataFrame:
    """COW militarised interstate disputes, one row per dispute."""
    return _copy("mid_disputes")


def mid_dyads() -> pd.DataFrame:
    """COW MID directed dispute dyad-years."""
    return _copy("mid_dyads")


def wars() -> pd.DataFrame:
    """COW inter-state war dyad-years."""
    return _copy("wars")


def arms_races() -> pd.DataFrame:
    """Gibler, Rider & Hutchison arms races (ccode1, ccode2, styear, endyear)."""
    return _copy("arms_races")


def rivalries() -> pd.DataFrame:
    """Thompson, Sakuwa & Suhas strategic rivalries."""
    return _copy("rivalries")


def capitals() -> pd.DataFrame:
    """COW state capitals with coordinates and the dates they were capitals (as dates)."""
    return _copy("capitals")


def cow_iso3() -> pd.DataFrame:
    """Crosswalk from COW state codes to ISO 3166 alpha-3 codes (ccode, statenme, iso3, note)."""
    return _copy("cow_iso3")


def countries() -> pd.DataFrame:
    """Natural Earth country polygons (made valid): iso3, name, admin, continent, geometry..."""
    return _copy("countries")


def places() -> pd.DataFrame:
    """Natural Earth populated places: name, iso3, country, capital, lat, lon, pop_max."""
    return _copy("places")


def extra_places() -> pd.DataFrame:
    """Places the shipped cases use that Natural Earth lacks (name, aliases, lat, lon, ...)."""
    return _copy("places_extra")
