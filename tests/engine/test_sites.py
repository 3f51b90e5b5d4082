"""Defence sites in the engine's schedule: they count from their announcement (or first event),
and events that change a site's interceptor inventory change interception and deterrent
erosion."""

from __future__ import annotations

import numpy as np

from security_dilemma.engine import compile_world
from security_dilemma.scenario import parse_case_text

from ..whatif.conftest import RIVALS as _RIVALS

ALF, BRA, CHA = 0, 1, 2

# the two-rival case with a radar for the shield (an interceptor site needs one to count)
RIVALS = _RIVALS.replace(
    "defence_sites:\n",
    "defence_sites:\n"
    '  - {id: eye, actor: ALF, place: "52.0,12.0", kind: radar, radar_range_km: 2500,'
    " status: operational}\n",
)


def _erosion(world: object, t: int) -> float:
    """Erosion of CHA's deterrent by ALF's shield at step ``t``."""
    return float(world.inputs[t].setting.erosion[ALF, CHA])


def _intercept(world: object, t: int) -> float:
    return float(world.inputs[t].setting.intercept[ALF, CHA])


def test_a_planned_site_counts_only_from_its_announcement() -> None:
    text = RIVALS.replace(
        "interceptors: 20, sspk: 0.7, flyout_km: 900}",
        "interceptors: 20, sspk: 0.7, flyout_km: 900, status: planned, announced: 2001-06-01}",
    )
    world = compile_world(parse_case_text(text, "rivals.yaml"), "realism")
    assert world.dates[0].year == 2000
    assert _erosion(world, 0) == 0.0  # 2000: not announced yet
    assert _erosion(world, 1) > 0.0  # 2001: announced in June, within the 2001 period
    assert _intercept(world, 1) == 0.0  # planned: erodes deterrence, stops nothing yet
    assert _intercept(world, 2) > 0.0  # operational from March 2002


def test_an_unannounced_site_counts_from_its_first_event() -> None:
    world = compile_world(parse_case_text(RIVALS, "rivals.yaml"), "realism")
    # the shield has no `announced` date; its first event makes it operational in March 2002
    assert world.dates[2].year == 2002
    assert _erosion(world, 0) == _erosion(world, 1) == 0.0  # unknown before its event
    assert _intercept(world, 1) == 0.0
    assert _erosion(world, 2) > 0.0
    assert _intercept(world, 2) > 0.0


def test_a_site_follows_its_operational_and_cancelled_dates() -> None:
    """Dates without events: operational in October 2002, cancelled in November 2005; a step
    reads the last day of its period, so both count from their year's step."""
    text = RIVALS.replace(
        "interceptors: 20, sspk: 0.7, flyout_km: 900}",
        "interceptors: 20, sspk: 0.7, flyout_km: 900, operational: 2002-10-01,"
        " cancelled: 2005-11-01}",
    ).replace("      - {type: site, site: shield, status: operational}\n", "")
    world = compile_world(parse_case_text(text, "rivals.yaml"), "realism")
    assert [d.year for d in world.dates] == list(range(2000, 2008))
    assert [_intercept(world, t) > 0.0 for t in range(8)] == [False, False] + [True] * 3 + [
        False
    ] * 3
    assert [_erosion(world, t) > 0.0 for t in range(8)] == [False, False] + [True] * 3 + [False] * 3


def test_an_expansion_event_raises_interception_and_erosion() -> None:
    """ "Ten interceptors designed to be expanded": a site that starts with 1 interceptor and
    is expanded to 20 in 2004 defends more from then on, and only from then on."""
    small = RIVALS.replace("interceptors: 20,", "interceptors: 1,")
    expansion = """  - id: expansion
    date: 2004-05-01
    title: The shield is expanded
    effects: [{type: site, site: shield, status: operational, interceptors: 20}]
    source: s
  - id: speech"""
    base = compile_world(parse_case_text(small, "rivals.yaml"), "realism")
    grown = compile_world(
        parse_case_text(small.replace("  - id: speech", expansion), "rivals.yaml"), "realism"
    )
    full = compile_world(parse_case_text(RIVALS, "rivals.yaml"), "realism")
    for t in range(4):  # 2000-2003: the same schedule
        assert _intercept(grown, t) == _intercept(base, t)
        assert _erosion(grown, t) == _erosion(base, t)
    for t in range(4, len(base.dates)):  # from 2004: as if it had always had 20
        assert _intercept(grown, t) > _intercept(base, t)
        assert _erosion(grown, t) > _erosion(base, t)
        assert _intercept(grown, t) == _intercept(full, t)
        assert _erosion(grown, t) == _erosion(full, t)
    np.testing.assert_array_less(0.0, _intercept(base, 2))
