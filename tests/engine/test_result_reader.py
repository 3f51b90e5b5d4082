"""A Result in Python and notebooks: pickles, a short repr and an HTML one, xarray, files that
load back bit for bit, a plot; several lenses in one call; the names at the package root."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest

import security_dilemma as sd
from security_dilemma.engine import Result, simulate, simulate_lenses
from security_dilemma.errors import BadInput


@pytest.fixture(scope="module")
def result() -> Result:
    return simulate("cuban-missile-crisis", lens="realism", replicates=6, seed=4)


def same(a: Result, b: Result) -> None:
    """Every field of ``a`` and ``b`` is equal; arrays bit for bit."""
    for f in dataclasses.fields(Result):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), f.name
        elif f.name == "layout":
            assert x.metrics == y.metrics and x.actors == y.actors
            for k in ("metric_index", "actor_index", "counterpart_index"):
                assert np.array_equal(getattr(x, k), getattr(y, k))
        else:
            assert x == y, f.name


def test_a_result_pickles(result: Result) -> None:
    back = pickle.loads(pickle.dumps(result))
    same(result, back)
    assert not back.means.flags.writeable
    assert back.summary() == result.summary()


def test_a_layout_with_some_metrics_pickles() -> None:
    r = simulate("cuban-missile-crisis", replicates=2, metrics=["security", "threat"])
    back = pickle.loads(pickle.dumps(r))
    same(r, back)
    assert [m.name for m in back.layout.metrics].count("threat") == 2  # both scopes


def test_the_repr_is_short_and_the_html_repr_says_what_the_run_is(result: Result) -> None:
    text = repr(result)
    assert len(text) < 200 and "cuban-missile-crisis" in text and "replicates=6" in text
    html = result._repr_html_()
    assert "cuban-missile-crisis" in html and "realism" in html and "6 replicates" in html
    assert f"{result.steps} weekly steps" in html or f"{result.steps} weekly" in html
    assert html.count("<tr>") == 1 + len(result.actors)  # header and one row per actor
    assert f"{result.value('security', 'USA'):.3f}" in html


def test_to_xarray_labels_every_dimension(result: Result) -> None:
    ds = result.to_xarray()
    assert ds["mean"].dims == ("metric", "step", "actor", "counterpart")
    assert ds["quantiles"].dims == ("quantile", "metric", "step", "actor", "counterpart")
    assert list(ds["quantile"].values) == [0.05, 0.5, 0.95]
    assert ds["date"].values[0] == np.datetime64("1962-08-01")
    actor = ds["mean"].sel(metric="security", actor="RUS", counterpart="").values
    assert np.array_equal(actor, result.series("security", "RUS")["mean"].to_numpy())
    dyad = float(ds["quantiles"].sel(quantile=0.95, metric="crisis_prob", actor="USA",
                                     counterpart="CUB", step=3))  # fmt: skip
    assert dyad == result.value("crisis_prob", "USA", "CUB", step=3, stat="q95")
    system = float(ds["mean"].sel(metric="offence_dominance", actor="*", counterpart="", step=0))
    assert system == result.value("offence_dominance", step=0)
    assert np.isnan(ds["mean"].sel(metric="security", actor="RUS", counterpart="USA")).all()


def test_save_and_load_are_bit_identical(tmp_path: Path) -> None:
    r = simulate("cuban-missile-crisis", lens="liberalism", replicates=5, seed=9,
                 keep_replicates=True)  # fmt: skip
    back = Result.load(r.save(tmp_path / "run.nc"))
    same(r, back)
    assert back.replicate_values is not None
    assert back.tidy().equals(r.tidy()) and back.to_json() == r.to_json()


def test_load_refuses_what_is_not_a_result(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file"):
        Result.load(tmp_path / "missing.nc")
    other = tmp_path / "other.nc"
    other.write_text("not netcdf", encoding="utf-8")
    with pytest.raises(BadInput, match=r"not a result saved by Result\.save"):
        Result.load(other)


def test_plot_draws_the_named_actors(result: Result) -> None:
    import matplotlib.pyplot as plt

    ax = result.plot("security", actors=["USA", "RUS"])
    assert [line.get_label() for line in ax.get_lines()] == ["USA", "RUS"]
    assert np.allclose(ax.get_lines()[1].get_ydata(), result.series("security", "RUS")["mean"])
    ax2 = result.plot("crisis_prob", actors=["USA"], counterpart="CUB", band=False)
    assert [line.get_label() for line in ax2.get_lines()] == ["USA-CUB"]
    system = result.plot("offence_dominance")
    assert [line.get_label() for line in system.get_lines()] == ["system"]
    with pytest.raises(BadInput, match=r"unknown metric 'secrity'.*'security'"):
        result.plot("secrity")
    with pytest.raises(BadInput, match="unknown actor 'USR'"):
        result.plot("security", actors=["USR"])
    plt.close("all")


def test_simulate_lenses_speaks_the_command_lines_vocabulary() -> None:
    runs = simulate_lenses("cuban-missile-crisis", "all", replicates=2, seed=3)
    assert list(runs) == ["realism", "liberalism", "constructivism", "pyramid"]
    assert {r.seed for r in runs.values()} == {3}
    alone = simulate("cuban-missile-crisis", lens="liberalism", replicates=2, seed=3)
    assert np.array_equal(runs["liberalism"].means, alone.means)
    own = simulate_lenses("cuban-missile-crisis", ["case"], replicates=2)
    assert own["case"].lens == "pyramid"
    seen: list[int] = []
    simulate_lenses("cuban-missile-crisis", "realism,pyramid", replicates=3, progress=seen.append)
    assert seen[-1] == 6


def test_simulate_lenses_says_each_problem_once() -> None:
    with pytest.raises(BadInput) as info:
        simulate_lenses("cuban-missile-crisis", "al,al,realsm", replicates=2)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 2
    assert "unknown lens 'al'" in messages[0] and "'all'" in messages[0]
    assert "did you mean 'realism'" in messages[1]
    with pytest.raises(BadInput, match="not `lens`"):
        simulate_lenses("cuban-missile-crisis", lens="realism")


def test_simulate_says_a_wrong_lens_once_and_points_all_to_simulate_lenses() -> None:
    with pytest.raises(BadInput) as info:
        simulate("bmd-europe", lens="all", replicates=2)
    (problem,) = info.value.problems
    assert problem.path == "lens" and "simulate_lenses(case, 'all')" in problem.message
    with pytest.raises(BadInput) as info:
        simulate("bmd-europe", lens="realsm", replicates=2)
    (problem,) = info.value.problems
    assert "did you mean 'realism'" in problem.message


def test_the_root_exports_backtest_whatif_and_write_report() -> None:
    from security_dilemma.history import backtest
    from security_dilemma.report import write_report

    assert sd.backtest is backtest and sd.write_report is write_report
    assert sd.whatif.compare is not None and sd.simulate_lenses is simulate_lenses
