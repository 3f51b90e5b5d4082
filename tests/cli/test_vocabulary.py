"""One vocabulary: every option of every command against the tables of docs/cli.md, options
shared by several commands defined once, and the spellings replaced in this release."""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperArgument, TyperOption
from typer.models import OptionInfo

from security_dilemma.cli import _common, app
from security_dilemma.cli._common import DEPRECATED, Command

from .conftest import Run

DOC = Path(__file__).parents[2] / "docs" / "cli.md"
ROOT = typer.main.get_command(app)


def walk(command: Any, path: str = "") -> dict[str, Any]:
    """Every command of the app by its path, ``runs show`` for ``dilemma runs show``."""
    if not hasattr(command, "commands"):
        return {path: command}
    found: dict[str, Any] = {}
    for name, sub in command.commands.items():
        found |= walk(sub, f"{path} {name}".strip())
    return found


COMMANDS = walk(ROOT)


def options(command: Any) -> dict[str, TyperOption]:
    """A command's options by their long spelling."""
    return {
        next(o for o in p.opts if o.startswith("--")): p
        for p in command.params
        if isinstance(p, TyperOption)
    }


@dataclass(frozen=True)
class Row:
    """One row of a vocabulary table."""

    shorts: frozenset[str]
    secondary: frozenset[str]
    commands: frozenset[str]


def vocabulary() -> dict[str, Row]:
    """The rows of docs/cli.md's ``| option | meaning | commands |`` tables, by long option."""
    rows: dict[str, Row] = {}
    inside = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| option | meaning | commands |"):
            inside = True
            continue
        if not line.startswith("|"):
            inside = False
        if not inside or line.startswith("|---"):
            continue
        option, _, commands = (cell.strip() for cell in line.strip("|").split("|"))
        spellings = re.findall(r"`([^`]+)`", option)
        long, *others = spellings
        assert long not in rows, f"{long} is listed twice in docs/cli.md"
        named = {c for c in re.findall(r"`([^`]+)`", commands) if not c.startswith("-")}
        if commands.startswith("every command but"):
            named = set(COMMANDS) - named
        rows[long] = Row(
            frozenset(o for o in others if not o.startswith("--")),
            frozenset(o for o in others if o.startswith("--")),
            frozenset(named),
        )
    return rows


VOCABULARY = vocabulary()
NO_SHORT_FORM = {("bench", "--out")}
"""Left as they are: cli/bench.py is moving out of the package (its ``--out`` has no ``-o``)."""


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_spelled_as_the_vocabulary_says(name: str) -> None:
    command = COMMANDS[name]
    assert isinstance(command, Command), f"{name} is not a dilemma Command"
    for long, param in options(command).items():
        row = VOCABULARY.get(long)
        assert row is not None, f"{name} {long}: not in docs/cli.md"
        assert name in row.commands, f"{name} {long}: docs/cli.md does not list {name}"
        shorts = {o for o in param.opts if not o.startswith("--")}
        expected = set() if (name, long) in NO_SHORT_FORM else set(row.shorts)
        assert shorts == expected, f"{name} {long}: short forms {shorts}, not {expected}"
        assert set(param.secondary_opts) == row.secondary, f"{name} {long}"


def test_the_vocabulary_lists_exactly_the_commands_taking_each_option() -> None:
    for long, row in VOCABULARY.items():
        taking = {name for name, command in COMMANDS.items() if long in options(command)}
        assert taking == row.commands, f"{long}: docs/cli.md {sorted(row.commands)}"


def test_a_short_form_has_one_meaning() -> None:
    meaning: dict[str, str] = {}
    for name, command in COMMANDS.items():
        for long, param in options(command).items():
            for short in (o for o in param.opts if not o.startswith("--")):
                assert meaning.setdefault(short, long) == long, f"{name}: {short} is {long}"
    assert meaning["-n"] == "--replicates" and meaning["-o"] == "--out"


