"""What a reader sees in an 80-column terminal or a pipe: every table fits, no id is cut, no
number is elided, help names every option whole; and the entry point's promises (coordinates,
--version, JSON usage errors, broken pipes)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from security_dilemma._tables import Column, FitTable
from security_dilemma.cli import _common
from security_dilemma.scenario import load_case

from .conftest import Run
from .test_vocabulary import COMMANDS, options

WIDTH = 80
ELLIPSIS = "…"


@pytest.fixture
def narrow(dilemma: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``dilemma`` in an 80-column terminal (COLUMNS=80; stdout is not a terminal)."""
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    return dilemma


def assert_fits(text: str) -> None:
    """No line is wider than the terminal and nothing was cut with an ellipsis."""
    wide = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not wide, wide[:3]
    assert ELLIPSIS not in text


def words(text: str) -> set[str]:
    """The whitespace-separated tokens of ``text``, without table borders."""
    return set(re.findall(r"[^\s│┃|]+", text))


# --- the table itself --------------------------------------------------------------------------


def render(table: FitTable, width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def test_a_fit_table_never_cuts_ids_or_numbers() -> None:
    table = FitTable(
        [
            Column("id"),
            Column("title", wrap=True),
            Column("value", "right"),
            Column("note", wrap=True, drop=1),
        ],
        title="Things",
    )
    table.add_row("a-very-long-identifier-2001", "A long title " * 4, "-0.012345", "x " * 30)
    table.add_row("short", "t", "12,345,678", "y")
    for width in (40, 60, 80, 120):
        text = render(table, width)
        assert max(len(line) for line in text.splitlines()) <= width
        assert ELLIPSIS not in text
        for token in ("a-very-long-identifier-2001", "-0.012345", "12,345,678"):
            assert token in words(text), (width, text)
    assert "Not shown at this width: note" in render(table, 60)
    assert "Not shown" not in render(table, 120)


def test_a_table_too_wide_for_the_terminal_is_stacked() -> None:
    table = FitTable([Column("id"), Column("value", "right")])
    table.add_row("an-identifier-of-thirty-chars-", "-1,234,567.891")
    text = render(table, 40)
    assert "id    an-identifier-of-thirty-chars-" in text
    assert "value -1,234,567.891" in text


def test_headers_wrap_between_words_only() -> None:
    table = FitTable([Column("actor"), *(Column(name, "right") for name in ("constructivism",))])
    table.add_row("USA", "1")
    assert "constructivism" in render(table, 20)


# --- every command's tables at 80 columns -------------------------------------------------------


def test_cases_at_80_columns(narrow: Run) -> None:
    out = narrow("cases")
    assert out.code == 0
    assert_fits(out.out)
    ids = [c["id"] for c in json.loads(narrow("cases", "--json").out)["cases"]]
    assert set(ids) <= words(out.out)


@pytest.mark.parametrize("name", ["bmd-europe", "cuban-missile-crisis", "thaad-korea"])
def test_show_at_80_columns(narrow: Run, name: str) -> None:
    out = narrow("show", name)
    assert out.code == 0
    assert_fits(out.out)
    case = load_case(name)
    seen = words(out.out)
    for record in (*case.actors, *case.missiles, *case.defence_sites, *case.events):
        assert record.id in seen, record.id
    assert "Redzikowo" in out.out or name != "bmd-europe"


def test_show_lists_event_ids_effects_and_the_lens_in_force(narrow: Run) -> None:
    out = narrow("show", "cuban-missile-crisis").out
    assert "quarantine" in words(out) and "--drop-event" in out
    assert "missile r-14: status=retired" in out  # the quarantine's effects, in words
    assert "pyramid (default)" in out  # no actor names a lens: the default is in force


def test_place_at_80_columns(narrow: Run) -> None:
    out = narrow("place", "Warsaw", "-33.86,151.21", "Kürecik")
    assert out.code == 0
    assert_fits(out.out)
    assert {"-33.86,151.21", "52.2519", "151.2100"} <= words(out.out)


def test_whatif_at_80_columns_shows_every_number(narrow: Run) -> None:
    out = narrow("whatif", "bmd-europe", "-n", "4", "--lens", "realism", "-c", "epaa-only")
    assert out.code == 0, out.err
    assert_fits(out.out)
    rows = [line.split() for line in out.out.splitlines() if line.strip()[:3] in ("USA", "RUS")]
    assert len(rows) == 2
    for row in rows:  # Δsecurity, the CI's two ends, P(worse), Δeffort, Δcrisis: all whole
        assert re.fullmatch(r"[+-]?\d\.\d{4}", row[1]), row
        assert re.fullmatch(r"\[[+-]?\d\.\d{3},", row[2]) and re.fullmatch(
            r"[+-]?\d\.\d{3}]", row[3]
        )
        assert row[-1].endswith("pp") and re.fullmatch(r"[+-]\d+\.\d{2}pp", row[-1])


def test_run_at_80_columns(narrow: Run, tmp_path: Path) -> None:
    args = ["run", "cuban-missile-crisis", "-n", "4", "--no-whatif", "--no-report"]
    out = narrow(*args)
    assert out.code == 0, out.err
    assert_fits(out.out)
    assert "constructivism" in words(out.out)  # a lens's name is not broken over two lines
    assert "(d) no adequate policy" in out.out or "adequate" in out.out


def test_backtest_at_80_columns(narrow: Run) -> None:
    out = narrow("backtest", "cuban-missile-crisis", "-n", "4", "--details")
    assert out.code == 0, out.err
    assert_fits(out.out)
    predictions = out.out[out.out.index("Predictions") :]
    scored = [o.id for o in load_case("cuban-missile-crisis").observables if o.id in predictions]
    assert len(scored) > 10
    assert set(scored) <= words(predictions)


def test_runs_list_at_80_columns(narrow: Run, tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    sweep = narrow(
        "sweep", "cuban-missile-crisis", "--param", "noise=0.1,0.2", "-n", "2",
        "--chunk-size", "2", "--metrics", "security", "--executor", "serial",
        "--store", store, "--json",
    )  # fmt: skip
    assert sweep.code == 0, sweep.err
    run_id = json.loads(sweep.out)["run_id"]
    out = narrow("runs", "list", "--store", store)
    assert out.code == 0
    assert_fits(out.out)
    assert run_id in words(out.out)
    shown = narrow("runs", "show", "last", "--store", store)
    assert shown.code == 0 and run_id in words(shown.out) and ELLIPSIS not in shown.out


@pytest.mark.parametrize(
    "args",
    [
        ["games", "jervis"],
        ["games", "tournament", "--strategies", "tft,alld,allc,grudger", "--turns", "10"],
        ["bmd", "coverage", "bmd-europe"],
        ["bmd", "erosion", "bmd-europe", "--defender", "USA", "--attacker", "RUS"],
        ["bmd", "leakage", "--shots", "2"],
        ["reach", "--from", "Tabriz", "--range-km", "1300"],
        ["fit", "richardson", "--builtin", "1909-1913"],
        ["check", "theory", "--prediction", "P1", "-n", "8"],
    ],
)
def test_other_tables_at_80_columns(narrow: Run, args: list[str]) -> None:
    out = narrow(*args)
    assert out.code in ((0, 1) if args[0] == "check" else (0,)), out.err  # 1: a prediction fails
    assert_fits(out.out)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_at_80_columns_names_every_option_whole(narrow: Run, name: str) -> None:
    out = narrow(*name.split(), "--help")
    assert out.code == 0
    assert_fits(out.out)
    assert "<bool>" not in out.out and "<int" not in out.out
    seen = words(out.out.replace(",", " "))
    for long, param in options(COMMANDS[name]).items():
        assert long in seen, (name, long)
        for secondary in param.secondary_opts:
            assert secondary in seen, (name, secondary)


def test_help_of_the_groups_lists_whole_summaries(narrow: Run) -> None:
    out = narrow("--help")
    assert out.code == 0
    assert_fits(out.out)
    commands = out.out[out.out.index("Commands:") :]
    assert "..." not in commands and "--version" in out.out


# --- coordinates ---------------------------------------------------------------------------------


SYDNEY, NEW_YORK = "-33.86,151.21", "40.71,-74.01"


@pytest.mark.parametrize(
    "args",
    [
        ["distance", SYDNEY, NEW_YORK, "--json"],
        ["distance", "--json", SYDNEY, NEW_YORK],
        ["distance", "--", SYDNEY, NEW_YORK, "--json"],
        ["distance", "33.86S,151.21E", "40.71N,74.01W", "--json"],
        ["distance", "33.86 S, 151.21 E", NEW_YORK, "--json"],
    ],
)
def test_southern_and_western_coordinates_in_any_order(dilemma: Run, args: list[str]) -> None:
    out = dilemma(*args)
    assert out.code == 0, out.err
    doc = json.loads(out.out)
    assert doc["from"]["lat"] == pytest.approx(-33.86) and doc["from"]["lon"] == 151.21
    assert doc["to"]["lon"] == pytest.approx(-74.01)
    assert doc["distance_km"] == pytest.approx(15987.2, abs=0.5)


def test_coordinates_wherever_a_place_is_taken(dilemma: Run) -> None:
    place = dilemma("place", SYDNEY, "--json")
    assert place.code == 0, place.err
    assert json.loads(place.out)["places"][0]["lat"] == pytest.approx(-33.86)
    reach = dilemma("reach", "--from", "-33.86,151.21", "--range-km", "1000", "--json")
    assert reach.code == 0, reach.err
    assert json.loads(reach.out)["origin"]["lat"] == pytest.approx(-33.86)
    equals = dilemma("reach", "--from=-33.86,151.21", "--range-km", "1000", "--json")
    assert json.loads(equals.out) == json.loads(reach.out)


def test_a_sign_and_a_hemisphere_is_bad_input(dilemma: Run) -> None:
    out = dilemma("place", "33.86S,-151.21E")
    assert out.code == 2
    assert "both a sign and a hemisphere" in out.err


def test_only_arguments_are_rewritten() -> None:
    params = COMMANDS["reach"].params
    args = ["--from", "-1,2", "--range-km", "5", "-3,4", "--", "-5,6"]
    assert _common.coordinates_as_arguments(args, params) == [
        "--from", "-1,2", "--range-km", "5", "3S,4", "5S,6",
    ]  # fmt: skip
    kept = ["--", "-5,6", "--not-an-option"]  # something else after --: it stays
    assert _common.coordinates_as_arguments(kept, params) == kept


# --- the entry point ------------------------------------------------------------------------------


def test_version(dilemma: Run) -> None:
    from security_dilemma import __version__

    out = dilemma("--version")
    assert out.code == 0 and out.out.strip() == f"dilemma (security-dilemma) {__version__}"


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["run", "cuban-missile-crisis", "--replicates", "0", "--json"], "--replicates"),
        (["whatif", "bmd-europe", "--seed", "-1", "--json"], "--seed"),
        (["--json", "whatif", "bmd-europe"], "--json"),  # --json is the command's option
        (["backtest", "bmd-europe", "--no-such-option", "--json"], "--no-such-option"),
        (["games", "jervis", "--json", "--distinguishable", "x"], "--distinguishable"),
        (["show", "--json"], "CASE"),
    ],
)
def test_usage_errors_with_json_are_json(dilemma: Run, args: list[str], path: str) -> None:
    out = dilemma(*args)
    assert out.code == 2
    doc = json.loads(out.out)
    assert doc["ok"] is False and doc["error"] == "bad_input"
    assert [p["path"] for p in doc["problems"]] == [path]
    assert "╭" not in out.out + out.err


def test_usage_errors_without_json_are_plain(dilemma: Run) -> None:
    out = dilemma("run", "cuban-missile-crisis", "--replicates", "0")
    assert out.code == 2 and out.out == ""
    assert "Invalid value for '--replicates'" in out.err and "╭" not in out.err


PIPE = """
import subprocess, sys
done = subprocess.run(
    f"{sys.executable} -m security_dilemma {sys.argv[1]} | true", shell=True,
    capture_output=True, text=True,
)
print(done.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [
        "show BAD.yaml --json",
        "show bmd-europe --json",
        "run cuban-missile-crisis -n 2 --no-report --no-whatif --json",
    ],
)
def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path, argv: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PIPE, argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "Traceback" not in done.stdout and "BrokenPipeError" not in done.stdout
