"""Run the ``dilemma`` command in-process and capture what it prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from security_dilemma.cli import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str


Run = Callable[..., Outcome]


@pytest.fixture
def dilemma(capfd: pytest.CaptureFixture[str]) -> Run:
    """``dilemma("cases", "--json")`` -> exit code, stdout, stderr."""

    def run(*args: str) -> Outcome:
        capfd.readouterr()
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capfd.readouterr()
        code = info.value.code
        return Outcome(code if isinstance(code, int) else 0, out, err)

    return run