def shared_definitions() -> dict[str, OptionInfo]:
    """The options defined in cli/_common.py, by long spelling."""
    found: dict[str, OptionInfo] = {}
    for value in vars(_common).values():
        if typing.get_origin(value) is typing.Annotated:
            for info in value.__metadata__:
                if isinstance(info, OptionInfo):  # its first spelling is in ``default``
                    found[str(info.default).split("/")[0]] = info
    return found


def test_shared_options_are_defined_once() -> None:
    shared = shared_definitions()
    assert {"--json", "--quiet", "--seed", "--replicates", "--lens", "--store"} <= set(shared)
    assert {"--max-memory", "--restraint", "--case"} <= set(shared)
    for long, info in shared.items():
        users = [name for name, command in COMMANDS.items() if long in options(command)]
        assert len(users) >= 2, f"{long} is defined in cli/_common.py for {users}"
        for name in users:
            assert options(COMMANDS[name])[long].help == info.help, f"{name} {long}"
    for long, row in VOCABULARY.items():  # and every option taken by several modules is
        modules = {COMMANDS[name].callback.__module__ for name in row.commands}
        if len({m for m in modules if not m.endswith(".bench")}) > 1:
            assert long in shared or long in SAME_WORD, f"{long} is defined in {sorted(modules)}"


SAME_WORD = {"--out", "--method", "--start", "--end", "--workers"}
"""Options several modules spell alike for their own file, algorithm, years or worker
processes (a sweep's, or ``serve``'s app workers; each command says which), rather than one
definition."""


@pytest.mark.parametrize("name", sorted(n for n, c in COMMANDS.items() if "--seed" in options(c)))
def test_seeds_are_never_negative(name: str) -> None:
    assert options(COMMANDS[name])["--seed"].min == 0


def context(path: str, args: list[str]) -> Any:
    """Parse ``args`` as ``dilemma PATH ARGS`` would, without running the command."""
    command, ctx = ROOT, ROOT.context_class(ROOT, info_name="dilemma")
    *groups, leaf = path.split()
    for group in groups:
        command = command.commands[group]  # type: ignore[attr-defined]
        ctx = command.context_class(command, info_name=group, parent=ctx)
    leaf_command = command.commands[leaf]  # type: ignore[attr-defined]
    return leaf_command.make_context(leaf, list(args), parent=ctx)


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [(name, old, new) for name, table in sorted(DEPRECATED.items()) for old, new in table.items()],
)
def test_a_replaced_spelling_still_means_the_new_one(
    name: str, old: str, new: str, capfd: pytest.CaptureFixture[str]
) -> None:
    command = COMMANDS[name]
    spellings = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    assert new in spellings and old not in spellings
    option = next(p for p in command.params if new in (*p.opts, *p.secondary_opts))
    value = [] if option.is_flag else ["7"]
    required = ["x" for p in command.params if isinstance(p, TyperArgument) and p.required]
    capfd.readouterr()
    assert context(name, [*required, old, *value]).params == (
        context(name, [*required, new, *value]).params
    )
    err = capfd.readouterr().err
    assert err.count("is deprecated") == 1
    assert f"warning: {old} is deprecated and will be removed in the next release; use {new}" in (
        err
    )


def test_replaced_spellings_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("| old spelling | use | commands |") :].splitlines()
    for name, spellings in DEPRECATED.items():
        for old in spellings:
            row = next(line for line in table if f"`{old}`" in line.split("|")[1])
            assert f"`{name}`" in row.split("|")[3], (old, name)


# --- the old spellings end to end: same results, a warning on stderr, clean JSON on stdout ----


def test_old_run_spellings(dilemma: Run) -> None:
    args = ["run", "bmd-europe", "-n", "3", "--lens", "realism", "--no-report", "--no-whatif"]
    new = dilemma(*args, "--no-restraint", "--json")
    old = dilemma(*args, "--no-counterfactual", "--json")
    assert new.code == old.code == 0, old.err
    assert json.loads(old.out) == json.loads(new.out)
    assert json.loads(old.out)["restraint"] is False
    assert "--no-counterfactual is deprecated" in old.err and "deprecated" not in new.err


