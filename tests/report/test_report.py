"""The HTML report: every case string escaped, nothing loaded from outside, every section and
source present; headline findings and key dyads."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest

from security_dilemma.engine import simulate
from security_dilemma.history import backtest
from security_dilemma.report import build_report, findings, key_actors, key_dyads, write_report
from security_dilemma.scenario import Case, parse_case_text
from security_dilemma.scenario.schema import Observable

EVIL = "<script>alert(1)</script>"
CASE = f"""
schema_version: 1
id: evil-names
title: 'Tom & Jerry {EVIL}'
summary: 'A case whose strings try to inject markup: {EVIL} & <b>bold</b>.'
span: {{start: 2000, end: 2005, step: year}}
actors:
  - {{id: ALF, name: 'Alfa {EVIL}', capital: "50.0,5.0", source: s}}
  - {{id: BRA, name: 'Bravo & Sons', capital: "52.0,12.0", source: s}}
  - {{id: CHA, name: 'Charlie <img src=x onerror=alert(2)>', capital: "53.0,25.0", source: s}}
capabilities:
  - {{actor: ALF, milex: 100, source: s}}
  - {{actor: BRA, milex: 80, source: s}}
  - {{actor: CHA, milex: 120, source: s}}
missiles:
  - id: rocket
    actor: CHA
    name: 'Rocket {EVIL}'
    range_km: 1500
    launch_areas: ["53.0,25.0"]
    source: s
defence_sites:
  - id: shield
    actor: ALF
    host: BRA
    name: 'Shield & <i>site</i>'
    place: "52.0,12.0"
    kind: interceptor
    interceptors: 10
    sspk: 0.7
    flyout_km: 800
    source: s
alliances:
  - {{id: west, name: 'West {EVIL}', members: [ALF, BRA], commitment: 0.9, source: s}}
identities:
  - {{between: [ALF, BRA], value: 0.8, source: s}}
  - {{between: [ALF, CHA], value: -0.8, source: s}}
  - {{between: [BRA, CHA], value: -0.5, source: s}}
events:
  - id: speech
    date: 2002-03-01
    title: 'A speech {EVIL} & more'
    kind: speech
    effects: [{{type: identity, from: CHA, to: ALF, delta: -0.2}}]
    source: s
observables:
  - {{id: o1, kind: opposes, actor: CHA, counterpart: ALF, period: 2003, occurred: true, source: s}}
  - {{id: o2, kind: allies, actor: ALF, counterpart: BRA, period: 2004, occurred: true, source: s}}
  - {{id: o3, kind: crisis, actor: ALF, counterpart: CHA, start: 2000, end: 2005, occurred: false, source: s}}
  - {{id: o4, kind: opposes, actor: BRA, counterpart: ALF, period: 2001, occurred: false, source: s}}
sources:
  - id: s
    citation: 'Synthetic {EVIL} & friends'
    url: 'https://example.org/a?x=1&y="><script>alert(3)</script>'
    kind: assumption
  - id: t
    citation: A second source without an address
    kind: book
