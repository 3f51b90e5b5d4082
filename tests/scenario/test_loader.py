"""Case validation: every problem at once, each located by file, line, column and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from security_dilemma import BadInput, load_case, parse_case_text
from security_dilemma.scenario import load_case_file
from security_dilemma.scenario.schema import Case, IdentityShift

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")


def problems(text: str, *, strict: bool = False) -> list[str]:
    with pytest.raises(BadInput) as info:
        parse_case_text(text, "case.yaml", strict_sources=strict)
    return [str(p) for p in info.value.problems]


def replace(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


def line_of(fragment: str) -> int:
    return TEXT[: TEXT.index(fragment)].count("\n") + 1


def test_fixture_is_valid_and_complete() -> None:
    case = load_case_file(FIXTURE, strict_sources=True)
    assert isinstance(case, Case)
    assert case.actor_ids() == ["AAA", "BBB", "CCC"]
    assert case.span.start == dt.date(2001, 1, 1) and case.span.end == dt.date(2005, 12, 31)
    assert case.capabilities[1].milex.value == 500 and case.capabilities[1].milex.source == "s2"
    assert case.institutions[0].members[1].since == dt.date(2002, 3, 1)
    assert case.observables[0].start == dt.date(2003, 1, 1)
    assert case.observables[0].end == dt.date(2003, 12, 31)
    assert case.observables[1].end == dt.date(2003, 6, 30)
    effect = case.events[0].effects[1]
    assert isinstance(effect, IdentityShift) and effect.to == ["AAA", "CCC"]
    assert case.identities[0].pairs() == [("AAA", "CCC"), ("CCC", "AAA")]


def test_case_is_immutable() -> None:
    case = load_case_file(FIXTURE)
    with pytest.raises(ValueError, match="frozen"):
        case.actors[0].name = "x"  # type: ignore[misc]


def test_unknown_key_gets_did_you_mean_at_its_line() -> None:
    text = replace("lens: realism", "lense: realism")
    (msg,) = problems(text)
    line = line_of("lens: realism")
    assert msg.startswith(f"case.yaml:{line}:")
    assert "actors[0].lense: unknown field 'lense' (did you mean 'lens'?)" in msg


def test_probability_out_of_range() -> None:
    (msg,) = problems(replace("sspk: 0.5", "sspk: 1.5"))
    assert f"case.yaml:{line_of('sspk: 0.5')}:" in msg
    assert "defence_sites[0].sspk" in msg and "1.5" in msg


def test_wrong_type_and_missing_field() -> None:
    text = replace("milex: 1000", "milex: lots").replace("    title: Site announced\n", "")
    msgs = problems(text)
    assert any("capabilities[0].milex" in m and "lots" in m for m in msgs), msgs
    assert any("events[0].title: required field 'title' is missing" in m for m in msgs), msgs


def test_unknown_references_are_all_reported() -> None:
    text = (
        replace("{actor: AAA, year: 2001, milex: 1000", "{actor: AAB, year: 2001, milex: 1000")
        .replace("{type: site, site: site1,", "{type: site, site: sitte1,")
        .replace("source: s2}\n  - {id: radar1", "source: s3}\n  - {id: radar1")
    )
    msgs = problems(text)
    joined = "\n".join(msgs)
    assert "capabilities[0].actor: unknown actor 'AAB' (did you mean 'AAA'?)" in joined
    assert "unknown defence site 'sitte1' (did you mean 'site1'?)" in joined
    assert "defence_sites[0].source: unknown source 's3'" in joined
    assert len(msgs) == 3


def test_dates_outside_span_and_bad_dates() -> None:
    msgs = problems(replace("date: 2003-06-01", "date: 2007-06-01"))
    assert any("events[0].date: date 2007-06-01 is outside the case's span" in m for m in msgs)
    msgs = problems(replace("date: 2003-06-01", "date: 2003-13-01"))
    assert any("events[0].date" in m for m in msgs), msgs
    msgs = problems(replace("span: {start: 2001, end: 2005", "span: {start: 2006, end: 2005"))
    assert any("span: end (2005-12-31) must be after start (2006-01-01)" in m for m in msgs)


def test_unknown_effect_type_points_at_type() -> None:
    (msg,) = problems(replace("{type: crisis,", "{type: crisiss,"))
    assert "events[0].effects[6].type: unknown type 'crisiss' (did you mean 'crisis'?)" in msg


def test_schema_and_reference_problems_come_together_in_file_order() -> None:
    text = replace("prior_greedy: 0.4", "prior_greedy: 4").replace(
        "{id: o1, kind: opposes, actor: BBB", "{id: o1, kind: opposes, actor: ZZZ"
    )
    msgs = problems(text)
    assert len(msgs) == 2
    lines = [int(m.split(":")[1]) for m in msgs]
    assert lines == sorted(lines)


def test_unknown_lens_and_lens_parameters() -> None:
    msgs = problems(replace("lens: realism", "lens: realsm"))
    assert any("unknown lens 'realsm' (did you mean 'realism'" in m for m in msgs)
    text = replace(
        "  distinguishability: 0.4\n", "  distinguishability: 0.4\n  lenses: {realist: {}}\n"
    )
    msgs = problems(text)
    assert any("parameters.lenses.realist: unknown lens 'realist'" in m for m in msgs), msgs


def test_unknown_place_is_located() -> None:
    (msg,) = problems(replace("place: Redzikowo", "place: Redzikowa"))
    assert "defence_sites[0].place: unknown place 'Redzikowa' (did you mean 'Redzikowo'" in msg


def test_strict_sources_requires_a_source_per_record() -> None:
    text = replace(", source: s2}\n  - {id: radar1", "}\n  - {id: radar1")
    parse_case_text(text, "case.yaml")  # fine without --strict
    (msg,) = problems(text, strict=True)
    assert "defence_sites[0]: cites no source" in msg


def test_not_a_mapping_and_empty_file() -> None:
    (msg,) = problems("- just\n- a list\n")
    assert "must be a YAML mapping" in msg
    (msg,) = problems("")
    assert "empty file" in msg


def test_load_case_by_name_or_path_and_unknown_name() -> None:
    assert load_case("bmd-europe").id == "bmd-europe"
    assert load_case(FIXTURE).id == "minimal"
    with pytest.raises(BadInput, match="did you mean 'bmd-europe'"):
        load_case("bmd-europa")


def test_interceptor_site_needs_its_numbers() -> None:
    (msg,) = problems(replace(" interceptors: 10, sspk: 0.5,", ""))
    assert "a interceptor site needs interceptors, sspk" in msg or "needs interceptors" in msg


def test_site_host_may_be_a_country_that_is_not_simulated() -> None:
    parse_case_text(TEXT.replace("host: CCC, place: Redzikowo", "host: ROU, place: Redzikowo"))
    (msg,) = problems(TEXT.replace("host: CCC, place: Redzikowo", "host: ROX, place: Redzikowo"))
    assert "defence_sites[0].host: unknown host 'ROX' (did you mean 'ROU'?)" in msg
