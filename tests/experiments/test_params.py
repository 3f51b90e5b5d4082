"""Parsing ``--param`` specifications into values, grids and bounds."""

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
from security_dilemma.experiments.params import (
    MAX_POINTS,
    Point,
    check_names,
    grid,
    lens_label,
    parse_bound,
    parse_lens,
    parse_spec,
    parse_specs,
)


def test_range_is_inclusive_linspace() -> None:
    spec = parse_spec("lenses.realism.k=0.1:1.0:10")
    assert spec.name == "lenses.realism.k"
    assert_allclose(spec.values, np.linspace(0.1, 1.0, 10))
    assert spec.values[0] == 0.1 and spec.values[-1] == 1.0


def test_log_range_list_and_single_value() -> None:
    assert_allclose(parse_spec("k=0.01:1:3:log").values, [0.01, 0.1, 1.0])
    assert parse_spec("distinguishability=0,0.5,1").values == (0.0, 0.5, 1.0)
    assert parse_spec(" noise = 0.3 ").values == (0.3,)
    assert parse_spec("k=1,0.5").values == (1.0, 0.5)  # the order given is kept


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k=1:0:5", "range start 1 must be below its stop 0"),
        ("k=abc", "'abc' is not a number"),
        ("k=0:1:x", "count 'x' is not a whole number"),
        ("k=0:1:1", "at least 2"),
        ("k=0:1", "a range is START:STOP:COUNT"),
        ("k=0:1:3:lin", "a range is START:STOP:COUNT"),
        ("k=0:1:3:log", "positive start"),
        ("k=1,1", "listed twice"),
        ("k=nan", "not a finite number"),
        ("k", "expected NAME=VALUES"),
        ("=1", "expected NAME=VALUES"),
        ("k=", "expected NAME=VALUES"),
    ],
)
def test_malformed_specs_are_bad_input(text: str, message: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_spec(text)
    assert message in str(info.value)
    assert info.value.problems[0].path == "--param"


def test_every_problem_is_reported_at_once() -> None:
    case = load_case("bmd-europe")
    with pytest.raises(BadInput) as info:
        parse_specs(
            ["k=abc", "distinguishability=0:2:3", "richardson.kk=1", "noise=0.1", "noise=0.2"],
            case,
        )
    text = str(info.value)
    assert "'abc' is not a number" in text
    assert "distinguishability=2: Input should be less than or equal to 1" in text
    assert "unknown parameter 'richardson.kk' (did you mean 'richardson.k'" in text
    assert "'noise' is given twice" in text


def test_check_names_accepts_valid_values() -> None:
    check_names(load_case("bmd-europe"), {"distinguishability": [0.0, 1.0], "richardson.k": [2]})


def test_grid_is_full_factorial_in_name_order() -> None:
    specs = parse_specs(["b=1,2,3", "a=0:1:2"])
    assert [s.name for s in specs] == ["a", "b"]
    points = grid(specs)
    assert [p.overrides for p in points] == [
        {"a": a, "b": b} for a in (0.0, 1.0) for b in (1.0, 2.0, 3.0)
    ]
    assert grid(specs, ["realism", "pyramid"])[6] == Point((("a", 0.0), ("b", 1.0)), "pyramid")
    assert grid(()) == (Point(()),)


def test_grid_size_is_capped() -> None:
    big = parse_specs(["a=0:1:1001", "b=0:1:1001"])
    with pytest.raises(BadInput, match=f"at most {MAX_POINTS:,}"):
        grid(big)


@given(
    a=st.floats(-1e6, 1e6, allow_nan=False),
    width=st.floats(1e-3, 1e6),
    n=st.integers(2, 200),
)
def test_range_endpoints_count_and_order(a: float, width: float, n: int) -> None:
    b = a + width
    values = parse_spec(f"x={a!r}:{b!r}:{n}").values
    assert len(values) == n
    assert values[0] == a and math.isclose(values[-1], b, rel_tol=1e-12, abs_tol=1e-9)
    assert all(x < y for x, y in itertools.pairwise(values))


@given(st.lists(st.integers(1, 4), min_size=0, max_size=4))
def test_grid_size_is_product_and_points_distinct(sizes: list[int]) -> None:
    specs = [parse_spec(f"p{i}=" + ",".join(str(v) for v in range(k))) for i, k in enumerate(sizes)]
    points = grid(specs)
    assert len(points) == math.prod(sizes)
    assert len(set(points)) == len(points)


def test_bounds() -> None:
    assert parse_bound("k=0.1:2").lo == 0.1
    for bad, message in [("k=2:1", "must be below"), ("k=1", "NAME=LOW:HIGH"), ("k=a:1", "not a")]:
        with pytest.raises(BadInput, match=message):
            parse_bound(bad)


def test_lens_specs() -> None:
    case = load_case("bmd-europe")
    assert parse_lens(case, "realism") == "realism"
    assert parse_lens(case, "USA=liberalism, RUS=realism") == "RUS=realism,USA=liberalism"
    assert lens_label("RUS=realism,USA=liberalism") == {"RUS": "realism", "USA": "liberalism"}
    with pytest.raises(BadInput, match="did you mean 'realism'"):
        parse_lens(case, "realsm")
    with pytest.raises(BadInput, match="unknown actor 'RUX'"):
        parse_lens(case, "RUX=realism")
