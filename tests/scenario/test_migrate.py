"""Older case files: `share_def` is refused with its line, and `migrate` rewrites it in place.

``fixtures/bmd-europe-share-def.yaml`` is bmd-europe.yaml as it was before `share_def` was split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from security_dilemma import BadInput, load_case, parse_case_text
from security_dilemma.scenario import builtin_case_names, builtin_case_path, load_case_file
from security_dilemma.scenario.migrate import migrate_file, migrate_text
from security_dilemma.scenario.schema import Case, Parameters

OLD = Path(__file__).parent / "fixtures" / "bmd-europe-share-def.yaml"
OLD_TEXT = OLD.read_text(encoding="utf-8")
SMALL = """\
id: small
title: Small
span: {start: 2001, end: 2003}
actors: [{id: AAA, name: A}, {id: BBB, name: B}]
capabilities:
  - {actor: AAA, milex: 1000, share_def: 0.1}   # missile defence / milex
  - actor: BBB
    milex: 10
    "share_def": {value: 0.2, note: "share_def of 2001"}
events:
  - id: e1
    date: 2002
    title: A programme
    source: s
    effects:
      - {type: capability, actor: AAA, field: 'share_def', delta: 0.02}
sources: [{id: s, citation: A source}]
"""


def line_col(text: str, fragment: str, nth: int = 0) -> tuple[int, int]:
    at = -1
    for _ in range(nth + 1):
        at = text.index(fragment, at + 1)
    before = text[:at]
    return before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1


def test_share_def_is_refused_at_each_use_with_what_to_write() -> None:
    with pytest.raises(BadInput) as info:
        load_case_file(OLD)
    problems = info.value.problems
    capabilities = [p for p in problems if p.path.startswith("capabilities")]
    events = [p for p in problems if p.path.startswith("events")]
    assert len(capabilities) == 13 and len(events) == 1 and len(problems) == 14
    first = capabilities[0]
    assert (first.file, first.path) == (str(OLD), "capabilities[0].share_def")
    assert (first.line, first.col) == line_col(OLD_TEXT, "share_def: {value: 0.015")
    assert "missile_defence_share for the missile-defence share of the budget" in first.message
    assert "defence_share for the share of effort in defensive forces" in first.message
    assert f"`dilemma case migrate {OLD}` rewrites the file" in first.message
    (event,) = events
    assert event.path == "events[9].effects[0].field"
    assert (event.line, event.col) == line_col(OLD_TEXT, "share_def, delta: 0.007")
    assert "an event changes defence_share" in event.message
    assert not any("unknown field" in p.message or "Input should be" in p.message for p in problems)


def test_share_def_next_to_other_problems_in_text() -> None:
    text = SMALL.replace("name: B}", "name: B, prior_greedy: 2}")
    with pytest.raises(BadInput) as info:
        parse_case_text(text)
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 4
    assert messages[0].startswith("<string>:4:") and "prior_greedy" in messages[0]
    assert messages[1].startswith("<string>:6:31: capabilities[0].share_def: share_def was")
    assert "`dilemma case migrate FILE`" in messages[1]  # no file name to give


def test_migrated_old_file_validates_and_equals_the_builtin_case() -> None:
    migration = migrate_file(OLD)
    new = parse_case_text(migration.text, "migrated.yaml", strict_sources=True)
    builtin = load_case("bmd-europe")
    assert new.capabilities == builtin.capabilities
    assert [c.missile_defence_share for c in new.capabilities] == [
        c.missile_defence_share for c in builtin.capabilities
    ]
    assert all(c.defence_share is None for c in new.capabilities)
    assert new.capabilities[0].missile_defence_share is not None
    assert new.capabilities[0].missile_defence_share.value == 0.015
    assert new.capabilities[0].missile_defence_share.source == "assumption-share-def"
    # the built-in case also codes its signals as sent and rewords the assumption it cites
    assert comparable(new) == comparable(builtin)
    assert len(migration.changes) == 14


def comparable(case: Case) -> dict[str, Any]:
    data = case.model_dump()
    for event in data["events"]:
        for effect in event["effects"]:
            effect.pop("forced", None)
    data["sources"] = [s for s in data["sources"] if s["id"] != "assumption-share-def"]
    # added to the built-in case after the fixture: its question (issue 14) and the parameters
    # calibrated to data (issue 13), set back to the package defaults here
    data.pop("question", None)
    defaults = Parameters().model_dump()
    for name in CALIBRATED:
        group, _, key = name.rpartition(".")
        where, default = (
            (data["parameters"], defaults)
            if not group
            else (data["parameters"][group], defaults[group])
        )
        where[key] = default[key]
    data["parameter_sources"] = [
        p for p in data["parameter_sources"] if p["name"] not in CALIBRATED
    ]
    return data


CALIBRATED = ("richardson.a", "richardson.shock", "crisis_base", "crisis_war_share")


def test_migration_keeps_comments_and_layout() -> None:
    migration = migrate_file(OLD)
    old, new = OLD_TEXT.splitlines(keepends=True), migration.text.splitlines(keepends=True)
    assert len(old) == len(new)
    changed = {n for n, (a, b) in enumerate(zip(old, new, strict=True), 1) if a != b}
    assert changed == {c.line for c in migration.changes}
    for change in migration.changes:
        before = old[change.line - 1]
        at = change.col - 1
        assert before[at : at + len("share_def")] == "share_def"
        assert new[change.line - 1] == before[:at] + change.new + before[at + len("share_def") :]


@pytest.mark.parametrize("name", builtin_case_names())
def test_builtin_cases_are_current(name: str) -> None:
    text = builtin_case_path(name).read_text(encoding="utf-8")
    migration = migrate_text(text)
    assert migration.changes == () and migration.text == text


def test_meanings_quotes_and_line_breaks() -> None:
    default = migrate_text(SMALL, "small.yaml")
    assert [(c.line, c.path, c.new) for c in default.changes] == [
        (6, "capabilities[0].share_def", "missile_defence_share"),
        (9, "capabilities[1].share_def", "missile_defence_share"),
        (16, "events[0].effects[0].field", "defence_share"),
    ]
    assert "missile_defence_share: 0.1}   # missile defence / milex\n" in default.text
    assert '"missile_defence_share": {value: 0.2, note: "share_def of 2001"}' in default.text
    assert "field: 'defence_share', delta" in default.text
    defence = parse_case_text(migrate_text(SMALL, share_def_as="defence").text)
    assert [c.defence_share.value for c in defence.capabilities if c.defence_share] == [0.1, 0.2]
    crlf = migrate_text(SMALL.replace("\n", "\r\n")).text
    assert crlf == default.text.replace("\n", "\r\n")


def test_a_file_that_would_still_be_invalid_is_refused() -> None:
    text = SMALL.replace("title: A programme", "title: A programme\n    kind: speach")
    with pytest.raises(BadInput) as info:
        migrate_text(text, "small.yaml")
    first, *rest = info.value.problems
    assert first.message.startswith("not migrated: the rewritten file would not validate")
    assert [p.path for p in rest] == ["events[0].kind"]
    assert "did you mean 'speech'" in rest[0].message
    with pytest.raises(BadInput, match="share_def_as: unknown meaning 'budget'"):
        migrate_text(SMALL, share_def_as="budget")  # type: ignore[arg-type]
