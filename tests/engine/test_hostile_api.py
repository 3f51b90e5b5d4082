"""The Python API under misuse (issue 15): arguments checked at the boundary with BadInput,
memory refused before it is allocated, a non-finite value an error rather than a silent 0."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from security_dilemma.engine import simulate
from security_dilemma.engine.measures import Layout
from security_dilemma.engine.summary import NonFiniteValue, Summary
from security_dilemma.errors import BadInput
from security_dilemma.experiments import sensitivity_plan, sweep_plan
from security_dilemma.limits import MAX_WORK

MINIMAL = Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml"
RANGES = {"noise": (0.0, 1.0), "offence_dominance": (0.0, 1.0)}


def refused(call: Any, path: str) -> str:
    with pytest.raises(BadInput) as info:
        call()
    (problem,) = info.value.problems
    assert problem.path == path, problem
    return problem.message


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"replicates": 2.5}, "replicates"),
        ({"replicates": "8"}, "replicates"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**63}, "seed"),
        ({"lens": 5}, "lens"),
        ({"overrides": [1]}, "overrides"),
        ({"metrics": "security"}, "metrics"),
        ({"observables": 5}, "observables"),
        ({"max_memory": [1]}, "max_memory"),
        ({"keep_replicates": "yes"}, "keep_replicates"),
        ({"restraint": "no"}, "restraint"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"burn_in": -3}, "burn_in"),
    ],
)
def test_simulate_checks_its_arguments(kwargs: dict[str, Any], path: str) -> None:
    """Wrong types raised raw AttributeError or TypeError, or were taken as something else."""
    refused(lambda: simulate(MINIMAL, **{"replicates": 2, **kwargs}), path)


def test_simulate_refuses_what_is_not_a_case() -> None:
    assert "a case is a Case" in refused(lambda: simulate(123, replicates=2), "case")  # type: ignore[arg-type]


def test_the_old_keyword_no_is_not_true() -> None:
    """``counterfactual='no'`` was taken as true."""
    refused(lambda: simulate(MINIMAL, replicates=2, counterfactual="no"), "counterfactual")  # type: ignore[arg-type]
    refused(lambda: sweep_plan(MINIMAL, counterfactual="no"), "counterfactual")  # type: ignore[arg-type]


def test_numpy_integers_are_integers() -> None:
    """numpy integers (what arithmetic on arrays gives) were refused."""
    a = simulate(MINIMAL, replicates=np.int64(3), seed=np.uint32(5), restraint=False)
    b = simulate(MINIMAL, replicates=3, seed=5, restraint=False)
    assert a.replicates == 3 and np.array_equal(a.means, b.means)
    plan = sweep_plan(MINIMAL, {"noise": [0.1, 0.2]}, replicates=np.int32(4))
    assert plan.replicates == 4 and type(plan.replicates) is int
    plan, _, _ = sensitivity_plan(
        MINIMAL, RANGES, method="morris", samples=np.int64(2), levels=np.int64(4), replicates=2
    )
    assert len(plan.points) == 6


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: sweep_plan(MINIMAL, parameters=5), "parameters"),  # type: ignore[arg-type]
        (lambda: sweep_plan(MINIMAL, metrics=5), "metrics"),  # type: ignore[arg-type]
        (lambda: sweep_plan(MINIMAL, replicates=10**9), "replicates"),
        (lambda: sweep_plan(MINIMAL, seed=2**63), "seed"),
        (lambda: sensitivity_plan(MINIMAL, parameters=5), "parameters"),  # type: ignore[arg-type]
        (lambda: sensitivity_plan(MINIMAL, RANGES, levels="4"), "levels"),  # type: ignore[arg-type]
        (lambda: sensitivity_plan(MINIMAL, RANGES, samples=2**30), "samples"),
    ],
)
def test_plans_check_their_arguments(call: Any, path: str) -> None:
    refused(call, path)


def test_work_is_refused_with_the_numbers() -> None:
    message = refused(lambda: simulate(MINIMAL, replicates=10_000_000, burn_in=10**6), "replicates")
    assert f"{MAX_WORK:,}" in message and "actor-steps" in message


def large_case(tmp_path: Path) -> Path:
    """A case within the limits on actors and steps (193 actors, 26 years of days) whose runs
    need far more than the default memory budget."""
    doc = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    doc["span"] = {"start": 2000, "end": 2026, "step": "day"}
    doc["actors"] += [{"id": f"X{i}", "name": f"X{i}", "source": "s1"} for i in range(190)]
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_sweeps_refuse_chunks_beyond_the_memory_budget(tmp_path: Path) -> None:
    path = large_case(tmp_path)
    message = refused(lambda: sweep_plan(path, {"noise": [0.1]}, replicates=4), "chunk_size")
    assert "too small for this run" in message and "--chunk-size" in message
    message = refused(
        lambda: sensitivity_plan(path, RANGES, method="morris", samples=2, replicates=2),
        "chunk_size",
    )
    assert "too small for this run" in message


def test_memory_is_refused_before_it_is_allocated(tmp_path: Path) -> None:
    """Defect 3: a large case failed with 'Unable to allocate 136 GiB' (exit 1) after taking
    gigabytes; now the estimate is refused before compiling the case. The run is in a process
    limited to 3 GB of address space, so that allocating first fails the test."""
    path = large_case(tmp_path)
    code = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        from security_dilemma.engine import simulate
        from security_dilemma.errors import BadInput
        try:
            simulate({str(path)!r}, replicates=2)
        except BadInput as exc:
            (problem,) = exc.problems
            print(problem.path, "|", problem.message)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-1000:]
    path_, message = done.stdout.strip().split(" | ")
    assert path_ == "max_memory"
    assert "too small for this run: it needs about" in message and "GB" in message
    assert "--max-memory" in message
    assert resource.getrlimit(resource.RLIMIT_AS)  # the limit was the child's alone


def test_a_non_finite_value_stops_the_run_naming_where() -> None:
    """Defect 6: non-finite values were counted as 0 and the run exited 0."""
    layout = Layout.build(("AAA", "BBB"), restraint=False, metrics=["security"])
    summary = Summary(layout, steps=3, replicates=2, keep=False)
    values = np.zeros((layout.cells, 2), dtype=np.float32)
    summary.add(0, 0, values)
    values[1, 1] = np.inf
    with pytest.raises(NonFiniteValue) as info:
        summary.add(1, 0, values)
    message = str(info.value)
    assert "step 1" in message and "security" in message and "inf" in message
