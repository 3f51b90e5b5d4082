"""The shipped data loads offline into DataFrames with the documented columns."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from security_dilemma import data

EXPECTED = {
    "nmc": {"ccode", "year", "milex", "milper", "cinc"},
    "atop": {"ccode1", "ccode2", "year", "atop_defense", "atop_offense"},
    "igo": {"ccode1", "ccode2", "year", "dyadigos"},
    "trade": {"ccode", "year", "imports", "exports"},
    "mid_disputes": {"dispnum", "styear", "hostlev"},
    "mid_dyads": {"dispnum", "ccode1", "ccode2", "year"},
    "wars": {"warnum", "ccode1", "ccode2", "year"},
    "arms_races": {"ccode1", "ccode2", "styear", "endyear"},
    "rivalries": {"rivalry", "start", "end"},
    "capitals": {"ccode", "capital", "stdate", "enddate", "lat", "lng"},
    "cow_iso3": {"ccode", "statenme", "iso3"},
    "countries": {"iso3", "name", "geometry"},
    "places": {"name", "iso3", "capital", "lat", "lon"},
    "extra_places": {"name", "aliases", "lat", "lon", "iso3", "source"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loader_returns_documented_columns(name: str) -> None:
    frame = getattr(data, name)()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 40
    assert EXPECTED[name] <= set(frame.columns)


def test_every_dataset_has_attribution_and_a_file() -> None:
    for ds in data.DATASETS.values():
        assert ds.citation and ds.terms and ds.what
        assert data.data_path(ds.name).is_file()


def test_known_values() -> None:
    nmc = data.nmc()
    usa = nmc[(nmc.ccode == 2) & (nmc.year == 2001)]
    assert int(usa.milex.iloc[0]) == 322365000
    assert nmc.year.min() == 1816 and nmc.year.max() == 2022
    atop = data.atop()
    assert (
        atop[(atop.ccode1 == 2) & (atop.ccode2 == 290) & (atop.year == 2001)].atop_defense.iloc[0]
        == 1
    )
    xwalk = data.cow_iso3().set_index("ccode").iso3
    assert xwalk[2] == "USA" and xwalk[365] == "RUS" and xwalk[200] == "GBR" and xwalk[316] == "CZE"


def test_places_use_point_geometry_not_stale_properties() -> None:
    places = data.places().set_index("name")
    # Natural Earth's latitude/longitude properties put Ankara at 38.96N 35.24E; the point is right
    assert places.loc["Ankara", "lat"] == pytest.approx(39.93, abs=0.05)
    assert places.loc["Ankara", "lon"] == pytest.approx(32.86, abs=0.05)


def test_country_polygons_are_valid_geometries() -> None:
    countries = data.countries()
    assert len(countries) == 177
    assert all(shapely.is_valid(g) for g in countries.geometry)
    assert {"POL", "RUS", "IRN", "USA"} <= set(countries.iso3)


def test_loaders_return_copies() -> None:
    first = data.nmc()
    first.loc[:, "milex"] = -1
    assert not (data.nmc().milex == -1).all()


def test_capitals_have_dates() -> None:
    caps = data.capitals()
    bonn = caps[caps.capital == "Bonn"].iloc[0]
    assert bonn.stdate.year == 1949 and bonn.enddate.year == 1991
