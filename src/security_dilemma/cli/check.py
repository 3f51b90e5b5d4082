"""`dilemma check theory`: the theory conformance suite (docs/theory.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .._tables import FitTable
from ._common import (
    EXIT_FAILURE,
    JsonOpt,
    LensesOpt,
    MarkdownOpt,
    QuietOpt,
    ReplicatesOpt,
    SeedOpt,
    console,
    parse_lenses,
    print_json,
)

__all__ = ["check_app", "register"]

check_app = typer.Typer(
    name="check",
    help="Check the model: the canonical results of the security-dilemma literature.",
    no_args_is_help=True,
)


@check_app.command("theory")
def theory(
    lens: LensesOpt = None,
    prediction: Annotated[
        str | None,
        typer.Option(
            "--prediction",
            help="Comma-separated prediction ids (P1 ... P9); default: every one.",
            show_default=False,
        ),
    ] = None,
    replicates: ReplicatesOpt = 200,
    seed: SeedOpt = 0,
    markdown: MarkdownOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run every canonical prediction on its minimal case, under each lens whose theory makes
    it, as the model is and with the prediction's mechanism removed. A prediction passes when it
    holds and fails without its mechanism; the exit code is 1 when any does not pass."""
    from ..theory import check_theory, markdown_table

    lenses = (
        None
        if lens is None
        else [r.lens for r in parse_lenses(lens, default="all", keywords=("all",))]
    )
    chosen = None if prediction is None else [p.strip() for p in prediction.split(",") if p.strip()]
    report = check_theory(predictions=chosen, lenses=lenses, replicates=replicates, seed=seed)
    if as_json:
        print_json(report.to_json())
    elif markdown:
        sys.stdout.write(markdown_table(report))
    else:
        table = FitTable(title="Theory conformance")
        table.add_column("id")
        table.add_column("lens")
        table.add_column("holds")
        table.add_column("ablated")
        table.add_column("measured", wrap=True)
        for row in report.rows:
            table.add_row(
                row.prediction,
                row.lens,
                "yes" if row.holds else "[red]no[/red]",
                "fails" if not row.ablated_holds else "[red]holds[/red]",
                row.summary,
            )
        console.print(table)
        if not quiet:
            verdict = "every prediction passes" if report.passed else "some predictions fail"
            console.print(
                f"{len(report.rows)} rows, {replicates} replicates, seed {seed}: {verdict}"
            )
    if not report.passed:
        raise typer.Exit(EXIT_FAILURE)


def register(app: typer.Typer) -> None:
    """Add ``dilemma check`` to the application."""
    app.add_typer(check_app)
