"""Commands about case files: validate, schema, cases, show, place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import BadInput, Problem
from ._common import (
    EXIT_BAD_INPUT,
    CaseArg,
    JsonOpt,
    MarkdownOpt,
    PlacesCaseOpt,
    console,
    err_console,
    print_json,
)

__all__ = ["register"]


def validate(
    files: Annotated[list[Path], typer.Argument(help="Case files to check.", show_default=False)],
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Also require a source on every factual record, and count the coding "
            "warnings as problems (as built-in cases must pass).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check case files and report every problem as FILE:LINE:COL: field: message.

    Coding warnings (kinds coded only as happened, series with gaps, parameters without
    sources: docs/case-format.md, "Coding rules") are printed as `warning:` lines and do not
    fail the check unless --strict is given.
    """
    from ..scenario import case_problems, case_warnings
    from ..scenario.reader import read_yaml

    results = []
    all_problems: list[Problem] = []
    for path in files:
        warnings: list[Problem] = []
        try:
            located = read_yaml(path)
            case, problems = case_problems(located, strict_sources=strict)
            warnings = case_warnings(located)
        except BadInput as exc:
            case, problems = None, list(exc.problems)
        if strict:
            problems, warnings = (
                sorted([*problems, *warnings], key=lambda p: (p.line or 0, p.col or 0, p.message)),
                [],
            )
            case = case if not problems else None
        all_problems += problems
        results.append(
            {
                "file": str(path),
                "ok": not problems,
                "case": case.id if case else None,
                "problems": [p.to_dict() for p in problems],
                "warnings": [p.to_dict() for p in warnings],
            }
        )
        if not as_json:
            for p in problems:
                err_console.print(str(p), markup=False, soft_wrap=True)
            for p in warnings:
                err_console.print(f"warning: {p}", markup=False, soft_wrap=True)
            if not problems:
                assert case is not None
                n = len(warnings)
                extra = f"; {n} warning{'s' if n != 1 else ''}" if n else ""
                console.print(
                    f"{path}: ok ({case.id}: {len(case.actors)} actors, {len(case.events)} "
                    f"events, {len(case.observables)} observables{extra})",
                    markup=False,
                )
    if as_json:
        print_json({"ok": not all_problems, "files": results})
    elif all_problems:
        n = len(all_problems)
        err_console.print(f"{n} problem{'s' if n != 1 else ''} found.", markup=False)
    if all_problems:
        raise typer.Exit(EXIT_BAD_INPUT)


def schema(
    markdown: MarkdownOpt = False,
) -> None:
    """Print the case-file JSON Schema (draft 2020-12)."""
    from ..scenario import Case
    from ..scenario.docs import schema_markdown

    if markdown:
        typer.echo(schema_markdown(), nl=False)
        return
    doc = Case.model_json_schema(by_alias=True)
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", **doc}
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


def cases(as_json: JsonOpt = False) -> None:
    """List the built-in cases."""
    from ..scenario import list_cases

    infos = list_cases()
    if as_json:
        print_json({"cases": infos})
        return
    table = Table(title="Built-in cases", title_justify="left")
    for col in ("id", "title", "period", "step", "actors", "events", "observables"):
        table.add_column(col, overflow="fold")
    for c in infos:
        table.add_row(
            c.id,
            c.title,
            f"{c.start[:4]}-{c.end[:4]}",
            c.step,
            " ".join(c.actors),
            str(c.events),
            str(c.observables),
        )
    console.print(table)


