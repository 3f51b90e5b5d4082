"""The case editor's form: fields read from the YAML and written back by the server, each
problem shown at its field, the same located problems as ``dilemma validate``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from security_dilemma.scenario import builtin_case_path
from security_dilemma.scenario.reader import read_yaml_text
from security_dilemma.web.caseform import apply_form, field_of, form_of
from security_dilemma.web.library import check_text

from .conftest import csrf_of

TEXT = builtin_case_path("bmd-europe").read_text(encoding="utf-8")


def _data(text: str) -> Any:
    return read_yaml_text(text, "x.yaml").data


def test_the_form_reads_the_common_fields() -> None:
    form = form_of(TEXT)
    data = _data(TEXT)
    values = {f.name: f.value for f in form.fields}
    assert values["actors[1].name"] == "Russia"
    assert values["capabilities[0].milex"] == "322365000"
    assert values["parameters.offence_dominance"] == "0.5"
    assert values["events[0].date"] == "2001-03-12" and values["events[0].kind"] == "treaty"
    assert _data(values["events[0].effects[0]"]) == data["events"][0]["effects"][0]
    assert len(form.group("actors")) == 3 * len(data["actors"])
    assert len(form.group("events")) == sum(2 + len(e.get("effects", [])) for e in data["events"])


def test_writing_fields_changes_only_them_and_keeps_a_valid_case() -> None:
    fields = {
        "actors[1].lens": "liberalism",
        "capabilities[0].milex": "400000000",
        "events[0].effects[0]": "{type: identity, from: [RUS, IRN], to: [IRN, RUS], delta: 0.2}",
        "events[1].date": "2001-07-24",
        "parameters.offence_dominance": "0.6",
    }
    text, problems = apply_form(TEXT, fields)
    assert problems == []
    assert check_text(text, "x.yaml")[1] == []
    before, after = _data(TEXT), _data(text)
    assert after["actors"][1]["lens"] == "liberalism"
    assert after["capabilities"][0]["milex"] == 400000000
    assert after["events"][0]["effects"][0]["delta"] == 0.2
    assert str(after["events"][1]["date"]) == "2001-07-24"
    assert after["parameters"]["offence_dominance"] == 0.6
    after["actors"][1].pop("lens")
    after["capabilities"][0]["milex"] = before["capabilities"][0]["milex"]
    after["events"][0]["effects"][0]["delta"] = before["events"][0]["effects"][0]["delta"]
    after["events"][1]["date"] = before["events"][1]["date"]
    after["parameters"]["offence_dominance"] = before["parameters"]["offence_dominance"]
    assert after == before  # nothing else changed
    assert apply_form(TEXT, {"actors[1].name": "Russia"})[0] is TEXT  # no change: same text


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("events[0].date", "2001-02-30", "YYYY-MM-DD"),
        ("capabilities[0].milex", "lots", "not a number"),
        ("events[0].effects[0]", "[1, 2]", "an effect is a mapping"),
        ("events[0].effects[0]", "{type: identity", "events[0].effects[0]"),
    ],
)
def test_a_field_that_cannot_be_read_is_named(name: str, value: str, message: str) -> None:
    text, problems = apply_form(TEXT, {name: value})
    assert text is TEXT and problems and problems[0].path == name
    assert message in f"{problems[0].file}: {problems[0].path}: {problems[0].message}"


def test_problems_land_on_their_fields() -> None:
    names = [f.name for f in form_of(TEXT).fields]
    assert field_of("events[0].effects[0].delta", names) == "events[0].effects[0]"
    assert field_of("actors[10].lens", names) == "actors[10].lens"
    assert field_of("actors[1]", names) is None and field_of(None, names) is None


def _post(client: TestClient, url: str, data: dict[str, str], htmx: bool = True) -> str:
    token = csrf_of(client)
    headers = {"X-CSRF-Token": token, **({"HX-Request": "true"} if htmx else {})}
    r = client.post(url, data={**data, "csrf_token": token}, headers=headers)
    assert r.status_code == 200, r.text
    return r.text


def test_form_to_yaml_with_errors_at_their_fields(client: TestClient) -> None:
    html = _post(
        client,
        "/editor/form",
        {"yaml": TEXT, "actors[1].lens": "nolens", "parameters.distinguishability": "2"},
    )
    assert (
        re.search(r'<textarea [^>]*id="yaml"[^>]*hx-swap-oob="true"', html)
        and "lens: nolens" in html
    )
    lens = re.search(r'id="f-actors_1__lens-error">([^<]*)<', html)
    dist = re.search(r'id="f-parameters_distinguishability-error">([^<]*)<', html)
    assert lens and "unknown lens" in lens.group(1)
    assert dist and "less than or equal to 1" in dist.group(1)
    doc = check_text(apply_form(TEXT, {"actors[1].lens": "nolens"})[0], "case.yaml")[1]
    assert f"case.yaml:{doc[0].line}:{doc[0].col}: actors[1].lens:" in html  # as validate


def test_yaml_to_form(client: TestClient) -> None:
    edited = TEXT.replace("offence_dominance: 0.5", "offence_dominance: 0.7", 1)
    html = _post(client, "/editor/validate", {"yaml": edited, "file": "bmd-europe.yaml"})
    assert 'id="case-form-fields" hx-swap-oob="true"' in html
    assert re.search(r'id="f-parameters_offence_dominance" name="[^"]*" value="0.7"', html)
    assert 'id="valid"' in html and 'id="yaml"' not in html  # the text being typed stays
    broken = _post(client, "/editor/validate", {"yaml": "actors: [a\n", "file": "x.yaml"})
    assert "The form needs YAML that can be read" in broken and "x.yaml:" in broken
    page = _post(client, "/editor/form", {"yaml": "actors: [a\n", "title": "T"}, htmx=False)
    assert "<h1>Case editor</h1>" in page and "The form needs YAML" in page
