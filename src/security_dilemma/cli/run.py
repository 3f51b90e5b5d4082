"""``dilemma run``: the main job (the engine issue replaces this with a full simulation)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..scenario import load_case
from ._common import JsonOpt, console, print_json

__all__ = ["register"]


def run(
    case: Annotated[str, typer.Argument(help="Built-in case name or path to a case file.")],
    as_json: JsonOpt = False,
) -> None:
    """Run a case (at this stage: load, validate and summarise it)."""
    c = load_case(case)
    summary = {
        "case": c.id,
        "title": c.title,
        "actors": c.actor_ids(),
        "events": len(c.events),
        "defence_sites": [s.id for s in c.defence_sites],
    }
    if as_json:
        print_json(summary)
        return
    console.print(f"[bold]{c.title}[/bold]: {len(c.actors)} actors, {len(c.events)} events.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(run)
