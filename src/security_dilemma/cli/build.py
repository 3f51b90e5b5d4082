"""`dilemma case ...`: draft a case file from the shipped COW and ATOP data (``from-data``),
rewrite an older case file in the current format (``migrate``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, cast

import typer

from ..errors import BadInput, Problem
from ..scenario.fromdata import STEPS, draft_case
from ._common import JsonOpt, QuietOpt, console, err_console, print_json

__all__ = ["case_app", "register"]

case_app = typer.Typer(
    name="case",
    help="Build case files: draft one from data (COW NMC, ATOP, COW IGO, COW trade), or "
    "migrate an older one to the current format.",
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


@case_app.command("migrate")
def migrate(
    file: Annotated[Path, typer.Argument(help="Case file to migrate.", show_default=False)],
    share_def_as: Annotated[
        str,
        typer.Option(
            "--share-def-as",
            help="What the file's capabilities meant by share_def: missile-defence (the share "
            "of the budget spent on missile defence; the built-in cases' meaning) or defence "
            "(the share of effort in defensive forces). Events' field: share_def becomes "
            "defence_share either way.",
        ),
    ] = "missile-defence",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write, '-' for stdout (default: stdout)."),
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite FILE itself.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out.")] = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Rewrite an older case file in the current format, keeping its comments and layout.

    Refuses (exit 2, nothing written) a file that would not validate afterwards.
    """
    from ..scenario.migrate import ShareDefAs, migrate_file

    if in_place and out is not None:
        raise BadInput(Problem("give --out or --in-place, not both", path="--in-place"))
    target = file if in_place else (out if out is not None else Path("-"))
    to_stdout = str(target) == "-"
    if to_stdout and as_json:
        raise BadInput(
            Problem(
                "--json prints a summary on stdout: give --out FILE or --in-place", path="--out"
            )
        )
    if not to_stdout and not in_place:
        if target.exists() and not force:
            raise BadInput(
                Problem(
                    f"{target} exists: give --force to overwrite it, --in-place to rewrite "
                    "the file itself, or another --out",
                    path="--out",
                )
            )
        if not target.parent.exists():
            raise BadInput(Problem(f"no such directory: {target.parent}", path="--out"))
    # the library checks the meaning (and names it --share-def-as here)
    migration = migrate_file(file, share_def_as=cast("ShareDefAs", share_def_as))
    if to_stdout:
        sys.stdout.write(migration.text)
    elif migration.changes or not in_place:
        target.write_bytes(migration.text.encode("utf-8"))
    if as_json:
        print_json(
            {
                "ok": True,
                "file": str(file),
                "out": str(target),
                "share_def_as": share_def_as,
                "changes": list(migration.changes),
            }
        )
        return
    if quiet:
        return
    report = err_console if to_stdout else console
    for change in migration.changes:
        report.print(str(change), markup=False, soft_wrap=True)
    n = len(migration.changes)
    if not n:
        report.print(
            f"{file}: nothing to migrate (it is in the current format)",
            markup=False,
            soft_wrap=True,
        )
    elif not to_stdout:
        report.print(
            f"wrote {target}: {n} change{'s' if n != 1 else ''}; it validates",
            markup=False,
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.add_typer(case_app, name="case")
