"""The interactive map's data: the case's features on a date with their sources, and the
Natural Earth land layer; the page ships Leaflet from the package (no CDN, no tiles)."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from security_dilemma.geo.maps import case_geojson
from security_dilemma.scenario import load_case


def test_features_carry_their_sources(client: TestClient) -> None:
    case = load_case("bmd-europe")
    doc = client.get("/api/cases/bmd-europe/geojson", params={"date": "2009-06-01"}).json()
    plain = case_geojson(case, dt.date(2009, 6, 1))
    assert len(doc["features"]) == len(plain["features"])
    for ours, theirs in zip(doc["features"], plain["features"], strict=True):
        assert {k: v for k, v in ours["properties"].items() if k != "sources"} == {
            k: v for k, v in theirs["properties"].items()
        }
    site = next(f for f in doc["features"] if f["properties"].get("id") == "redzikowo")
    assert site["properties"]["sources"] == list(
        next(s for s in case.defence_sites if s.id == "redzikowo").source
    )
    ring = next(f for f in doc["features"] if f["properties"]["kind"] == "range_ring")
    missile = next(m for m in case.missiles if m.id == ring["properties"]["missile"])
    assert ring["properties"]["sources"] == list(missile.source)
    known = {s.id for s in case.sources}
    assert all(
        set(f["properties"]["sources"]) <= known for f in doc["features"]
    )  # every id is one of the case's sources


def test_land_layer_and_bad_dates(client: TestClient) -> None:
    land = client.get("/api/land.geojson")
    assert land.status_code == 200 and len(land.json()["features"]) == 177
    bad = client.get("/api/cases/bmd-europe/geojson", params={"date": "2009-13-01"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["path"] == "query.date"


def test_the_map_page_ships_leaflet_and_keeps_the_svg(client: TestClient) -> None:
    html = client.get("/map/bmd-europe").text
    assert '<script src="/static/leaflet.js" defer></script>' in html
    assert 'id="map-live"' in html and re.search(r'<img id="map-img" src="/cases/', html)
    assert "<noscript>" in html and "<script>" not in html  # no inline script
    js = client.get("/static/leaflet.js")
    assert js.status_code == 200 and b"Leaflet 1.9.4" in js.content[:200]
    assert b"BSD" in client.get("/static/leaflet.LICENSE.txt").content
