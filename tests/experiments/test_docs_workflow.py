"""The command session in docs/experiments.md runs as written, line after line, in one directory."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from .conftest import Run

DOC = Path(__file__).parents[2] / "docs" / "experiments.md"


def workflow() -> list[str]:
    m = re.search(r"<!-- workflow -->\n```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert m, "docs/experiments.md lost its workflow block"
    return [line for line in m.group(1).splitlines() if line.startswith("dilemma ")]


def test_documented_session_runs(
    dilemma: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "120")
    lines = workflow()
    assert len(lines) >= 5
    outputs = []
    for line in lines:
        res = dilemma(*shlex.split(line)[1:])
        assert res.code == 0, f"`{line}`\n{res.out}\n{res.err}"
        outputs.append(res.out)
    assert "crisis_prob:RUS:USA at the final step" in outputs[2]
    assert (tmp_path / "results.parquet").stat().st_size > 0
    assert (tmp_path / "summary.csv").read_text().startswith("point,lens,distinguishability,")
    assert "(12 already done, 0 computed)" in outputs[-1]
