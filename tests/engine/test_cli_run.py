"""``dilemma run`` as a user meets it: tables, JSON, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from security_dilemma.cli import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dilemma(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Run:
    monkeypatch.chdir(tmp_path)  # `dilemma run` writes ./<case>-report.html by default

    def run(*args: str) -> tuple[int, str, str]:
        capfd.readouterr()
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capfd.readouterr()
        code = info.value.code
        return (code if isinstance(code, int) else 0), out, err

    return run


def test_run_prints_a_table_per_lens(dilemma: Run) -> None:
    code, out, _ = dilemma("run", "bmd-europe", "--lens", "realism,pyramid", "-n", "8")
    assert code == 0
    assert "realism: Jervis world" in out and "pyramid: Jervis world" in out
    assert "RUS" in out and "self-" in out and "defeat" in out


def test_run_json_document_has_every_lens_by_default(dilemma: Run) -> None:
    code, out, _ = dilemma("run", "bmd-europe", "-n", "3", "--json", "--no-restraint")
    assert code == 0
    doc = json.loads(out)
    assert doc["ok"] is True and doc["case"] == "bmd-europe"
    assert list(doc["lenses"]) == ["realism", "liberalism", "constructivism", "pyramid"]
    run = doc["lenses"]["liberalism"]
    assert run["replicates"] == 3 and run["restraint"] is False
    assert len(run["steps"]) == 12
    assert "belief" in run["steps"][0]["dyads"]["IRN"]["USA"]
    assert "harm" not in run["steps"][0]["dyads"]["IRN"]["USA"]


def test_case_lenses(dilemma: Run) -> None:
    code, out, _ = dilemma("run", "bmd-europe", "-n", "3", "--json", "--quiet", "--lens", "case")
    assert code == 0
    doc = json.loads(out)
    assert list(doc["lenses"]) == ["case"]
    assert set(doc["lenses"]["case"]["lenses"].values()) <= {
        "realism", "liberalism", "constructivism", "pyramid",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--lens", "realsim"), "did you mean 'realism'"),
        (("--max-memory", "huge"), "not a memory size"),
        (("--max-memory", "1kB"), "too small"),
    ],
)
def test_bad_input_exits_2(dilemma: Run, args: tuple[str, ...], message: str) -> None:
    code, _, err = dilemma("run", "bmd-europe", "-n", "2", *args)
    assert code == 2 and message in err and "Traceback" not in err
    code, out, _ = dilemma("run", "bmd-europe", "-n", "2", "--json", *args)
    assert code == 2 and json.loads(out)["error"] == "bad_input"


def test_unknown_case_exits_2(dilemma: Run) -> None:
    code, _, err = dilemma("run", "no-such-case", "-n", "2")
    assert code == 2 and "unknown case" in err
