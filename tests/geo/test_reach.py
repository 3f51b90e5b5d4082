"""Who is in reach: capitals within range and equal-area shares of territory."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from pyproj import Transformer

from security_dilemma import data
from security_dilemma.errors import BadInput
from security_dilemma.geo import Gazetteer
from security_dilemma.geo.geodesy import distance_between
from security_dilemma.geo.reach import (
    check_range,
    countries_table,
    national_capitals,
    reach,
    territory,
    territory_fractions,
)

GAZ = Gazetteer.default()


def _names(r: object) -> set[str]:
    return {c.name for c in r.capitals}  # type: ignore[attr-defined]


def test_capitals_in_reach_are_exactly_those_within_range() -> None:
    tabriz = GAZ.resolve("Tabriz")
    r = reach(tabriz, 2000)
    for loc in national_capitals():
        d = distance_between(tabriz.lat, tabriz.lon, loc.lat, loc.lon).distance_km
        assert (loc.name in _names(r)) == (d <= 2000), loc.name
    assert [c.distance_km for c in r.capitals] == sorted(c.distance_km for c in r.capitals)


def test_the_papers_claim_from_tabriz() -> None:
    # Lavrov (quoted by the seed article): 2,000 km reaches Israel, not Greece or Romania.
    r = reach(GAZ.resolve("Tabriz"), 2000)
    assert {"Jerusalem", "Bucharest", "Athens", "Ankara"} <= _names(r)
    assert not {"Warsaw", "Prague"} & _names(r)
    assert r.fraction("ISR") == 1.0
    assert 0.5 < r.fraction("ROU") < 0.65 and 0.2 < r.fraction("GRC") < 0.3
    assert r.fraction("POL") == 0.0 and r.fraction("CZE") == 0.0


def test_from_central_iran_the_claim_holds_for_capitals() -> None:
    r = reach(GAZ.resolve("Isfahan"), 2000)
    assert "Jerusalem" in _names(r)
    assert not {"Athens", "Bucharest", "Sofia", "Warsaw", "Prague"} & _names(r)


def test_national_capitals_are_one_per_country() -> None:
    caps = national_capitals()
    assert len(caps) > 180
    assert len({c.country for c in caps}) == len(caps)
    assert {"Warsaw", "Prague", "Bucharest", "Tehran", "Moscow", "Valletta"} <= {
        c.name for c in caps
    }


def test_shares_are_equal_area_fractions() -> None:
    """Romania's share within 2,000 km of Tabriz, recomputed independently with projections:
    the ring as a circle in an azimuthal equidistant projection centred on Tabriz, and both
    shapes measured in a Lambert equal-area projection centred on Romania."""
    tabriz = GAZ.resolve("Tabriz")
    to_aeqd = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={tabriz.lat} +lon_0={tabriz.lon} +ellps=WGS84",
        always_xy=True,
    )  # fmt: skip
    laea = "+proj=laea +lat_0=45.9 +lon_0=25.0 +ellps=WGS84"
    aeqd_to_laea = Transformer.from_crs(to_aeqd.target_crs, laea, always_xy=True)
    to_laea = Transformer.from_crs("EPSG:4326", laea, always_xy=True)
    circle = shapely.Point(0, 0).buffer(2_000_000, quad_segs=512)
    circle = shapely.transform(circle, lambda xy: np.column_stack(aeqd_to_laea.transform(*xy.T)))
    frame = data.countries()
    romania = shapely.segmentize(frame[frame.iso3 == "ROU"].geometry.iloc[0], 0.05)
    romania = shapely.transform(romania, lambda xy: np.column_stack(to_laea.transform(*xy.T)))
    expected = romania.intersection(circle).area / romania.area
    assert_allclose(reach(tabriz, 2000).fraction("ROU"), expected, rtol=1e-3)


def test_country_areas_are_geodesic() -> None:
    table = {c.iso3: c for c in countries_table()}
    # Natural Earth 1:110m outlines are coarse; published areas are 312,679 km2 (Poland) and
    # 9.8 million km2 (USA): the generalised polygons come within a few per cent
    assert_allclose(table["POL"].area_km2, 312_679, rtol=0.03)
    assert_allclose(table["FRA"].area_km2, 551_500 + 83_534, rtol=0.05)  # incl. French Guiana
    total = sum(c.area_km2 for c in table.values())
    assert_allclose(total, 148.9e6, rtol=0.03)  # land area of the Earth, about 149 million km2


def test_far_and_near() -> None:
    assert territory_fractions(territory(["POL"]))[0].iso3 == "POL"
    assert reach(GAZ.resolve("Warsaw"), 100).fraction("POL") < 0.15
    assert reach(GAZ.resolve("Warsaw"), 19_000).fraction("POL") == 1.0
    # a ring over the Pacific reaches no country at all
    assert reach(GAZ.resolve("-40,-140"), 500).countries == ()


def test_territory_across_the_antimeridian() -> None:
    r = reach(GAZ.resolve("Fort Greely"), 1500)  # Alaska: reaches Chukotka across 180
    assert 0 < r.fraction("RUS") < 0.05


@settings(max_examples=15, deadline=None)
@given(st.floats(100, 3000), st.floats(1.05, 2.0))
def test_shares_grow_with_range(r1: float, factor: float) -> None:
    origin = GAZ.resolve("Tabriz")
    small, large = reach(origin, r1), reach(origin, min(r1 * factor, 19_000))
    for c in small.countries:
        assert large.fraction(c.iso3) >= c.fraction - 1e-9
    assert _names(small) <= _names(large)


@pytest.mark.parametrize("bad", [0.0, -5.0, 25_000.0])
def test_range_is_checked(bad: float) -> None:
    with pytest.raises(BadInput, match="range"):
        check_range(bad)
