"""`dilemma case from-data`: draft a case file from the shipped COW and ATOP data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import BadInput, Problem
from ..scenario.fromdata import STEPS, draft_case
from ._common import JsonOpt, QuietOpt, console, err_console, print_json

__all__ = ["case_app", "register"]

case_app = typer.Typer(
    name="case",
    help="Build case files: draft one from data (COW NMC, ATOP, COW IGO, COW trade).",
    no_args_is_help=True,
)


@case_app.command("from-data")
def from_data(
    states: Annotated[
        str,
        typer.Option(
            "--states",
            help="Comma-separated states: ISO3 codes (POL), COW codes (290) or names (Poland).",
            show_default=False,
        ),
    ],
    start: Annotated[int, typer.Option("--start", help="First year.", show_default=False)],
    end: Annotated[int, typer.Option("--end", help="Last year.", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write, '-' for stdout (default: <id>.yaml)."),
    ] = None,
    step: Annotated[
        str, typer.Option("--step", help=f"Simulation step: {', '.join(STEPS)}.")
    ] = "year",
    case_id: Annotated[
        str | None,
        typer.Option(
            "--id", help="Case id (default: the states and years, e.g. usa-pol-2001-2009)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Draft a valid case file from the shipped data, for the researcher to complete."""
    draft = draft_case(states.split(","), start, end, step=step, case_id=case_id)
    target = out if out is not None else Path(f"{draft.id}.yaml")
    to_stdout = str(target) == "-"
    if to_stdout and as_json:
        raise BadInput(Problem("--json prints a summary on stdout: give --out FILE", path="--out"))
    if not to_stdout:
        if target.exists() and not force:
            raise BadInput(
                Problem(
                    f"{target} exists: give --force to overwrite it, or another --out", path="--out"
                )
            )
        if not target.parent.exists():
            raise BadInput(Problem(f"no such directory: {target.parent}", path="--out"))
        target.write_text(draft.text, encoding="utf-8")
    else:
        sys.stdout.write(draft.text)
    data = draft.data
    if as_json:
        print_json(
            {
                "ok": True,
                "file": str(target),
                "id": draft.id,
                "actors": [
                    {"id": s.id, "ccode": s.ccode, "name": s.name, "query": s.query}
                    for s in draft.states
                ],
                "counts": {
                    key: len(data[key]) for key in ("capabilities", "alliances", "interdependence")
                },
                "warnings": list(draft.warnings),
            }
        )
        return
    report = err_console if to_stdout else console
    if not quiet:
        if not to_stdout:
            report.print(
                f"wrote {target}: {len(data['actors'])} actors, {len(data['capabilities'])} "
                f"capabilities, {len(data['alliances'])} alliances, "
                f"{len(data['interdependence'])} interdependence pairs",
                markup=False,
            )
        for w in draft.warnings:
            report.print(f"note: {w}", markup=False)
        if not to_stdout:
            report.print(
                f"next: complete the TODOs and comments in {target}, then "
                f"`dilemma validate --strict {target}`",
                markup=False,
            )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.add_typer(case_app, name="case")
