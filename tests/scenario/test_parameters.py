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


def _delta_after_event(case: object) -> list[float]:
    from security_dilemma.engine.world import compile_world

    world = compile_world(case, "realism")  # type: ignore[arg-type]
    return [float(x.setting.delta) for x in world.inputs]


def test_a_parameter_event_by_delta_moves_with_the_run_s_value() -> None:
    """A sweep or --set of a parameter moves both sides of an event that changes it by a delta;
    an event that sets an absolute value overrides the run's value from its date, with a
    warning that names the event."""
    event = "{type: parameter, name: distinguishability, value: 0.3}"
    shifted = parse_case_text(TEXT.replace(event, event.replace("value: 0.3", "delta: 0.1")))
    base = _delta_after_event(shifted)
    swept = _delta_after_event(with_parameters(shifted, {"distinguishability": 0.2}))
    assert base[0] == pytest.approx(0.4) and base[-1] == pytest.approx(0.5)  # the case: 0.4
    assert swept[0] == pytest.approx(0.2) and swept[-1] == pytest.approx(0.3)
    absolute = load_case(FIXTURE)
    with pytest.warns(UserWarning, match=r"event '.+' sets distinguishability to 0.3 from"):
        overridden = with_parameters(absolute, {"distinguishability": 0.2})
    assert _delta_after_event(overridden)[-1] == pytest.approx(0.3)


def test_a_parameter_event_gives_a_delta_or_a_value() -> None:
    event = "{type: parameter, name: distinguishability, value: 0.3}"
    (both,) = problems(TEXT.replace(event, event.replace("}", ", delta: 0.1}")))
    assert "give exactly one of delta or value" in both
    (neither,) = problems(TEXT.replace(event, event.replace(", value: 0.3", "")))
    assert "give exactly one of delta or value" in neither


def test_a_delta_stays_within_the_parameter_s_range() -> None:
    from security_dilemma.scenario.overrides import parameter_bounds

    assert parameter_bounds("distinguishability") == (0.0, 1.0)
    assert parameter_bounds("lenses.realism.k") == (0.0, 5.0)
    event = "{type: parameter, name: distinguishability, value: 0.3}"
    shifted = parse_case_text(TEXT.replace(event, event.replace("value: 0.3", "delta: 0.1")))
    swept = _delta_after_event(with_parameters(shifted, {"distinguishability": 0.95}))
    assert swept[0] == pytest.approx(0.95) and swept[-1] == pytest.approx(1.0)
