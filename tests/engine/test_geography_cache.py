"""The engine's geography cache: the same numbers as without it, nothing served stale."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from security_dilemma.engine import compile_world
from security_dilemma.engine import geography as g
from security_dilemma.engine.geography import (
    capital_distances,
    clear_cache,
    erosion_matrix,
    intercept_matrix,
    missile_reach,
)
from security_dilemma.geo import casegeometry
from security_dilemma.scenario import load_case
from security_dilemma.scenario.overrides import with_parameters
from security_dilemma.scenario.schema import Case


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case("bmd-europe")


def _uncached() -> None:
    """Forget the engine's matrices and the case geometries behind them."""
    clear_cache()
    casegeometry._CACHE.clear()


def _settings(case: Case) -> list[dict[str, Any]]:
    return [step.setting._asdict() for step in compile_world(case).inputs]


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for name, value in x.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == y[name].dtype and value.tobytes() == y[name].tobytes(), name
            else:
                assert value == y[name], name


def test_a_cached_world_is_bit_identical_to_an_uncached_one(case: Case) -> None:
    _uncached()
    cold = _settings(case)
    hits = g._defences.cache_info().hits
    warm = _settings(case)
    assert g._defences.cache_info().hits > hits  # the second world came from the cache
    _same(cold, warm)
    _uncached()
    _same(cold, _settings(case))


def test_cached_matrices_are_read_only(case: Case) -> None:
    distances, notes = capital_distances(case)
    notes.append("a caller's own list")
    assert "a caller's own list" not in capital_distances(case)[1]
    missiles = [m.id for m in case.missiles]
    sites = [s.id for s in case.defence_sites]
    for matrix in (
        distances,
        missile_reach(case, missiles)[0],
        intercept_matrix(case, sites, missiles)[0],
        erosion_matrix(case, sites, missiles, distances)[0],
    ):
        with pytest.raises(ValueError, match="read-only"):
            matrix[0, 0] = 1.0


def test_a_parameter_sample_reuses_the_geography(case: Case) -> None:
    clear_cache()
    compile_world(case)
    misses = g._defences.cache_info().misses
    compile_world(with_parameters(case, {"richardson.k": 0.3, "noise": 0.2}))
    assert g._defences.cache_info().misses == misses


def test_the_conventional_reach_follows_projection_km(case: Case) -> None:
    near = with_parameters(case, {"projection_km": 500.0})
    far = with_parameters(case, {"projection_km": 5000.0})
    reach_far = compile_world(far).inputs[0].setting.reach
    reach_near = compile_world(near).inputs[0].setting.reach
    assert (reach_far >= reach_near).all() and (reach_far > reach_near).any()
    _uncached()
    assert compile_world(near).inputs[0].setting.reach.tobytes() == reach_near.tobytes()


def test_a_changed_range_or_tracking_is_not_served_stale(case: Case) -> None:
    missiles = [m.id for m in case.missiles]
    sites = [s.id for s in case.defence_sites]
    reach = missile_reach(case, missiles)[0]
    intercept = intercept_matrix(case, sites, missiles)[0]
    short = case.model_copy(
        update={
            "missiles": [
                m.model_copy(update={"range_km": m.range_km.model_copy(update={"value": 300.0})})
                for m in case.missiles
            ]
        }
    )
    blind = case.model_copy(
        update={
            "defence_sites": [
                s.model_copy(
                    update={"tracking": s.tracking.model_copy(update={"value": 0.1})}
                    if s.tracking is not None
                    else {}
                )
                for s in case.defence_sites
            ]
        }
    )
    short_reach = missile_reach(short, missiles)[0]
    blind_intercept = intercept_matrix(blind, sites, missiles)[0]
    assert (short_reach < reach).any()
    assert (blind_intercept < intercept).any()
    _uncached()
    assert missile_reach(short, missiles)[0].tobytes() == short_reach.tobytes()
    assert intercept_matrix(blind, sites, missiles)[0].tobytes() == blind_intercept.tobytes()
    assert intercept_matrix(case, sites, missiles)[0].tobytes() == intercept.tobytes()


def test_capitals_are_cached_per_start_year(case: Case) -> None:
    later = case.model_copy(
        update={"span": case.span.model_copy(update={"start": case.span.start.replace(year=1950)})}
    )
    assert g._of(later, later.span.start.year) != g._of(case, case.span.start.year)
    assert g._of(case.model_copy(update={"title": "another"})) == g._of(case)
