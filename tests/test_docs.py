"""Docs that run: shell examples in the docs are executed, and the generated reference is current.

Every line ``$ dilemma ...`` inside a ```console block of README.md or docs/**/*.md runs in a
fresh temporary directory and must exit 0 (or the code named by a trailing ``# exit N``). A
trailing ``# slow`` marks an example that runs at full size (the flagship with tens of
replicates): it runs with the ``slow`` tests (``make test-slow``, which CI runs too).
Python examples (```python blocks with ``>>>``) are collected as doctests by pytest itself.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from security_dilemma.scenario.docs import schema_markdown

ROOT = Path(__file__).parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def console_commands() -> list[Any]:
    found = []
    for path in DOCS:
        for block in BLOCK.findall(path.read_text(encoding="utf-8")):
            for line in block.splitlines():
                if not line.startswith("$ dilemma"):
                    continue
                command = line[2:]
                code = 0
                slow = re.search(r"\s+#\s*slow\s*$", command)
                if slow:
                    command = command[: slow.start()]
                m = re.search(r"\s+#\s*exit\s+(\d+)\s*$", command)
                if m:
                    code = int(m.group(1))
                    command = command[: m.start()]
                marks = [pytest.mark.slow] if slow else []
                found.append(
                    pytest.param(
                        str(path.relative_to(ROOT)), command, code, marks=marks, id=command[:60]
                    )
                )
    return found


COMMANDS = console_commands()


@pytest.mark.parametrize(("doc", "command", "code"), COMMANDS)
def test_console_example_runs(doc: str, command: str, code: int, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env["COLUMNS"] = "120"
    proc = subprocess.run(
        shlex.split(command),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == code, (
        f"{doc}: `{command}`\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    )
    assert "Traceback" not in proc.stderr


def test_readme_python_example_runs() -> None:
    """README.md is outside pytest's doctest paths: run its ``>>>`` examples here."""
    result = doctest.testfile(
        str(ROOT / "README.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted >= 3
    assert result.failed == 0


def test_docs_have_console_examples() -> None:
    assert any(c.values[0] == "README.md" for c in COMMANDS)


def test_case_format_reference_is_current() -> None:
    path = ROOT / "docs" / "case-format.md"
    assert path.read_text(encoding="utf-8") == schema_markdown(), (
        "docs/case-format.md is stale: run `dilemma schema --markdown > docs/case-format.md`"
    )


def test_every_schema_field_is_described() -> None:
    text = schema_markdown()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) > 100
    empty = [row for row in rows if row.rstrip().endswith("|  |")]
    assert not empty, empty
