"""Benchmarks that compare the package with a peer in the same run (``dilemma bench``).

Each suite is one module here with ``run(*, quick: bool = False) -> dict``; the dict is
JSON-ready and holds the measured figures, the peer's figures and each target with whether
it was met. Peers (Mesa, Axelrod) are development dependencies.
"""

from __future__ import annotations

import importlib
import platform
from typing import Any

__all__ = ["SUITES", "machine", "run_suite"]

SUITES: dict[str, str] = {
    "engine": "security_dilemma.bench.engine",
    "games": "security_dilemma.bench.games",
    "experiments": "security_dilemma.bench.experiments",
}
"""Suite name -> module implementing ``run(*, quick=False) -> dict``."""


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import os

    import numpy as np

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def available() -> list[str]:
    """Suites whose module exists."""
    out = []
    for name, module in SUITES.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        out.append(name)
    return out


def run_suite(name: str, *, quick: bool = False) -> dict[str, Any]:
    """Run one suite and return its JSON-ready results."""
    module = importlib.import_module(SUITES[name])
    result: dict[str, Any] = module.run(quick=quick)
    return result