"""  # noqa: E501


@pytest.fixture(scope="module")
def case() -> Case:
    return parse_case_text(CASE, "evil.yaml")


@pytest.fixture(scope="module")
def html(case: Case) -> str:
    runs = {
        lens: simulate(case, lens=lens, replicates=12, seed=1) for lens in ("realism", "pyramid")
    }
    bt = backtest(case, results=runs)
    return build_report(
        case,
        runs,
        bt,
        command="dilemma run evil.yaml",
        generated=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        map_footprints=False,
    )


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the ids of sections."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_case_strings_are_escaped(html: str) -> None:
    page = parse(html)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags, "a case string became a <script> element"
    assert "b" not in tags and "i" not in tags
    img = [a for t, a in page.tags if t == "img"]
    assert all(not k.startswith("on") for _, a in page.tags for k in a)
    text = "".join(page.text)
    assert EVIL in text and "Tom & Jerry" in text and "Bravo & Sons" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert "&lt;script&gt;" in html
    assert img, "the report has figures"


def test_nothing_is_loaded_from_outside(html: str, case: Case) -> None:
    page = parse(html)
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed")
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/png;base64,")
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value.startswith(("http://", "https://", "//")):
                assert tag == "a" and key == "href", (tag, attrs)
                assert attrs.get("class") in ("source-link", "doc-link"), attrs
    assert "@import" not in html and "url(" not in html
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("class") == "source-link"]
    assert links == [s.url for s in case.sources if s.url]


def test_every_section_and_source_is_there(html: str, case: Case) -> None:
    page = parse(html)
    ids = {a.get("id") for _, a in page.tags}
    expected = {"findings", "map", "trajectories", "network", "backtest", "assumptions"}
    assert expected | {"events", "sources"} <= ids
    items = [a for t, a in page.tags if t == "li"]
    assert len(items) >= len(case.sources)
    text = "".join(page.text)
    for s in case.sources:
        assert s.citation in text
    assert "dilemma run evil.yaml" in text and "2024-01-02T03:04:05+00:00" in text
    for heading in ("Who arms", "Jervis's world", "(d) No adequate policy", "climatology"):
        assert heading in text
    import typing

    from security_dilemma.scenario.schema import ObservableKind

    for kind in typing.get_args(ObservableKind):  # rendered, not raw reStructuredText
        assert f'<span class="docutils literal">{kind}</span>' in html, kind
    assert "``" not in html
    pics = [a["src"] for t, a in page.tags if t == "img" and a.get("src")]
    assert len(pics) == 4, "map, trajectories, network and backtest figures"


def test_report_without_backtest_or_map(case: Case, tmp_path: Path) -> None:
    runs = {"liberalism": simulate(case, lens="liberalism", replicates=8, seed=0)}
    path = write_report(tmp_path / "r.html", case, runs, include_map=False)
    text = path.read_text(encoding="utf-8")
    page = parse(text)
    ids = {a.get("id") for _, a in page.tags}
    assert "backtest" not in ids and "findings" in ids
    assert "the map was left out" in "".join(page.text)
    with pytest.raises(ValueError, match="at least one run"):
        build_report(case, {})


def test_findings_follow_the_run(case: Case) -> None:
    run = simulate(case, lens="realism", replicates=16, seed=3)
    f = findings(run, [("ALF", "CHA")])
    armed = {a for a in run.actors if run.value("armed", a) >= 0.5}
    assert {a for a, _ in f.arms} == armed
    less = {a for a in run.actors if run.value("less_secure", a) >= 0.5}
    assert {a for a, _ in f.less_secure} == less
    assert f.jervis_world in (1, 2, 3, 4)
    assert f.harm is not None and f.no_adequate_policy is not None
    assert f.crisis[0][:2] == ("ALF", "CHA")
    assert 0.0 <= f.crisis[0][2] <= 1.0
    assert len(f.sentences()) >= 6
    quick = simulate(case, lens="realism", replicates=8, seed=3, restraint=False)
    g = findings(quick, [("ALF", "CHA")])
    assert g.harm is None and g.no_adequate_policy is None


def test_key_dyads_count_conflictual_observables(case: Case) -> None:
    extra = [
        Observable(id=f"x{k}", kind="crisis", actor="CHA", counterpart="BRA", start=2001,
                   end=2001, occurred=True, source="s")
        for k in range(3)
    ]  # fmt: skip
    more = case.model_copy(update={"observables": [*case.observables, *extra]})
    dyads = key_dyads(more, limit=2)
    assert dyads == [("BRA", "CHA"), ("ALF", "CHA")]
    assert key_actors(more, dyads) == ["BRA", "CHA", "ALF"]
    # what did not happen does not count: a complete coding codes those years too
    quiet = [o.model_copy(update={"occurred": False}) for o in extra]
    less = case.model_copy(update={"observables": [*case.observables, *quiet]})
    assert key_dyads(less, limit=2) == key_dyads(case, limit=2) != dyads


def test_finish_run_writes_report_and_fits_100_columns(case: Case, tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from security_dilemma.pipeline import finish_run
    from security_dilemma.report import show_job

    runs = {
        lens: simulate(case, lens=lens, replicates=8, seed=0)
        for lens in ("realism", "liberalism", "constructivism", "pyramid")
    }
    job = finish_run(case, runs, report=tmp_path / "out.html", command="dilemma run x")
    assert job.report is not None and job.report.exists()
    doc = job.to_json()
    assert doc["backtest"]["case"] == "evil-names" and set(doc["findings"]) == set(runs)
    buffer = io.StringIO()
    show_job(job, Console(file=buffer, width=100, force_terminal=False), replicates=8)
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    text = buffer.getvalue()
    for label in ("who arms", "ends less secure", "Jervis's world", "(d) no adequate policy"):
        assert label in text
    assert (
        "In-sample backtest of the raw indicators (4 observables" in text
        and str(job.report) in text
    )
    bare = finish_run(case.model_copy(update={"observables": []}), runs, report=None)
    assert bare.backtest is None and bare.report is None and bare.notes