def show(
    case: CaseArg,
    as_json: JsonOpt = False,
) -> None:
    """Print a case: actors, capabilities, sites, institutions, events and sources."""
    from ..scenario import load_case

    c = load_case(case)
    if as_json:
        print_json(c)
        return
    console.print(
        f"[bold]{c.title}[/bold]  ({c.id}, {c.span.start} to {c.span.end}, step {c.span.step})"
    )
    if c.summary:
        console.print(c.summary, markup=False)
    t = Table(title="Actors", title_justify="left")
    for col in ("id", "name", "COW", "lens", "P(greedy)"):
        t.add_column(col)
    for a in c.actors:
        t.add_row(a.id, a.name, str(a.ccode or ""), a.lens or "", f"{a.prior_greedy:.2f}")
    console.print(t)
    if c.capabilities:
        t = Table(title="Capabilities", title_justify="left")
        for col in ("actor", "year", "milex", "defence share", "missile-defence share", "source"):
            t.add_column(col)
        for cap in c.capabilities:
            t.add_row(
                cap.actor,
                str(cap.year or ""),
                f"{cap.milex.value:,.0f}",
                f"{cap.defence_share.value:.3f}" if cap.defence_share else "",
                f"{cap.missile_defence_share.value:.3f}" if cap.missile_defence_share else "",
                _src(cap.source),
            )
        console.print(t)
    if c.missiles:
        t = Table(title="Missile systems", title_justify="left")
        for col in ("id", "actor", "range km", "inventory", "launch areas", "status"):
            t.add_column(col)
        for m in c.missiles:
            inv = f"{m.inventory.value:g}" if m.inventory else "?"
            t.add_row(
                m.id, m.actor, f"{m.range_km.value:,.0f}", inv, ", ".join(m.launch_areas), m.status
            )
        console.print(t)
    if c.defence_sites:
        t = Table(title="Defence sites", title_justify="left")
        for col in ("id", "actor", "host", "place", "kind", "interceptors", "SSPK", "status"):
            t.add_column(col)
        for s in c.defence_sites:
            t.add_row(
                s.id,
                s.actor,
                s.host or "",
                s.place,
                s.kind,
                f"{s.interceptors.value:g}" if s.interceptors else "",
                f"{s.sspk.value:.2f}" if s.sspk else "",
                s.status,
            )
        console.print(t)
    if c.institutions:
        t = Table(title="Institutions", title_justify="left")
        for col in ("id", "members", "transparency", "shadow of the future"):
            t.add_column(col)
        for inst in c.institutions:
            t.add_row(
                inst.id,
                " ".join(m.actor for m in inst.members),
                f"{inst.transparency.value:.2f}",
                f"{inst.shadow_of_future.value:.2f}",
            )
        console.print(t)
    if c.events:
        t = Table(title="Events", title_justify="left")
        for col in ("date", "event", "effects", "source"):
            t.add_column(col, overflow="fold")
        for e in c.events:
            t.add_row(e.date.isoformat(), e.title, str(len(e.effects)), _src(e.source))
        console.print(t)
    console.print(f"{len(c.observables)} coded observables, {len(c.sources)} sources.")


def _src(source: str | list[str] | None) -> str:
    if source is None:
        return ""
    return source if isinstance(source, str) else ", ".join(source)


def place(
    queries: Annotated[list[str], typer.Argument(help="Place names, ISO3/COW codes or 'lat,lon'.")],
    case: PlacesCaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Resolve place names, country codes and coordinates with the gazetteer."""
    from ..geo.gazetteer import Gazetteer
    from ..scenario import load_case

    gaz = Gazetteer.for_case(load_case(case)) if case else Gazetteer.default()
    problems = [
        Problem(msg, path=f"QUERY[{i}]")
        for i, q in enumerate(queries)
        if (msg := gaz.explain_unknown(q)) is not None
    ]
    if problems:
        raise BadInput(problems)
    found = [(q, gaz.resolve(q)) for q in queries]
    if as_json:
        print_json({"places": [{"query": q, **loc_dict(loc)} for q, loc in found]})
        return
    t = Table()
    for col in ("query", "name", "lat", "lon", "kind", "country", "source"):
        t.add_column(col)
    for q, loc in found:
        t.add_row(
            q, loc.name, f"{loc.lat:.4f}", f"{loc.lon:.4f}", loc.kind, loc.country or "", loc.source
        )
    console.print(t)


def loc_dict(loc: object) -> dict[str, object]:
    """A location as JSON-ready data."""
    from dataclasses import asdict

    return asdict(loc)  # type: ignore[call-overload, no-any-return]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(validate)
    app.command()(schema)
    app.command()(cases)
    app.command()(show)
    app.command()(place)
