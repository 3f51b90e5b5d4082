"""Shared test configuration: hypothesis profiles and common fixtures."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

from security_dilemma.cli import main

settings.register_profile(
    "default",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@dataclass
class Outcome:
    """What a command did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


Run = Callable[..., Outcome]


@pytest.fixture
def dilemma(capfd: pytest.CaptureFixture[str]) -> Run:
    """``dilemma("cases", "--json")`` in this process -> exit code, stdout, stderr."""

    def run(*args: str) -> Outcome:
        capfd.readouterr()
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capfd.readouterr()
        code = info.value.code
        return Outcome(code if isinstance(code, int) else 0, out, err)

    return run
