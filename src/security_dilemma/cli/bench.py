"""``dilemma bench``: kept for one release to say where the benchmarks went.

The benchmark suites need development-only peers (Mesa, Axelrod), so they live in the
repository's top-level ``benchmarks/`` directory, not in the package.
"""

from __future__ import annotations

import typer

from ..errors import BadInput, Problem

__all__ = ["MOVED", "register"]

MOVED = (
    "benchmarks moved out of the package: run `make bench` or `python -m benchmarks` from a clone"
)


def bench() -> None:
    """Removed: the benchmarks run from a clone (`make bench` or `python -m benchmarks`)."""
    raise BadInput(Problem(MOVED))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(bench)
