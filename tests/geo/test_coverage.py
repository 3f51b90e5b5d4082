"""Coverage geometry: closest approach, the same-point rule, radar support, footprints."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from numpy.testing import assert_allclose

from security_dilemma.geo import Gazetteer
from security_dilemma.geo.coverage import Site, _within, defended_area, path_coverage
from security_dilemma.geo.geodesy import distance_between, distances_km, path_points, range_ring

GAZ = Gazetteer.default()
TABRIZ, BUCHAREST = GAZ.resolve("Tabriz"), GAZ.resolve("Bucharest")


def _point_on_path(fraction: float) -> tuple[float, float]:
    la, lo = path_points(TABRIZ.lat, TABRIZ.lon, BUCHAREST.lat, BUCHAREST.lon, spacing_km=1.0)
    k = round(fraction * (la.size - 1))
    return float(la[k]), float(lo[k])


def test_closest_approach_matches_brute_force() -> None:
    gbi = Site("gbi", "interceptor", "USA", 54.48, 17.10, reach_km=1500)
    p = path_coverage(GAZ.resolve("Kozelsk"), GAZ.resolve("Washington"), [gbi])
    la, lo = path_points(54.04, 35.78, p.target.lat, p.target.lon, spacing_km=0.5)
    brute = distances_km(gbi.lat, gbi.lon, la, lo).min()
    assert_allclose(p.closest_km["gbi"], brute, atol=0.05)  # 10 km samples: within 50 m
    assert p.within["gbi"]


def test_interceptor_needs_a_radar_at_the_same_stretch_of_path() -> None:
    a_lat, a_lon = _point_on_path(0.25)
    b_lat, b_lon = _point_on_path(0.75)
    gbi = Site("gbi", "interceptor", "USA", a_lat, a_lon, reach_km=100)
    far_radar = Site("r", "radar", "USA", b_lat, b_lon, reach_km=100)
    p = path_coverage(TABRIZ, BUCHAREST, [gbi, far_radar])
    assert p.within == {"gbi": True, "r": True}
    assert p.defended_by() == ()  # both circles touched, but never at the same point
    gap = distance_between(a_lat, a_lon, b_lat, b_lon).distance_km
    big_radar = Site("r", "radar", "USA", b_lat, b_lon, reach_km=gap + 10)
    assert path_coverage(TABRIZ, BUCHAREST, [gbi, big_radar]).defended_by() == ("gbi",)


def test_no_radar_no_coverage_and_radar_owner_must_be_allied() -> None:
    mid = _point_on_path(0.5)
    gbi = Site("gbi", "interceptor", "USA", *mid, reach_km=300)
    radar = Site("r", "radar", "RUS", *mid, reach_km=300)
    assert path_coverage(TABRIZ, BUCHAREST, [gbi]).defended_by() == ()
    p = path_coverage(TABRIZ, BUCHAREST, [gbi, radar])
    assert p.defended_by() == ()  # a Russian radar does not cue an American interceptor
    assert p.defended_by(allied=lambda a, b: {a, b} == {"USA", "RUS"} or a == b) == ("gbi",)
    assert p.defended_by(active=["gbi"]) == ()  # the radar is not active


def test_path_far_from_the_site_is_not_covered() -> None:
    gbi = Site("gbi", "interceptor", "USA", 54.48, 17.10, reach_km=1500)
    radar = Site("r", "radar", "USA", 49.72, 13.85, reach_km=2000)
    p = path_coverage(GAZ.resolve("Isfahan"), GAZ.resolve("Riyadh"), [gbi, radar])
    assert not p.within["gbi"] and p.defended_by() == ()
    assert p.closest_km["gbi"] > 2500


def test_exact_membership_test() -> None:
    rng = np.random.default_rng(7)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, 20_000)))
    lon = rng.uniform(-180, 180, 20_000)
    sites = [
        Site("a", "interceptor", "X", 54.48, 17.10, 1500),
        Site("b", "radar", "X", 89.0, 0.0, 3000),
        Site("c", "radar", "X", -10.0, 179.5, 800),
    ]
    inside = _within(lat, lon, sites)
    for k, s in enumerate(sites):
        exact = distances_km(s.lat, s.lon, lat, lon) <= s.reach_km
        assert np.array_equal(inside[:, k], exact)


def test_defended_footprint_properties() -> None:
    gbi = Site("gbi", "interceptor", "USA", 54.48, 17.10, reach_km=1500)
    radar = Site("r", "radar", "USA", 49.72, 13.85, reach_km=2000)
    area, cell = defended_area([TABRIZ], 2000, [gbi, radar])
    assert 0.1 <= cell < 2 and area.is_valid and not area.is_empty
    ring_and_circle = shapely.Point(BUCHAREST.lon, BUCHAREST.lat)
    assert area.buffer(cell).covers(ring_and_circle)  # Bucharest's path is covered
    assert not area.covers(shapely.Point(TABRIZ.lon, TABRIZ.lat))
    # nothing is defended without a radar, or against a missile that cannot get there
    assert defended_area([TABRIZ], 2000, [gbi])[0].is_empty
    assert defended_area([GAZ.resolve("Isfahan")], 1300, [gbi, radar])[0].is_empty


def test_defended_footprint_needs_every_launch_area_covered() -> None:
    gbi = Site("gbi", "interceptor", "USA", 54.48, 17.10, reach_km=1500)
    radar = Site("r", "radar", "USA", 49.72, 13.85, reach_km=2000)
    one, cell = defended_area([TABRIZ], 2000, [gbi, radar])
    two, _ = defended_area([TABRIZ, GAZ.resolve("Kermanshah")], 2000, [gbi, radar])
    assert not two.is_empty
    # where Tabriz's missiles reach, a target defended against both launch areas is defended
    # against Tabriz (up to the grid's resolution)
    extra = two.intersection(range_ring(TABRIZ.lat, TABRIZ.lon, 2000)).difference(
        one.buffer(2 * cell)
    )
    assert extra.area < 1e-6


@pytest.mark.parametrize("kind", ["interceptor", "radar"])
def test_site_from_case_fields(kind: str) -> None:
    from security_dilemma.scenario.schema import DefenceSite

    raw = {"id": "s", "actor": "USA", "place": "Brdy", "kind": kind}
    raw |= (
        {"interceptors": 10, "sspk": 0.5, "flyout_km": 1500}
        if kind == "interceptor"
        else {"radar_range_km": 2000}
    )
    site = Site.from_case(DefenceSite.model_validate(raw), GAZ.resolve("Brdy"))
    assert site.reach_km == (1500 if kind == "interceptor" else 2000)
    assert site.tracking == 1.0  # not stated: perfect tracking assumed
