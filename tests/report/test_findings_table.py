"""The headline findings table shows what distinguishes the lenses: in the HTML report as in
the console, a row with the same cell under every lens goes in the caption (issue 14)."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from rich.console import Console

from security_dilemma.engine import Result, simulate
from security_dilemma.report import build_report, findings, key_dyads, summary_table
from security_dilemma.report.findings import TableRow, split_rows
from security_dilemma.scenario import Case, parse_case_text

from .test_report import CASE


class FindingsTable(HTMLParser):
    """The findings table's body rows (label, cells) and its caption's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.caption = ""
        self._in: str | None = None
        self._table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = ("class", "findings") in attrs
        elif self._table and tag == "caption":
            self._in = "caption"
        elif self._table and tag == "tbody":
            self._in = "tbody"
        elif self._in == "tbody" and tag == "tr":
            self.rows.append([])
        elif self._in == "tbody" and tag in ("th", "td"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "tbody"):
            self._in = None
        elif tag == "table":
            self._table = False

    def handle_data(self, data: str) -> None:
        if self._in == "caption":
            self.caption += data
        elif self._in == "tbody" and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def table_of(html: str) -> FindingsTable:
    parser = FindingsTable()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def case() -> Case:
    return parse_case_text(CASE, "evil.yaml")


@pytest.fixture(scope="module")
def runs(case: Case) -> dict[str, Result]:
    return {
        lens: simulate(case, lens=lens, replicates=8, seed=1, restraint=False)
        for lens in ("realism", "liberalism")
    }


def test_rows_the_same_under_every_lens_go_in_the_caption(
    case: Case, runs: dict[str, Result]
) -> None:
    table = table_of(build_report(case, runs, include_map=False))
    assert table.rows, "the lenses differ somewhere"
    for label, *cells in table.rows:
        assert len(cells) == 2 and len(set(cells)) == 2, (label, cells)  # what tells them apart
    assert table.caption.startswith("The same under every lens")
    assert "Jervis's world (start → end; an input" in table.caption  # an input, marked as one
    labels = [label for label, *_ in table.rows]
    assert not any("Jervis" in label for label in labels)


def test_two_runs_of_one_lens_leave_every_row_to_the_caption(case: Case) -> None:
    run = simulate(case, lens="realism", replicates=8, seed=1, restraint=False)
    twins = {"realism": run, "realism again": run}
    table = table_of(build_report(case, twins, include_map=False))
    assert table.rows == []  # before: eleven rows of identical pairs
    for label in ("Who arms (final effort)", "Culture of anarchy", "(d) No adequate policy"):
        assert f"{label}: " in table.caption
    one = table_of(build_report(case, {"realism": run}, include_map=False))
    assert len(one.rows) >= 10 and one.caption == ""  # one lens: every row, nothing to compare
    # the console, by the same rule
    f = findings(run, key_dyads(case))
    buffer = io.StringIO()
    Console(file=buffer, width=100).print(summary_table([f, f], "t"))
    printed = " ".join(buffer.getvalue().split())
    arms = ", ".join(a for a, _ in f.arms)
    assert f"─ The same under every lens: who arms: {arms}; ends less secure: " in printed
    assert "top crisis risk: ALF-CHA" in printed  # no row left in the table body


def test_the_rule() -> None:
    rows = [
        TableRow("a", ["1", "1", "1"]),
        TableRow("b", ["1", "2", "1"]),
        TableRow("c", ["x", "x", "x"]),
    ]
    split = split_rows(rows)
    assert [r.label for r in split.distinct] == ["b"]
    assert [r.label for r in split.same] == ["a", "c"]
    assert split.caption() == "The same under every lens: a: 1; c: x"
    single = split_rows([TableRow("a", ["1"])])
    assert single.distinct == [TableRow("a", ["1"])] and single.caption() == ""
