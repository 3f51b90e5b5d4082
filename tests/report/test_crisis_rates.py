"""Crisis risk is computed per step; every place that shows it says per what, and a yearly
figure is the per-step rate compounded over the steps of a year (weekly and monthly cases)."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from security_dilemma.engine import Result, simulate
from security_dilemma.engine.result import STEPS_PER_YEAR, step_of, yearly_rate
from security_dilemma.report import findings, key_dyads, summary_table
from security_dilemma.report.figures import trajectories_figure
from security_dilemma.report.html import build_report
from security_dilemma.scenario import load_case

from ..cli.conftest import Run

CASES = {"cuban-missile-crisis": ("week", 365.25 / 7), "thaad-korea": ("month", 12.0)}


@pytest.fixture(scope="module", params=sorted(CASES))
def run(request: pytest.FixtureRequest) -> tuple[str, Result]:
    name = str(request.param)
    return name, simulate(name, lens="realism", replicates=8, seed=2, restraint=False)


def test_the_step_is_read_from_the_dates(run: tuple[str, Result]) -> None:
    name, result = run
    step, per_year = CASES[name]
    assert result.step == step == load_case(name).span.step
    assert result.steps_per_year == pytest.approx(per_year)
    assert step_of(result.dates[:1], result.span_end) in ("year", "quarter", "month", "week")


def test_yearly_rate_compounds_the_rate_per_step() -> None:
    assert yearly_rate(0.1, 1.0) == pytest.approx(0.1)
    assert yearly_rate(0.133, STEPS_PER_YEAR["month"]) == pytest.approx(1 - 0.867**12)
    assert yearly_rate(0.1, STEPS_PER_YEAR["week"]) == pytest.approx(1 - 0.9 ** (365.25 / 7))
    assert yearly_rate(0.0, 52.0) == 0.0 and yearly_rate(1.0, 12.0) == 1.0


def test_findings_give_the_rate_per_step_and_per_year(run: tuple[str, Result]) -> None:
    name, result = run
    f = findings(result, key_dyads(load_case(name)))
    assert f.step == CASES[name][0] and f.crisis and f.top_crisis is not None
    for risk in (*f.crisis, f.top_crisis):
        mean = float(result.series("crisis_prob", risk.actor, risk.counterpart)["mean"].mean())
        assert risk.per_step == pytest.approx(mean)
        assert risk.yearly == pytest.approx(1 - (1 - mean) ** result.steps_per_year)
        assert risk.yearly > risk.per_step
    doc = f.to_json()
    assert doc["step"] == CASES[name][0]
    assert set(doc["crisis"][0]) == {"actor", "counterpart", "per_step", "yearly"}
    assert "yearly" in doc["top_crisis"] and "per_step" in doc["top_crisis"]
    step = CASES[name][0]
    assert any(f"a {step}" in s and "a year at that rate" in s for s in f.sentences())


def test_the_console_labels_the_step(run: tuple[str, Result]) -> None:
    name, result = run
    f = findings(result, key_dyads(load_case(name)))
    buffer = io.StringIO()
    Console(file=buffer, width=120).print(summary_table([f], "t"))
    text = buffer.getvalue()
    top = f.top_crisis
    assert top is not None
    assert f"{top.per_step:.1%}/{f.step}" in text and "/yr)" in text


def test_the_summary_and_the_report_label_the_step(run: tuple[str, Result]) -> None:
    name, result = run
    summary = result.summary()["actors"][result.actors[0]]
    assert summary["crisis_risk_yearly"] == pytest.approx(
        yearly_rate(summary["crisis_risk"], result.steps_per_year)
    )
    step = CASES[name][0]
    html = build_report(load_case(name), {"realism": result}, include_map=False)
    assert f"Crisis probability, key dyads (per {step} · per year at that rate)" in html
    assert f"crisis probability is per step (a {step})" in html
    assert "/ year" not in html and "Yearly crisis probability" not in html
    fig = trajectories_figure({"realism": result}, list(result.actors[:2]), [result.actors[:2]])
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert f"crisis probability per {step}" in labels


def test_a_yearly_case_shows_one_yearly_figure() -> None:
    result = simulate("bmd-europe", lens="realism", replicates=4, restraint=False)
    f = findings(result, key_dyads(load_case("bmd-europe")))
    assert f.step == "year" and f.top_crisis is not None
    assert f.top_crisis.yearly == pytest.approx(f.top_crisis.per_step)
    assert re.search(r"\d\.\d% a year", " ".join(f.sentences()))


def test_run_json_and_table_for_a_weekly_case(dilemma: Run) -> None:
    args = ["run", "cuban-missile-crisis", "-n", "4", "--lens", "realism", "--no-whatif"]
    out = dilemma(*args, "--no-report", "--json")
    assert out.code == 0, out.err
    doc = json.loads(out.out)
    top = doc["findings"]["realism"]["top_crisis"]
    assert top["yearly"] == pytest.approx(1 - (1 - top["per_step"]) ** (365.25 / 7))
    assert doc["lenses"]["realism"]["step"] == "week"
    table = dilemma(*args, "--no-report")
    assert "/week" in table.out and "per week" in table.out