def test_old_sweep_and_runs_spellings(dilemma: Run, tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    base = ["sweep", "bmd-europe", "--param", "noise=0.1", "--chunk-size", "2"]
    base += ["--metrics", "security", "--executor", "serial", "--store", store, "--json"]
    old = dilemma(*base, "-r", "2", "--lens", "realism", "--lens", "RUS=liberalism")
    assert old.code == 0, old.err
    first = json.loads(old.out)
    assert first["points"] == 2 and first["computed"] == 2
    for warned in ("-r is deprecated", "repeating --lens is deprecated"):
        assert warned in old.err
    new = dilemma(*base, "-n", "2", "--lens", "realism", "--lens", "RUS=liberalism")
    assert json.loads(new.out)["run_id"] == first["run_id"]  # the same run, all chunks kept
    assert json.loads(new.out)["computed"] == 0
    shown = dilemma("runs", "show", "last", "-o", "security:RUS", "--store", store, "--json")
    assert shown.code == 0 and "-o is deprecated" in shown.err
    assert [p["lens"] for p in json.loads(shown.out)["points"]] == ["realism", "RUS=liberalism"]


def test_old_sensitivity_spellings(dilemma: Run, tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    base = ["sensitivity", "bmd-europe", "--param", "noise=0:0.2", "--param"]
    base += ["offence_dominance=0.1:0.9", "--metrics", "security", "--executor", "serial"]
    base += ["--seed", "3", "--store", store, "--json"]
    old = dilemma(*base, "--n", "2", "-r", "2", "--no-counterfactual", "-o", "security:RUS")
    assert old.code == 0, old.err
    new = dilemma(*base, "--samples", "2", "-n", "2", "--no-restraint", "--output", "security:RUS")
    assert new.code == 0, new.err
    before, after = json.loads(old.out), json.loads(new.out)
    assert before["run_id"] == after["run_id"] and before["indices"] == after["indices"]
    assert after["sweep"]["computed"] == 0
    for spelling in ("--n", "-r", "--no-counterfactual", "-o"):
        assert f"warning: {spelling} is deprecated" in old.err
    assert "deprecated" not in new.err


def test_old_fit_spelling(dilemma: Run, tmp_path: Path) -> None:
    path = tmp_path / "race.csv"
    rows = [f"{1900 + t},{1 + 0.1 * t + 0.01 * t * t},{2 + 0.05 * t}" for t in range(12)]
    path.write_text("yr,a,b\n" + "\n".join(rows) + "\n", encoding="utf-8")
    args = ["fit", "richardson", str(path), "--x", "a", "--y", "b", "--json"]
    old, new = dilemma(*args, "--time", "yr"), dilemma(*args, "--year", "yr")
    assert old.code == new.code == 0, old.err
    assert json.loads(old.out) == json.loads(new.out)
    assert "--time is deprecated" in old.err


SENSITIVITY = ["sensitivity", "bmd-europe", "-p", "noise=0:1", "-p", "offence_dominance=0:1"]


def test_problems_name_the_flags(dilemma: Run, tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    cases = [
        (["sweep", "bmd-europe", "--chunk-size", "0"], "--chunk-size"),
        (["sweep", "bmd-europe", "--param", "distinguishability=0,2"], "--param"),
        (["sweep", "bmd-europe", "--param", "distinguishabilty=0,1"], "--param"),
        (["sweep", "bmd-europe", "--executor", "slurm"], "--executor"),
        (["sweep", "bmd-europe", "--workers", "0"], "--workers"),
        (["sensitivity", "bmd-europe", "--param", "noise=0:1", "--output", "x"], "--param"),
        ([*SENSITIVITY, "--samples", "6", "--output", "security"], "--samples"),
        (["runs", "list", "--store", str(tmp_path / "none.duckdb")], "--store"),
        (["whatif", "bmd-europe", "-n", "1"], "--replicates"),
        (["backtest", "bmd-europe", "--train-until", "1990"], "--train-until"),
    ]
    for args, flag in cases:
        res = dilemma(*args, *(["--store", store] if args[0] == "sweep" else []), "--json")
        assert res.code == 2, (args, res.err)
        problems = json.loads(res.out)["problems"]
        assert {p["path"] for p in problems} == {flag}, (args, problems)
