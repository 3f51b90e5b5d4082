"""The headline over a sample of the uncalibrated parameters (issue 13), with the real engine:
every simulation of a point runs at that point, the lens scores are the rolling-origin ones,
and the spread's summaries are what they say."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pytest

from security_dilemma.engine import simulate
from security_dilemma.errors import BadInput
from security_dilemma.history import rolling_forecast
from security_dilemma.history.fitting import FitParameter
from security_dilemma.history.forecast import lens_brier
from security_dilemma.history.uncertainty import (
    SPREAD_PARAMETERS,
    ParameterSpread,
    parameter_spread,
    question_of,
    spread_parameters,
)
from security_dilemma.scenario import Case, load_case

ORIGINS = [2008]
PARAMS = (FitParameter("richardson.k", 0.0, 1.5), FitParameter("offence_dominance", 0.3, 0.7))


@cache
def bmd() -> Case:
    return load_case("bmd-europe")


def test_the_sampled_parameters_are_the_assumptions_and_the_unsourced_defaults() -> None:
    params = {p.name: p for p in spread_parameters(bmd())}
    assert (params["offence_dominance"].low, params["offence_dominance"].high) == (0.3, 0.7)
    for calibrated in ("richardson.a", "richardson.shock", "crisis_base", "crisis_war_share"):
        assert calibrated not in params
    assert set(SPREAD_PARAMETERS) <= set(params)
    assert params["noise"].log  # searched on a log scale, as its default range says


def test_every_simulation_of_a_point_runs_at_that_point() -> None:
    """A counting engine: each sample point's values reach every simulation made for it (the
    forecast's and both of the question's), inside the stated ranges, and the points differ."""
    calls: list[dict[str, float]] = []

    def engine(case: Case, **kw: Any) -> Any:
        calls.append(dict(kw.get("overrides") or {}))
        return simulate(case, **kw)

    s = parameter_spread(
        bmd(), lenses=["realism"], samples=3, replicates=4, origins=ORIGINS,
        parameters=PARAMS, baselines={"persistence": 0.2, "statistical": 0.15}, simulate=engine,
    )  # fmt: skip
    assert len(calls) == 3 * 2  # per point: the forecast's run (also the question's) + the world
    points = [dict(p) for p in s.points]
    assert [calls[2 * k] for k in range(3)] == points == [calls[2 * k + 1] for k in range(3)]
    for p in PARAMS:
        values = [point[p.name] for point in points]
        assert all(p.low <= v <= p.high for v in values) and len(set(values)) == 3
    assert s.question is not None and s.question.values["realism"].shape == (3, 12)


def test_a_lens_score_at_a_point_is_its_rolling_origin_score_there() -> None:
    s = parameter_spread(
        bmd(), lenses=["realism"], samples=2, replicates=4, origins=ORIGINS, parameters=PARAMS,
    )  # fmt: skip
    point = dict(s.points[1])

    def at(case: Case, **kw: Any) -> Any:
        return simulate(case, **{**kw, "overrides": point})

    fc = rolling_forecast(
        bmd(), origins=ORIGINS, lenses=["realism"], replicates=4, resamples=10, simulate=at
    )
    assert s.brier["realism"][1] == pytest.approx(fc.scores["realism"].brier, abs=1e-12)
    assert s.brier["persistence"][0] == pytest.approx(fc.scores["persistence"].brier)
    again = lens_brier(bmd(), origins=ORIGINS, lenses=["realism"], replicates=4, simulate=at)
    assert again["realism"] == s.brier["realism"][1]


def test_the_summaries_say_what_they_count() -> None:
    s = ParameterSpread(
        case_id="c",
        parameters=PARAMS,
        points=tuple({"richardson.k": float(k)} for k in range(4)),
        replicates=2,
        seed=0,
        lenses=("a", "b"),
        brier={
            "a": np.array([0.10, 0.20, 0.30, 0.12]),
            "b": np.array([0.15, 0.15, 0.15, 0.15]),
            "persistence": np.full(4, 0.25),
            "statistical": np.full(4, 0.14),
        },
    )
    assert s.beats("a", "persistence") == 0.75
    assert s.beats("a", "statistical") == 0.5
    assert s.beats("a", "persistence", "statistical") == 0.5
    assert s.beats("b", "statistical") == 0.0
    assert s.best() == {"a": 0.5, "b": 0.5}
    low, mid, high = s.quantiles("a")
    assert low < mid < high and mid == pytest.approx(0.16)
    assert s.to_json()["beats"]["a"] == {"persistence": 0.75, "statistical": 0.5, "both": 0.5}


def test_a_case_without_a_question_asks_about_its_first_world() -> None:
    case = bmd()
    assert question_of(case) == case.question
    other = case.model_copy(update={"question": None})
    q = question_of(other)
    assert q is not None and q.world == case.counterfactuals[0].id and q.metric == "security"
    assert question_of(other.model_copy(update={"counterfactuals": []})) is None


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"samples": 1}, "samples"),
        ({"replicates": 1}, "replicates"),
        ({"parameters": ()}, "parameters"),
    ],
)
def test_bad_sample_settings_name_the_parameter(options: Mapping[str, Any], path: str) -> None:
    settings: dict[str, Any] = {"samples": 2, "replicates": 2} | dict(options)
    with pytest.raises(BadInput) as info:
        parameter_spread(bmd(), lenses=["realism"], origins=ORIGINS, **settings)
    assert info.value.problems[0].path == path
