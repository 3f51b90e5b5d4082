"""The model's parameters by dotted name, everywhere a case or a run sets one; costly signals."""

from __future__ import annotations

from pathlib import Path

import pytest

from security_dilemma import BadInput, load_case, parse_case_text
from security_dilemma.experiments.params import check_names
from security_dilemma.scenario import builtin_case_names
from security_dilemma.scenario.overrides import parameter_names, with_parameters
from security_dilemma.scenario.schema import CostlySignal, Parameters

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
NEW = {
    "decisiveness": (2.0, 0.5, 10.0),
    "deterrence": (1.0, 0.0, 10.0),
    "absolute_security": (1.0, 0.0, 1.0),
    "empathy": (0.5, 0.0, 1.0),
    "reassurance": (0.5, 0.0, 1.0),
    "signal_tremble": (0.05, 0.0, 0.5),
}
"""The parameters added for the mechanisms of issue 12: default, lowest and highest value."""


def problems(text: str) -> list[str]:
    with pytest.raises(BadInput) as info:
        parse_case_text(text, "case.yaml")
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", sorted(NEW))
def test_new_parameters_have_defaults_bounds_and_dotted_names(name: str) -> None:
    default, low, high = NEW[name]
    assert getattr(Parameters(), name) == default
    case = load_case(FIXTURE)
    assert name in parameter_names(case)
    for value in (low, high):
        assert getattr(with_parameters(case, {name: value}).parameters, name) == value
    for value in (low - 0.1, high + 0.1):
        with pytest.raises(BadInput) as info:
            with_parameters(case, {name: value})
        assert info.value.problems[0].path == name
    check_names(case, {name: [low, high]})
    with pytest.raises(BadInput, match=f"{name}={high + 0.1:g}"):
        check_names(case, {name: [high + 0.1]})


def test_existing_parameters_are_kept() -> None:
    names = parameter_names(load_case(FIXTURE))
    assert {"richardson.saturation", "richardson.status_quo", "signal_bluff"} <= set(names)
    assert {"actors.AAA.saturation", "noise", "crisis_war_share"} <= set(names)


def test_parameter_events_and_what_if_worlds_are_checked_where_they_are() -> None:
    event = "{type: parameter, name: distinguishability, value: 0.3}"
    assert event in TEXT
    ok = TEXT.replace(event, "{type: parameter, name: empathy, value: 0.9}")
    assert parse_case_text(ok).events[0].effects[-1].name == "empathy"  # type: ignore[union-attr]
    line = TEXT[: TEXT.index(event)].count("\n") + 1
    (unknown,) = problems(TEXT.replace(event, "{type: parameter, name: empathie, value: 0.9}"))
    assert unknown.startswith(f"case.yaml:{line}:")
    assert "events[0].effects[9].name: unknown parameter 'empathie'" in unknown
    assert "did you mean 'empathy'" in unknown
    (high,) = problems(TEXT.replace(event, "{type: parameter, name: signal_tremble, value: 0.6}"))
    assert "events[0].effects[9].value: " in high and "0.5" in high
    world = "counterfactuals:\n  - {id: w, title: W, parameters: {decisiveness: 0.1}}\n"
    (low,) = problems(TEXT + world)
    assert "counterfactuals[0].parameters.decisiveness: " in low and "0.5" in low


def test_signals_are_opportunities_unless_the_case_records_them() -> None:
    signal = CostlySignal.model_validate({"type": "signal", "actor": "A", "to": "B", "cost": 0.1})
    assert signal.forced is False
    case = parse_case_text(
        TEXT.replace("kind: cooperation_offer}", "kind: cooperation_offer, forced: true}")
    )
    assert isinstance(case.events[0].effects[2], CostlySignal) and case.events[0].effects[2].forced


@pytest.mark.parametrize("name", builtin_case_names())
def test_builtin_signals_record_signals_that_were_sent(name: str) -> None:
    signals = [
        effect
        for event in load_case(name).events
        for effect in event.effects
        if isinstance(effect, CostlySignal)
    ]
    assert signals and all(s.forced for s in signals)
