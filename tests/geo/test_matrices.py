"""The engine's contracts: reach_matrix, intercept_matrix, deterrent_erosion (and caching)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose

from security_dilemma.errors import BadInput
from security_dilemma.geo import (
    Gazetteer,
    case_geometry,
    deterrent_erosion,
    erosion_matrix,
    intercept_matrix,
    reach,
    reach_matrix,
)
from security_dilemma.geo.reach import country
from security_dilemma.scenario import load_case
from security_dilemma.scenario.schema import Case

DATA = Path(__file__).parent / "data"
GAZ = Gazetteer.default()


def _case(**extra: Any) -> Case:
    """Iran (attacker) against Romania; a US interceptor and radar at Bucharest."""
    doc: dict[str, Any] = {
        "id": "toy",
        "title": "toy",
        "span": {"start": 2008, "end": 2009},
        "actors": [
            {"id": "IRN", "name": "Iran", "iso3": "IRN"},
            {"id": "ROU", "name": "Romania", "iso3": "ROU"},
            {"id": "USA", "name": "United States", "iso3": "USA"},
        ],
        "missiles": [
            {
                "id": "m",
                "actor": "IRN",
                "name": "m",
                "range_km": 2500,
                "inventory": 4,
                "launch_areas": ["Tabriz"],
            },
        ],
        "defence_sites": [
            {
                "id": "gbi",
                "actor": "USA",
                "host": "ROU",
                "place": "Bucharest",
                "kind": "interceptor",
                "interceptors": 6,
                "sspk": 0.5,
                "tracking": 0.8,
                "flyout_km": 500,
                "status": "operational",
            },
            {
                "id": "radar",
                "actor": "USA",
                "host": "ROU",
                "place": "Bucharest",
                "kind": "radar",
                "radar_range_km": 1000,
                "status": "operational",
            },
        ],
    }
    doc.update(extra)
    return Case.model_validate(doc)


def test_intercept_by_hand() -> None:
    # 4 warheads on Bucharest, 6 interceptors, 2 shots wanted: two warheads get 2, two get 1;
    # expected kills = 0.8 * (2 * 0.75 + 2 * 0.5) = 2.0 -> half the warheads stopped
    m = intercept_matrix(_case())
    ids = _case().actor_ids()
    assert m.shape == (3, 3)
    assert_allclose(m[ids.index("ROU"), ids.index("IRN")], 0.5)
    # the USA is defended neither by hosting nor by alliance, and is out of range anyway
    assert m[ids.index("USA"), ids.index("IRN")] == 0.0
    assert np.all(np.diag(m) == 0.0)
    assert_allclose(intercept_matrix(_case(), shots=1)[1, 0], 0.8 * 0.5)  # 4 shots, 4 warheads


def test_intercept_rules() -> None:
    c = _case()
    assert intercept_matrix(c, sites=["gbi"])[1, 0] == 0.0  # no radar, no interception
    assert intercept_matrix(c, sites=[])[1, 0] == 0.0
    # not hosted by Romania and not allied: no defence of Romania ...
    sites = [s.model_copy(update={"host": None}) for s in c.defence_sites]
    lone = c.model_copy(update={"defence_sites": sites})
    assert intercept_matrix(lone)[1, 0] == 0.0
    # ... until Romania and the United States are allies
    from security_dilemma.scenario.schema import Alliance

    nato = Alliance.model_validate({"id": "nato", "name": "NATO", "members": ["USA", "ROU"]})
    allied = lone.model_copy(update={"alliances": [nato]})
    assert_allclose(intercept_matrix(allied)[1, 0], 0.5)
    # planned sites do not count by default, but do when named
    planned = [s.model_copy(update={"status": "planned"}) for s in c.defence_sites]
    later = c.model_copy(update={"defence_sites": planned})
    assert intercept_matrix(later)[1, 0] == 0.0
    assert_allclose(intercept_matrix(later, sites=["gbi", "radar"])[1, 0], 0.5)


def test_a_site_intercepts_only_the_missiles_its_system_engages() -> None:
    """One rule for the engine, the erosion command and the maps (``geo.engagement``): a GBI
    (midcourse, against 3,000 km and more) cannot engage a 2,500 km missile however close it
    flies; an SM-3 can; a site that names no system engages every missile."""
    c = _case()

    def with_system(system: str | None) -> Case:
        sites = [
            s.model_copy(update={"system": system}) if s.id == "gbi" else s for s in c.defence_sites
        ]
        return c.model_copy(update={"defence_sites": sites})

    assert intercept_matrix(with_system("GBI (two-stage)"))[1, 0] == 0.0
    assert_allclose(intercept_matrix(with_system("SM-3 Block IA"))[1, 0], 0.5)
    assert_allclose(intercept_matrix(with_system(None))[1, 0], 0.5)
    assert erosion_matrix(with_system("GBI (two-stage)"))[1, 0] == 0.0


def test_unknown_site_or_missile_is_bad_input() -> None:
    with pytest.raises(BadInput, match="did you mean 'gbi'"):
        intercept_matrix(_case(), sites=["gbj"])
    with pytest.raises(BadInput, match="unknown missile"):
        reach_matrix(_case(), missiles=["nope"])


def test_reach_matrix_contract() -> None:
    c = _case()
    r = reach_matrix(c)
    ids = c.actor_ids()
    tab = reach(GAZ.resolve("Tabriz"), 2500)
    assert r.shape == (3, 3)
    assert_allclose(r[ids.index("IRN"), ids.index("ROU")], tab.fraction("ROU"), rtol=1e-9)
    assert r[ids.index("IRN"), ids.index("USA")] == 0.0
    assert np.all(r[ids.index("ROU")] == 0.0) and np.all(r[ids.index("USA")] == 0.0)
    assert 0.9 < r[ids.index("IRN"), ids.index("IRN")] <= 1.0  # own territory, computed too
    assert np.all((r >= 0) & (r <= 1))


def test_reach_of_a_bloc_uses_its_members() -> None:
    bloc = {"id": "SEE", "name": "Romania and Bulgaria", "kind": "bloc", "members": ["ROU", "BGR"]}
    c = _case(actors=[*_case().model_dump(mode="json")["actors"], bloc])
    r = reach_matrix(c)
    tab = reach(GAZ.resolve("Tabriz"), 2500)
    rou, bgr = country("ROU"), country("BGR")
    assert rou is not None and bgr is not None
    expected = (tab.fraction("ROU") * rou.area_km2 + tab.fraction("BGR") * bgr.area_km2) / (
        rou.area_km2 + bgr.area_km2
    )
    assert_allclose(r[0, 3], expected, rtol=1e-6)
    geo = case_geometry(c)
    assert [t.name for t in geo.targets["SEE"]] == ["Bucharest", "Sofia"]


def test_reach_with_a_subset_of_missiles_and_launch_fallback() -> None:
    c = _case()
    assert np.all(reach_matrix(c, missiles=[]) == 0.0)
    no_area = [c.missiles[0].model_copy(update={"launch_areas": []})]
    fallback = c.model_copy(update={"missiles": no_area})
    geo = case_geometry(fallback)
    assert [p.name for p in geo.launches["m"]] == ["Tehran"]  # launched from the capital


def test_geometry_is_cached_by_content() -> None:
    c = _case()
    same = c.model_copy(update={"title": "another title", "events": []})
    assert case_geometry(c) is case_geometry(same)
    moved = c.model_copy(
        update={"missiles": [c.missiles[0].model_copy(update={"launch_areas": ["Isfahan"]})]}
    )
    assert case_geometry(moved) is not case_geometry(c)


def test_unknown_launch_area_is_reported_with_its_path() -> None:
    bad = _case().model_copy(
        update={"missiles": [_case().missiles[0].model_copy(update={"launch_areas": ["Tabris"]})]}
    )
    with pytest.raises(BadInput) as info:
        reach_matrix(bad)
    problem = info.value.problems[0]
    assert problem.path == "missiles[0].launch_areas[0]" and "Tabriz" in problem.message


# --- deterrent erosion ------------------------------------------------------------------------


def test_erosion_by_hand() -> None:
    c = load_case(DATA / "geo-case.yaml")
    res = deterrent_erosion(c, "USA", "RUS", interceptors=100, targets=["Washington"])
    today = res.today
    # 350 missiles x 4 warheads over 7 fields; the geodesics from Kozelsk, Tatishchevo,
    # Teykovo and Yoshkar-Ola to Washington pass the Polish fly-out circle where the Czech
    # radar also sees them, the other three do not (see test_coverage / docs)
    assert_allclose(today.warheads, 1400)
    assert_allclose(today.warheads_in_range, 1400)
    assert_allclose(today.warheads_covered, 4 / 7 * 1400)
    # 10 interceptors over 800 covered warheads: each kill 0.9 * 0.5 -> 4.5 expected kills
    assert_allclose(today.expected_stopped, 10 * 0.9 * 0.5)
    assert_allclose(res.fraction_today, 4.5 / 1400)
    assert res.fraction_expanded is not None
    assert_allclose(res.fraction_expanded, 45 / 1400)
    covered = {p.launch for p in today.paths if p.covered_by}
    assert covered == {"Kozelsk", "Tatishchevo", "Teykovo", "Yoshkar-Ola"}


def test_erosion_ragged_retaliation_and_saturation() -> None:
    c = load_case(DATA / "geo-case.yaml")
    ragged = deterrent_erosion(c, "USA", "RUS", retaliation=0.01, targets=["Washington"])
    # 14 warheads, 8 of them covered, 10 interceptors: 2 shots for 2 warheads, 1 for 6
    assert_allclose(ragged.today.warheads_covered, 8.0)
    assert_allclose(ragged.today.expected_stopped, 0.9 * (2 * 0.75 + 6 * 0.5))
    big = deterrent_erosion(c, "USA", "RUS", interceptors=10_000, targets=["Washington"])
    assert big.fraction_expanded is not None
    # the defence can never stop more than the covered share times q (1 - (1-p)^2)
    assert_allclose(big.fraction_expanded, 4 / 7 * 0.9 * 0.75)


def test_erosion_of_iran_by_the_european_site() -> None:
    c = load_case(DATA / "geo-case.yaml")
    res = deterrent_erosion(c, "ROU", "IRN")
    # Bucharest is reached only by the 2,000 km missile from Tabriz (1,829 km)
    in_range = [p for p in res.today.paths if p.in_range]
    assert {(p.missile, p.launch) for p in in_range} == {("irbm-2000", "Tabriz")}
    assert res.today.fraction > 0.5  # 10 interceptors against 10/3 warheads
    assert deterrent_erosion(c, "POL", "IRN").today.warheads_in_range == 0.0


def test_erosion_matrix_contract() -> None:
    c = load_case(DATA / "geo-case.yaml")
    e = erosion_matrix(c)
    ids = c.actor_ids()
    direct = deterrent_erosion(c, "USA", "RUS").fraction_today
    assert_allclose(e[ids.index("USA"), ids.index("RUS")], direct)
    assert np.all(intercept_matrix(c) == 0.0)  # every site is planned: nothing operational


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"defender": "USB"}, "defender"),
        ({"attacker": "RUZ"}, "attacker"),
        ({"sites": ["redzikowa"]}, "sites"),
        ({"retaliation": 0.0}, "retaliation"),
        ({"targets": ["Washingtn"]}, "targets"),
    ],
)
def test_erosion_bad_input(kwargs: dict[str, Any], field: str) -> None:
    c = load_case(DATA / "geo-case.yaml")
    args: dict[str, Any] = {"defender": "USA", "attacker": "RUS"} | kwargs
    with pytest.raises(BadInput) as info:
        deterrent_erosion(c, **args)
    assert info.value.problems[0].path == field
    assert "did you mean" in str(info.value) or field == "retaliation"
