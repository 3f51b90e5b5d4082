"""One timeline of statuses (scenario.timeline): each precedence rule, and the engine and the maps
reading the same statuses."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from security_dilemma.engine import compile_world
from security_dilemma.engine.geography import (
    ACTIVE_MISSILE_STATUSES,
    erosion_matrix,
    intercept_matrix,
)
from security_dilemma.geo.maps import case_geojson, missile_status_at, site_status_at
from security_dilemma.scenario import Case, builtin_case_names, load_case, parse_case_text
from security_dilemma.scenario.timeline import SiteState, step_days, timeline

from ..engine.test_sites import RIVALS

BASE: dict[str, Any] = {
    "id": "t",
    "title": "Timeline",
    "span": {"start": 2000, "end": 2009, "step": "year"},
    "actors": [{"id": "A", "name": "A"}, {"id": "B", "name": "B"}],
    "sources": [{"id": "s", "citation": "Synthetic", "kind": "assumption"}],
}


def _case(
    site: dict[str, Any] | None = None, *events: tuple[str, dict[str, Any]], **parts: Any
) -> Case:
    """A two-actor case with one radar ``r`` (fields ``site``) and events ``(date, effect)``."""
    radar = {"id": "r", "actor": "A", "place": "50.0,10.0", "kind": "radar", "radar_range_km": 1000}
    return Case.model_validate(
        BASE
        | {"defence_sites": [radar | (site or {})]}
        | {
            "events": [
                {"id": f"e{i}", "date": d, "title": "e", "source": "s", "effects": [e]}
                for i, (d, e) in enumerate(events)
            ]
        }
        | parts
    )


def _site(status: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    return extra.pop("date"), {"type": "site", "site": "r", "status": status, **extra}


def _radar(case: Case, day: str) -> SiteState:
    return timeline(case).at(dt.date.fromisoformat(day)).sites["r"]


# --- the Czech radar, on the map and in the timeline --------------------------------------------


def test_the_czech_radar_is_cancelled_on_the_2012_map() -> None:
    case = load_case("bmd-europe")
    day = dt.date(2012, 6, 1)  # after brdy's planned `operational: 2012`, cancelled 2009-09-17
    assert site_status_at(case, day)["brdy"] == "cancelled"
    assert site_status_at(case, dt.date(2013, 6, 1))["redzikowo"] == "cancelled"  # planned 2013
    sites = {
        f["properties"]["id"]: f["properties"]["status"]
        for f in case_geojson(case, day, footprints=False)["features"]
        if f["properties"]["kind"] == "site"
    }
    assert sites["brdy"] == "cancelled"
    line = timeline(case)
    assert line.at(day).sites["brdy"] == SiteState("cancelled", known=True, interceptors=None)
    days = step_days(compile_world(case, "realism").dates, case.span.end)
    assert all("brdy" not in now.operational for now in line.over(days))


# --- site statuses: one test per precedence rule ------------------------------------------------


def test_a_planned_operational_date_applies() -> None:
    case = _case({"operational": "2004-03-01"})
    assert _radar(case, "2004-02-29").status == "planned"
    assert _radar(case, "2004-03-01").status == "operational"


def test_a_cancellation_beats_a_later_planned_date() -> None:
    by_date = _case({"operational": 2004, "cancelled": "2003-05-01"})
    by_event = _case({"operational": 2004}, _site("cancelled", date="2003-05-01"))
    for case in (by_date, by_event):
        assert _radar(case, "2003-04-30").status == "planned"
        assert _radar(case, "2005-01-01").status == "cancelled"


def test_a_later_event_wins_over_an_earlier_date() -> None:
    case = _case({"operational": 2003}, _site("planned", date=2004))
    assert _radar(case, "2003-06-01").status == "operational"
    assert _radar(case, "2004-06-01").status == "planned"


def test_a_later_date_wins_over_an_earlier_event() -> None:
    case = _case({"status": "cancelled", "operational": 2004}, _site("planned", date=2002))
    assert _radar(case, "2001-06-01").status == "cancelled"
    assert _radar(case, "2003-06-01").status == "planned"
    assert _radar(case, "2004-06-01").status == "operational"  # revived by the event, then due


def test_an_event_wins_a_tie_with_a_date_and_a_cancellation_with_a_plan() -> None:
    event = _case({"operational": "2004-05-01"}, _site("planned", date="2004-05-01"))
    assert _radar(event, "2004-05-01").status == "planned"
    cancelled = _case({"operational": "2004-05-01", "cancelled": "2004-05-01"})
    assert _radar(cancelled, "2004-05-01").status == "cancelled"


def test_only_a_later_event_brings_a_cancelled_site_back() -> None:
    case = _case({"cancelled": 2003, "operational": 2005}, _site("operational", date=2007))
    assert _radar(case, "2006-01-01").status == "cancelled"
    assert _radar(case, "2007-01-01").status == "operational"


# --- when a site counts ---------------------------------------------------------------------------


def test_a_site_counts_from_its_announcement() -> None:
    case = _case({"announced": "2003-06", "operational": 2006})
    assert not _radar(case, "2003-05-31").known
    assert _radar(case, "2003-06-01").known


def test_an_unannounced_site_counts_from_its_first_event() -> None:
    case = _case({"operational": 2007}, _site("planned", date="2004-03-01"))
    assert not _radar(case, "2004-02-29").known
    assert _radar(case, "2004-03-01").known


def test_an_unannounced_site_counts_from_its_operational_date() -> None:
    case = _case({"operational": "2005-02-01"})
    assert not _radar(case, "2005-01-31").known
    assert _radar(case, "2005-02-01").known


def test_a_site_counts_from_its_earliest_sign() -> None:
    case = _case({"announced": 2006}, _site("planned", date=2004))
    assert not _radar(case, "2003-12-31").known
    assert _radar(case, "2004-01-01").known


def test_a_site_operational_at_the_start_counts_from_the_start() -> None:
    # like bmd-europe's Gabala radar: operational, no announcement, a cancellation event
    case = _case({"status": "operational"}, _site("cancelled", date=2008))
    assert _radar(case, "2000-01-01") == SiteState("operational", known=True, interceptors=None)


def test_a_site_with_nothing_dated_counts_from_the_start_unless_cancelled() -> None:
    assert _radar(_case({}), "2000-01-01").known
    assert not _radar(_case({"status": "cancelled"}), "2009-12-31").known


def test_an_event_sets_an_inventory_from_its_day() -> None:
    shield = {"kind": "interceptor", "interceptors": 10, "sspk": 0.5, "flyout_km": 500}
    case = _case(shield, _site("operational", date="2004-07-01", interceptors=40))
    stock = [_radar(case, day).interceptors for day in ("2004-06-30", "2004-07-01")]
    assert [n.value if n else None for n in stock] == [10, 40]


# --- missiles, memberships, alliances -----------------------------------------------------------


def test_a_missile_follows_its_events() -> None:
    missile = {"id": "m", "actor": "B", "name": "M", "range_km": 1000, "status": "projected"}
    case = _case(
        None,
        ("2003-02-01", {"type": "missile", "missile": "m", "status": "tested"}),
        ("2006-02-01", {"type": "missile", "missile": "m", "status": "retired"}),
        missiles=[missile],
    )
    line = timeline(case)
    assert [line.at(dt.date(y, 6, 1)).missiles["m"] for y in (2002, 2003, 2006)] == [
        "projected",
        "tested",
        "retired",
    ]


def _join(actor: str, change: str, day: str) -> tuple[str, dict[str, Any]]:
    return day, {"type": "membership", "actor": actor, "institution": "i", "change": change}


def test_membership_dates_and_events_the_latest_wins() -> None:
    institution = {
        "id": "i",
        "name": "I",
        "transparency": 0.5,
        "shadow_of_future": 0.5,
        "members": [{"actor": "A", "since": "2001-03-01", "until": "2003-06"}, {"actor": "B"}],
    }
    case = _case(
        None,
        _join("A", "join", "2002-01-01"),  # before its `until`: the exit still happens
        _join("B", "suspend", "2004-01-01"),
        _join("B", "join", "2005-01-01"),
        institutions=[institution],
    )
    line = timeline(case)

    def members(day: str) -> set[str]:
        return set(line.at(dt.date.fromisoformat(day)).members["i"])

    assert members("2001-02-28") == {"B"}
    assert members("2001-03-01") == members("2003-06-30") == {"A", "B"}
    assert members("2003-07-01") == {"B"}  # the day after `until`
    assert members("2004-06-01") == set()
    assert members("2005-06-01") == {"B"}


def test_an_alliance_is_in_force_by_dates_and_events_the_latest_wins() -> None:
    alliance = {"id": "p", "name": "P", "members": ["A", "B"], "commitment": 0.5, "start": 2001}
    change = {"type": "alliance", "alliance": "p"}
    case = _case(
        None,
        ("2000-06-01", change | {"change": "form"}),  # earlier than `start`
        ("2002-01-01", change | {"change": "strengthen", "amount": 0.3}),
        ("2003-01-01", change | {"change": "strengthen", "amount": 0.4}),
        ("2006-01-01", change | {"change": "form"}),
        ("2007-01-01", change | {"change": "weaken", "amount": 0.6}),
        alliances=[alliance | {"end": 2004}],
    )
    line = timeline(case)
    level = [round(line.at(dt.date(y, 6, 1)).alliances["p"], 6) for y in range(1999, 2008)]
    # 1999 off; formed 2000; +0.3; +0.4 (clipped); in force to its `end`; formed again; -0.6
    assert level == [0.0, 0.5, 0.5, 0.8, 1.0, 1.0, 0.0, 1.0, 0.6]


def test_a_step_reads_the_last_day_of_its_period() -> None:
    dates = [dt.date(2000, 1, 1), dt.date(2000, 4, 1), dt.date(2000, 7, 1)]
    assert step_days(dates, dt.date(2000, 9, 30)) == [
        dt.date(2000, 3, 31),
        dt.date(2000, 6, 30),
        dt.date(2000, 9, 30),
    ]


# --- the engine and the maps agree ----------------------------------------------------------------


def _from_map(case: Case, day: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Interception and erosion computed from the statuses the map shows on ``day``."""
    sites, missiles = site_status_at(case, day), missile_status_at(case, day)
    operational = [k for k, v in sites.items() if v == "operational"]
    standing = [k for k, v in sites.items() if v not in ("cancelled", "unannounced")]
    active = [k for k, v in missiles.items() if v in ACTIVE_MISSILE_STATUSES]
    stock = timeline(case).at(day).sites  # the map draws no inventories
    stocked = case.model_copy(
        update={
            "defence_sites": [
                s.model_copy(update={"interceptors": stock[s.id].interceptors})
                for s in case.defence_sites
            ]
        }
    )
    intercept, _ = intercept_matrix(stocked, operational, active)
    erosion, _ = erosion_matrix(stocked, standing, active, intercept)
    return intercept, erosion


