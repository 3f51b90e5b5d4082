"""The missile programme: flight tests follow from a state's programme, effort and threat.

A state's chance of at least one ballistic-missile flight test in a period is ``1 - exp(-r)``
with ``r = test_rate * years * systems * effort * (1 + test_pressure * max(0, response to
pressure above the start))`` (docs/model.md 4.4): no test without a programme, more systems or
more effort mean more tests, and a rival's build-up raises the hazard.
"""

from __future__ import annotations

import math

import pytest

from security_dilemma.engine import simulate
from security_dilemma.scenario.schema import Case

from .helpers import synthetic


def _case(systems: int, *, build_up: bool = False, step: str = "year", steps: int = 6) -> Case:
    missiles = [
        {"id": f"m{k}", "actor": "A0", "name": f"M{k}", "range_km": 2000, "status": "tested"}
        for k in range(systems)
    ]
    events = []
    if build_up:
        effect = {"type": "capability", "actor": "A1", "field": "milex", "delta": 500.0}
        events.append({"date": "2001-06-01", "effects": [effect]})
    case = synthetic(
        2,
        steps=steps,
        prior=0.0,
        parameters={"offence_dominance": 0.8, "distinguishability": 0.2},
        events=events,
        extra={"missiles": missiles},
    )
    if step != "year":
        case = case.model_copy(update={"span": case.span.model_copy(update={"step": step})})
    return case


def _hazard(case: Case, step: int = 0) -> float:
    result = simulate(case, lens="realism", replicates=50, seed=1, restraint=False)
    return float(result.series("test_hazard", "A0")["mean"].iloc[step])


def test_no_programme_no_tests_and_more_systems_more_tests() -> None:
    assert _hazard(_case(0)) == 0.0
    one, two = _hazard(_case(1)), _hazard(_case(2))
    assert one == pytest.approx(1.0 - math.exp(-0.3), rel=1e-5)  # at the start: the base rate
    assert two == pytest.approx(1.0 - math.exp(-0.6), rel=1e-5)


def test_a_rivals_build_up_raises_the_test_hazard() -> None:
    quiet = simulate(_case(1), lens="realism", replicates=50, seed=1, restraint=False)
    threatened = simulate(_case(1, build_up=True), lens="realism", replicates=50, seed=1,
                          restraint=False)  # fmt: skip
    before = quiet.series("test_hazard", "A0")["mean"].to_numpy()
    after = threatened.series("test_hazard", "A0")["mean"].to_numpy()
    assert after[2:].mean() > before[2:].mean() + 0.01  # from the year after the build-up
    assert after[-1] > before[-1] + 0.02  # and growing with the rival's arming


def test_the_hazard_is_a_rate_per_year_whatever_the_step() -> None:
    """Twelve monthly chances compound to the yearly one at the start."""
    yearly = _hazard(_case(1))
    monthly = _hazard(_case(1, step="month", steps=3))
    assert 1.0 - (1.0 - monthly) ** 12 == pytest.approx(yearly, rel=1e-5)
