"""The benchmark harness lives outside the package: ``python -m benchmarks`` from a clone.

The suites' figures are recorded by full runs (benchmarks/results/); here the harness is
checked on small sizes, and the wheel is built to show that it ships no benchmark code.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from benchmarks import SUITES
from benchmarks.__main__ import main as bench_main
from benchmarks.engine import mesa_comparison
from security_dilemma.cli.bench import MOVED

from .conftest import Run

ROOT = Path(__file__).resolve().parents[1]
PEERS = {"mesa", "axelrod", "benchmarks"}
"""Modules that only benchmark code imports."""


@pytest.mark.parametrize("argv", [["bench"], ["bench", "engine", "--quick"], ["bench", "--json"]])
def test_dilemma_bench_says_where_the_benchmarks_went(dilemma: Run, argv: list[str]) -> None:
    outcome = dilemma(*argv)
    assert outcome.code == 2
    assert MOVED in outcome.out + outcome.err
    assert "make bench" in MOVED and "python -m benchmarks" in MOVED
    assert "Traceback" not in outcome.err


def test_an_unknown_suite_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        bench_main(["engin"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown suite 'engin' (did you mean 'engine'?)" in err
    assert set(SUITES) == {"engine", "games", "experiments"}


def test_the_mesa_comparison_runs_alternating_rounds() -> None:
    """Small sizes: the harness's plumbing and its checks, not the figures."""
    out = mesa_comparison(n=6, replicates=4, mesa_replicates=1, steps=3, rounds=2)
    rounds = out["cpu_seconds_rounds"]
    assert set(rounds) == {"engine_core", "engine_run_world", "mesa", "mesa_tuned"}
    assert all(len(v) == 2 and min(v) >= 0 for v in rounds.values())
    assert len(out["load_average_1min_by_round"]) == 3
    assert out["mesa_tuned_identical_to_mesa"] is True
    assert out["equivalent"] is True
    assert out["speedup_core_vs_mesa_tuned"] > 0


def _imports(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_wheel_ships_no_benchmark_code(tmp_path: Path) -> None:
    """Build the wheel (offline, from a copy of the project with benchmarks/ beside src/) and
    look inside: no benchmark package or Mesa model, and no module importing a peer."""
    project, dist = tmp_path / "project", tmp_path / "dist"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "results")
    for name in ("src", "benchmarks"):
        shutil.copytree(ROOT / name, project / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    args = ["wheel", str(project), "--no-deps", "--no-build-isolation", "--no-index", "-q"]
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args, "-w", str(dist)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = dist.glob("security_dilemma-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        sources = {n: archive.read(n).decode("utf-8") for n in names if n.endswith(".py")}
    assert "security_dilemma/engine/step.py" in names  # the package itself is there
    top = {Path(n).parts[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"security_dilemma"}
    assert not [n for n in names if "bench/" in n or "benchmarks" in n or "mesa" in n.lower()]
    importing = {n: sorted(_imports(s) & PEERS) for n, s in sources.items()}
    assert {n: peers for n, peers in importing.items() if peers} == {}
