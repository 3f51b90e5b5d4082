"""Start-up: ``dilemma`` imports only what a command needs, and the lazy public names resolve.

Structural tests (which modules a fresh interpreter has imported), not timings.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import security_dilemma

HEAVY = ("numba", "matplotlib", "dask", "distributed", "duckdb", "SALib")
"""Libraries that take a large part of a second or more to import."""

DOMAIN = (
    "security_dilemma.engine",
    "security_dilemma.report",
    "security_dilemma.experiments",
    "security_dilemma.whatif",
    "security_dilemma.pipeline",
)
"""Subpackages a command that does not simulate, report or sweep should leave alone."""

LAZY_PACKAGES = (
    "security_dilemma",
    "security_dilemma.experiments",
    "security_dilemma.games",
    "security_dilemma.geo",
    "security_dilemma.history",
    "security_dilemma.scenario",
    "security_dilemma.whatif",
)

PROBE = """
import json, sys
code = None
if len(sys.argv) > 2:
    from security_dilemma.cli import main
    try:
        main(sys.argv[2:])
    except SystemExit as exc:
        code = exc.code
else:
    import security_dilemma.cli
with open(sys.argv[1], "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


def fresh(tmp_path: Path, *argv: str) -> tuple[object, set[str]]:
    """Import the command (and run ``dilemma ARGV`` when given) in a new interpreter: its exit
    code and the modules it imported."""
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *argv],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=300,
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    return doc["code"], set(doc["modules"])


def offenders(modules: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """The heavy libraries and domain subpackages among ``modules``."""
    libraries = {m.split(".")[0] for m in modules} & set(heavy)
    domain = {m for m in modules for d in DOMAIN if m == d or m.startswith(d + ".")}
    return sorted(libraries | domain)


def test_importing_the_command_is_light(tmp_path: Path) -> None:
    code, modules = fresh(tmp_path)
    assert code is None
    assert "security_dilemma.cli.run" in modules  # every command module is registered
    assert offenders(modules) == []


def test_help_is_light(tmp_path: Path) -> None:
    code, modules = fresh(tmp_path, "--help")
    assert code == 0
    assert offenders(modules) == []


def test_games_equilibria_is_light(tmp_path: Path) -> None:
    code, modules = fresh(tmp_path, "games", "equilibria", "--row", "[[3,0],[5,1]]", "--json")
    assert code == 0
    assert "security_dilemma.games.equilibria" in modules
    assert offenders(modules) == []
    # Only the games it needs: not the tournaments (SciPy) or the evolutionary dynamics.
    assert "security_dilemma.games.tournament" not in modules
    assert "security_dilemma.games.evolution" not in modules


def test_the_removed_bench_command_is_light(tmp_path: Path) -> None:
    code, modules = fresh(tmp_path, "bench")
    assert code == 2  # the benchmarks moved out of the package (tests/test_benchmarks.py)
    assert offenders(modules) == []
    assert not {m for m in modules if m.split(".")[0] in {"benchmarks", "mesa", "axelrod"}}


@pytest.mark.parametrize("command", ["cases", "validate"])
def test_case_commands_do_not_load_the_engine(tmp_path: Path, command: str) -> None:
    from security_dilemma.scenario import builtin_case_path

    argv = [command] + ([str(builtin_case_path("bmd-europe"))] if command == "validate" else [])
    code, modules = fresh(tmp_path, *argv)
    assert code == 0
    assert "security_dilemma.scenario.schema" in modules
    # Checking a case's lens names imports the lenses, but not numba: their rules are
    # registered with numba only when the engine compiles (security_dilemma._jit).
    assert offenders(modules) == []


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_every_public_name_resolves(name: str) -> None:
    package = importlib.import_module(name)
    for attr in package.__all__:
        assert getattr(package, attr) is not None, attr
    assert dir(package) == sorted(package.__all__)
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


def type_checking_imports(package: types.ModuleType) -> dict[str, object]:
    """What the package's ``if TYPE_CHECKING:`` imports bind, name -> object, as eager
    imports would."""
    assert package.__file__ is not None
    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    assert len(blocks) == 1
    bound: dict[str, object] = {}
    for node in blocks[0].body:
        assert isinstance(node, ast.ImportFrom) and node.level == 1, ast.dump(node)
        for alias in node.names:
            if node.module is None:  # from . import data
                value = importlib.import_module(f".{alias.name}", package.__name__)
            else:
                module = importlib.import_module(f".{node.module}", package.__name__)
                value = getattr(module, alias.name)
            bound[alias.asname or alias.name] = value
    return bound


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_type_checking_imports_match_the_lazy_names(name: str) -> None:
    package = importlib.import_module(name)
    bound = type_checking_imports(package)
    assert sorted(bound) == sorted(package.__all__)
    for attr, value in bound.items():
        assert getattr(package, attr) is value, attr


def test_root_names() -> None:
    from security_dilemma import Case, simulate

    assert security_dilemma.simulate is simulate
    assert security_dilemma.Case is Case
    assert security_dilemma.engine is importlib.import_module("security_dilemma.engine")
    assert isinstance(security_dilemma.__version__, str)


SHADOWED = """
import inspect, json, sys
import security_dilemma.games.classify
import security_dilemma.geo.reach
import security_dilemma.history.backtest
import security_dilemma.whatif.compare
from security_dilemma.games import classify
from security_dilemma.geo import reach
from security_dilemma.history import backtest
from security_dilemma.whatif import compare
import security_dilemma as sd

def defined_in(f, module):
    return inspect.isfunction(f) and f is getattr(sys.modules[module], f.__name__)

print(json.dumps([
    defined_in(classify, "security_dilemma.games.classify"),
    defined_in(reach, "security_dilemma.geo.reach"),
    defined_in(backtest, "security_dilemma.history.backtest"),
    defined_in(compare, "security_dilemma.whatif.compare"),
    sd.reach is reach,
]))
"""


def test_a_function_named_like_its_module_stays_the_function(tmp_path: Path) -> None:
    """``geo.reach`` is the function even when ``geo/reach.py`` is imported first."""
    done = subprocess.run(
        [sys.executable, "-c", SHADOWED],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        text=True,
        timeout=300,
    )
    assert json.loads(done.stdout) == [True, True, True, True, True]
    assert inspect.isfunction(security_dilemma.geo.reach)
