"""Per-kind scores with intervals (issue 13): each lens against each baseline on each kind of
observable, with a year-block bootstrap interval, in the JSON, the terminal (at 80 columns)
and the report."""

from __future__ import annotations

from functools import cache

import pytest
from rich.console import Console

from security_dilemma.history import BASELINES, RollingForecast, rolling_forecast
from security_dilemma.report.forecast import MARKS, forecast_kinds_table, kind_marks
from security_dilemma.scenario import load_case


@cache
def forecast() -> RollingForecast:
    return rolling_forecast(
        load_case("bmd-europe"),
        origins=[2006, 2008, 2010],
        horizon=2,
        lenses=["realism", "pyramid"],
        replicates=10,
        resamples=300,
    )


def test_every_lens_baseline_and_kind_has_its_brier_difference_with_an_interval() -> None:
    fc = forecast()
    assert len(fc.kind_skills) == len(fc.lenses) * len(BASELINES) * len(fc.kinds())
    for s in fc.kind_skills:
        own, other = fc.by_kind[s.forecaster][s.kind], fc.by_kind[s.baseline][s.kind]
        assert s.n == own.n
        assert s.brier.estimate == pytest.approx(own.brier - other.brier, abs=1e-12)
        assert s.brier.low <= s.brier.estimate <= s.brier.high
    kinds = {s.kind for s in fc.kind_skills}
    assert kinds == set(fc.kinds())
    doc = fc.to_json()["by_kind_skills"]
    assert {d["kind"] for d in doc} == kinds and "low" in doc[0]["brier_difference"]


def test_the_marks_follow_the_intervals() -> None:
    fc = forecast()
    for lens in fc.lenses:
        for kind in fc.kinds():
            marks = kind_marks(fc, lens, kind)
            assert len(marks) == len(BASELINES)
            for mark, b in zip(marks, BASELINES, strict=True):
                i = fc.kind_skill(lens, b, kind).brier
                want = "better" if i.high < 0 else "worse" if i.low > 0 else "unclear"
                assert mark == MARKS[want]


def test_the_table_by_kind_fits_80_columns_with_every_lens_and_its_marks() -> None:
    fc = forecast()
    out = Console(width=80, record=True)
    out.print(forecast_kinds_table(fc))
    text = out.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    header = next(line for line in text.splitlines() if line.lstrip().startswith("kind"))
    assert "realism" in header and "pyramid" in header
    for kind in fc.kinds():
        row = next(line for line in text.splitlines() if line.startswith(kind + " "))
        assert f"{fc.by_kind['realism'][kind].brier:.3f} {kind_marks(fc, 'realism', kind)}" in row
