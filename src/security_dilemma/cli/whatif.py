"""``dilemma whatif``: what a case's dated moves did, against a world without them.

Runs the case as recorded and one or more counterfactual worlds (the case's own
``counterfactuals``, or one described on the command line) under each lens, with the same
seed and replicates, and prints the paired differences (docs/whatif.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from .._tables import Column, FitTable, fixed
from ..errors import BadInput, Problem
from ._common import (
    CaseArg,
    JsonOpt,
    LensesOpt,
    MaxMemoryOpt,
    QuietOpt,
    ReplicatesOpt,
    SeedOpt,
    console,
    print_json,
    progress_bar,
)
from .run import choose_lenses

if TYPE_CHECKING:
    from ..scenario import Case, Counterfactual
    from ..whatif import CounterfactualComparison

__all__ = [
    "LABELS",
    "comparison_tables",
    "parse_settings",
    "register",
    "whatif",
    "worlds_from_options",
]

LABELS = {
    "drop_events": "--drop-event",
    "drop_sites": "--drop-site",
    "drop_missiles": "--drop-missile",
    "parameters": "--set",
}
"""How the fields of a command-line counterfactual are named in error messages."""

COMMAND_LINE = "command-line"
"""Id of the world described by ``--drop-*`` and ``--set`` alone."""


def parse_settings(items: Sequence[str]) -> dict[str, float]:
    """``["distinguishability=0.2", ...]`` -> ``{"distinguishability": 0.2}``."""
    out: dict[str, float] = {}
    problems = []
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        try:
            value = float(text) if sep and name else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(
                Problem(
                    f"expected name=number, e.g. distinguishability=0.2 (got {item!r})",
                    path="--set",
                )
            )
            continue
        out[name] = value
    if problems:
        raise BadInput(problems)
    return out


def worlds_from_options(
    case: Case,
    named: Sequence[str],
    drop_events: Sequence[str],
    drop_sites: Sequence[str],
    drop_missiles: Sequence[str],
    settings: Sequence[str],
) -> list[Counterfactual]:
    """The worlds to compare: the named ones (all the case's when none is named and no
    ``--drop-*``/``--set`` is given); the command-line options describe one world, or extend
    the one named world."""
    from ..scenario.schema import Counterfactual
    from ..whatif import counterfactual_problems, find_counterfactual

    problems: list[Problem] = []
    values: dict[str, float] = {}
    try:
        values = parse_settings(settings)
    except BadInput as exc:
        problems += exc.problems
    worlds = []
    for name in dict.fromkeys(named):
        try:
            worlds.append(find_counterfactual(case, name))
        except BadInput as exc:
            problems += [replace(p, path="--counterfactual") for p in exc.problems]
    adhoc = bool(drop_events or drop_sites or drop_missiles or settings)
    if adhoc and len(dict.fromkeys(named)) > 1:
        problems.append(
            Problem(
                "--drop-event, --drop-site, --drop-missile and --set extend one counterfactual: "
                "give at most one --counterfactual with them",
                path="--counterfactual",
            )
        )
    if not adhoc and not named and not case.counterfactuals:
        problems.append(
            Problem(
                f"case '{case.id}' lists no counterfactuals: describe one with --drop-event, "
                "--drop-site, --drop-missile or --set",
                path="CASE",
            )
        )
    if problems:
        raise BadInput(problems)
    if not adhoc:
        return worlds or list(case.counterfactuals)
    removed = [
        *(f"event {e}" for e in drop_events),
        *(f"site {s}" for s in drop_sites),
        *(f"missile {m}" for m in drop_missiles),
    ]
    words = []
    if removed:
        words.append("without " + ", ".join(removed))
    if values:
        words.append("with " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
    extra = "; ".join(words)
    if worlds:
        base = worlds[0]
        world = Counterfactual(
            id=f"{base.id}.extended"[:64],
            title=f"{base.title}; and {extra}"[:200],
            description=base.description,
            drop_events=list(dict.fromkeys([*base.drop_events, *drop_events])),
            drop_sites=list(dict.fromkeys([*base.drop_sites, *drop_sites])),
            drop_missiles=list(dict.fromkeys([*base.drop_missiles, *drop_missiles])),
            parameters={**base.parameters, **values},
            note=base.note,
        )
    else:
        world = Counterfactual(
            id=COMMAND_LINE,
            title=f"The case {extra}"[:200],
            drop_events=list(dict.fromkeys(drop_events)),
            drop_sites=list(dict.fromkeys(drop_sites)),
            drop_missiles=list(dict.fromkeys(drop_missiles)),
            parameters=values,
        )
    problems = counterfactual_problems(case, world, labels=LABELS)
    if problems:
        raise BadInput(problems)
    return [world]


def _style(verdict: str) -> str:
    return {"less secure": "red", "more secure": "green"}.get(verdict, "")


def comparison_tables(
    cmp: CounterfactualComparison, actors: Sequence[str] | None = None
) -> list[FitTable]:
    """One table per lens: per actor, the paired differences at the last step (on a narrow
    terminal the 90% interval, Δ span and Δeffort are left out, in that order)."""
    last = cmp.dates[-1]
    tables = []
    for lens in cmp.lenses:
        table = FitTable(
            [
                Column("actor"),
                Column("Δsecurity", "right"),
                Column("90% interval", "right", drop=1),
                Column("mean's CI", "right"),
                Column("P(worse)", "right"),
                Column("Δ span", "right", drop=2),
                Column("Δeffort", "right", drop=3),
                Column("Δcrisis", "right"),
            ],
            title=f"[bold]{lens}[/bold]: as recorded − {cmp.id}, at {last.year}",
        )
        for actor in actors or cmp.actors:
            s = cmp.effect(lens, actor, "security")
            span = cmp.effect(lens, actor, "security", step=None)
            effort = cmp.effect(lens, actor, "effort")
            risk = cmp.effect(lens, actor, "crisis_risk")
            v = cmp.verdict(lens, actor)
            style = _style(v)
            table.add_row(
                actor,
                f"[{style}]{fixed(s['mean'], 4, sign=True)}[/{style}]"
                if style
                else fixed(s["mean"], 4, sign=True),
                f"[{fixed(s['low'], sign=True)}, {fixed(s['high'], sign=True)}]",
                f"[{fixed(s['ci_low'], sign=True)}, {fixed(s['ci_high'], sign=True)}]",
                f"{s['p_below']:.0%}",
                fixed(span["mean"], 4, sign=True),
                fixed(effort["mean"], sign=True),
                f"{100 * risk['mean']:+.2f}pp",
            )
        tables.append(table)
    return tables


LEGEND = (
    "Δ = value in the case as recorded − value in the counterfactual world, paired replicate by "
    "replicate (same seed: common random numbers), at the last step. Δsecurity: mean paired "
    "difference in security (0-1; negative: less secure with what the world takes out); 90% "
    "interval: 5-95% quantiles of the paired differences; mean's CI: 90% percentile-bootstrap "
    "interval of the mean; P(worse): share of replicates less secure as recorded; Δ span: "
    "the difference averaged over every step; Δeffort: effort index (1 = start); Δcrisis: "
    "probability of at least one crisis in the last step (one step of the case: a year, "
    "month or week), percentage points. docs/whatif.md."
)


def _describe(cmp: CounterfactualComparison) -> str:
    ch = cmp.changes
    parts = []
    if ch.dropped_events:
        n = len(ch.dropped_events)
        parts.append(f"{n} event{'s' if n > 1 else ''}")
    if ch.dropped_sites:
        parts.append("sites " + ", ".join(i for i, _ in ch.dropped_sites))
    if ch.dropped_missiles:
        parts.append("missiles " + ", ".join(i for i, _ in ch.dropped_missiles))
    removed = "removes " + "; ".join(parts) if parts else "removes nothing"
    if ch.trimmed_events:
        n = len(ch.trimmed_events)
        removed += (
            f"; {n} event{'s lose their' if n > 1 else ' loses its'} effects on removed sites"
        )
    if ch.parameters:
        removed += "; sets " + ", ".join(f"{k} = {v:g}" for k, v in ch.parameters)
    return removed


def to_document(
    case: Case, comparisons: Sequence[CounterfactualComparison], **settings: Any
) -> dict[str, Any]:
    """The ``--json`` document (keys documented in docs/whatif.md)."""
    return {
        "ok": True,
        "case": case.id,
        "title": case.title,
        **settings,
        "counterfactuals": {cmp.id: cmp.to_json() for cmp in comparisons},
    }


def whatif(
    case: CaseArg,
    counterfactual: Annotated[
        list[str] | None,
        typer.Option(
            "--counterfactual",
            "-c",
            help="Id of one of the case's counterfactuals (repeatable; default: all of them).",
        ),
    ] = None,
    drop_event: Annotated[
        list[str] | None,
        typer.Option("--drop-event", help="Event id to take out (repeatable)."),
    ] = None,
    drop_site: Annotated[
        list[str] | None,
        typer.Option(
            "--drop-site", help="Defence-site id to take out, with the status effects on it."
        ),
    ] = None,
    drop_missile: Annotated[
        list[str] | None,
        typer.Option(
            "--drop-missile", help="Missile-system id to take out, with the status effects on it."
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Parameter change, name=value, e.g. distinguishability=0.2."),
    ] = None,
    lens: LensesOpt = None,
    replicates: ReplicatesOpt = 200,
    seed: SeedOpt = 0,
    max_memory: MaxMemoryOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """What if: compare a case with counterfactual worlds, paired replicate by replicate.

    The worlds are the case's `counterfactuals` (all, or those named with --counterfactual) or
    one described with --drop-event, --drop-site, --drop-missile and --set. Per lens and actor:
    the paired difference (as recorded minus the world) in security, effort, threat and crisis
    risk, with 90% intervals (docs/whatif.md).
    """
    from ..scenario import load_case
    from ..whatif import compare_all

    c = load_case(case)
    lenses = choose_lenses(lens)
    worlds = worlds_from_options(
        c, counterfactual or [], drop_event or [], drop_site or [], drop_missile or [], set_ or []
    )
    with progress_bar(quiet, as_json) as progress:
        task = progress.add_task(
            f"{c.id}: {len(worlds)} worlds", total=replicates * len(lenses) * (1 + len(worlds))
        )
        comparisons = compare_all(
            c,
            worlds,
            lens=lenses,
            replicates=replicates,
            seed=seed,
            max_memory=max_memory,
            progress=lambda n: progress.update(task, completed=n),
        )
    if as_json:
        print_json(to_document(c, comparisons, replicates=replicates, seed=seed, lenses=lenses))
        return
    for cmp in comparisons:
        console.print(
            f"[bold]What if: {escape(cmp.changes.title)}[/bold] ({cmp.id}): "
            f"{escape(_describe(cmp))}. {escape(c.title)}, {replicates} paired replicates per "
            f"lens, seed {seed}."
        )
        for table in comparison_tables(cmp):
            console.print(table)
    if not quiet:
        console.print(LEGEND, style="dim")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(whatif)
