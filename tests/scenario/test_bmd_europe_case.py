"""The flagship case `bmd-europe`: it validates strictly and states the seed article's facts."""

from __future__ import annotations

import datetime as dt

import pytest
from numpy.testing import assert_allclose

from security_dilemma import data
from security_dilemma.scenario import Case, load_case
from security_dilemma.scenario.schema import (
    CostlySignal,
    CrisisOccurs,
    MembershipChange,
    MissileStatus,
    SiteStatus,
)

PAPER_TIMELINE = {
    "abm-withdrawal-notice": dt.date(2001, 12, 13),
    "abm-withdrawal-effective": dt.date(2002, 6, 13),
    "axis-of-evil": dt.date(2002, 1, 29),
    "sort-signed": dt.date(2002, 5, 24),
    "nrc-founded": dt.date(2002, 5, 28),
    "us-proposal-2007": dt.date(2007, 1, 1),
    "putin-munich": dt.date(2007, 2, 10),
    "putin-gabala-offer": dt.date(2007, 6, 7),
    "kennebunkport": dt.date(2007, 7, 2),
    "cfe-suspension-announced": dt.date(2007, 7, 14),
    "cfe-suspension-effective": dt.date(2007, 12, 12),
    "bucharest-summit": dt.date(2008, 4, 3),
    "sochi-declaration": dt.date(2008, 4, 6),
    "czech-radar-agreement": dt.date(2008, 7, 8),
    "iran-missile-tests-2008": dt.date(2008, 7, 9),
    "georgia-war": dt.date(2008, 8, 8),
    "polish-agreement-initialled": dt.date(2008, 8, 14),
    "polish-agreement-signed": dt.date(2008, 8, 20),
    "medvedev-iskander": dt.date(2008, 11, 5),
    "phased-adaptive-approach": dt.date(2009, 9, 17),
    "russia-response-paa": dt.date(2009, 9, 19),
}


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case("bmd-europe", strict_sources=True)


def test_validates_strictly(case: Case) -> None:
    assert case.id == "bmd-europe"
    assert case.span.start == dt.date(2001, 1, 1)
    assert case.span.end == dt.date(2012, 12, 31)
    assert {"USA", "RUS", "IRN", "POL", "CZE", "DEU", "FRA", "GBR", "ROU", "TUR"} <= set(
        case.actor_ids()
    )


def test_paper_timeline_is_present_with_its_dates(case: Case) -> None:
    events = {e.id: e for e in case.events}
    missing = sorted(set(PAPER_TIMELINE) - set(events))
    assert not missing, f"paper events missing: {missing}"
    wrong = {k: events[k].date for k, d in PAPER_TIMELINE.items() if events[k].date != d}
    assert not wrong, f"dates differ from the record: {wrong}"


def test_every_event_and_observable_has_a_known_source_and_lies_in_the_span(case: Case) -> None:
    known = {s.id for s in case.sources}
    for record in [*case.events, *case.observables]:
        ids = [record.source] if isinstance(record.source, str) else record.source
        assert ids and set(ids) <= known, record.id
    for e in case.events:
        assert case.span.start <= e.date <= case.span.end, e.id
    for o in case.observables:
        assert case.span.start <= o.start <= o.end <= case.span.end, o.id


def test_assumptions_are_labelled_as_such(case: Case) -> None:
    kinds = {s.id: s.kind for s in case.sources}
    assert all(kinds[i] == "assumption" for i in kinds if i.startswith("assumption-"))
    redzikowo = next(s for s in case.defence_sites if s.id == "redzikowo")
    assert redzikowo.flyout_km is not None and redzikowo.flyout_km.source == "assumption-flyout"


def test_site_facts(case: Case) -> None:
    sites = {s.id: s for s in case.defence_sites}
    redzikowo = sites["redzikowo"]
    assert redzikowo.interceptors is not None and redzikowo.interceptors.value == 10
    assert (redzikowo.host, redzikowo.kind, redzikowo.cancelled) == (
        "POL",
        "interceptor",
        dt.date(2009, 9, 17),
    )
    assert (sites["brdy"].host, sites["brdy"].kind) == ("CZE", "radar")
    assert (sites["gabala"].host, sites["gabala"].status) == ("AZE", "operational")
    assert (sites["deveselu"].host, sites["kurecik"].host) == ("ROU", "TUR")
    paa = {e.id: e for e in case.events}["phased-adaptive-approach"]
    cancelled = {f.site for f in paa.effects if isinstance(f, SiteStatus)}
    assert cancelled == {"redzikowo", "brdy"}


