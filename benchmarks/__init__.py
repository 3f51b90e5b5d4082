"""Benchmarks that compare the package with a peer in the same run (``python -m benchmarks``).

They live outside the package, in the repository: the peers (Mesa, Axelrod) are development
dependencies, and the wheel ships no benchmark code. Each suite is one module here with
``run(*, quick: bool = False) -> dict``; the dict is JSON-ready and holds the measured
figures, the peer's figures and each target with whether it was met.
"""

from __future__ import annotations

import importlib
import os
import platform
from typing import Any

__all__ = ["SUITES", "machine", "run_suite"]

SUITES: dict[str, str] = {
    "engine": "benchmarks.engine",
    "games": "benchmarks.games",
    "experiments": "benchmarks.experiments",
}
"""Suite name -> module implementing ``run(*, quick=False) -> dict``."""


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import numpy as np

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def run_suite(name: str, *, quick: bool = False) -> dict[str, Any]:
    """Run one suite and return its JSON-ready results."""
    module = importlib.import_module(SUITES[name])
    result: dict[str, Any] = module.run(quick=quick)
    return result
