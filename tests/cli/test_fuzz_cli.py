"""Fuzzing the command line and the YAML reader with hostile input (issue 15).

Hypothesis draws out-of-range and malformed option values, nesting and alias structures, and
mutated cases that are then run. Whatever it draws, a command exits 0 or 2 (never 1, never a
traceback), a refusal with ``--json`` is one JSON document naming the flag, and a run's numbers
are finite. Examples are few in the default profile of tests/conftest.py, so that the suite
stays fast; ``HYPOTHESIS_PROFILE=thorough`` runs about 16 times as many.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import astuple
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from security_dilemma.errors import BadInput
from security_dilemma.limits import MAX_POINTS, MAX_REPLICATES, MAX_SEED
from security_dilemma.scenario.reader import read_yaml_text

from ..conftest import Run
from ..scenario.test_fuzz import mutated_documents

MINIMAL = str(Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml")
RANGES = ["--param", "noise=0:1", "--param", "offence_dominance=0:1"]
EXAMPLES = settings.default.max_examples  # 60 in the default profile, 1000 in 'thorough'
FIXTURE = settings(
    max_examples=EXAMPLES // 2, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def not_an_int() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(min_size=1, max_size=12).filter(lambda t: not t.strip().lstrip("+-").isdigit()),
        st.floats(allow_nan=True, allow_infinity=True).map(lambda x: f"{x!r}.5"),
    )


def count_beyond(low: int, high: int) -> st.SearchStrategy[str]:
    """Text of an integer outside ``low..high``, or of no integer at all."""
    return st.one_of(
        st.integers(max_value=low - 1, min_value=-(2**70)).map(str),
        st.integers(min_value=high + 1, max_value=2**70).map(str),
        not_an_int(),
    )


BAD_OPTIONS: dict[str, st.SearchStrategy[str]] = {
    "--replicates": count_beyond(1, MAX_REPLICATES),
    "--seed": count_beyond(0, MAX_SEED),
    "--chunk-size": count_beyond(1, MAX_REPLICATES),
    "--samples": count_beyond(1, MAX_POINTS),
    "--param": st.one_of(
        st.integers(min_value=MAX_POINTS + 1, max_value=2**40).map(lambda n: f"noise=0:1:{n}"),
        st.text(max_size=20).filter(lambda t: "=" not in t),
        st.sampled_from(["no_such_parameter=0.5", "noise=nan", "=1", "x=1:2:3:4"]),
    ),
    "--max-memory": st.sampled_from(["1", "0", "-5GB", "lots", "1e400", "2 parsecs"]),
}
COMMANDS = {
    "run": ["run", MINIMAL, "--no-report", "--no-whatif", "-n", "2"],
    "sweep": ["sweep", MINIMAL, "--replicates", "2", "--executor", "serial"],
    "sensitivity": ["sensitivity", MINIMAL, "--output", "security:AAA", "--samples", "4"],
}
TAKES = {
    "run": ["--replicates", "--seed", "--max-memory"],
    "sweep": ["--replicates", "--seed", "--chunk-size", "--param"],
    "sensitivity": ["--replicates", "--seed", "--chunk-size", "--samples"],
}


@st.composite
def bad_command_lines(draw: st.DrawFn) -> tuple[list[str], str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    flag = draw(st.sampled_from(TAKES[command]))
    value = draw(BAD_OPTIONS[flag])
    args = [*COMMANDS[command], f"{flag}={value}"]
    if command == "sensitivity" and flag != "--param":
        args += RANGES
    return args, flag


@FIXTURE
@given(line=bad_command_lines())
def test_bad_option_values_are_refused_as_json(line: tuple[list[str], str], dilemma: Run) -> None:
    args, flag = line
    with tempfile.TemporaryDirectory() as tmp:
        store = ["--store", f"{tmp}/s.duckdb"] if args[0] != "run" else []
        code, out, err = astuple(dilemma(*args, *store, "--json"))
        assert code == 2, (args, out, err)
        assert "Traceback" not in out + err
        doc = json.loads(out)
        assert doc["ok"] is False and doc["error"] == "bad_input"
        assert flag in {p["path"] for p in doc["problems"]}, doc
        assert not Path(f"{tmp}/s.duckdb").exists()


@st.composite
def nested_yaml(draw: st.DrawFn) -> str:
    """Deep flow or block nesting, and aliases of aliases."""
    kind = draw(st.sampled_from(["flow", "block", "mapping", "aliases"]))
    depth = draw(st.integers(1, 150))
    if kind == "flow":
        return "a: " + "[" * depth + "1" + "]" * draw(st.integers(0, depth)) + "\n"
    if kind == "block":
        return "".join("  " * i + "- " + ("\n" if i < depth - 1 else "1\n") for i in range(depth))
    if kind == "mapping":
        return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    width, levels = draw(st.integers(1, 12)), draw(st.integers(1, 8))
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@settings(max_examples=EXAMPLES // 2)
@given(nested_yaml())
def test_nesting_and_aliases_are_read_or_refused_at_a_line(text: str) -> None:
    try:
        read_yaml_text(text, "fuzz.yaml")
    except BadInput as exc:
        for p in exc.problems:
            assert p.file == "fuzz.yaml" and p.line is not None and p.message


def finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list):
        return all(finite(v) for v in value)
    return True


@settings(max_examples=EXAMPLES // 15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=mutated_documents())
def test_mutated_cases_run_or_are_refused(doc: Any, dilemma: Run) -> None:
    """A case that validates runs to finite numbers; one that does not is refused (exit 2)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        args = ["run", str(path), "-n", "2", "--no-report", "--no-whatif", "--json"]
        code, out, err = astuple(dilemma(*args, "--metrics", "security,effort,crisis_risk"))
        assert code in (0, 2), err
        assert "Traceback" not in out + err
        result = json.loads(out)
        assert result["ok"] is (code == 0)
        assert finite(result)
