"""The command line's texts into the library's data: ``--param``, ``--fit``, ``--lens``; and
library problems named by the command's flags."""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose

from security_dilemma import load_case
from security_dilemma.cli._common import LensRun, flag_problem, modernise, parse_lenses
from security_dilemma.cli._common import parse_parameter as parse
from security_dilemma.cli.experiments import lens_setting
from security_dilemma.cli.history import fit_option
from security_dilemma.errors import BadInput, Problem
from security_dilemma.experiments.params import Bound, ParameterSpec
from security_dilemma.lenses import lens_names

ACTORS = load_case("bmd-europe").actor_ids()


def test_parameter_forms() -> None:
    spec = parse("lenses.realism.k=0.1:1.0:10", "--param")
    assert isinstance(spec, ParameterSpec) and spec.name == "lenses.realism.k"
    assert spec == ParameterSpec.between("lenses.realism.k", 0.1, 1.0, 10)
    log = parse("k=0.01:1:3:log", "--param")
    assert isinstance(log, ParameterSpec)
    assert_allclose(log.values, [0.01, 0.1, 1.0])
    assert parse("distinguishability=0,0.5,1", "--param") == ParameterSpec(
        "distinguishability", [0, 0.5, 1]
    )
    assert parse(" noise = 0.3 ", "--param") == ParameterSpec("noise", [0.3])
    assert parse("k=1,0.5", "--param") == ParameterSpec("k", [1, 0.5])  # the order is kept
    assert parse("k=0.1:2", "--param") == Bound("k", 0.1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k=1:0:5", "range start 1 must be below its stop 0"),
        ("k=2:1", "range start 2 must be below its stop 1"),
        ("k=abc", "'abc' is not a number"),
        ("k=a:1", "'a' is not a number"),
        ("k=0:1:x", "count 'x' is not a whole number"),
        ("k=0:1:1", "at least 2"),
        ("k=0:1:3:lin", "a range is LO:HI, LO:HI:N or LO:HI:N:log"),
        ("k=0:1:3:log", "positive start"),
        ("k=1,1", "listed twice"),
        ("k=nan", "not a finite number"),
        ("k", "expected NAME=LO:HI:N[:log]"),
        ("=1", "expected NAME=LO:HI:N[:log]"),
        ("k=", "expected NAME=LO:HI:N[:log]"),
    ],
)
def test_malformed_parameters_name_the_flag_and_the_text(text: str, message: str) -> None:
    with pytest.raises(BadInput) as info:
        parse(text, "--param")
    (problem,) = info.value.problems
    assert message in problem.message and f"in '{text}'" in problem.message
    assert problem.path == "--param"


def test_fit_values() -> None:
    assert fit_option("crisis_base").log
    fit = fit_option("noise=0.01:0.5")
    assert (fit.name, fit.low, fit.high, fit.log) == ("noise", 0.01, 0.5, False)
    for text, message in [
        ("crisis_bse", "did you mean 'crisis_base'"),
        ("noise=1:0", "must be below"),
        ("noise=0,1", "a search range is NAME=LO:HI"),
    ]:
        with pytest.raises(BadInput, match=message) as info:
            fit_option(text)
        assert info.value.problems[0].path == "--fit"
        assert f"in '{text}'" in info.value.problems[0].message


def test_lens_names_keywords_and_actors() -> None:
    every = list(lens_names())
    assert parse_lenses(None, default="all") == tuple(LensRun(n) for n in every)
    assert parse_lenses(["realism, pyramid,realism"], default="all") == (
        LensRun("realism"),
        LensRun("pyramid"),
    )
    assert parse_lenses(["case"], default="all") == (LensRun("case"),)
    runs = parse_lenses(["pyramid,RUS=realism,USA=liberalism"], default="case", actors=ACTORS)
    assert runs == (LensRun("pyramid", (("RUS", "realism"), ("USA", "liberalism"))),)
    alone = parse_lenses(["RUS=realism"], default="all", actors=ACTORS)
    assert alone == (LensRun("case", (("RUS", "realism"),)),)
    # what sweep and sensitivity pass to the library
    assert lens_setting(alone[0], ACTORS) == {"RUS": "realism"}
    assert lens_setting(LensRun("case"), ACTORS) is None
    assert lens_setting(LensRun("realism"), ACTORS) == "realism"
    mixed = lens_setting(runs[0], ACTORS)
    assert isinstance(mixed, dict) and set(mixed) == set(ACTORS)
    assert (mixed["RUS"], mixed["USA"], mixed["POL"]) == ("realism", "liberalism", "pyramid")


