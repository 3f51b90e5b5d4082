"""The public API: simulate's arguments, Result's frames and JSON, predict, bad input."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from security_dilemma import BadInput, load_case
from security_dilemma.engine import (
    SYSTEM,
    Result,
    compile_world,
    parse_bytes,
    predict,
    run_world,
    simulate,
)
from security_dilemma.scenario import builtin_case_path
from security_dilemma.scenario.schema import Observable

from .helpers import synthetic


@pytest.fixture(scope="module")
def bmd() -> Result:
    return simulate("bmd-europe", lens="pyramid", replicates=16, seed=2, keep_replicates=True)


def test_case_by_name_path_or_object_gives_the_same_run() -> None:
    by_name = simulate("bmd-europe", lens="realism", replicates=4, restraint=False)
    by_path = simulate(builtin_case_path("bmd-europe"), lens="realism", replicates=4,
                       restraint=False)  # fmt: skip
    by_case = simulate(load_case("bmd-europe"), lens="realism", replicates=4,
                       restraint=False)  # fmt: skip
    np.testing.assert_array_equal(by_name.means, by_path.means)
    np.testing.assert_array_equal(by_name.means, by_case.means)


@pytest.mark.parametrize("flag", [False, True])
def test_the_old_keyword_counterfactual_still_works_with_a_warning(flag: bool) -> None:
    case = synthetic(3, prior=0.5, identity=-0.4)
    new = simulate(case, replicates=6, seed=4, restraint=flag)
    with pytest.warns(DeprecationWarning, match="'counterfactual' is now 'restraint'") as caught:
        old = simulate(case, replicates=6, seed=4, counterfactual=flag)
    assert [w.filename for w in caught] == [__file__]  # points at the caller
    assert old.restraint is new.restraint is flag
    assert old.layout.cells == new.layout.cells
    np.testing.assert_array_equal(old.means, new.means)
    np.testing.assert_array_equal(old.quantiles, new.quantiles)
    with pytest.warns(DeprecationWarning, match=r"run_world\(\)"):
        run = run_world(compile_world(case), replicates=6, seed=4, counterfactual=flag)
    np.testing.assert_array_equal(run.means, new.means)


def test_restraint_and_its_old_name_must_agree() -> None:
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(BadInput, match="give 'restraint' only") as info,
    ):
        simulate(synthetic(2), replicates=2, restraint=False, counterfactual=True)
    assert info.value.problems[0].path == "counterfactual"


def test_lens_argument_forms() -> None:
    case = synthetic(3, lens="constructivism")
    assert simulate(case, replicates=2).lenses == ("constructivism",) * 3
    assert simulate(case, lens="realism", replicates=2).lens == "realism"
    mixed = simulate(case, lens={"A1": "liberalism"}, replicates=2)
    assert mixed.lenses == ("constructivism", "liberalism", "constructivism")
    assert mixed.lens == "mixed: A0=constructivism, A1=liberalism, A2=constructivism"
    default = simulate(synthetic(2), replicates=2)
    assert default.lenses == ("pyramid", "pyramid")


def test_overrides_change_the_run() -> None:
    case = synthetic(3, prior=0.5, identity=-0.4)
    base = simulate(case, replicates=8, restraint=False)
    hot = simulate(
        case,
        replicates=8,
        restraint=False,
        overrides={"offence_dominance": 0.9, "lenses.realism.worst_case": 1.0},
    )
    assert hot.value("threat", "A0") > base.value("threat", "A0")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lens": "realsm"}, "did you mean 'realism'"),
        ({"lens": {"ZZ": "realism"}}, "unknown actor 'ZZ'"),
        ({"replicates": 0}, "replicates: must be an integer from 1 to"),
        ({"seed": -1}, "seed: must be an integer from 0 to"),
        ({"chunk_size": 0}, "chunk_size: must be an integer from 1 to"),
        ({"overrides": {"distinguishabilty": 0.3}}, "did you mean 'distinguishability'"),
        ({"overrides": {"noise": 7.0}}, "less than or equal to 1"),
        ({"max_memory": "lots"}, "not a memory size"),
        ({"max_memory": 1000}, "too small for this run"),
        ({"dtype": "float16"}, "float32 or float64"),
    ],
)
def test_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        simulate(synthetic(2), **kwargs)


def test_unknown_case_suggests_a_name() -> None:
    with pytest.raises(BadInput, match="did you mean 'bmd-europe'"):
        simulate("bmd-europa")


def test_tidy_frame(bmd: Result) -> None:
    frame = bmd.tidy()
    assert list(frame.columns) == [
        "lens", "step", "date", "actor", "counterpart", "metric", "mean", "q05", "q50", "q95",
    ]  # fmt: skip
    assert frame.step.nunique() == 12 and frame.lens.unique().tolist() == ["pyramid"]
    actor = frame[frame.metric == "security"]
    assert set(actor.counterpart) == {""} and set(actor.actor) == set(bmd.actors)
    dyad = frame[frame.metric == "threat"]
    assert (dyad.counterpart != "").sum() == 12 * 13 * 12
    system = frame[frame.metric == "jervis_world"]
    assert set(system.actor) == {SYSTEM}
    assert (frame.q05 <= frame.q50 + 1e-9).all() and (frame.q50 <= frame.q95 + 1e-9).all()
    finite = frame[["mean", "q05", "q50", "q95"]].to_numpy()
    assert np.isfinite(finite).all()


def test_replicates_frame(bmd: Result) -> None:
    frame = bmd.replicates_frame()
    assert list(frame.columns) == [
        "replicate", "step", "date", "actor", "counterpart", "metric", "value",
    ]  # fmt: skip
    final = bmd.replicates_frame(final_only=True)
    assert set(final.step) == {11} and set(final.replicate) == set(range(16))
    one = final[(final.metric == "security") & (final.actor == "RUS")]
    assert np.isclose(one.value.mean(), bmd.value("security", "RUS", step=-1), atol=1e-6)
    with pytest.raises(BadInput, match="keep_replicates"):
        simulate(synthetic(2), replicates=2).replicates_frame()


def test_json_is_complete_and_serialisable(bmd: Result) -> None:
    doc = bmd.to_json()
    text = json.dumps(doc, allow_nan=False)
    assert len(text) > 1000
    assert {"case", "lens", "lenses", "actors", "dates", "replicates", "seed", "metrics",
            "summary", "observables", "notes", "steps"} <= set(doc)  # fmt: skip
    step = doc["steps"][3]
    assert step["date"] == "2004-01-01"
    assert set(step["actors"]["RUS"]["security"]) == {"mean", "q05", "q50", "q95"}
    assert "threat" in step["dyads"]["RUS"]["USA"]
    assert "jervis_world" in step["system"]
    assert doc["summary"]["actors"]["USA"]["lens"] == "pyramid"


def test_case_observables_are_predicted_during_the_run(bmd: Result) -> None:
    case = load_case("bmd-europe")
    simulated = set(case.actor_ids())
    forecast = {  # NATO (an institution) is not simulated
        o.id for o in case.observables if {o.actor, o.counterpart or o.actor} <= simulated
    }
    assert set(bmd.observables) == forecast and len(forecast) < len(case.observables)
    (note,) = [n for n in bmd.notes if n.startswith("observables outside the run")]
    assert all(o.id in note for o in case.observables if o.id not in forecast)
    for obs in case.observables[:25]:
        during = predict(bmd, obs.id)
        after = predict(bmd, obs.model_copy(update={"id": obs.id + "-again"}))
        assert during == after, obs.id  # streaming and stored computations agree
        assert 0.0 <= during <= 1.0


def test_observables_outside_the_run_need_replicates() -> None:
    result = simulate("bmd-europe", replicates=4, restraint=False)
    obs = Observable(id="new", kind="crisis", actor="RUS", counterpart="GEO", start=2008,
                     end=2008, occurred=True, source="seed-article")  # fmt: skip
    with pytest.raises(BadInput, match="keep_replicates"):
        predict(result, obs)
    with pytest.raises(BadInput, match="no prediction for observable 'nope'"):
        predict(result, "nope")
    extra = simulate("bmd-europe", replicates=4, restraint=False, observables=[obs])
    assert extra.observables["new"] == 1.0  # the 2008 war is a dated event of the case


def test_observable_with_an_unknown_actor_is_bad_input() -> None:
    obs = Observable(id="x", kind="arms_up", actor="XXX", start=2003, end=2004, occurred=True,
                     source="s")  # fmt: skip
    with pytest.raises(BadInput, match="unknown actor 'XXX'"):
        simulate("bmd-europe", replicates=2, observables=[obs])


def test_parse_bytes() -> None:
    assert parse_bytes("2GB") == 2_000_000_000
    assert parse_bytes("1.5GiB") == int(1.5 * 2**30)
    assert parse_bytes("512 mb") == 512_000_000
    with pytest.raises(BadInput):
        parse_bytes("-3GB")


def test_case_observables_outside_the_run_are_skipped_with_a_note() -> None:
    obs = {
        "id": "later",
        "kind": "arms_up",
        "actor": "A0",
        "start": 2030,
        "end": 2031,
        "occurred": True,
        "source": "s",
    }
    case = synthetic(2, steps=3, extra={"observables": [obs]})
    result = simulate(case, replicates=2)
    assert "later" not in result.observables
    assert any("not predicted: later" in note for note in result.notes)
