"""The CLI tests use the in-process ``dilemma`` fixture of tests/conftest.py."""

from __future__ import annotations

from ..conftest import Outcome as Outcome  # re-exported for the tests here
from ..conftest import Run as Run
