"""Backtesting: scoring rules against hand computation, a case whose record the model
determines, the train/test split, reproducibility and the `dilemma backtest` command."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from security_dilemma.cli import main
from security_dilemma.engine import simulate
from security_dilemma.errors import BadInput
from security_dilemma.history import (
    CLIP,
    Backtest,
    FitParameter,
    backtest,
    bootstrap_difference,
    brier,
    calibration,
    classify_observables,
    climatology,
    fit_lens,
    fit_parameter,
    log_loss,
    skill_score,
)
from security_dilemma.scenario import Case, parse_case_text
from security_dilemma.scenario.schema import Observable

CASE = """
schema_version: 1
id: two-blocs
title: Two blocs
summary: A synthetic case of two alliances facing each other.
span: {start: 2000, end: 2009, step: year}
actors:
  - {id: ALF, name: Alfa, capital: "50.0,5.0", source: s}
  - {id: BRA, name: Bravo, capital: "52.0,12.0", source: s}
  - {id: CHA, name: Charlie, capital: "53.0,25.0", source: s}
  - {id: DEL, name: Delta, capital: "48.0,30.0", source: s}
capabilities:
  - {actor: ALF, milex: 100, source: s}
  - {actor: BRA, milex: 80, source: s}
  - {actor: CHA, milex: 120, source: s}
  - {actor: DEL, milex: 60, source: s}
alliances:
  - {id: west, name: West, members: [ALF, BRA], commitment: 0.9, source: s}
  - {id: east, name: East, members: [CHA, DEL], commitment: 0.9, source: s}
identities:
  - {between: [ALF, BRA], value: 0.9, source: s}
  - {between: [CHA, DEL], value: 0.9, source: s}
  - {between: [ALF, CHA], value: -0.9, source: s}
  - {between: [ALF, DEL], value: -0.9, source: s}
  - {between: [BRA, CHA], value: -0.9, source: s}
  - {between: [BRA, DEL], value: -0.9, source: s}
events:
  - id: clash
    date: 2003-05-01
    title: A clash between Alfa and Charlie
    kind: crisis
    effects: [{type: crisis, between: [ALF, CHA], level: dispute}]
    source: s
sources:
  - {id: s, citation: Synthetic test case, kind: assumption}
