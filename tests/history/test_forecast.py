"""Rolling-origin forecasts on bmd-europe with the real engine: no test-window outcome reaches a
fit, the forecasts respond to the case's events, the pieces add up, and `dilemma backtest
--origins`."""

from __future__ import annotations

import json
from functools import cache

import pytest

from security_dilemma.engine.predict import metrics_needed
from security_dilemma.errors import BadInput
from security_dilemma.history import (
    BASELINES,
    RollingForecast,
    brier,
    default_origins,
    fit_parameter,
    observe,
    rolling_forecast,
)
from security_dilemma.scenario import Case, load_case

from ..conftest import Run

LENS = ["realism"]
SMALL = {"lenses": LENS, "replicates": 12, "resamples": 200}


@cache
def bmd() -> Case:
    return load_case("bmd-europe")


@cache
def forecast() -> RollingForecast:
    return rolling_forecast(bmd(), origins=[2006, 2008, 2010], horizon=2, **SMALL)


def flipped_from(case: Case, year: int) -> Case:
    """The case with every outcome of an observable ending in or after ``year`` flipped."""
    obs = [
        o.model_copy(update={"occurred": not o.occurred}) if o.end.year >= year else o
        for o in case.observables
    ]
    return case.model_copy(update={"observables": obs})


def test_no_outcome_at_or_after_the_origin_reaches_a_fit() -> None:
    """Flipping every outcome from the origin on leaves every fitted number (the link, the
    engine parameter, the four baselines) and every forecast unchanged."""
    options = {
        "origins": [2008],
        "horizon": 2,
        "fit": [fit_parameter("richardson.k")],
        "fit_budget": 4,
        "fit_replicates": 6,
        **SMALL,
    }
    base = rolling_forecast(bmd(), **options)  # type: ignore[arg-type]
    flipped = rolling_forecast(flipped_from(bmd(), 2008), **options)  # type: ignore[arg-type]
    (a,), (b,) = base.folds, flipped.folds
    assert a.train == b.train and a.test == b.test
    assert a.coefficients() == b.coefficients()
    assert "realism/engine/richardson.k" in a.coefficients()
    assert [r.p for r in base.rows] == [r.p for r in flipped.rows]
    assert [r.occurred for r in base.rows] == [not r.occurred for r in flipped.rows]


def test_a_training_outcome_does_reach_the_fit() -> None:
    """The converse, so that the test above can fail: flipping outcomes before the origin
    changes the fitted link and baselines."""
    options = {"origins": [2008], "horizon": 2, **SMALL}
    base = rolling_forecast(bmd(), **options)  # type: ignore[arg-type]
    obs = [
        o.model_copy(update={"occurred": not o.occurred}) if o.end.year < 2006 else o
        for o in bmd().observables
    ]
    changed = rolling_forecast(bmd().model_copy(update={"observables": obs}), **options)  # type: ignore[arg-type]
    assert base.folds[0].coefficients() != changed.folds[0].coefficients()


def test_the_training_window_ends_before_the_origin_and_the_test_window_is_the_horizon() -> None:
    fc = forecast()
    by_id = {o.id: o for o in bmd().observables}
    for fold in fc.folds:
        assert all(by_id[i].end.year < fold.origin for i in fold.train)
        assert all(
            fold.origin <= by_id[i].start.year <= by_id[i].end.year < fold.origin + 2
            for i in fold.test
        )
        assert fold.baselines.n == len(fold.train)
        assert fold.links["realism"].n == len(fold.train)


def test_removing_the_case_events_changes_the_forecasts() -> None:
    fc = forecast()
    bare = rolling_forecast(
        bmd().model_copy(update={"events": []}), origins=[2006, 2008, 2010], horizon=2, **SMALL
    )
    before = {(r.origin, r.id): r.p["realism raw"] for r in fc.rows}
    after = {(r.origin, r.id): r.p["realism raw"] for r in bare.rows}
    shared = before.keys() & after.keys()
    assert shared
    assert max(abs(before[k] - after[k]) for k in shared) > 0.05


