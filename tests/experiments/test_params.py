"""Swept parameters and sensitivity bounds as Python data: records, grids, lens labels.

The command line's ``NAME=...`` texts are parsed in ``security_dilemma.cli`` (tests/cli).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from security_dilemma import load_case
from security_dilemma.errors import BadInput
from security_dilemma.experiments import sensitivity_plan, sweep_plan
from security_dilemma.experiments.params import (
    MAX_POINTS,
    Bound,
    ParameterSpec,
    Point,
    check_names,
    engine_lens,
    grid,
    lens_label,
    parameter_bounds,
    parameter_specs,
)


def test_range_is_inclusive_linspace() -> None:
    spec = ParameterSpec.between("lenses.realism.k", 0.1, 1.0, 10)
    assert spec.name == "lenses.realism.k"
    assert_allclose(spec.values, np.linspace(0.1, 1.0, 10))
    assert spec.values[0] == 0.1 and spec.values[-1] == 1.0


def test_log_range_list_and_single_value() -> None:
    assert_allclose(ParameterSpec.between("k", 0.01, 1, 3, log=True).values, [0.01, 0.1, 1.0])
    assert ParameterSpec("distinguishability", [0, 0.5, 1]).values == (0.0, 0.5, 1.0)
    assert ParameterSpec("k", np.array([1, 0.5])).values == (1.0, 0.5)  # the order is kept
    specs = parameter_specs({"noise": 0.3, "k": (1, 0.5)})
    assert specs == (ParameterSpec("k", (1.0, 0.5)), ParameterSpec("noise", (0.3,)))
    assert parameter_specs([ParameterSpec("b", [1]), ParameterSpec("a", [2])])[0].name == "a"


@pytest.mark.parametrize(
    ("make", "path", "message"),
    [
        (lambda: ParameterSpec.between("k", 1, 0, 5), "high", "range start 1 must be below"),
        (lambda: ParameterSpec.between("k", 0, 1, 1), "n", "at least 2"),
        (lambda: ParameterSpec.between("k", 0, 1, 2.5), "n", "at least 2"),
        (lambda: ParameterSpec.between("k", 0, 1, 3, log=True), "low", "positive start"),
        (lambda: ParameterSpec("k", [1, 1]), "values", "listed twice"),
        (lambda: ParameterSpec("k", [math.nan]), "values", "not a finite number"),
        (lambda: ParameterSpec("k", ["abc"]), "values", "'abc' is not a number"),
        (lambda: ParameterSpec("k", []), "values", "at least one value"),
        (lambda: ParameterSpec("k", "0.1,0.2"), "values", "expected numbers"),
        (lambda: ParameterSpec("", [1]), "name", "a parameter name"),
        (lambda: Bound("k", 2, 1), "high", "must be below"),
        (lambda: Bound("k", 0, math.inf), "high", "not a finite number"),
    ],
)
def test_malformed_records_are_bad_input(make: object, path: str, message: str) -> None:
    with pytest.raises(BadInput) as info:
        make()  # type: ignore[operator]
    assert message in str(info.value)
    assert info.value.problems[0].path == path


def test_problems_name_the_python_parameters_at_once() -> None:
    with pytest.raises(BadInput) as info:
        parameter_specs({"k": ["abc"], "noise": [0.1, 0.1], "richardson.k": [1]})
    paths = {p.path: p.message for p in info.value.problems}
    assert set(paths) == {"parameters['k']", "parameters['noise']"}
    case = load_case("bmd-europe")
    with pytest.raises(BadInput) as info:
        sweep_plan(case, {"distinguishability": [0, 2], "richardson.kk": 1}, chunk_size=0)
    assert [p.path for p in info.value.problems] == ["chunk_size"]
    with pytest.raises(BadInput) as info:
        sweep_plan(case, {"distinguishability": [0, 2], "richardson.kk": 1})
    text = str(info.value)
    assert "parameters['distinguishability']: distinguishability=2: Input should be" in text
    assert "parameters['richardson.kk']: unknown parameter 'richardson.kk' (did you mean" in text
    assert "--" not in text


def test_text_is_refused_with_the_data_to_pass() -> None:
    with pytest.raises(BadInput, match=r"is text: pass a mapping such as \{'distinguishability'"):
        sweep_plan("bmd-europe", ["distinguishability=0.2,0.8"])  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="expected a Bound"):
        parameter_bounds([("k", 0, 1)])  # type: ignore[list-item]


def test_bounds_as_mapping_or_records() -> None:
    assert parameter_bounds({"k": (0.1, 2), "a": [0, 1]}) == (Bound("a", 0, 1), Bound("k", 0.1, 2))
    with pytest.raises(BadInput) as info:
        parameter_bounds({"k": (2, 1), "a": 3})
    assert {p.path for p in info.value.problems} == {"parameters['k']", "parameters['a']"}
    with pytest.raises(BadInput) as info:
        sensitivity_plan("bmd-europe", {"k": (0, 1)}, samples=100, levels=1)
    assert [p.path for p in info.value.problems] == ["levels"]
    with pytest.raises(BadInput, match="at least two parameter ranges") as info:
        sensitivity_plan("bmd-europe", {"noise": (0, 0.2)})
    assert info.value.problems[0].path == "parameters"
    with pytest.raises(BadInput, match="power of 2") as info:
        sensitivity_plan("bmd-europe", {"noise": (0, 0.2), "distinguishability": (0, 1)}, samples=6)
    assert info.value.problems[0].path == "samples"


def test_check_names_accepts_valid_values() -> None:
    check_names(load_case("bmd-europe"), {"distinguishability": [0.0, 1.0], "richardson.k": [2]})


def test_grid_is_full_factorial_in_name_order() -> None:
    specs = parameter_specs({"b": [1, 2, 3], "a": [0, 1]})
    assert [s.name for s in specs] == ["a", "b"]
    points = grid(specs)
    assert [p.overrides for p in points] == [
        {"a": a, "b": b} for a in (0.0, 1.0) for b in (1.0, 2.0, 3.0)
    ]
    assert grid(specs, ["realism", "pyramid"])[6] == Point((("a", 0.0), ("b", 1.0)), "pyramid")
    assert grid(()) == (Point(()),)


def test_grid_size_is_capped() -> None:
    big = parameter_specs({"a": np.linspace(0, 1, 1001), "b": np.linspace(0, 1, 1001)})
    with pytest.raises(BadInput, match=f"at most {MAX_POINTS:,}") as info:
        grid(big)
    assert info.value.problems[0].path == "parameters"


@given(
    a=st.floats(-1e6, 1e6, allow_nan=False),
    width=st.floats(1e-3, 1e6),
    n=st.integers(2, 200),
)
def test_range_endpoints_count_and_order(a: float, width: float, n: int) -> None:
    b = a + width
    values = ParameterSpec.between("x", a, b, n).values
    assert len(values) == n
    assert values[0] == a and values[-1] == b
    assert all(x < y for x, y in itertools.pairwise(values))


@given(st.lists(st.integers(1, 4), min_size=0, max_size=4))
def test_grid_size_is_product_and_points_distinct(sizes: list[int]) -> None:
    specs = parameter_specs({f"p{i}": range(k) for i, k in enumerate(sizes)})
    points = grid(specs)
    assert len(points) == math.prod(sizes)
    assert len(set(points)) == len(points)


def test_lens_labels() -> None:
    case = load_case("bmd-europe")
    actors = case.actor_ids()
    assert lens_label(case, "realism") == "realism"
    assert lens_label(case, {"USA": "liberalism", "RUS": "realism"}) == (
        "RUS=realism,USA=liberalism"
    )
    every = {a: "realism" for a in actors}
    assert lens_label(case, every) == "realism"
    label = lens_label(case, every | {"RUS": "pyramid"})
    assert label == "realism,RUS=pyramid"
    assert engine_lens(label, actors) == every | {"RUS": "pyramid"}
    assert engine_lens("RUS=realism,USA=liberalism", actors) == {
        "RUS": "realism",
        "USA": "liberalism",
    }
    with pytest.raises(BadInput, match="did you mean 'realism'") as info:
        lens_label(case, "realsm")
    assert info.value.problems[0].path == "lens"
    with pytest.raises(BadInput, match="unknown actor 'RUX'") as info:
        lens_label(case, {"RUX": "realism"}, path="lenses[1]")
    assert info.value.problems[0].path == "lenses[1]['RUX']"


def test_sweep_lenses_are_settings_and_label_the_points() -> None:
    case = load_case("bmd-europe")
    plan = sweep_plan(
        case, {"noise": 0.1}, lenses=["realism", None, {"USA": "liberalism"}], replicates=2
    )
    assert [p.lens for p in plan.points] == ["realism", "", "USA=liberalism"]
    assert sweep_plan(case, lenses="realism").points == (Point((), "realism"),)
    with pytest.raises(BadInput, match="given twice") as info:
        sweep_plan(case, lenses=["realism", {a: "realism" for a in case.actor_ids()}])
    assert info.value.problems[0].path == "lenses[1]"
