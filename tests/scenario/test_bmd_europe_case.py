"""The flagship case `bmd-europe`: it validates strictly and states the seed article's facts."""

from __future__ import annotations

import datetime as dt

import pytest
from numpy.testing import assert_allclose

from security_dilemma import data
from security_dilemma.scenario import Case, builtin_case_path, case_warnings, load_case
from security_dilemma.scenario.reader import read_yaml
from security_dilemma.scenario.schema import (
    OBSERVABLE_KINDS,
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


def test_no_coding_warnings() -> None:
    """`dilemma validate --strict` passes: every series complete, every kind both ways."""
    located = read_yaml(builtin_case_path("bmd-europe"))
    assert case_warnings(located) == []


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
    assert (redzikowo.host, redzikowo.kind) == ("POL", "interceptor")
    assert (sites["brdy"].host, sites["brdy"].kind) == ("CZE", "radar")
    assert (sites["gabala"].host, sites["gabala"].status) == ("AZE", "operational")
    assert (sites["deveselu"].host, sites["kurecik"].host) == ("ROU", "TUR")
    paa = {e.id: e for e in case.events}["phased-adaptive-approach"]
    assert paa.date == dt.date(2009, 9, 17)
    cancelled = {
        f.site for f in paa.effects if isinstance(f, SiteStatus) and f.status == "cancelled"
    }
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


def test_observables_code_every_year_of_every_series(case: Case) -> None:
    years = set(range(2001, 2013))
    series: dict[tuple[str, str, str | None], set[int]] = {}
    for o in case.observables:
        assert o.start.year == o.end.year, o.id  # one year each
        series.setdefault((o.kind, o.actor, o.counterpart), set()).add(o.start.year)
    assert all(covered == years for covered in series.values())
    kinds = {o.kind for o in case.observables}
    assert kinds == set(OBSERVABLE_KINDS) - {"cooperates"}
    for kind in kinds:
        outcomes = {o.occurred for o in case.observables if o.kind == kind}
        assert outcomes == {True, False}, kind
    signed = {(o.actor, o.start.year) for o in case.observables if o.kind == "signs" and o.occurred}
    assert {("POL", 2008), ("CZE", 2008), ("RUS", 2002), ("RUS", 2010)} <= signed
    withdrew = {
        (o.actor, o.start.year) for o in case.observables if o.kind == "withdraws" and o.occurred
    }
    assert {("USA", 2002), ("RUS", 2007)} <= withdrew
    nato = [o for o in case.observables if o.actor == "NATO"]
    assert nato and {case.party(o.actor).kind for o in nato} == {"institution"}


def test_negative_codings_cite_a_record_or_a_search(case: Case) -> None:
    kinds = {s.id: s.kind for s in case.sources}
    searches = [s for s in case.sources if s.kind == "search"]
    assert searches and all(s.accessed is not None and "Search of" in s.citation for s in searches)
    for o in case.observables:
        ids = [o.source] if isinstance(o.source, str) else o.source
        assert all(kinds[i] != "assumption" for i in ids), o.id


def test_strategic_forces_use_public_inventories(case: Case) -> None:
    missiles = {m.id: m for m in case.missiles}
    icbms = missiles["rus-icbm-force"]
    assert icbms.inventory is not None
    assert_allclose(icbms.inventory.value * icbms.warheads.value, 1575, rtol=1e-3)
    mm3 = missiles["minuteman-iii"]
    assert mm3.actor == "USA" and mm3.inventory is not None
    assert_allclose(mm3.inventory.value * mm3.warheads.value, 1200, rtol=1e-3)


def test_signal_costs_are_on_the_stated_tiers(case: Case) -> None:
    costs = {f.cost for e in case.events for f in e.effects if isinstance(f, CostlySignal)}
    assert costs <= {0.01, 0.03, 0.06, 0.1}
    paa = next(e for e in case.events if e.id == "phased-adaptive-approach")
    iskander = next(e for e in case.events if e.id == "russia-response-paa")
    cost = [f.cost for e in (paa, iskander) for f in e.effects if isinstance(f, CostlySignal)]
    assert cost == [0.06, 0.06]  # the two climb-downs of September 2009 weigh alike


def test_offence_defence_parameters_are_sourced(case: Case) -> None:
    sourced = {p.name: p for p in case.parameter_sources}
    for name in ("offence_dominance", "distinguishability"):
        assert sourced[name].range is not None
        ids = (
            [sourced[name].source]
            if isinstance(sourced[name].source, str)
            else sourced[name].source
        )
        assert all(case.source(i).sensitivity for i in ids if case.source(i).kind == "assumption")


def test_capabilities_and_arms_up_agree_with_cow_nmc(case: Case) -> None:
    nmc = data.nmc().set_index(["ccode", "year"])
    for cap in case.capabilities:
        ccode = case.actor(cap.actor).ccode
        assert cap.milex.value == nmc.loc[(ccode, 2001), "milex"], cap.actor
    for o in case.observables:
        if o.kind != "arms_up" or (o.source if isinstance(o.source, str) else "") != "cow-nmc":
            continue  # the break year (Russia 2005) cites another source first
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


def test_allies_codings_agree_with_atop(case: Case) -> None:
    atop = data.atop()
    for o in case.observables:
        if o.kind != "allies" or o.counterpart is None:
            continue
        a, b = case.actor(o.actor).ccode, case.actor(o.counterpart).ccode
        rows = atop[(atop.ccode1 == a) & (atop.ccode2 == b) & (atop.year == o.start.year)]
        assert bool(len(rows) and rows.atop_defense.iloc[0] == 1) == o.occurred, o.id
