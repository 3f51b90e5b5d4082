"""``dilemma classroom``: make a classroom session (docs/classroom.md) in the server's database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import BadInput, Problem
from ._common import (
    DEFAULT_STORE,
    DatabaseOpt,
    JsonOpt,
    LensesOpt,
    SeedOpt,
    StoreOpt,
    console,
    print_json,
)

__all__ = ["app", "register"]

app = typer.Typer(
    name="classroom",
    help="Classroom mode: sessions that students play in the web app (dilemma serve).",
    no_args_is_help=True,
)


@app.command()
def create(
    case: Annotated[
        str, typer.Argument(help="Built-in case id (dilemma cases) or a case file (FILE.yaml).")
    ],
    seats: Annotated[
        str, typer.Option("--seats", help="Played actor ids, comma-separated: USA,RUS,POL,IRN.")
    ],
    turn_minutes: Annotated[
        float, typer.Option("--turn-minutes", min=0.1, max=1440, help="Minutes per turn.")
    ] = 10.0,
    periods: Annotated[
        int, typer.Option("--periods", min=1, max=100, help="Turns (periods) to play.")
    ] = 8,
    groups: Annotated[
        int, typer.Option("--groups", min=1, max=20, help="Parallel worlds (groups).")
    ] = 1,
    lens: LensesOpt = None,
    seed: SeedOpt = 0,
    database: DatabaseOpt = None,
    store: StoreOpt = DEFAULT_STORE,
    url: Annotated[
        str, typer.Option("--url", help="The server's address, for the printed links.")
    ] = "http://127.0.0.1:8000",
    as_json: JsonOpt = False,
) -> None:
    """Create a session: print the instructor's link and the students' join code."""
    from ..classroom.sessions import Classroom, SessionSettings
    from ..classroom.store import database_for_store, open_database
    from ..scenario.loader import load_case_file
    from .serve import checked_database

    case_yaml: str | None = None
    file = Path(case)
    if file.suffix.lower() in (".yaml", ".yml") or file.is_file():
        load_case_file(file)  # every problem, located in the file, before anything is made
        case_yaml = file.read_text(encoding="utf-8").removeprefix("\ufeff")
        case = file.name[:64]

    chosen = tuple(a.strip() for a in seats.split(",") if a.strip())
    if not chosen:
        raise BadInput(Problem("name at least one actor", path="--seats"))
    lenses = [x.strip() for item in lens or ["case"] for x in item.split(",") if x.strip()]
    if len(lenses) != 1 or "=" in lenses[0] or lenses[0] == "all":
        raise BadInput(
            Problem("one lens for the unseated actors (or 'case': their own)", path="--lens")
        )
    engine = open_database(checked_database(database, Path(store)) or database_for_store(store))
    try:
        settings = SessionSettings(
            case=case,
            seats=chosen,
            groups=groups,
            turn_minutes=turn_minutes,
            turns=periods,
            lens=lenses[0],
            seed=seed,
        )
        created = Classroom(engine).create(settings, case_yaml)
    finally:
        engine.dispose()
    base = url.rstrip("/")
    doc = {
        "session": created.session_id,
        "code": created.code,
        "instructor_url": f"{base}/classroom/teach/{created.instructor_token}",
        "join_url": f"{base}/classroom?code={created.code}",
    }
    if as_json:
        print_json({"ok": True, **doc})
        return
    console.print(f"session {created.session_id}: {case}, seats {', '.join(chosen)}", markup=False)
    console.print(f"join code:  {created.code}   (students open {doc['join_url']})", markup=False)
    console.print(f"instructor: {doc['instructor_url']}   (keep it private)", markup=False)


def register(main_app: typer.Typer) -> None:
    """Add the ``classroom`` sub-app to the application."""
    main_app.add_typer(app, name="classroom")