def _assert_engine_agrees_with_the_map(case: Case) -> None:
    world = compile_world(case, "realism")
    for t, day in enumerate(step_days(world.dates, case.span.end)):
        intercept, erosion = _from_map(case, day)
        setting = world.inputs[t].setting
        np.testing.assert_allclose(setting.intercept, intercept, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(setting.erosion, erosion, rtol=1e-6, atol=1e-7)


@cache
def _rivals() -> dict[str, Any]:
    """The two-rival case with its radar, as data, without its site event."""
    data = parse_case_text(RIVALS, "rivals.yaml").model_dump(mode="json", by_alias=True)
    for event in data["events"]:
        event["effects"] = [e for e in event["effects"] if e["type"] != "site"]
    return data


DATED = {"operational": "2002-10-01", "cancelled": "2005-11-01", "announced": "2001-08-01"}
"""Shield dates with no events: the engine once ignored them (while the map applied them)."""


@pytest.mark.parametrize("name", [*builtin_case_names(), "rivals-dated"])
def test_the_engine_and_the_map_agree_at_every_step(name: str) -> None:
    if name == "rivals-dated":
        data = _rivals()
        sites = [s | DATED if s["id"] == "shield" else s for s in data["defence_sites"]]
        case = Case.model_validate(data | {"defence_sites": sites})
    else:
        case = load_case(name)
    _assert_engine_agrees_with_the_map(case)


days = st.dates(dt.date(1999, 1, 1), dt.date(2008, 6, 30))
statuses = st.sampled_from(["planned", "operational", "cancelled"])


@settings(max_examples=25, deadline=None)
@given(
    status=statuses,
    dates=st.fixed_dictionaries(
        {}, optional={"announced": days, "operational": days, "cancelled": days}
    ),
    events=st.lists(st.tuples(days, statuses), max_size=3),
)
def test_the_engine_and_the_map_agree_on_any_site_timeline(
    status: str, dates: dict[str, dt.date], events: list[tuple[dt.date, str]]
) -> None:
    data = _rivals()
    shield = {"status": status} | {k: v.isoformat() for k, v in dates.items()}
    sites = [s | shield if s["id"] == "shield" else s for s in data["defence_sites"]]
    extra = [
        {"id": f"x{i}", "date": d.isoformat(), "title": "x", "source": "s",
         "effects": [{"type": "site", "site": "shield", "status": v}]}
        for i, (d, v) in enumerate(events)
    ]  # fmt: skip
    case = Case.model_validate(data | {"defence_sites": sites, "events": data["events"] + extra})
    _assert_engine_agrees_with_the_map(case)
