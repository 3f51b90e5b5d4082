"""Geodesy against GeographicLib: distances, azimuths, range rings and geodesic areas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from geographiclib.polygonarea import PolygonArea
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from shapely.geometry import MultiPolygon, Polygon

from security_dilemma.geo.geodesy import (
    EARTH_AREA_KM2,
    GEOD,
    HALF_MERIDIAN_KM,
    MAX_RING_KM,
    circle_points,
    destination,
    distance_between,
    distances_km,
    geodesic_area_km2,
    geojson_geometry,
    path_points,
    range_ring,
)

WGS84 = Geodesic.WGS84

# Karney's GeodTest.dat (https://geographiclib.sourceforge.io/C++/doc/geodesic.html#testgeod),
# first five lines as used by geographiclib's own test suite:
# lat1, lon1, azi1, lat2, lon2, azi2, s12 (m).
GEODTEST = [
    (35.60777, -139.44815, 111.098748429560326, -11.17491, -69.95921, 129.289270889708762,
     8935244.5604818305),
    (55.52454, 106.05087, 22.020059880982801, 77.03196, 197.18234, 109.112041110671519,
     4105086.1713924406),
    (-21.97856, 142.59065, -32.44456876433189, 41.84138, 98.56635, -41.84359951440466,
     8394328.894657671),
    (-66.99028, 112.2363, 173.73491240878403, -12.70631, 285.90344, 2.512956620913668,
     11150344.2312080241),
    (-17.42761, 173.34268, -159.033557661192928, -15.84784, 5.93557, -20.787484651536988,
     16076603.1631180673),
]  # fmt: skip

lats = st.floats(-90, 90, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)


def _azimuth_close(a: float, b: float, tol: float) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) < tol


@pytest.mark.parametrize("row", GEODTEST)
def test_published_geodtest_values(row: tuple[float, ...]) -> None:
    lat1, lon1, azi1, lat2, lon2, azi2, s12 = row
    leg = distance_between(lat1, lon1, lat2, lon2 if lon2 <= 180 else lon2 - 360)
    assert_allclose(leg.distance_km * 1000.0, s12, atol=1e-3)  # a millimetre
    assert _azimuth_close(leg.initial_azimuth, azi1, 1e-8)
    assert _azimuth_close(leg.final_azimuth, azi2, 1e-8)


@given(lats, lons, lats, lons)
def test_distance_agrees_with_geographiclib_to_a_metre(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    ref = WGS84.Inverse(lat1, lon1, lat2, lon2)
    leg = distance_between(lat1, lon1, lat2, lon2)
    assert abs(leg.distance_km * 1000.0 - ref["s12"]) < 1.0
    assert 0 <= leg.distance_km <= HALF_MERIDIAN_KM + 1e-6
    if ref["s12"] > 1.0 and abs(lat1) < 89.9 and abs(lat2) < 89.9:
        assert _azimuth_close(leg.initial_azimuth, ref["azi1"], 1e-6)
        assert _azimuth_close(leg.final_azimuth, ref["azi2"], 1e-6)


@given(lats, lons, lats, lons)
def test_distance_is_symmetric(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    ab = distance_between(lat1, lon1, lat2, lon2).distance_km
    ba = distance_between(lat2, lon2, lat1, lon1).distance_km
    assert abs(ab - ba) < 1e-6


def test_vectorised_distances_match_single() -> None:
    d = distances_km(38.07, 46.30, [52.25, 44.43, 37.98], [21.0, 26.10, 23.73])
    single = [distance_between(38.07, 46.30, la, lo).distance_km for la, lo in
              [(52.25, 21.0), (44.43, 26.10), (37.98, 23.73)]]  # fmt: skip
    assert_allclose(d, single, rtol=1e-12)
    assert distances_km(0, 0, [], []).shape == (0,)


def test_destination_inverts_distance() -> None:
    lat, lon = destination(38.07, 46.30, 300.0, 2000.0)
    leg = distance_between(38.07, 46.30, lat, lon)
    assert_allclose(leg.distance_km, 2000.0, atol=1e-6)
    assert _azimuth_close(leg.initial_azimuth, 300.0, 1e-7)


def test_path_points_are_spaced_and_on_the_geodesic() -> None:
    la, lo = path_points(54.04, 35.78, 38.90, -77.04, spacing_km=50.0)
    assert (la[0], lo[0]) == (54.04, 35.78) and (la[-1], lo[-1]) == (38.90, -77.04)
    steps = [distance_between(la[i], lo[i], la[i + 1], lo[i + 1]).distance_km for i in
             range(len(la) - 1)]  # fmt: skip
    total = distance_between(54.04, 35.78, 38.90, -77.04).distance_km
    assert max(steps) <= 50.0 + 1e-6
    assert_allclose(sum(steps), total, rtol=1e-9)  # points on the geodesic add up exactly


# --- rings ------------------------------------------------------------------------------------


def _reference_area_km2(lat: float, lon: float, radius_km: float, n: int) -> float:
    """Area of the geodesic polygon through n points of the circle, all in pure-Python
    geographiclib (independent of pyproj): Direct for the points, PolygonArea for the area."""
    poly = PolygonArea(WGS84)
    for az in np.linspace(0.0, 360.0, n, endpoint=False):
        d = WGS84.Direct(lat, lon, float(az), radius_km * 1000.0)
        poly.AddPoint(d["lat2"], d["lon2"])
    _, _, area = poly.Compute(False, True)  # clockwise traversal: negative of the disc
    return float((-area) % (EARTH_AREA_KM2 * 1e6)) / 1e6


def _spherical_cap_km2(radius_km: float) -> float:
    r = math.sqrt(EARTH_AREA_KM2 / (4 * math.pi))  # authalic radius
    return 2 * math.pi * r * r * (1 - math.cos(radius_km / r))


def _check_ring(geom: object) -> None:
    assert isinstance(geom, Polygon | MultiPolygon)
    assert geom.is_valid
    assert not geom.is_empty
    for part in shapely.get_parts(geom):
        assert part.exterior.is_closed
        assert part.exterior.is_ccw  # RFC 7946 winding
    x0, y0, x1, y1 = geom.bounds
    assert -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90


RINGS = {
    "Tabriz 2,000 km": (38.07, 46.30, 2000.0),
    "across the antimeridian": (0.0, 179.0, 1000.0),
    "around the north pole": (80.0, 0.0, 2000.0),
    "around the south pole": (-80.0, 100.0, 3000.0),
    "pole and antimeridian": (60.0, 170.0, 5000.0),
    "both poles": (0.0, 0.0, 15000.0),
    "both poles, antimeridian": (45.0, -179.9, 19800.0),
    "tiny at the pole": (89.99, 0.0, 5.0),
    "centred on the pole": (90.0, 0.0, 1000.0),
    "passing near a pole": (0.0, 0.0, 10001.9),
}


@pytest.mark.parametrize("name", RINGS)
def test_ring_is_valid_and_has_the_right_area(name: str) -> None:
    lat, lon, r = RINGS[name]
    ring = range_ring(lat, lon, r)
    _check_ring(ring)
    area = geodesic_area_km2(ring)
    # the same circle, sampled as densely, computed independently with geographiclib
    n = max(720, math.ceil(2 * math.pi * 6371 * abs(math.sin(r / 6371)) / 10.0))
    assert_allclose(area, _reference_area_km2(lat, lon, r, n), rtol=2e-5)
    # and the spherical cap on the authalic sphere within the ellipsoid's flattening
    assert_allclose(area, _spherical_cap_km2(r), rtol=2e-3)


def test_ring_across_the_antimeridian_is_split() -> None:
    ring = range_ring(0.0, 179.0, 1000.0)
    assert isinstance(ring, MultiPolygon) and len(ring.geoms) == 2
    assert ring.bounds[0] == -180.0 and ring.bounds[2] == 180.0


@pytest.mark.parametrize(("lat", "pole"), [(80.0, 90.0), (-75.0, -90.0)])
def test_ring_around_a_pole_is_closed_along_the_pole(lat: float, pole: float) -> None:
    ring = range_ring(lat, 10.0, 2500.0)
    assert isinstance(ring, Polygon)
    assert ring.covers(shapely.Point(0.0, pole))
    xs, ys = np.asarray(ring.exterior.coords).T
    assert np.any((ys == pole) & (xs == 180.0)) and np.any((ys == pole) & (xs == -180.0))


def test_ring_containing_both_poles_leaves_out_the_antipodal_region() -> None:
    ring = range_ring(10.0, 20.0, 19000.0)
    assert ring.covers(shapely.Point(0, 90)) and ring.covers(shapely.Point(0, -90))
    assert not ring.covers(shapely.Point(-160.0, -10.0))  # the antipode is out of range


def test_ring_radius_is_checked() -> None:
    with pytest.raises(ValueError, match="radius"):
        range_ring(0, 0, 0)
    with pytest.raises(ValueError, match="radius"):
        range_ring(0, 0, MAX_RING_KM + 1)


@settings(max_examples=40, deadline=None)
@given(lats, lons, st.floats(1.0, MAX_RING_KM))
def test_random_rings_are_valid_and_exact(lat: float, lon: float, r: float) -> None:
    ring = range_ring(lat, lon, r)
    _check_ring(ring)
    # reference: GeographicLib's area of the unsplit circle (pyproj), which handles poles and
    # the antimeridian itself; the ring went through splitting, pole closure and strips
    _, la, lo = circle_points(lat, lon, r)
    signed, _ = GEOD.polygon_area_perimeter(lo, la)
    reference = ((-signed) % (EARTH_AREA_KM2 * 1e6)) / 1e6
    assert_allclose(geodesic_area_km2(ring), reference, rtol=1e-4)


@settings(max_examples=30, deadline=None)
@given(lats, lons, st.floats(10.0, 5000.0), st.floats(0, 360, exclude_max=True))
def test_points_inside_and_outside_the_ring(lat: float, lon: float, r: float, az: float) -> None:
    ring = range_ring(lat, lon, r)
    inside = destination(lat, lon, az, r * 0.98)
    outside = destination(lat, lon, az, r * 1.02)
    assert ring.covers(shapely.Point(inside[1], inside[0]))
    if r * 1.02 < HALF_MERIDIAN_KM - 100:
        assert not ring.covers(shapely.Point(outside[1], outside[0]))


def test_area_of_the_whole_earth_and_of_a_country() -> None:
    world = shapely.box(-180, -90, 180, 90)
    assert_allclose(geodesic_area_km2(world), EARTH_AREA_KM2, rtol=1e-9)
    assert_allclose(EARTH_AREA_KM2, 510_065_621.7, rtol=1e-9)
    # a 1 x 1 degree cell on the equator: about 111.32 x 110.57 km
    cell = geodesic_area_km2(shapely.box(0, 0, 1, 1))
    assert_allclose(cell, 12_308.8, rtol=1e-3)


def test_geojson_is_rfc7946() -> None:
    ring = range_ring(0.0, 179.0, 1000.0)
    doc = geojson_geometry(ring)
    assert doc["type"] == "MultiPolygon"
    back = shapely.geometry.shape(doc)
    assert back.is_valid
    assert all(p.exterior.is_ccw for p in back.geoms)
    assert_allclose(geodesic_area_km2(back), geodesic_area_km2(ring), rtol=1e-5)
