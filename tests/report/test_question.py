"""The headline leads with the case's question (issue 14): per lens and year, the difference
recorded minus the question's world, with the replicates' interval and the parameters' spread;
the `question:` block is checked like every reference; the job, its JSON, the report and the
terminal at 80 columns lead with it."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from security_dilemma.errors import BadInput
from security_dilemma.history.fitting import FitParameter
from security_dilemma.history.uncertainty import ParameterSpread, QuestionSpread
from security_dilemma.report.question import QuestionAnswer, question_answer, question_table
from security_dilemma.scenario import Case, builtin_case_path, load_case, parse_case_text
from security_dilemma.whatif import CounterfactualComparison, compare_all

from ..conftest import Run

LENSES = ["realism", "pyramid"]


@cache
def bmd() -> Case:
    return load_case("bmd-europe")


@cache
def comparison() -> CounterfactualComparison:
    (c,) = compare_all(bmd(), ["no-missile-defence"], lens=LENSES, replicates=6)
    return c


def spread_of(values: dict[str, np.ndarray]) -> ParameterSpread:
    n = next(iter(values.values())).shape[0]
    return ParameterSpread(
        case_id="bmd-europe",
        parameters=(FitParameter("richardson.k", 0.0, 1.5),),
        points=tuple({"richardson.k": float(k)} for k in range(n)),
        replicates=4,
        seed=0,
        lenses=tuple(values),
        brier={},
        question=QuestionSpread("no-missile-defence", "RUS", "security", (), values),
    )


def test_the_answer_is_the_comparison_of_the_questions_world_by_year() -> None:
    answer = question_answer(bmd(), [comparison()])
    assert answer is not None and answer.asked and answer.source == ("seed-article",)
    assert (answer.world, answer.actor, answer.metric) == ("no-missile-defence", "RUS", "security")
    assert [y.year for y in answer.years] == list(range(2001, 2013))
    for k, y in enumerate(answer.years):
        for lens in LENSES:
            e = comparison().effect(lens, "RUS", "security", step=k)
            d = y.cells[lens]
            assert (d.mean, d.ci_low, d.ci_high) == (e["mean"], e["ci_low"], e["ci_high"])
            assert np.isnan(d.spread_low)  # no parameter sample given
    assert answer.years[0].unchanged() and not answer.years[-1].unchanged()
    assert question_answer(bmd(), []) is None  # the world was not compared


def test_the_parameter_spread_is_the_5_to_95_percent_band_of_the_sample() -> None:
    rng = np.random.default_rng(0)
    values = {lens: rng.normal(size=(20, 12)) for lens in LENSES}
    answer = question_answer(bmd(), [comparison()], spread_of(values))
    assert answer is not None and answer.spread_samples == 20
    d = answer.years[7].cells["pyramid"]
    assert d.spread_low == pytest.approx(np.quantile(values["pyramid"][:, 7], 0.05))
    assert d.spread_high == pytest.approx(np.quantile(values["pyramid"][:, 7], 0.95))


def test_the_table_at_80_columns_keeps_every_number_and_only_years_that_differ() -> None:
    answer = question_answer(bmd(), [comparison()])
    assert isinstance(answer, QuestionAnswer)
    out = Console(width=80, record=True)
    out.print(question_table(answer))
    text = out.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.startswith("Did the US missile-defence programme in Europe change Russia's")
    shown = [y for y in answer.years if not y.unchanged()]
    assert shown and len(shown) < len(answer.years)
    for y in shown:
        assert re.search(rf"^{y.year}\b", text, re.MULTILINE)
        for lens in LENSES:
            assert f"{y.cells[lens].mean:+.3f}" in text
    assert "2001-2006: no difference under any lens" in re.sub(r"\s+", " ", text)


def test_a_question_naming_an_unknown_world_or_actor_is_bad_input_at_its_line() -> None:
    text = builtin_case_path("bmd-europe").read_text(encoding="utf-8")
    bad = text.replace("  world: no-missile-defence\n  actor: RUS", "  world: no-bmd\n  actor: RUZ")
    with pytest.raises(BadInput) as info:
        parse_case_text(bad, "bmd.yaml")
    problems = {p.path: p for p in info.value.problems}
    assert "unknown what-if world 'no-bmd'" in problems["question.world"].message
    assert "unknown actor 'RUZ'" in problems["question.actor"].message
    line = bad.splitlines().index("  world: no-bmd") + 1
    assert problems["question.world"].line == line


def test_the_run_leads_with_the_question_in_terminal_json_and_report(
    dilemma: Run, tmp_path: Path
) -> None:
    report = tmp_path / "r.html"
    args = ["run", "bmd-europe", "-l", "realism", "-n", "6", "--whatif-replicates", "4"]
    args += ["--spread-samples", "2"]
    out = dilemma(*args, "--report", str(report))
    assert out.code == 0, out.err
    lines = out.out.splitlines()
    assert lines[2].startswith("Did the US missile-defence programme in Europe change")
    assert "Over 2 samples of 12 uncalibrated parameters" in out.out
    assert "start near 0 security" in out.out
    html = report.read_text(encoding="utf-8")
    assert html.index('<section id="question">') < html.index('<section id="forecast">')
    assert "Over the uncalibrated parameters" in html and "by kind of observable" in html
    assert "Jervis's world (start → end; an input" in html  # marked as an input, not a result
    assert "start near 0 security" in html
    doc = json.loads(dilemma(*args, "--no-report", "--json", "--series", "none").out)
    assert doc["question"]["world"] == "no-missile-defence"
    assert len(doc["question"]["years"]) == 12
    assert doc["parameter_spread"]["samples"] == 2
    assert doc["forecast"]["by_kind_skills"]