"""

LENS = "constructivism"
KINDS = ("allies", "opposes", "endorses")


def base_case() -> Case:
    return parse_case_text(CASE, "two-blocs.yaml")


def candidates(case: Case, years: range) -> list[Observable]:
    ids = case.actor_ids()
    return [
        Observable(
            id=f"{kind}-{a}-{b}-{year}",
            kind=kind,
            actor=a,
            counterpart=b,
            start=year,
            end=year,
            occurred=True,
            source="s",
        )
        for kind in KINDS
        for a in ids
        for b in ids
        if a != b
        for year in years
    ]


def model_record(years: range = range(2000, 2010, 3)) -> Case:
    """The case with a record written by the model itself: a reference run (seed 99) of the
    constructivist lens decides what 'happened'; only clear-cut observables are kept."""
    case = base_case()
    cands = candidates(case, years)
    ref = simulate(case, lens=LENS, replicates=200, seed=99, observables=cands)
    kept = [
        o.model_copy(update={"occurred": ref.observables[o.id] >= 0.5})
        for o in cands
        if ref.observables[o.id] <= 0.1 or ref.observables[o.id] >= 0.9
    ]
    return case.model_copy(update={"observables": kept})


# --- scoring rules against hand computation -------------------------------------------------


def test_brier_and_log_loss_by_hand() -> None:
    p, y = [0.9, 0.2, 0.5], [1, 0, 1]
    assert_allclose(brier(p, y), (0.01 + 0.04 + 0.25) / 3)
    assert_allclose(log_loss(p, y), -(math.log(0.9) + math.log(0.8) + math.log(0.5)) / 3)


def test_log_loss_clips_certain_misses() -> None:
    assert CLIP == 1e-6
    assert_allclose(log_loss([0.0], [1]), -math.log(1e-6))
    assert_allclose(log_loss([1.0], [0]), -math.log(1e-6), rtol=1e-6)
    assert log_loss([1.0, 0.0], [1, 0]) < 1e-5


def test_skill_score() -> None:
    assert_allclose(skill_score(0.1, 0.25), 0.6)
    assert_allclose(skill_score(0.5, 0.25), -1.0)
    assert math.isnan(skill_score(0.1, 0.0))


def test_calibration_bins_by_hand() -> None:
    bins = calibration([0.05, 0.15, 0.12, 0.95, 1.0], [0, 1, 0, 1, 1], bins=5)
    assert [b.count for b in bins] == [3, 0, 0, 0, 2]
    assert_allclose(bins[0].mean_p or 0, (0.05 + 0.15 + 0.12) / 3)
    assert_allclose(bins[0].observed or 0, 1 / 3)
    assert bins[1].mean_p is None and bins[1].observed is None
    assert_allclose([bins[4].lower, bins[4].upper], [0.8, 1.0])
    assert_allclose([bins[4].mean_p or 0, bins[4].observed or 0], [0.975, 1.0])


def test_climatology_by_hand() -> None:
    # i=0: others {1, 2}: r = (1+1)/(2+2) = 0.5; same kind {1}: (0 + 0.5)/(1 + 1) = 0.25
    # i=1: others {0, 2}: r = (2+1)/4 = 0.75; same kind {0}: (1 + 0.75)/2 = 0.875
    # i=2: others {0, 1}: r = 0.5; no other of its kind: (0 + 0.5)/1 = 0.5
    assert_allclose(climatology(["a", "a", "b"], [1, 0, 1]), [0.25, 0.875, 0.5])
    # with a training reference, test observables use only the training ones
    got = climatology(["a", "a", "a"], [1, 1, 0], reference=[True, False, False])
    # i=0 sees nothing: r = 1/2, (0 + 0.5)/1; i=1, i=2 see observable 0: r = 2/3, (1 + 2/3)/2
    assert_allclose(got, [0.5, 5 / 6, 5 / 6])


@given(
    st.lists(st.tuples(st.sampled_from("abc"), st.booleans()), min_size=1, max_size=30),
    st.data(),
)
def test_climatology_never_sees_the_outcome_it_forecasts(
    rows: list[tuple[str, bool]], data: Any
) -> None:
    kinds = [k for k, _ in rows]
    y = [v for _, v in rows]
    i = data.draw(st.integers(0, len(rows) - 1))
    flipped = list(y)
    flipped[i] = not flipped[i]
    assert_allclose(climatology(kinds, y)[i], climatology(kinds, flipped)[i])


@given(
    st.lists(st.tuples(st.floats(0, 1, allow_nan=False), st.booleans()), min_size=1, max_size=40),
    st.integers(1, 12),
)
def test_score_bounds_and_bin_counts(rows: list[tuple[float, bool]], bins: int) -> None:
    p = [x for x, _ in rows]
    y = [int(v) for _, v in rows]
    assert 0.0 <= brier(p, y) <= 1.0
    assert log_loss(p, y) >= 0.0
    assert brier(y, y) == 0.0
    table = calibration(p, y, bins)
    assert sum(b.count for b in table) == len(p)
    for b in table:
        if b.count:
            assert b.lower <= (b.mean_p or 0) <= b.upper + 1e-12


def test_bootstrap_difference_is_seeded_and_centred() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.random(50), rng.random(50)
    one = bootstrap_difference(a, b, seed=3, resamples=500)
    two = bootstrap_difference(a, b, seed=3, resamples=500)
    assert one == two
    assert_allclose(one.estimate, float((a - b).mean()))
    assert one.low <= one.estimate <= one.high
    same = bootstrap_difference(a, a, seed=3, resamples=200)
    assert same.low == same.high == 0.0


def test_scoring_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="outcomes"):
        brier([0.5], [2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        brier([1.5], [1])
    with pytest.raises(ValueError, match="probabilities but"):
        brier([0.5, 0.5], [1])


# --- the backtest ------------------------------------------------------------------------


def test_a_lens_beats_climatology_when_the_model_wrote_the_record() -> None:
    case = model_record()
    ys = [o.occurred for o in case.observables]
    assert 0.2 < np.mean(ys) < 0.8, "the record must mix outcomes within kinds"
    bt = backtest(case, lenses=[LENS], replicates=100, seed=0)
    lb = bt.lens(LENS)
    assert lb.scores.n == len(case.observables)
    assert lb.scores.brier < 0.05
    assert bt.climatology.brier > 0.15
    assert lb.scores.brier_skill > 0.5
    diff = next(c.difference for c in bt.comparisons if c.a == LENS and c.b == "climatology")
    assert diff.high < 0.0
    assert set(lb.by_kind) <= set(KINDS)
    assert sum(b.count for b in lb.calibration) == lb.scores.n


def test_observables_imposed_by_events_are_not_scored() -> None:
    case = base_case()
    obs = [
        Observable(id="clash", kind="crisis", actor="ALF", counterpart="CHA", start=2003,
                   end=2003, occurred=True, source="s"),
        Observable(id="calm", kind="crisis", actor="ALF", counterpart="CHA", start=2005,
                   end=2006, occurred=False, source="s"),
        Observable(id="nowar", kind="war", actor="CHA", counterpart="ALF", start=2003,
                   end=2003, occurred=False, source="s"),
    ]  # fmt: skip
    classes = classify_observables(case.model_copy(update={"observables": obs}))
    assert classes == {
        "clash": ("all", "given"),
        "calm": ("all", "scored"),
        "nowar": ("all", "scored"),
    }


def test_train_test_split_is_honoured() -> None:
    case = model_record(range(2000, 2010))
    year = 2004
    calls: list[tuple[dict[str, float] | None, set[str]]] = []

    def spy(c: Case, **kw: Any) -> Any:
        calls.append((kw.get("overrides"), {o.id for o in c.observables}))
        return simulate(c, **kw)

    bt = backtest(
        case, lenses=[LENS], replicates=30, seed=0, train_until=year, fit_budget=8,
        fit_replicates=10, simulate=spy,
    )  # fmt: skip
    classes = classify_observables(case, year)
    train = {k for k, (w, s) in classes.items() if w == "train" and s == "scored"}
    test = {k for k, (w, s) in classes.items() if w == "test" and s == "scored"}
    assert train and test and not train & test
    for o in case.observables:
        if o.id in train:
            assert o.end.year <= year
        if o.id in test:
            assert o.start.year > year
    lb = bt.lens(LENS)
    assert lb.fit is not None and set(lb.fit.train_ids) == train
    fitting = [ids for _, ids in calls[1:-1]]  # first: unfitted run; last: fitted scoring run
    assert len(fitting) == lb.fit.evaluations
    for ids in fitting:
        assert ids == train, "a fitting run saw observables outside the training window"
    assert lb.scores.n == len(test) and lb.in_sample is not None and lb.in_sample.n == len(train)
    # the fit does not change when what happened in the test window changes
    flipped = case.model_copy(
        update={
            "observables": [
                o.model_copy(update={"occurred": not o.occurred}) if o.id in test else o
                for o in case.observables
            ]
        }
    )
    again = backtest(
        flipped, lenses=[LENS], replicates=30, seed=0, train_until=year, fit_budget=8,
        fit_replicates=10,
    )  # fmt: skip
    refit = again.lens(LENS).fit
    assert refit is not None and refit.values == lb.fit.values


def test_fit_lowers_the_training_objective() -> None:
    case = model_record()
    # start far from the case's values: a weak reaction and a large random shock
    fit = fit_lens(
        case,
        "realism",
        (FitParameter("richardson.shock", 0.0, 0.3), FitParameter("offence_dominance", 0, 1)),
        replicates=20,
        budget=12,
    )
    assert fit.train_objective <= fit.start_objective
    assert fit.evaluations <= 14
    for p in fit.parameters:
        assert p.low <= fit.values[p.name] <= p.high


def test_same_seed_same_backtest() -> None:
    case = model_record()
    one = backtest(case, lenses=["realism", "pyramid"], replicates=40, seed=5)
    two = backtest(case, lenses=["realism", "pyramid"], replicates=40, seed=5)
    assert one.to_json() == two.to_json()
    three = backtest(case, lenses=["realism", "pyramid"], replicates=40, seed=6)
    ps = [q.p for q in one.lens("realism").predictions]
    assert ps != [q.p for q in three.lens("realism").predictions]


def test_backtest_reuses_runs() -> None:
    case = model_record()
    runs = {lens: simulate(case, lens=lens, replicates=40, seed=2) for lens in ("realism",)}
    bt = backtest(case, results=runs)
    assert isinstance(bt, Backtest) and bt.replicates == 40 and bt.seed == 2
    direct = backtest(case, lenses=["realism"], replicates=40, seed=2)
    assert_allclose(bt.lens("realism").scores.brier, direct.lens("realism").scores.brier)


def test_bad_backtest_input() -> None:
    case = model_record()
    with pytest.raises(BadInput, match="did you mean 'realism'"):
        backtest(case, lenses=["realsm"])
    with pytest.raises(BadInput, match="train_until"):
        backtest(case, train_until=2011)
    with pytest.raises(BadInput, match="no observables"):
        backtest(base_case())
    with pytest.raises(BadInput, match="did you mean") as info:
        fit_parameter("crisis_bse")
    assert info.value.problems[0].path == "name"
    with pytest.raises(BadInput, match="need low < high") as info:
        fit_parameter("noise", 1, 0)
    assert info.value.problems[0].path == "high"
    with pytest.raises(BadInput, match="positive low"):
        fit_parameter("richardson.g", log=True)
    assert fit_parameter("noise", 0.01, 0.5, log=True).log


# --- the command ----------------------------------------------------------------------------


def run_cli(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capfd.readouterr()
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capfd.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_backtest_command_json(tmp_path: Any, capfd: pytest.CaptureFixture[str]) -> None:
    import yaml

    case = model_record()
    path = tmp_path / "two-blocs.yaml"
    data = case.model_dump(mode="json", by_alias=True, exclude_none=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, _ = run_cli(
        capfd, "backtest", str(path), "--lens", "realism,constructivism", "-n", "20", "--json"
    )
    assert code == 0, out
    doc = json.loads(out)
    assert doc["ok"] is True and doc["case"] == "two-blocs" and doc["window"] == "all"
    assert set(doc["lenses"]) == {"realism", "constructivism"}
    lens = doc["lenses"]["constructivism"]
    assert {"scores", "by_kind", "calibration", "predictions", "fit"} <= set(lens)
    first = lens["predictions"][0]
    assert {"id", "kind", "actor", "counterpart", "start", "end", "occurred", "p"} <= set(first)
    assert doc["climatology"]["scores"]["n"] == len(case.observables)
    assert doc["ranking"][0] == "constructivism"
    code, out, _ = run_cli(capfd, "backtest", str(path), "--lens", "constructivism", "-n", "20")
    assert code == 0 and "climatology" in out and "Best lens" in out


def test_backtest_command_bad_input(capfd: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capfd, "backtest", "bmd-europe", "--lens", "realsm")
    assert code == 2 and "did you mean 'realism'" in err
    code, out, _ = run_cli(capfd, "backtest", "bmd-europe", "--train-until", "1990", "--json")
    assert code == 2 and json.loads(out)["error"] == "bad_input"
    code, _, err = run_cli(capfd, "backtest", "bmd-europe", "--fit", "richardson.kk")
    assert code == 2 and "did you mean" in err
