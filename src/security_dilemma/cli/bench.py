"""``dilemma bench``: run the benchmark suites against their peers in one run."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from ..bench import SUITES, available, machine, run_suite
from ..errors import BadInput, Problem, did_you_mean
from ._common import JsonOpt, QuietOpt, console, print_json

__all__ = ["register"]


def bench(
    suites: Annotated[
        list[str] | None,
        typer.Argument(help=f"Suites to run ({', '.join(SUITES)}); default: all available."),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Small sizes: checks the harness, not the targets.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the JSON results to this file.")
    ] = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Measure speed and memory against peers (Mesa, Axelrod) and check the targets."""
    names = suites or available()
    unknown = [s for s in names if s not in SUITES]
    if unknown:
        raise BadInput(
            [
                Problem(f"unknown suite '{s}'{did_you_mean(s, SUITES)}", path="SUITES")
                for s in unknown
            ]
        )
    results = {"machine": machine(), "quick": quick, "suites": {}}
    for name in names:
        if not quiet and not as_json:
            console.print(f"[bold]{name}[/bold] ...")
        t0 = time.perf_counter()
        res = run_suite(name, quick=quick)
        res["wall_seconds"] = round(time.perf_counter() - t0, 2)
        results["suites"][name] = res  # type: ignore[index]
        if not as_json:
            console.print_json(json.dumps(res, default=str))
    if out is not None:
        out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    if as_json:
        print_json(results)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(bench)
