"""Cases drafted from the shipped data: valid as written, faithful to the data, honest about
what is missing, and strict about bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from security_dilemma import data
from security_dilemma.cli import main
from security_dilemma.errors import BadInput
from security_dilemma.scenario import parse_case_text
from security_dilemma.scenario.fromdata import (
    COMMITMENT,
    case_from_data,
    draft_case,
    resolve_states,
)

DOCS = Path(__file__).parents[2] / "docs"


def dilemma(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capfd.readouterr()
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capfd.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.fixture(scope="module")
def bmd() -> tuple[str, dict[str, object]]:
    draft = draft_case(["USA", "RUS", "POL"], 2001, 2009)
    return draft.text, draft.data


def test_draft_validates_strictly_and_matches_its_dict(bmd: tuple[str, dict[str, object]]) -> None:
    text, as_dict = bmd
    case = parse_case_text(text, strict_sources=True)
    assert case.id == "usa-rus-pol-2001-2009"
    assert case.actor_ids() == ["USA", "RUS", "POL"]
    assert yaml.safe_load(text) == as_dict
    assert case_from_data(["USA", "RUS", "POL"], 2001, 2009) == text  # deterministic


def test_capabilities_are_the_nmc_figures(bmd: tuple[str, dict[str, object]]) -> None:
    case = parse_case_text(bmd[0])
    nmc = data.nmc().set_index(["ccode", "year"])
    for cap in case.capabilities:
        row = nmc.loc[(case.actor(cap.actor).ccode, 2001)]
        assert cap.year == 2001 and cap.source == "cow-nmc"
        assert cap.milex.value == row.milex
        assert cap.milper is not None and cap.milper.value == row.milper
        assert cap.cinc is not None and cap.cinc.value == pytest.approx(row.cinc, abs=1e-6)


def test_alliances_group_atop_pledges(bmd: tuple[str, dict[str, object]]) -> None:
    case = parse_case_text(bmd[0])
    by_members = {tuple(a.members): a for a in case.alliances}
    atop = data.atop()
    y2001 = atop[atop.year == 2001]
    # USA-POL: ATOP codes a defence pledge (NATO); the draft's pact says so
    usa_pol = y2001[(y2001.ccode1 == 2) & (y2001.ccode2 == 290)]
    assert int(usa_pol.atop_defense.iloc[0]) == 1
    nato = by_members[("USA", "POL")]
    assert nato.obligation == "defence" and nato.source == "atop"
    assert nato.commitment.value == COMMITMENT["defence"]
    assert nato.commitment.source == "assumption-commitment"
    assert nato.note is not None and "does not name the treaty" in nato.note
    # every pair with any pledge appears in exactly one pact, under its strongest pledge
    pairs = {
        frozenset(m)
        for a in case.alliances
        for i, x in enumerate(a.members)
        for m in [(x, y) for y in a.members[i + 1 :]]
    }
    iso = {2: "USA", 365: "RUS", 290: "POL"}
    pledged = {
        frozenset((iso[int(r.ccode1)], iso[int(r.ccode2)]))
        for r in y2001[y2001.ccode1.isin(iso) & y2001.ccode2.isin(iso)].itertuples()
    }
    assert pairs == pledged


def test_defence_cliques_cover_a_multilateral_pact() -> None:
    case = parse_case_text(case_from_data(["USA", "GBR", "FRA", "RUS"], 2001, 2002))
    defence = [a for a in case.alliances if a.obligation == "defence"]
    assert [a.members for a in defence] == [["USA", "GBR", "FRA"]]
    assert defence[0].name == (
        "Defence pledges among United States of America, United Kingdom and France"
    )


def test_interdependence_is_the_documented_trade_proxy(bmd: tuple[str, dict[str, object]]) -> None:
    case = parse_case_text(bmd[0])
    trade = data.trade()
    t = trade[trade.year == 2001]
    totals = dict(zip(t.ccode, t.imports + t.exports, strict=True))
    world = float(np.nansum(list(totals.values())))
    igo = data.igo()
    for rec in case.interdependence:
        a, b = (case.actor(i).ccode for i in rec.between)
        assert a is not None and b is not None
        ta, tb = totals[a], totals[b]
        expected = min(tb / (world - ta), ta / (world - tb))
        assert rec.value.value == pytest.approx(expected, rel=1e-3)
        assert 0 < rec.value.value < 1
        shared = igo[(igo.ccode1 == min(a, b)) & (igo.ccode2 == max(a, b)) & (igo.year == 2001)]
        assert rec.note is not None and f"{int(shared.dyadigos.iloc[0])} shared IGO" in rec.note
    assert len(case.interdependence) == 3


def test_draft_explains_what_is_missing(bmd: tuple[str, dict[str, object]]) -> None:
    text = bmd[0]
    case = parse_case_text(text)
    assert case.institutions == [] and case.events == [] and case.observables == []
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for needle in ("Institutions:", "TODO", "Events:", "Observables:", "Identities", "Shared IGO"):
        assert needle in comments
    ids = {s.id for s in case.sources}
    assert {"cow-nmc", "atop", "cow-igo", "cow-trade", "cow-states"} <= ids
    for key, sid in (("nmc", "cow-nmc"), ("atop", "atop"), ("igo", "cow-igo")):
        assert data.DATASETS[key].citation in case.source(sid).citation


@pytest.mark.parametrize(
    "queries",
    [["USA", "RUS", "POL"], ["2", "365", "290"], ["United States", "Russia", "Poland"]],
)
def test_states_resolve_from_codes_and_names(queries: list[str]) -> None:
    assert [s.id for s in resolve_states(queries, 2001, 2009)] == ["USA", "RUS", "POL"]


def test_historical_codes_follow_the_years() -> None:
    (west,) = resolve_states(["DEU"], 1985, 1995)
    assert west.ccode == 260 and west.note is not None and "COW 255" in west.note
    (united,) = resolve_states(["Germany"], 2001, 2009)
    assert united.ccode == 255
    (ussr,) = resolve_states(["USSR"], 1960, 1970)
    assert ussr.ccode == 365 and ussr.name == "Soviet Union"
    (ah,) = resolve_states(["AUT"], 1909, 1913)
    assert ah.ccode == 300


def test_a_state_entering_in_the_span_is_kept_with_a_note() -> None:
    draft = draft_case(["CZE", "POL"], 1990, 1995)
    case = parse_case_text(draft.text, strict_sources=True)
    cze = next(c for c in case.capabilities if c.actor == "CZE")
    assert cze.year == 1993 and cze.note is not None and "enters" in cze.note
    assert any("CZE enters the COW state system in 1993" in w for w in draft.warnings)
    assert "1993: ATOP" not in draft.text or "CZE" in draft.text


@pytest.mark.parametrize(
    ("queries", "start", "end", "pattern"),
    [
        (["CZE"], 1980, 1985, r"not in the COW state system .* 315 \(Czechoslovakia\)"),
        (["Rusia"], 2001, 2009, r"unknown state 'Rusia' \(did you mean 'Russia'"),
        (["Warsaw"], 2001, 2009, r"'Warsaw' is a place .* not a state \(did you mean 'POL'\?\)"),
        (["999"], 2001, 2009, r"unknown state '999'"),
        (["USA", "2"], 2001, 2009, r"'2' and 'USA' name the same state"),
        (["USA"], 2009, 2001, r"start 2009 is after end 2001"),
        (["USA"], 1700, 1710, r"not in the COW state system"),
    ],
)
def test_bad_states_and_years(queries: list[str], start: int, end: int, pattern: str) -> None:
    with pytest.raises(BadInput) as exc:
        draft_case(queries, start, end)
    assert re.search(pattern, str(exc.value)), str(exc.value)


def test_bad_step_and_id() -> None:
    with pytest.raises(BadInput, match="unknown step 'yeer' \\(did you mean 'year'\\?\\)"):
        draft_case(["USA"], 2001, 2002, step="yeer")
    with pytest.raises(BadInput, match="id '9lives' is not valid"):
        draft_case(["USA"], 2001, 2002, case_id="9lives")


def test_years_beyond_the_data_are_flagged() -> None:
    draft = draft_case(["USA", "RUS"], 2025, 2030, step="quarter")
    case = parse_case_text(draft.text, strict_sources=True)
    last_nmc = int(data.nmc().year.max())
    assert all(c.year == last_nmc for c in case.capabilities)
    assert all(
        c.note is not None and f"NMC ends in {last_nmc}" in c.note for c in case.capabilities
    )
    text = " ".join(draft.warnings)
    for needle in (
        f"COW NMC covers 1816-{last_nmc}",
        "ATOP ends in 2018",
        "COW trade ends in 2014",
    ):
        assert needle in text
    assert case.span.step == "quarter"
    assert "Notes on coverage" in draft.text


def test_a_missing_milex_uses_the_nearest_year() -> None:
    nmc = data.nmc()
    has = nmc[nmc.milex.notna()].set_index(["ccode", "year"]).index
    iso = data.cow_iso3()
    known = set(iso.ccode[iso.iso3.fillna("") != ""])
    after_a_figure = np.array(
        [(c, y - 1) in has for c, y in zip(nmc.ccode, nmc.year, strict=True)], dtype=bool
    )
    mask = (
        nmc.milex.isna().to_numpy()
        & nmc.ccode.isin(known).to_numpy()
        & (nmc.year > 1950).to_numpy()
        & after_a_figure
    )
    gaps = nmc[mask]
    row = gaps.iloc[0]
    ccode, year = int(row.ccode), int(row.year)
    case = parse_case_text(case_from_data([str(ccode)], year, year + 1), strict_sources=True)
    (cap,) = case.capabilities
    assert cap.year == year - 1  # the nearest year; ties go to the earlier
    assert cap.note is not None and f"no milex for {year}" in cap.note


@settings(max_examples=8, deadline=None)
@given(st.data())
def test_any_states_in_the_system_give_a_valid_case(draw: st.DataObject) -> None:
    year = draw.draw(st.integers(1880, 2020))
    nmc = data.nmc()
    iso = data.cow_iso3()
    with_iso = set(iso.ccode[iso.iso3.fillna("") != ""])
    present = sorted(set(nmc.ccode[nmc.year == year]) & with_iso)
    picked = draw.draw(st.lists(st.sampled_from(present), min_size=1, max_size=4, unique=True))
    iso_of = dict(zip(iso.ccode, iso.iso3, strict=True))
    ids = [iso_of[c] for c in picked]
    if len(set(ids)) < len(ids):
        return  # two COW states sharing an ISO3 code (e.g. 255 and 260) are refused
    case = parse_case_text(
        case_from_data([str(c) for c in picked], year, year + 3), strict_sources=True
    )
    assert [a.ccode for a in case.actors] == picked


def test_cli_writes_refuses_to_overwrite_and_validates(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ("case", "from-data", "--states", "USA,RUS,POL", "--start", "2001", "--end", "2009")
    code, out, _ = dilemma(capfd, *args)
    assert code == 0 and "wrote usa-rus-pol-2001-2009.yaml" in out
    written = tmp_path / "usa-rus-pol-2001-2009.yaml"
    assert written.read_text(encoding="utf-8") == case_from_data(["USA", "RUS", "POL"], 2001, 2009)
    code, out, err = dilemma(capfd, "validate", str(written))
    assert code == 0 and "ok" in out
    # --strict also counts the coding warnings: a draft has no observables, and its
    # offence-defence variables are still the package defaults, to be sourced by hand
    warned = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warned) == 2 and all("left at the package default" in w for w in warned)
    code, _, err = dilemma(capfd, *args)
    assert code == 2 and "exists: give --force" in err
    code, out, _ = dilemma(capfd, *args, "--force", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["id"] == "usa-rus-pol-2001-2009"
    assert doc["counts"] == {"capabilities": 3, "alliances": 3, "interdependence": 3}
    assert [a["ccode"] for a in doc["actors"]] == [2, 365, 290]
    code, out, _ = dilemma(capfd, *args, "--out", "-", "--id", "mine")
    assert code == 0 and "id: mine" in out
    code, _, err = dilemma(
        capfd, "case", "from-data", "--states", "USA,Pland", "--start", "2001", "--end", "2002"
    )
    assert code == 2 and "did you mean 'Poland'" in err and "Traceback" not in err


def test_data_docs_attribute_every_shipped_file() -> None:
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    for d in data.DATASETS.values():
        assert d.file in text, d.file
