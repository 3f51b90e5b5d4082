"""The report's what-if section: present, escaped, answering the question as it comes out."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from rich.console import Console

from security_dilemma._tables import fixed
from security_dilemma.engine import simulate
from security_dilemma.report import answers_table, build_report, section_title, whatif_figure
from security_dilemma.report.whatif import ANSWER_WORDS
from security_dilemma.scenario import Case, parse_case_text
from security_dilemma.whatif.compare import CounterfactualComparison, compare_all

EVIL = "<script>alert(1)</script>"
CASE = f"""
schema_version: 1
id: evil-worlds
title: 'Worlds & {EVIL}'
span: {{start: 2000, end: 2004, step: year}}
actors:
  - {{id: ALF, name: 'Alfa {EVIL}', capital: "50.0,5.0"}}
  - {{id: BRA, name: Bravo, capital: "52.0,12.0"}}
  - {{id: CHA, name: Charlie, capital: "53.0,25.0"}}
capabilities:
  - {{actor: ALF, milex: 100}}
  - {{actor: BRA, milex: 80}}
  - {{actor: CHA, milex: 120}}
missiles:
  - {{id: rocket, actor: CHA, name: Rocket, range_km: 1500, launch_areas: ["53.0,25.0"]}}
defence_sites:
  - {{id: shield, actor: ALF, host: BRA, name: 'Shield <b>{EVIL}</b>', place: "52.0,12.0", kind: interceptor, interceptors: 10, sspk: 0.7, flyout_km: 800}}
identities:
  - {{between: [ALF, CHA], value: -0.8}}
events:
  - id: shield-up
    date: 2002-03-01
    title: 'Shield up {EVIL}'
    effects: [{{type: site, site: shield, status: operational}}, {{type: identity, from: CHA, to: ALF, delta: -0.2}}]
    source: s
counterfactuals:
  - id: no-shield
    title: 'No shield {EVIL} & co'
    description: 'Takes out the <i>shield</i> {EVIL}'
    note: 'A note <img src=x onerror=alert(2)>'
    drop_sites: [shield]
    drop_events: [shield-up]
  - {{id: nothing, title: 'The case as it is'}}
sources:
  - {{id: s, citation: 'Synthetic', kind: assumption}}
"""  # noqa: E501


@pytest.fixture(scope="module")
def case() -> Case:
    return parse_case_text(CASE, "evil.yaml")


@pytest.fixture(scope="module")
def comparisons(case: Case) -> list[CounterfactualComparison]:
    return compare_all(case, lens=["realism", "pyramid"], replicates=8, seed=1)


@pytest.fixture(scope="module")
def html(case: Case, comparisons: list[CounterfactualComparison]) -> str:
    runs = {
        lens: simulate(case, lens=lens, replicates=8, seed=1) for lens in ("realism", "pyramid")
    }
    return build_report(case, runs, comparisons=comparisons, include_map=False)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_section_is_there_and_asks_the_question(
    html: str, comparisons: list[CounterfactualComparison]
) -> None:
    assert section_title(comparisons) == "What the missile-defence programme did"
    assert '<section id="whatif">' in html and 'href="#whatif"' in html
    assert (
        "<strong>The question:</strong> did the moves each counterfactual world takes out" in html
    )
    assert html.count('id="whatif-') == 2
    # every answer is in the page: in words for the key actors, in numbers for every actor
    cmp = comparisons[0]
    year = cmp.dates[-1].year
    for lens in cmp.lenses:
        for actor in cmp.actors:
            verdict = cmp.verdict(lens, actor)
            assert f"{year}: {ANSWER_WORDS[verdict]}" in html
            number = fixed(cmp.effect(lens, actor, "security")["mean"], 4, sign=True)
            assert (number if verdict != "unaffected" else "unaffected") in html


def test_case_strings_in_the_section_are_escaped(html: str) -> None:
    page = Tags()
    page.feed(html)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "b" not in tags and "i" not in tags
    assert all(not k.startswith("on") for _, a in page.tags for k in a)
    text = "".join(page.text)
    assert f"No shield {EVIL} & co" in text
    assert f"Takes out the <i>shield</i> {EVIL}" in text
    assert "A note <img src=x onerror=alert(2)>" in text
    assert f"Shield <b>{EVIL}</b>" in text  # the removed site's name
    assert "&lt;script&gt;" in html
    images = [a["src"] for t, a in page.tags if t == "img"]
    assert sum(1 for src in images if src and src.startswith("data:image/png;base64,")) >= 4


def test_no_section_without_worlds(case: Case) -> None:
    runs = {"realism": simulate(case, lens="realism", replicates=4, seed=1)}
    assert 'id="whatif"' not in build_report(case, runs, include_map=False)


def test_console_table_and_figure(comparisons: list[CounterfactualComparison]) -> None:
    console = Console(width=120, record=True, color_system=None)
    console.print(answers_table(comparisons[0], ["ALF", "BRA", "CHA"]))
    text = console.export_text()
    assert "Did it leave them less secure? as recorded − no-shield" in text
    assert "realism" in text and "pyramid" in text
    rows = [line for line in text.splitlines() if line.strip().startswith(("realism", "pyramid"))]
    assert len(rows) == 2
    fig = whatif_figure(comparisons[0], ["ALF", "CHA"])
    assert len(fig.axes) == 4
    narrow = Console(width=80, record=True, color_system=None)
    narrow.print(answers_table(comparisons[0], ["ALF", "BRA", "CHA"]))
    assert "…" not in narrow.export_text()  # an 80-column terminal shows every number
