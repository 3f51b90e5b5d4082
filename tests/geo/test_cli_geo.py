"""The geography commands as a user runs them: JSON keys, files written, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from security_dilemma.cli import main

DATA = Path(__file__).parent / "data"
CASE = str(DATA / "geo-case.yaml")

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dilemma(capfd: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        capfd.readouterr()
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capfd.readouterr()
        code = info.value.code
        return (code if isinstance(code, int) else 0), out, err

    return run


def test_distance_json(dilemma: Run) -> None:
    code, out, _ = dilemma("distance", "Tehran", "Warsaw", "--json")
    doc = json.loads(out)
    assert code == 0
    assert set(doc) == {
        "from", "to", "distance_km", "initial_azimuth_deg", "final_azimuth_deg", "ellipsoid"
    }  # fmt: skip
    from geographiclib.geodesic import Geodesic

    ref = Geodesic.WGS84.Inverse(doc["from"]["lat"], doc["from"]["lon"], doc["to"]["lat"],
                                 doc["to"]["lon"])  # fmt: skip
    assert_allclose(doc["distance_km"] * 1000, ref["s12"], atol=1e-3)


def test_distance_text_and_negative_coordinates(dilemma: Run) -> None:
    code, out, _ = dilemma("distance", "--", "-33.9,18.4", "London")
    assert code == 0 and "km" in out and "azimuth" in out


def test_unknown_place_exits_2_with_a_hint(dilemma: Run) -> None:
    code, _, err = dilemma("distance", "Tehran", "Warsw")
    assert code == 2 and "did you mean 'Warsaw'" in err
    code, out, _ = dilemma("reach", "--from", "Tabriss", "--range-km", "2000", "--json")
    doc = json.loads(out)
    assert code == 2 and doc["error"] == "bad_input"
    assert doc["problems"][0]["path"] == "--from" and "Tabriz" in doc["problems"][0]["message"]


def test_reach_json_geojson_and_map(dilemma: Run, tmp_path: Path) -> None:
    gj, png = tmp_path / "ring.geojson", tmp_path / "ring.png"
    code, out, _ = dilemma(
        "reach", "--from", "Tabriz", "--range-km", "2000", "--json", "--geojson", str(gj),
        "--map", str(png),
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"origin", "range_km", "capitals", "countries"}
    names = [c["name"] for c in doc["capitals"]]
    assert {"Bucharest", "Athens", "Jerusalem"} <= set(names) and "Warsaw" not in names
    assert set(doc["capitals"][0]) == {
        "name", "iso3", "country", "continent", "lat", "lon", "distance_km"
    }  # fmt: skip
    assert set(doc["countries"][0]) == {
        "iso3", "name", "continent", "fraction", "area_in_range_km2", "area_km2"
    }  # fmt: skip
    features = json.loads(gj.read_text())["features"]
    assert features[0]["properties"]["kind"] == "range_ring"
    assert png.stat().st_size > 10_000


def test_reach_by_continent_and_bad_range(dilemma: Run) -> None:
    code, out, _ = dilemma(
        "reach", "--from", "Tabriz", "--range-km", "2000", "--continent", "Europe", "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert {c["continent"] for c in doc["capitals"]} == {"Europe"}
    code, _, err = dilemma("reach", "--from", "Tabriz", "--range-km", "-5")
    assert code == 2 and "range" in err


def test_map_command(dilemma: Run, tmp_path: Path) -> None:
    out_png, gj = tmp_path / "map.png", tmp_path / "map.geojson"
    code, out, _ = dilemma(
        "map", CASE, "--out", str(out_png), "--geojson", str(gj), "--json", "--no-footprints"
    )
    assert code == 0, out
    doc = json.loads(out)
    assert doc["case"] == "geo-test" and doc["features"] > 10
    assert out_png.read_bytes()[:4] == b"\x89PNG"
    code, _, err = dilemma("map", CASE, "--out", str(tmp_path / "map.jpg"))
    assert code == 2 and ".png" in err
    code, _, err = dilemma("map", CASE, "--out", str(out_png), "--date", "2008-13")
    assert code == 2 and "month" in err
    code, _, err = dilemma("map", CASE, "--out", str(out_png), "--missile", "shahab3")
    assert code == 2 and "did you mean 'shahab-3'" in err
    code, _, err = dilemma("map", CASE, "--out", str(out_png), "--extent", "10,60,25")
    assert code == 2 and "WEST,EAST,SOUTH,NORTH" in err
    code, _, _ = dilemma(
        "map", CASE, "--out", str(out_png), "--extent", "10,60,25,60", "--no-footprints"
    )
    assert code == 0


def test_bmd_leakage_json(dilemma: Run) -> None:
    code, out, _ = dilemma(
        "bmd", "leakage", "--sspk", "0.5", "--shots", "2", "--tracking", "0.9",
        "--warheads", "5", "--interceptors", "10", "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and doc["mode"] == "salvo"
    assert_allclose(doc["kill_probability"], 0.675)
    assert_allclose(doc["p_zero_common"], 0.9 * 0.75**5)
    assert_allclose(doc["p_zero_independent"], 0.675**5)
    assert_allclose(doc["expected_leakers"], 1.625)
    code, out, _ = dilemma(
        "bmd", "leakage", "--sspk", "0.5", "--shots", "1", "--look", "1", "--warheads", "1",
        "--json",
    )  # fmt: skip
    assert json.loads(out)["mode"] == "shoot-look-shoot"
    assert_allclose(json.loads(out)["interceptors_used"], 1.5)
    code, out, _ = dilemma(
        "bmd", "leakage", "--sspk", "0.5", "--shots", "1", "--warheads", "1",
        "--layer", "0.5,1,1", "--confidence", "0.9", "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert doc["mode"] == "layered" and doc["survival_probability"] == 0.25
    assert doc["shots_for_confidence"]["common_mode"] == 4  # 1 - 0.5^n >= 0.9


def test_bmd_leakage_bad_input(dilemma: Run) -> None:
    code, _, err = dilemma("bmd", "leakage", "--sspk", "1.5")
    assert code == 2 and "sspk" in err
    code, _, err = dilemma("bmd", "leakage", "--layer", "0.5;1")
    assert code == 2 and "SSPK,SHOTS,TRACKING" in err


def test_bmd_coverage(dilemma: Run, tmp_path: Path) -> None:
    code, out, _ = dilemma(
        "bmd", "coverage", CASE, "--from", "Kozelsk", "--from", "Uzhur", "--to", "Washington",
        "--json", "--geojson", str(tmp_path / "p.geojson"),
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    rows = {(p["launch"], p["target"]): p for p in doc["paths"]}
    assert rows[("Kozelsk", "Washington D.C.")]["defended_by"] == ["redzikowo"]
    assert rows[("Uzhur", "Washington D.C.")]["defended_by"] == []
    assert rows[("Uzhur", "Washington D.C.")]["sites"]["redzikowo"]["closest_km"] > 3000
    code, out, _ = dilemma("bmd", "coverage", CASE)
    assert code == 0 and "covered by" in out
    code, _, err = dilemma("bmd", "coverage", CASE, "--site", "redzikowa")
    assert code == 2 and "did you mean 'redzikowo'" in err


def test_bmd_erosion(dilemma: Run) -> None:
    code, out, _ = dilemma(
        "bmd", "erosion", CASE, "--defender", "USA", "--attacker", "RUS", "--interceptors",
        "100", "--target", "Washington", "--json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert_allclose(doc["fraction_today"], 4.5 / 1400)
    assert_allclose(doc["fraction_expanded"], 45 / 1400)
    assert {"today", "expanded", "shots", "retaliation"} <= set(doc)
    code, out, _ = dilemma("bmd", "erosion", CASE, "--defender", "USA", "--attacker", "RUS")
    assert code == 0 and "Deterrent erosion" in out
    code, _, err = dilemma("bmd", "erosion", CASE, "--defender", "USB", "--attacker", "RUS")
    assert code == 2 and "did you mean 'USA'" in err
