"""Fuzzing: mutated case files never produce anything but located BadInput problems.

Mutations are drawn by hypothesis from a valid case: deleted keys, wrong types, huge numbers,
NaN and infinities, unicode, unknown keys, and garbage bytes spliced into the text. Whatever
the input, validation either accepts it or raises BadInput with at least one problem, and the
command line exits 0 or 2 without a traceback.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from security_dilemma.cli import main
from security_dilemma.errors import BadInput
from security_dilemma.scenario import case_problems
from security_dilemma.scenario.reader import read_yaml

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"
BASE_TEXT = FIXTURE.read_text(encoding="utf-8")
BASE: dict[str, Any] = yaml.safe_load(BASE_TEXT)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**300, -(10**300), 1e308, -1e308, 5e-324]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "*", "AAA", "2003-02-30", "lat,lon", "Ünïcødé 🚀", "\u202e", "x" * 300]),
    st.dates(),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def parent_of(doc: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        locs = paths(doc)
        if not locs:
            break
        loc = draw(st.sampled_from(locs))
        parent = parent_of(doc, loc)
        op = draw(st.sampled_from(["delete", "replace", "replace", "add_key", "wrap"]))
        if op == "delete":
            del parent[loc[-1]]
        elif op == "replace":
            parent[loc[-1]] = draw(values)
        elif op == "wrap":
            parent[loc[-1]] = [parent[loc[-1]]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(values)
    return doc


def check_problems(path: Path) -> None:
    try:
        case_problems_for(path)
    except BadInput as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.message and p.file == str(path)


def case_problems_for(path: Path) -> None:
    case, problems = case_problems(read_yaml(path))
    assert (case is None) == bool(problems)
    for p in problems:
        assert p.message and p.file == str(path) and p.line is not None


@given(mutated_documents())
def test_mutated_documents_give_located_problems(doc: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        check_problems(path)


@given(
    st.integers(0, len(BASE_TEXT.encode())),
    st.binary(min_size=1, max_size=40),
    st.booleans(),
)
def test_garbage_bytes_give_located_problems(at: int, junk: bytes, truncate: bool) -> None:
    raw = BASE_TEXT.encode()
    raw = raw[:at] + junk if truncate else raw[:at] + junk + raw[at:]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(raw)
        check_problems(path)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(doc=mutated_documents())
def test_command_line_never_prints_a_traceback(doc: Any, capfd: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        for args in (["validate", str(path)], ["show", str(path), "--json"]):
            capfd.readouterr()
            with pytest.raises(SystemExit) as info:
                main(args)
            out, err = capfd.readouterr()
            assert info.value.code in (0, 2), err
            assert "Traceback" not in out + err
            if info.value.code == 2 and args[0] == "validate":
                assert f"{path}:" in err
