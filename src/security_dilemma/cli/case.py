"""Commands about case files: validate, schema, cases, show, place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .._tables import Column, FitTable
from ..errors import BadInput, Problem
from ._common import (
    EXIT_BAD_INPUT,
    CaseArg,
    JsonOpt,
    MarkdownOpt,
    PlacesCaseOpt,
    console,
    err_console,
    plain,
    print_json,
    to_jsonable,
)

__all__ = ["describe_effect", "register"]


def validate(
    files: Annotated[list[Path], typer.Argument(help="Case files to check.", show_default=False)],
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Also require a source on every factual record, and count the coding "
            "warnings as problems.",
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
            located = read_yaml(path, partial=True)
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
    table = FitTable(
        [
            Column("id"),
            Column("title", wrap=True),
            Column("period"),
            Column("step"),
            Column("actors", wrap=True, drop=3),
            Column("events", "right", drop=2),
            Column("observables", "right", drop=1),
        ],
        title="Built-in cases",
    )
    for c in infos:
        table.add_row(
            c.id,
            plain(c.title),
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
        f"[bold]{plain(c.title)}[/bold]  "
        f"({c.id}, {c.span.start} to {c.span.end}, step {c.span.step})"
    )
    if c.summary:
        console.print(c.summary, markup=False)
    from ..engine.params import DEFAULT_LENS

    t = FitTable(
        [
            Column("id"),
            Column("name", wrap=True),
            Column("COW", "right", drop=1),
            Column("lens"),
            Column("P(greedy)", "right"),
        ],
        title="Actors",
        caption=f"lens: the actor's own from the case, else the default ({DEFAULT_LENS}); "
        "dilemma run --lens overrides it.",
    )
    for a in c.actors:
        t.add_row(
            plain(a.id),
            plain(a.name),
            str(a.ccode or ""),
            plain(a.lens) if a.lens else f"{DEFAULT_LENS} (default)",
            f"{a.prior_greedy:.2f}",
        )
    console.print(t)
    if c.capabilities:
        t = FitTable(
            [
                Column("actor"),
                Column("year"),
                Column("milex", "right"),
                Column("defence\nshare", "right"),
                Column("missile-\ndefence\nshare", "right", drop=2),
                Column("source", wrap=True, drop=1),
            ],
            title="Capabilities",
        )
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
        t = FitTable(
            [
                Column("id"),
                Column("actor"),
                Column("range km", "right"),
                Column("inventory", "right", drop=1),
                Column("launch areas", wrap=True, drop=2),
                Column("status"),
            ],
            title="Missile systems",
        )
        for m in c.missiles:
            inv = f"{m.inventory.value:g}" if m.inventory else "?"
            t.add_row(
                m.id,
                m.actor,
                f"{m.range_km.value:,.0f}",
                inv,
                plain(", ".join(m.launch_areas)),
                m.status,
            )
        console.print(t)
    if c.defence_sites:
        t = FitTable(
            [
                Column("id"),
                Column("actor"),
                Column("host", drop=2),
                Column("place", wrap=True, drop=4),
                Column("kind"),
                Column("inter-\nceptors", "right", drop=3),
                Column("SSPK", "right", drop=1),
                Column("status"),
            ],
            title="Defence sites",
        )
        for site in c.defence_sites:
            t.add_row(
                plain(site.id),
                site.actor,
                site.host or "",
                plain(site.place),
                site.kind,
                f"{site.interceptors.value:g}" if site.interceptors else "",
                f"{site.sspk.value:.2f}" if site.sspk else "",
                site.status,
            )
        console.print(t)
    if c.institutions:
        t = FitTable(
            [
                Column("id"),
                Column("members", wrap=True),
                Column("transparency", "right"),
                Column("shadow of\nthe future", "right"),
            ],
            title="Institutions",
        )
        for inst in c.institutions:
            t.add_row(
                inst.id,
                " ".join(m.actor for m in inst.members),
                f"{inst.transparency.value:.2f}",
                f"{inst.shadow_of_future.value:.2f}",
            )
        console.print(t)
    if c.events:
        t = FitTable(
            [
                Column("id"),
                Column("date"),
                Column("event", wrap=True),
                Column("effects", wrap=True),
                Column("source", wrap=True, drop=1),
            ],
            title="Events",
            caption="ids: what `dilemma whatif --drop-event ID` takes out.",
            wrap_min=24,
        )
        for e in c.events:
            effects = "; ".join(describe_effect(x) for x in e.effects) or "-"
            t.add_row(
                plain(e.id), e.date.isoformat(), plain(e.title), plain(effects), _src(e.source)
            )
        console.print(t)
    console.print(f"{len(c.observables)} coded observables, {len(c.sources)} sources.")


def describe_effect(effect: object) -> str:
    """An event's effect in one line: its type, then its fields (``site redzikowo:
    status=operational``, ``identity RUS -> USA: delta=-0.2``).

    >>> from security_dilemma.scenario.schema import CrisisOccurs
    >>> describe_effect(CrisisOccurs(type="crisis", between=["USA", "RUS"]))
    'crisis USA-RUS: level=dispute'
    """
    data = to_jsonable(effect)
    if not isinstance(data, dict):
        return str(data)
    kind = str(data.pop("type", "effect"))

    def ids(value: object) -> str:
        return ",".join(map(str, value)) if isinstance(value, list) else str(value)

    subject = ""
    if "from" in data and "to" in data:
        subject = f"{ids(data.pop('from'))} -> {ids(data.pop('to'))}"
    elif "between" in data:
        subject = "-".join(map(str, data.pop("between")))
    else:
        for key in ("site", "missile", "alliance", "actor", "name"):
            if key in data:
                subject = ids(data.pop(key))
                if key == "actor" and "institution" in data:
                    subject += f" {data.pop('institution')}"
                if key == "actor" and "to" in data:
                    subject += f" -> {ids(data.pop('to'))}"
                break
    fields = ", ".join(f"{k}={_value(v)}" for k, v in data.items() if v is not None)
    head = f"{kind} {subject}".strip()
    return f"{head}: {fields}" if fields else head


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:+g}" if value < 0 else f"{value:g}"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def _src(source: str | list[str] | None) -> str:
    if source is None:
        return ""
    return plain(source if isinstance(source, str) else ", ".join(source))


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
    t = FitTable(
        [
            Column("query"),
            Column("name"),
            Column("lat", "right"),
            Column("lon", "right"),
            Column("kind", drop=2),
            Column("country", drop=3),
            Column("source", wrap=True, drop=1),
        ]
    )
    for q, loc in found:
        t.add_row(
            plain(q),
            plain(loc.name),
            f"{loc.lat:.4f}",
            f"{loc.lon:.4f}",
            loc.kind,
            plain(loc.country or ""),
            plain(loc.source),
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
