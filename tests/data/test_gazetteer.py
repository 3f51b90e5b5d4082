"""The gazetteer resolves names, codes, coordinates and case places, and suggests close names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security_dilemma import BadInput, Gazetteer, load_case
from security_dilemma.geo.gazetteer import normalise_name

FIXTURE = Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


@pytest.mark.parametrize(
    ("query", "name", "lat", "lon"),
    [
        ("Warsaw", "Warsaw", 52.25, 21.00),
        ("POL", "Warsaw", 52.25, 21.00),
        ("290", "Warsaw", 52.25, 21.00),
        ("Poland", "Warsaw", 52.25, 21.00),
        ("Tabriz", "Tabriz", 38.07, 46.30),
        ("Washington", "Washington D.C.", 38.90, -77.04),
        ("USA", "Washington D.C.", 38.90, -77.04),
        ("Kiev", "Kyiv", 50.44, 30.51),
        ("Kyiv", "Kyiv", 50.44, 30.51),
        ("kurecik", "Kurecik", 38.22, 37.83),
        ("Kürecik", "Kurecik", 38.22, 37.83),
        ("Tehran", "Tehran", 35.67, 51.42),
        ("Beijing", "Beijing", 40.19, 116.41),
        ("38.07,46.30", "38.07,46.3", 38.07, 46.30),
        (" -33.9 , 151.2 ", "-33.9,151.2", -33.9, 151.2),
    ],
)
def test_resolve(gaz: Gazetteer, query: str, name: str, lat: float, lon: float) -> None:
    loc = gaz.resolve(query)
    assert loc.name == name
    assert loc.lat == pytest.approx(lat, abs=0.02)
    assert loc.lon == pytest.approx(lon, abs=0.02)


def test_unknown_names_suggest_close_matches(gaz: Gazetteer) -> None:
    with pytest.raises(BadInput, match="did you mean 'Tabriz'"):
        gaz.resolve("Tabrz")
    with pytest.raises(BadInput, match="unknown place 'Atlantis'"):
        gaz.resolve("Atlantis")
    message = gaz.explain_unknown("95,10")
    assert message is not None and "out of range" in message


def test_case_places_take_precedence() -> None:
    case = load_case(FIXTURE)
    gaz = Gazetteer.for_case(case)
    assert gaz.resolve("Base Camp").lat == 50.0
    assert "Base Camp" not in Gazetteer.default()


def test_historical_capitals(gaz: Gazetteer) -> None:
    assert gaz.capital("RUS", year=1910).name in ("St. Petersburg", "Saint Petersburg")
    assert gaz.capital("RUS").name == "Moscow"
    assert gaz.capital(255, year=1960).name in ("Bonn", "Berlin")


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_any_coordinate_pair_resolves(lat: float, lon: float) -> None:
    loc = Gazetteer.default().resolve(f"{lat:.6f},{lon:.6f}")
    assert loc.lat == pytest.approx(lat, abs=1e-6)
    assert loc.lon == pytest.approx(lon, abs=1e-6)


def test_normalise_name() -> None:
    assert normalise_name("  Saint-John's ") == "saint johns"
    assert normalise_name("KØBENHAVN") != ""
    assert normalise_name("Kürecik") == "kurecik"
