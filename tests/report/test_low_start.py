"""Why an actor starts at a security near 0 (issue 14): in every built-in case each such actor
is explained by the security formula (docs/model.md 4.1): its coded size agrees with COW NMC,
and the states it perceives as its largest threats outspend it many times over. A coding error
(a budget off by a factor of 1,000) or a security near 0 without a much larger threat fails."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import pytest

from security_dilemma.data import nmc
from security_dilemma.engine import Result, simulate
from security_dilemma.report.findings import LOW_SECURITY, low_start, low_start_text
from security_dilemma.scenario import Case, builtin_case_names, load_case

FACTOR = 10
"""How many times its own spending the largest threat must outspend an actor near 0."""


@cache
def builtin_runs(name: str) -> dict[str, Result]:
    return runs(load_case(name))


def runs(case: Case) -> dict[str, Result]:
    return {
        lens: simulate(
            case, lens=lens, replicates=2, restraint=False, metrics=["security", "threat"]
        )
        for lens in ("realism", "liberalism")
    }


def unexplained(case: Case, results: Mapping[str, Result]) -> list[str]:
    """Actors starting below LOW_SECURITY whose start the formula does not explain."""
    frame = nmc()
    out = []
    starts = {s.actor: s for s in low_start(results, case, threshold=LOW_SECURITY)}
    for a in next(iter(results.values())).actors:
        low = any(r.value("security", a, step=0) < LOW_SECURITY for r in results.values())
        if not low:
            continue
        s = starts.get(a)
        actor, cap = case.actor(a), next(c for c in case.capabilities if c.actor == a)
        coded_right = True
        if actor.ccode is not None and cap.year is not None:
            row = frame[(frame.ccode == actor.ccode) & (frame.year == cap.year)]
            if not row.empty and row.milex.iloc[0] > 0:
                coded_right = cap.milex.value == pytest.approx(float(row.milex.iloc[0]), rel=0.01)
        if s is None or not coded_right or max(s.ratios) < FACTOR:
            out.append(a)
    return out


@pytest.mark.parametrize("name", builtin_case_names())
def test_every_actor_starting_near_0_security_is_explained(name: str) -> None:
    assert unexplained(load_case(name), builtin_runs(name)) == []


def test_the_flagships_small_states_are_named_with_their_reason() -> None:
    case = load_case("bmd-europe")
    starts = {s.actor: s for s in low_start(builtin_runs("bmd-europe"), case)}
    assert {"ROU", "GEO"} <= set(starts)
    rou = starts["ROU"]
    assert not rou.allied  # NATO only from 2004
    assert set(rou.threats) == {"USA", "RUS"} and min(rou.ratios) > 50
    text = low_start_text(list(starts.values()))
    assert "ROU" in text and "own military size" in text and "no ally at the start" in text


def test_a_budget_coded_in_the_wrong_unit_is_caught() -> None:
    """Romania's milex coded in millions instead of thousands: its security starts near 0 for a
    reason the data do not support, and the check names it."""
    case = load_case("bmd-europe")
    caps = [
        c.model_copy(update={"milex": c.milex.model_copy(update={"value": c.milex.value / 1000})})
        if c.actor == "ROU"
        else c
        for c in case.capabilities
    ]
    wrong = case.model_copy(update={"capabilities": caps})
    assert unexplained(wrong, runs(wrong)) == ["ROU"]