def test_missile_facts(case: Case) -> None:
    missiles = {m.id: m for m in case.missiles}
    assert_allclose(missiles["shahab-3"].range_km.value, 1300, rtol=0.05)
    assert missiles["shahab-3-2000"].range_km.value == 2000
    assert 400 <= missiles["iskander-kaliningrad"].range_km.value <= 500
    assert missiles["iskander-kaliningrad"].launch_areas == ["Kaliningrad"]
    assert missiles["sejjil-2"].launch_areas == ["Semnan"]
    tests_2008 = {e.id: e for e in case.events}["iran-missile-tests-2008"]
    assert MissileStatus(type="missile", missile="shahab-3-2000", status="tested") in (
        tests_2008.effects
    )


def test_institution_and_treaty_facts(case: Case) -> None:
    inst = {i.id: i for i in case.institutions}
    nato = {m.actor: m.since for m in inst["NATO"].members}
    eu = {m.actor: m.since for m in inst["EU"].members}
    assert nato["ROU"] == dt.date(2004, 3, 29)
    assert eu["POL"] == eu["CZE"] == dt.date(2004, 5, 1)
    assert eu["ROU"] == dt.date(2007, 1, 1)
    events = {e.id: e for e in case.events}
    cfe = events["cfe-suspension-effective"].effects
    assert (
        MembershipChange(type="membership", actor="RUS", institution="CFE", change="suspend") in cfe
    )
    nrc = [f for f in events["nrc-suspended"].effects if isinstance(f, MembershipChange)]
    assert [(f.actor, f.institution, f.change) for f in nrc] == [("RUS", "NRC", "suspend")]
    war = [f for f in events["georgia-war"].effects if isinstance(f, CrisisOccurs)]
    assert [(sorted(f.between), f.level) for f in war] == [(["GEO", "RUS"], "war")]
    gabala = [f for f in events["putin-gabala-offer"].effects if isinstance(f, CostlySignal)]
    assert [(f.actor, f.kind) for f in gabala] == [("RUS", "cooperation_offer")]


def test_observables_cover_kinds_and_both_outcomes(case: Case) -> None:
    obs = case.observables
    assert 40 <= len(obs) <= 120
    kinds = {o.kind for o in obs}
    assert {
        "arms_up",
        "opposes",
        "counter_deploys",
        "endorses",
        "signs",
        "tests",
        "crisis",
    } <= kinds
    for kind in ("arms_up", "opposes", "counter_deploys", "endorses", "signs", "crisis"):
        outcomes = {o.occurred for o in obs if o.kind == kind}
        assert outcomes == {True, False}, kind
    signed = {(o.actor, o.start) for o in obs if o.kind == "signs" and o.occurred}
    assert ("POL", dt.date(2008, 8, 20)) in signed
    assert ("CZE", dt.date(2008, 7, 8)) in signed


def test_capabilities_and_arms_up_agree_with_cow_nmc(case: Case) -> None:
    nmc = data.nmc().set_index(["ccode", "year"])
    for cap in case.capabilities:
        ccode = case.actor(cap.actor).ccode
        assert cap.milex.value == nmc.loc[(ccode, 2001), "milex"], cap.actor
    for o in case.observables:
        if o.kind != "arms_up":
            continue
        ccode, year = case.actor(o.actor).ccode, o.start.year
        rose = nmc.loc[(ccode, year), "milex"] > nmc.loc[(ccode, year - 1), "milex"]
        assert bool(rose) == o.occurred, o.id


def test_crisis_codings_agree_with_cow_mid(case: Case) -> None:
    mids = data.mid_dyads()
    for o in case.observables:
        if o.kind != "crisis" or o.counterpart is None:
            continue
        a, b = case.actor(o.actor).ccode, case.actor(o.counterpart).ccode
        rows = mids[
            (mids.ccode1 == a) & (mids.ccode2 == b) & mids.year.between(o.start.year, o.end.year)
        ]
        assert (len(rows) > 0) == o.occurred, o.id
