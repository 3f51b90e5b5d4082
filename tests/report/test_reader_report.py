"""What the report's reader sees: no raw markup, notes in words, each what-if number once, one
scale per figure, no empty map, readable networks, footprints only where a site can engage."""

from __future__ import annotations

import re

import pytest

from security_dilemma._tables import fixed
from security_dilemma.engine import Result, simulate
from security_dilemma.geo.engagement import envelope
from security_dilemma.geo.maps import _features, case_map, site_years
from security_dilemma.report import build_report, key_actors, key_dyads, whatif_figure
from security_dilemma.report.figures import NETWORK_MAX_ACTORS, network_figure
from security_dilemma.report.html import run_note
from security_dilemma.scenario import Case, load_case
from security_dilemma.whatif import CounterfactualComparison, compare


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case("bmd-europe")


@pytest.fixture(scope="module")
def runs(case: Case) -> dict[str, Result]:
    return {
        lens: simulate(case, lens=lens, replicates=4, seed=1) for lens in ("realism", "pyramid")
    }


@pytest.fixture(scope="module")
def comparison(case: Case) -> CounterfactualComparison:
    return compare(case, "epaa-only", lens=["realism", "pyramid"], replicates=4, seed=1)


@pytest.fixture(scope="module")
def html(case: Case, runs: dict[str, Result], comparison: CounterfactualComparison) -> str:
    return build_report(case, runs, comparisons=[comparison])


def text_of(html: str) -> str:
    """The page's text: no tags, no embedded images."""
    return re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]*"', "", html))


def test_no_raw_markup(html: str) -> None:
    text = text_of(html)
    for markup in (":math:", "``", ":func:", ":class:"):
        assert markup not in html, markup
    assert not re.search(r"(^|\n)\s*\.\. ", text)
    assert not re.search(r"={8,}", text)  # no reStructuredText table borders
    mapping = html[html.index('id="mapping"') :]
    assert "<table>" in mapping[:400] and "counter_deploys" in mapping


def test_notes_from_the_runs_say_what_they_mean(html: str) -> None:
    notes = html[html.index("Notes from the runs") :]
    notes = notes[: notes.index("</ul>")]
    assert "Deterrent erosion: the share of a state" in notes
    assert "<li>erosion: geo.erosion_matrix</li>" not in notes
    assert run_note("intercept: none").startswith("Interception: not computed")
    assert run_note("observables outside the run") == "observables outside the run"


def test_each_whatif_number_is_shown_once(html: str, comparison: CounterfactualComparison) -> None:
    """Every four-decimal number of the section is one of the comparison's quantities (mean,
    the ends of its interval, the span average), each shown exactly once."""
    from collections import Counter

    text = text_of(html)
    section = text[text.index("What the") : text.index("Trajectories with uncertainty")]
    expected: Counter[str] = Counter()
    for lens in comparison.lenses:
        for actor in comparison.actors:
            if comparison.verdict(lens, actor) == "unaffected":
                continue
            e = comparison.effect(lens, actor, "security")
            span = comparison.effect(lens, actor, "security", step=None)
            for x in (e["mean"], e["ci_low"], e["ci_high"], span["mean"]):
                expected[fixed(x, 4, sign=True)] += 1  # the report's number format
    shown = Counter(re.findall(r"(?<![\d.])[+-]?\d\.\d{4}(?!\d)", section))
    assert shown == expected


def test_forest_plots_share_one_scale(case: Case, comparison: CounterfactualComparison) -> None:
    fig = whatif_figure(comparison, key_actors(case, key_dyads(case)))
    lenses = len(comparison.lenses)
    tops = fig.axes[:lenses] if fig.axes[0].get_title() else fig.axes[::2][:lenses]
    limits = {ax.get_xlim() for ax in fig.axes if ax.get_title() in comparison.lenses}
    assert len(tops) == lenses and len(limits) == 1


def test_no_map_section_without_missiles_or_sites(runs: dict[str, Result]) -> None:
    bare = load_case("cuban-missile-crisis")
    bare = bare.model_copy(update={"missiles": [], "defence_sites": []})
    result = simulate(bare, lens="realism", replicates=2)
    page = build_report(bare, {"realism": result})
    assert 'id="map"' not in page and 'href="#map"' not in page
    assert "no map: the case has no missile systems or defence sites" in page


def test_large_cases_draw_matrices(case: Case, runs: dict[str, Result]) -> None:
    assert len(case.actors) > NETWORK_MAX_ACTORS
    fig = network_figure(case, runs)
    assert sum(len(ax.images) for ax in fig.axes) == 1 + len(runs)  # a heat map per panel
    small = load_case("cuban-missile-crisis")
    result = simulate(small, lens="realism", replicates=2)
    circles = network_figure(small, {"realism": result})
    assert sum(len(ax.images) for ax in circles.axes) == 0


def test_footprints_only_against_missiles_a_site_can_engage(case: Case) -> None:
    systems = {s.id: s.system for s in case.defence_sites}
    assert not envelope(systems["redzikowo"]).engages(500)  # GBI against an Iskander: no
    assert envelope(systems["deveselu"]).engages(1300)  # SM-3 against a Shahab-3: yes
    defended = {mid for mid, *_ in _features(case, None, None, True).defended}
    assert "iskander-kaliningrad" not in defended
    assert "shahab-3" in defended
    before = _features(case, None, None, True)
    only_gbi = case.model_copy(
        update={"defence_sites": [s for s in case.defence_sites if s.id in ("redzikowo", "brdy")]}
    )
    assert _features(only_gbi, None, None, True).defended == []
    assert before.sites  # the sites are still drawn, with their circles


def test_the_legend_lists_only_what_the_map_shows(case: Case) -> None:
    fig = case_map(case, extent=(-10.0, 5.0, 38.0, 50.0))  # Iberia and France only
    names = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert not [n for n in names if "Shahab" in n or "Iskander" in n or "Sejjil" in n], names
    whole = case_map(case)
    shown = " ".join(t.get_text() for legend in whole.legends for t in legend.get_texts())
    assert "Shahab-3: 1,300 km" in shown


def test_a_map_without_a_date_says_the_sites_did_not_coexist(case: Case) -> None:
    years = site_years(case)
    assert years["redzikowo"] == "2007-2009" and years["deveselu"].endswith("-")
    fig = case_map(case)
    title = fig.axes[0].get_title()
    labels = " ".join(t.get_text() for t in [*fig.axes[0].texts, *fig.texts])
    assert "every site, with the years it stood" in title
    assert "(2007-2009)" in labels and "they did not all stand at once" in labels
    import datetime as dt

    dated = case_map(case, date=dt.date(2008, 6, 1))
    assert "years it stood" not in dated.axes[0].get_title()
    assert "(2007-2009)" not in " ".join(t.get_text() for t in dated.axes[0].texts)


def test_report_screenshots_are_referenced() -> None:
    from pathlib import Path

    docs = Path(__file__).parents[2] / "docs"
    page = (docs / "report.md").read_text(encoding="utf-8")
    for name in re.findall(r"\]\((img/report-[a-z-]+\.png)\)", page):
        assert (docs / name).is_file(), name
    assert len(re.findall(r"img/report-[a-z-]+\.png", page)) >= 2
