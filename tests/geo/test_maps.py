"""Maps and GeoJSON: files are written, features are valid, statuses follow the dates."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import shapely
from matplotlib.figure import Figure
from shapely.geometry import shape

from security_dilemma.errors import BadInput
from security_dilemma.geo import Gazetteer, case_sites
from security_dilemma.geo.maps import (
    MapCanvas,
    case_geojson,
    case_map,
    missile_status_at,
    paths_geojson,
    paths_map,
    reach_map,
    site_status_at,
)
from security_dilemma.scenario import load_case
from security_dilemma.scenario.schema import Case

DATA = Path(__file__).parent / "data"
GAZ = Gazetteer.default()


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case(DATA / "geo-case.yaml")


def _legend_texts(fig: Figure) -> list[str]:
    texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    return texts + [t.get_text() for ax in fig.axes if ax.get_legend() for t in
                    ax.get_legend().get_texts()]  # fmt: skip


def _labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_case_map_png_and_svg(case: Case, tmp_path: Path) -> None:
    fig = case_map(case, out=tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    legend = " ".join(_legend_texts(fig))
    assert "Shahab-3: 1,300 km" in legend and "interceptor fly-out (planned)" in legend
    assert "defended footprint" in legend
    labels = _labels(fig)
    assert any("European Interceptor" in t for t in labels)
    assert "Tabriz" in labels and "Warsaw (POL)" in labels
    case_map(case, out=tmp_path / "map.svg", footprints=False)
    root = ET.parse(tmp_path / "map.svg").getroot()
    assert root.tag.endswith("svg")


def test_case_map_on_a_given_axes_and_bad_suffix(case: Case, tmp_path: Path) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert case_map(case, ax=ax, footprints=False) is fig
    with pytest.raises(BadInput, match=r"\.png"):
        case_map(case, out=tmp_path / "map.gif", footprints=False)


def test_builtin_case_map(tmp_path: Path) -> None:
    bmd = load_case("bmd-europe")
    fig = case_map(bmd, out=tmp_path / "bmd.png", footprints=False)
    labels = " ".join(_labels(fig))
    assert "Warsaw (POL)" in labels and "Prague (CZE)" in labels
    site_names = {s.name for s in case_sites(bmd) if s.id in ("redzikowo", "brdy")}
    assert all(any(w in labels for w in name.split()[:2]) for name in site_names)


def test_site_and_missile_status_on_a_date(case: Case) -> None:
    assert site_status_at(case)["redzikowo"] == "planned"
    assert site_status_at(case, dt.date(2006, 6, 1))["redzikowo"] == "unannounced"
    from security_dilemma.scenario.schema import Event

    events = [
        Event.model_validate({
            "id": "cancel", "date": "2009-09-17", "title": "cancelled", "source": "x",
            "effects": [{"type": "site", "site": "redzikowo", "status": "cancelled"},
                        {"type": "missile", "missile": "shahab-3", "status": "retired"}],
        })
    ]  # fmt: skip
    later = case.model_copy(update={"events": events})
    assert site_status_at(later, dt.date(2009, 1, 1))["redzikowo"] == "planned"
    assert site_status_at(later, dt.date(2010, 1, 1))["redzikowo"] == "cancelled"
    assert missile_status_at(later, dt.date(2010, 1, 1))["shahab-3"] == "retired"
    doc = case_geojson(later, dt.date(2010, 1, 1), footprints=False)
    rings = {f["properties"]["missile"] for f in doc["features"] if f["properties"]["kind"] ==
             "range_ring"}  # fmt: skip
    assert "shahab-3" not in rings


def test_case_geojson_is_valid(case: Case) -> None:
    doc = case_geojson(case)
    assert doc["type"] == "FeatureCollection"
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert {"site", "flyout", "radar", "range_ring", "launch_area", "capital"} <= kinds
    assert "defended_area" in kinds
    for f in doc["features"]:
        geom = shape(f["geometry"])
        assert geom.is_valid and not geom.is_empty
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            assert all(p.exterior.is_ccw for p in shapely.get_parts(geom))
            assert geom.bounds[0] >= -180 and geom.bounds[2] <= 180


def test_reach_and_paths_maps(case: Case, tmp_path: Path) -> None:
    fig = reach_map([GAZ.resolve("Tabriz")], [1300, 2000], out=tmp_path / "reach.png")
    assert "Bucharest" in _labels(fig) and (tmp_path / "reach.png").stat().st_size > 10_000
    sites = case_sites(case)
    launches = [GAZ.resolve("Kozelsk"), GAZ.resolve("Uzhur")]
    targets = [GAZ.resolve("Washington")]
    paths_map(launches, targets, sites, out=tmp_path / "paths.svg")
    doc = paths_geojson(launches, targets, sites)
    paths = [f for f in doc["features"] if f["properties"]["kind"] == "path"]
    assert len(paths) == 2 and all(shape(f["geometry"]).is_valid for f in paths)


def test_path_across_the_antimeridian_is_split() -> None:
    doc = paths_geojson([GAZ.resolve("Tokyo")], [GAZ.resolve("Pearl Harbor")], [])
    geom = shape(doc["features"][0]["geometry"])
    assert geom.geom_type == "MultiLineString"
    assert max(abs(x) for part in geom.geoms for x, _ in part.coords) == 180.0


def test_canvas_needs_places() -> None:
    with pytest.raises(BadInput, match="nothing to draw"):
        MapCanvas([])
