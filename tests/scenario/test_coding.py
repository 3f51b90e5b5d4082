"""Coding rules: what observable kinds are, who may be coded, and the coding warnings."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from security_dilemma import BadInput, parse_case_text
from security_dilemma.scenario import case_warnings
from security_dilemma.scenario.reader import read_yaml_text
from security_dilemma.scenario.schema import OBSERVABLE_KINDS, Observable, ObservableKind

from ..conftest import Run

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
OBS = (
    "  - {id: o1, kind: opposes, actor: BBB, counterpart: AAA, period: 2003, occurred: true, "
    "source: s2}\n"
)


def with_observables(lines: str) -> str:
    start = TEXT.index("observables:\n") + len("observables:\n")
    end = TEXT.index("parameters:\n")
    return TEXT[:start] + lines + TEXT[end:]


def warnings(text: str) -> list[str]:
    return [str(p) for p in case_warnings(read_yaml_text(text, "case.yaml"))]


def test_every_kind_is_an_event_or_a_state_in_one_table() -> None:
    assert set(OBSERVABLE_KINDS) == set(typing.get_args(ObservableKind))
    events = {k for k, v in OBSERVABLE_KINDS.items() if v.nature == "event"}
    states = {k for k, v in OBSERVABLE_KINDS.items() if v.nature == "state"}
    assert states == {"opposes", "allies", "cooperates"}
    assert {"withdraws", "tests", "signs", "endorses", "signals"} <= events
    description = Observable.model_fields["kind"].description or ""
    assert all(k in description for k in OBSERVABLE_KINDS)


def test_period_is_a_shorthand_for_one_year_and_excludes_start() -> None:
    o = Observable(
        id="x",
        kind="withdraws",
        actor="USA",
        counterpart="RUS",
        period=2002,
        occurred=True,
        source="s",
    )
    assert (o.start.isoformat(), o.end.isoformat(), o.period) == ("2002-01-01", "2002-12-31", None)
    with pytest.raises(ValueError, match="either `period` or `start`"):
        Observable(
            id="x",
            kind="tests",
            actor="IRN",
            period=2002,
            start=2002,
            end=2002,
            occurred=True,
            source="s",
        )


def test_institutions_and_states_not_simulated_can_be_coded() -> None:
    lines = (
        "  - {id: a, kind: endorses, actor: INST, counterpart: AAA, period: 2003, "
        "occurred: true, source: s1}\n"
        "  - {id: b, kind: signs, actor: ESP, counterpart: AAA, period: 2003, "
        "occurred: false, source: s1}\n"
    )
    text = with_observables(lines.replace("actor: INST", "actor: club"))
    case = parse_case_text(text, "case.yaml")
    kinds = [case.party(o.actor).kind for o in case.observables]
    assert kinds == ["institution", "state"]


def test_unknown_party_is_a_located_error() -> None:
    text = with_observables(
        "  - {id: a, kind: signs, actor: XQZ, counterpart: AAA, period: 2003, "
        "occurred: true, source: s1}\n"
    )
    with pytest.raises(BadInput) as info:
        parse_case_text(text, "case.yaml")
    (msg,) = [str(p) for p in info.value.problems]
    line = text[: text.index("actor: XQZ")].count("\n") + 1
    assert (
        msg.startswith(f"case.yaml:{line}:") and "observables[0].actor: unknown party 'XQZ'" in msg
    )


def test_effects_still_name_simulated_actors_only() -> None:
    text = TEXT.replace("to: [AAA, CCC]", "to: [AAA, ESP]", 1)
    assert text != TEXT
    with pytest.raises(BadInput, match="unknown actor 'ESP'"):
        parse_case_text(text, "case.yaml")


def test_a_search_source_needs_its_date() -> None:
    text = TEXT.replace(
        'citation: "A dataset (test fixture)"}',
        'citation: "A dataset (test fixture)"}\n  - {id: s9, kind: search, citation: "Searched X"}',
        1,
    )
    with pytest.raises(BadInput, match="needs `accessed`"):
        parse_case_text(text, "case.yaml")


def test_warns_on_a_kind_coded_only_as_happened() -> None:
    found = warnings(with_observables(OBS))
    assert any("kind 'opposes' is coded only as happened (1 observable)" in w for w in found)
    both = OBS + OBS.replace("o1", "o2").replace("2003, occurred: true", "2004, occurred: false")
    assert not any("coded only as happened" in w for w in warnings(with_observables(both)))


def test_warns_on_gaps_in_a_coded_series_with_the_missing_years() -> None:
    found = [w for w in warnings(with_observables(OBS)) if "series" in w]
    assert len(found) == 1
    line = with_observables(OBS).index("{id: o1")
    assert (
        "series 'opposes BBB->AAA' has 4 of 5 periods not coded (2001-2002, 2004-2005)" in found[0]
    )
    assert found[0].startswith(f"case.yaml:{with_observables(OBS)[:line].count(chr(10)) + 1}:")
    full = "".join(
        OBS.replace("o1", f"o{y}")
        .replace("period: 2003", f"period: {y}")
        .replace("true", "true" if y % 2 else "false")
        for y in range(2001, 2006)
    )
    assert not any("series" in w for w in warnings(with_observables(full)))


def test_warns_on_parameters_without_sources() -> None:
    found = warnings(TEXT)
    assert any("parameter 'distinguishability' is set without a source" in w for w in found)
    assert any("'offence_dominance' is left at the package default" in w for w in found)


def test_cli_prints_warnings_and_strict_makes_them_problems(dilemma: Run) -> None:
    ok = dilemma("validate", str(FIXTURE))
    assert ok.code == 0 and "warning:" in ok.err and "ok" in ok.out
    strict = dilemma("validate", "--strict", str(FIXTURE))
    assert strict.code == 2 and "is set without a source" in strict.err
    assert "warning:" not in strict.err


def test_backtests_record_but_do_not_forecast_what_the_engine_cannot_see() -> None:
    from security_dilemma.history.backtest import classify_observables
    from security_dilemma.scenario import load_case

    case = load_case("bmd-europe")
    status = {k: s for k, (_, s) in classify_observables(case).items()}
    unforecast = {o.id for o in case.observables if status[o.id] == "unforecast"}
    expected = {o.id for o in case.observables if o.actor == "NATO"}  # not simulated
    assert unforecast == expected and len(expected) == 12
    withdraws = {o.id for o in case.observables if o.kind == "withdraws"}
    assert len(withdraws) == 24 and {status[i] for i in withdraws} <= {"scored", "given"}