def test_missile_tests_are_read_from_the_programme_hazard() -> None:
    from security_dilemma.engine import simulate

    assert "test_hazard" in metrics_needed("tests")
    tests = [o for o in bmd().observables if o.kind == "tests"]
    assert tests
    run = simulate(
        bmd(), lens="realism", replicates=8, keep_replicates=True, metrics=["test_hazard"]
    )
    seen, _ = observe(run, bmd(), tests)
    assert {s.type for s in seen.values()} == {"hazard"}
    assert all(0.0 < s.mean < 1.0 for s in seen.values())


def test_scores_pool_every_origin_and_compare_every_lens_with_every_baseline() -> None:
    fc = forecast()
    y = [r.occurred for r in fc.rows]
    for f in fc.forecasters:
        assert fc.scores[f].brier == pytest.approx(brier([r.p[f] for r in fc.rows], y))
        assert fc.scores[f].decomposition.total == pytest.approx(fc.scores[f].brier)
    for b in BASELINES:
        s = fc.skill("realism", b)
        diff = fc.scores["realism"].brier - fc.scores[b].brier
        assert s.brier.estimate == pytest.approx(diff)
        assert s.brier.low <= s.brier.estimate <= s.brier.high
        assert s.auc.estimate == pytest.approx(fc.scores["realism"].auc - fc.scores[b].auc)
    assert fc.answer.verdict in ("yes", "not reliably", "no")
    assert "persistence" in fc.answer.text
    doc = json.loads(json.dumps(fc.to_json()))
    assert doc["answer"]["verdict"] == fc.answer.verdict
    assert len(doc["rows"]) == fc.counts["test"]


def test_default_origins_leave_ten_observables_behind_the_first() -> None:
    origins = default_origins(bmd(), 2)
    assert origins == sorted(origins) and origins[-1] + 1 <= bmd().span.end.year
    early = [o for o in bmd().observables if o.end.year < origins[0]]
    assert len(early) >= 10


@pytest.mark.parametrize(
    ("options", "path"),
    [({"origins": [2001]}, "origins"), ({"origins": [2008], "horizon": 0}, "horizon")],
)
def test_bad_origins_or_horizon_name_the_parameter(options: dict[str, object], path: str) -> None:
    with pytest.raises(BadInput) as info:
        rolling_forecast(bmd(), **{"horizon": 2, **options, **SMALL})  # type: ignore[arg-type]
    assert info.value.problems[0].path == path


def test_the_backtest_command_with_origins(dilemma: Run) -> None:
    out = dilemma(
        "backtest",
        "bmd-europe",
        "--origins",
        "2008,2010",
        "--horizon",
        "2",
        "-l",
        "realism",
        "-n",
        "8",
        "--json",
    )
    assert out.code == 0, out.err
    doc = json.loads(out.out)
    assert doc["origins"] == [2008, 2010] and doc["horizon"] == 2
    assert {s["baseline"] for s in doc["skills"] if s["forecaster"] == "realism"} == set(BASELINES)
    text = dilemma("backtest", "bmd-europe", "--origins", "2010", "-l", "realism", "-n", "8", "-q")
    assert text.code == 0, text.err
    assert "Each lens against each baseline" in text.out and "statistical" in text.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--origins", "2004,later"], "--origins: an origin is a year"),
        (["--origins", "1990"], "--origins: origin 1990 is outside"),
        (["--origins", "2008", "--train-until", "2007"], "--origins: --train-until and"),
    ],
)
def test_bad_origins_on_the_command_line(dilemma: Run, args: list[str], message: str) -> None:
    out = dilemma("backtest", "bmd-europe", *args)
    assert out.code == 2
    assert message in out.err


def test_the_report_leads_with_the_rolling_origin_forecasts() -> None:
    from security_dilemma.engine import simulate
    from security_dilemma.report import build_report

    runs = {"realism": simulate(bmd(), lens="realism", replicates=8)}
    html = build_report(bmd(), runs, forecast=forecast(), include_map=False)
    lead = html.index('<section id="forecast">')
    assert lead < html.index('<section id="findings">')
    section = html[lead : html.index("</section>", lead)]
    assert "Reliability diagram per lens" in section and "data:image/png;base64," in section
    assert section.count("<td>realism</td>") == 1 + len(BASELINES)  # its scores, each baseline