@pytest.mark.parametrize(
    ("value", "options", "message"),
    [
        ("realsm", {}, "unknown lens 'realsm' (did you mean 'realism'"),
        ("", {}, "give lens names or one of all, case"),
        ("case", {"keywords": ["all"]}, "unknown lens 'case'"),
        ("RUS=realism", {}, "this command takes lens names, not ACTOR=LENS"),
        ("RUX=realism", {"actors": ACTORS}, "unknown actor 'RUX' (did you mean 'RUS'"),
        ("RUS=realsm", {"actors": ACTORS}, "unknown lens 'realsm'"),
        ("RUS=realism,RUS=pyramid", {"actors": ACTORS}, "actor 'RUS' is given two lenses"),
    ],
)
def test_bad_lenses_name_the_flag(value: str, options: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_lenses([value], default="all", **options)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert {p.path for p in info.value.problems} == {"--lens"}


def test_repeated_lens_is_deprecated_and_keeps_its_old_meaning(
    capfd: pytest.CaptureFixture[str],
) -> None:
    runs = parse_lenses(["realism", "RUS=liberalism"], default="case", actors=ACTORS)
    assert runs == (LensRun("realism"), LensRun("case", (("RUS", "liberalism"),)))
    err = capfd.readouterr().err
    assert "warning: repeating --lens is deprecated" in err
    assert "--lens realism,RUS=liberalism" in err


def test_library_paths_become_the_commands_flags() -> None:
    import typer

    from security_dilemma.cli import app

    root = typer.main.get_command(app)
    sweep = root.commands["sweep"].params  # type: ignore[attr-defined]
    show = root.commands["runs"].commands["show"].params  # type: ignore[attr-defined]
    backtest = root.commands["backtest"].params  # type: ignore[attr-defined]
    cases = [
        (sweep, "chunk_size", "--chunk-size"),
        (sweep, "parameters['noise']", "--param"),
        (sweep, "lenses[1]['RUX']", "--lens"),
        (sweep, "lens.RUS", "--lens"),
        (sweep, "counterfactual", "--restraint"),
        (sweep, "path", "--store"),
        (sweep, "dtype", "dtype"),  # no such option: kept
        (show, "prefix", "RUN"),
        (backtest, "parameters['noise']", "--fit"),
        (backtest, "train_until", "--train-until"),
    ]
    for params, path, flag in cases:
        assert flag_problem(Problem("m", path=path), params).path == flag, path
    in_file = Problem("m", file="case.yaml", line=3, path="seed")
    assert flag_problem(in_file, sweep) == in_file


def test_modernise_leaves_values_alone(capfd: pytest.CaptureFixture[str]) -> None:
    import typer

    from security_dilemma.cli import app

    params = typer.main.get_command(app).commands["sweep"].params  # type: ignore[attr-defined]
    old = {"-r": "--replicates", "--counterfactual": "--restraint"}
    args = ["x", "--metrics", "-r", "-r", "4", "--counterfactual", "-r8", "--", "-r"]
    assert modernise(args, old, params) == [
        "x",
        "--metrics",
        "-r",  # the value of --metrics
        "--replicates",
        "4",
        "--restraint",
        "--replicates=8",
        "--",
        "-r",
    ]
    assert capfd.readouterr().err.count("is deprecated") == 3
