"""Sensitivity analysis: SALib plumbing checked on functions with known indices, then the
real engine end to end (sample, run, store, analyse, plot)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from SALib.test_functions import Ishigami

from security_dilemma.cli.experiments import parse_output
from security_dilemma.errors import BadInput
from security_dilemma.experiments import Bound, Store, analyze, plot_indices
from security_dilemma.experiments.sensitivity import sample

from .conftest import Run

PI = float(np.pi)
ISHIGAMI = [Bound(f"x{i}", -PI, PI) for i in (1, 2, 3)]


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """Analytic first-order and total indices of the Ishigami function."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return [v1 / var, v2 / var, 0.0], [(v1 + v13) / var, v2 / var, v13 / var]


def test_sobol_recovers_the_ishigami_indices() -> None:
    x = sample("sobol", ISHIGAMI, 2048, seed=3)
    assert x.shape == (2048 * 8, 3)
    idx = analyze("sobol", ISHIGAMI, x, Ishigami.evaluate(x), seed=3)
    s1, st = ishigami_indices()
    got = idx.set_index(["index", "parameter"])["value"]
    conf = idx.set_index(["index", "parameter"])["conf"]
    for i, name in enumerate(("x1", "x2", "x3")):
        assert_allclose(got["S1", name], s1[i], atol=0.03)
        assert_allclose(got["ST", name], st[i], atol=0.03)
        assert 0 < conf["S1", name] < 0.1 and 0 < conf["ST", name] < 0.1
    s2 = idx[idx["index"] == "S2"].set_index(["parameter", "parameter2"])["value"]
    assert_allclose(s2["x1", "x3"], st[0] - s1[0], atol=0.06)  # the only interaction
    assert_allclose(s2["x1", "x2"], 0, atol=0.05)


def test_morris_recovers_linear_effects() -> None:
    bounds = [Bound("a", 0, 1), Bound("b", 0, 1), Bound("c", 0, 2)]
    x = sample("morris", bounds, 20, seed=1)
    assert x.shape == (20 * 4, 3)
    y = 3 * x[:, 0] - 2 * x[:, 1] + 0 * x[:, 2]
    idx = analyze("morris", bounds, x, y, seed=1).set_index(["index", "parameter"])["value"]
    assert_allclose([idx["mu", "a"], idx["mu", "b"], idx["mu", "c"]], [3, -2, 0], atol=1e-9)
    assert_allclose([idx["mu_star", "a"], idx["mu_star", "b"]], [3, 2], atol=1e-9)
    assert_allclose([idx["sigma", "a"], idx["sigma", "b"]], [0, 0], atol=1e-9)


def test_bad_sensitivity_settings() -> None:
    with pytest.raises(BadInput, match="power of 2"):
        sample("sobol", ISHIGAMI, 100)
    with pytest.raises(BadInput, match="did you mean 'sobol'"):
        sample("sobl", ISHIGAMI, 64)
    with pytest.raises(BadInput, match="at least two"):
        sample("morris", ISHIGAMI[:1], 10)
    with pytest.raises(BadInput, match="METRIC:ACTOR"):
        parse_output("a:b:c:d")
    assert str(parse_output("crisis_prob:USA:RUS")) == "crisis_prob:USA:RUS"


def test_plot_has_error_bars(tmp_path: Path) -> None:
    x = sample("sobol", ISHIGAMI, 256, seed=1)
    idx = analyze("sobol", ISHIGAMI, x, Ishigami.evaluate(x), seed=1)
    out = plot_indices(idx, tmp_path / "ishigami.png", title="Ishigami")
    assert out.stat().st_size > 10_000
    svg = plot_indices(idx, tmp_path / "ishigami.svg").read_text()
    assert svg.count("<path") > 10


def test_sensitivity_of_the_engine_end_to_end(dilemma: Run, tmp_path: Path) -> None:
    store, plot = tmp_path / "s.duckdb", tmp_path / "morris.png"
    args = [
        "sensitivity",
        "bmd-europe",
        "--method",
        "morris",
        "--param",
        "offence_dominance=0.1:0.9",
        "--param",
        "distinguishability=0:1",
        "--samples",
        "4",
        "--replicates",
        "4",
        "--metrics",
        "crisis_prob",
        "--no-restraint",
        "--output",
        "crisis_prob:USA:RUS",
        "--executor",
        "serial",
        "--store",
        str(store),
    ]
    res = dilemma(*args, "--plot", str(plot), "--json")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert doc["points"] == 4 * 3 and doc["sweep"]["computed"] == 12
    idx = {(i["index"], i["parameter"]): i for i in doc["indices"]}
    assert set(idx) == {
        (k, p)
        for k in ("mu", "mu_star", "sigma")
        for p in ("distinguishability", "offence_dominance")
    }
    # the crisis hazard rises with offence dominance (MODEL.md section 3.6)
    assert idx["mu", "offence_dominance"]["value"] > 0
    assert plot.stat().st_size > 10_000
    with Store.open(store, create=False, read_only=True) as st:
        saved = st.table(doc["run_id"], "sensitivity")
        points = st.table(doc["run_id"], "points")
    assert len(saved) == 6 and set(saved["output"]) == {"crisis_prob:USA:RUS"}
    assert points["offence_dominance"].between(0.1, 0.9).all()
    # the same command again reuses every chunk; a wrong output name is bad input
    again = json.loads(dilemma(*args, "--json").out)
    assert again["sweep"]["computed"] == 0 and again["indices"] == doc["indices"]
    wrong = dilemma(*(a.replace(":RUS", ":RUX") for a in args))
    assert wrong.code == 2 and "did you mean 'crisis_prob:USA:RUS'" in wrong.err


def test_sobol_of_the_engine_through_the_command(dilemma: Run, tmp_path: Path) -> None:
    res = dilemma(
        "sensitivity",
        "bmd-europe",
        "--param",
        "offence_dominance=0.1:0.9",
        "--param",
        "noise=0:0.2",
        "--samples",
        "2",
        "--replicates",
        "2",
        "--metrics",
        "security",
        "--no-restraint",
        "--output",
        "security:RUS",
        "--executor",
        "serial",
        "--store",
        str(tmp_path / "s.duckdb"),
        "--json",
    )
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert doc["points"] == 2 * (2 * 2 + 2) and doc["method"] == "sobol"
    kinds = sorted((i["index"], i["parameter"], i["parameter2"]) for i in doc["indices"])
    assert kinds == [
        ("S1", "noise", ""),
        ("S1", "offence_dominance", ""),
        ("S2", "noise", "offence_dominance"),
        ("ST", "noise", ""),
        ("ST", "offence_dominance", ""),
    ]
    assert all(i["conf"] is None or i["conf"] >= 0 for i in doc["indices"])


def test_sobol_intervals_are_reproducible_with_seed_zero() -> None:
    """SALib's ``sobol.analyze`` treats ``seed=0`` as no seed; the default seed 0 must still
    give the same bootstrap intervals every time."""
    bounds = [Bound(name, -np.pi, np.pi) for name in ("x1", "x2", "x3")]
    x = sample("sobol", bounds, 64, seed=0)
    y = Ishigami.evaluate(x)
    first = analyze("sobol", bounds, x, y, seed=0, resamples=50)
    again = analyze("sobol", bounds, x, y, seed=0, resamples=50)
    assert first["conf"].tolist() == again["conf"].tolist()
