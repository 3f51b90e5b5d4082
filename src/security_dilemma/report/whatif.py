"""The report's what-if part: did the moves a counterfactual world takes out leave the actors
less secure? (docs/whatif.md, docs/report.md). It renders comparisons made by
:mod:`security_dilemma.whatif`:

* :func:`whatif_figure`: per lens, the paired difference in security at the last step for every
  actor (mean, 90% bootstrap interval of the mean, 5-95% range of the replicates), and its
  course over the steps for the key actors;
* :func:`answers_table`: the Rich table `dilemma run` prints, one line per lens;
* :func:`whatif_context`: what the HTML template needs, every string left for it to escape;
* :func:`section_title`: "What the missile-defence programme did" when a world takes out
  missile-defence sites, else a general title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._tables import Column, FitTable
from .figures import PALETTE, plain_text

if TYPE_CHECKING:
    from ..whatif.compare import CounterfactualComparison

__all__ = [
    "ANSWER_WORDS",
    "VERDICT_COLOURS",
    "answer_cell",
    "answers_table",
    "section_title",
    "whatif_context",
    "whatif_figure",
]

VERDICT_COLOURS = {
    "less secure": "#b03a2e",
    "more secure": "#1e7b34",
    "no clear change": "#555555",
    "unaffected": "#999999",
}
"""Colours of the four answers in the figures."""

_WORDS = {
    "less secure": "yes",
    "more secure": "no",
    "no clear change": "?",
    "unaffected": "unaffected",
}
_RICH = {"less secure": "red", "more secure": "green"}


def section_title(comparisons: Sequence[CounterfactualComparison]) -> str:
    """The report section's title."""
    if any(c.changes.dropped_sites for c in comparisons):
        return "What the missile-defence programme did"
    return "What the counterfactual worlds say"


def _short(x: float) -> str:
    if x != 0 and abs(x) < 0.00005:
        return f"{x:+.0e}"
    return f"{x:+.4f}" if abs(x) < 0.001 else f"{x:+.3f}"


def answer_cell(
    cmp: CounterfactualComparison, lens: str, actor: str, step: int | None = -1
) -> tuple[str, str]:
    """A short answer to "did it leave ``actor`` less secure?" (at ``step``; None: on average
    over the span) and the verdict."""
    e = cmp.effect(lens, actor, "security", step=step)
    v = cmp.verdict(lens, actor, step=step)
    if v == "unaffected":
        return _WORDS[v], v
    return f"{_WORDS[v]} {_short(e['mean'])}", v


def answers_table(
    cmp: CounterfactualComparison, actors: Sequence[str], *, title: str | None = None
) -> FitTable:
    """One line per lens: did the moves the world takes out leave each key actor less secure
    at the last step (mean paired difference in security)?"""
    from rich.markup import escape

    first, last = cmp.dates[0].year, cmp.dates[-1].year
    heading = title or f"Did it leave them less secure? as recorded − {escape(cmp.id)}"
    shown = [a for a in actors if a in cmp.actors]
    table = FitTable(
        [
            Column("lens"),
            *(Column(a, "right", drop=k and len(shown) - k) for k, a in enumerate(shown)),
        ],
        title=heading,
        padding=(0, 1),
        caption=f"first line: Δsecurity in {last}; span: averaged over {first}-{last}",
        caption_justify="left",
    )
    for lens in cmp.lenses:
        cells = []
        for a in shown:
            lines = []
            for step in (-1, None):
                text, v = answer_cell(cmp, lens, a, step)
                lines.append(f"[{_RICH[v]}]{text}[/{_RICH[v]}]" if v in _RICH else text)
            cells.append("\n".join(lines))
        table.add_row(f"{escape(lens)}\n[dim]  span[/dim]", *cells)
    return table


def whatif_figure(cmp: CounterfactualComparison, key: Sequence[str]) -> Figure:
    """Top row: Δsecurity at the last step per actor (dot: mean; thick bar: 90% bootstrap
    interval of the mean; thin bar: 5-95% of the replicates), one panel per lens, all on one
    scale. Bottom row: Δsecurity over the steps of the key actors (line: mean; band: 90%
    interval of the mean), on one scale too."""
    lenses = list(cmp.lenses)
    actors = list(cmp.actors)
    final = cmp.final()
    with plain_text():
        fig = Figure(
            figsize=(3.0 * len(lenses) + 1.8, 0.26 * len(actors) + 4.6), layout="constrained"
        )
        axes = fig.subplots(
            2,
            len(lenses),
            squeeze=False,
            sharey="row",
            height_ratios=(0.26 * len(actors) + 1.0, 2.6),
        )
        y = np.arange(len(actors))
        security = final[(final["metric"] == "security") & (final["counterpart"] == "")]
        left = min(0.0, float(np.nanmin(security["low"])))  # one scale for every lens
        right = max(0.0, float(np.nanmax(security["high"])))
        pad = 0.06 * (right - left) or 1e-3
        for c, lens in enumerate(lenses):
            ax = axes[0, c]
            rows = security[security["lens"] == lens].set_index("actor").reindex(actors)
            colours = [VERDICT_COLOURS[cmp.verdict(lens, a)] for a in actors]
            ax.hlines(y, rows["low"], rows["high"], colors=colours, linewidth=0.9, alpha=0.6)
            ax.hlines(y, rows["ci_low"], rows["ci_high"], colors=colours, linewidth=3.2)
            ax.scatter(rows["mean"], y, color=colours, s=18, zorder=3)
            ax.axvline(0.0, color="#333333", linewidth=0.8)
            ax.set_xlim(left - pad, right + pad)
            ax.set_title(lens, fontsize=10, fontweight="bold")
            ax.grid(axis="x", alpha=0.3, linewidth=0.5)
            ax.set_yticks(y, actors)
            if c == 0:
                ax.invert_yaxis()
            ax.set_xlabel(f"Δsecurity in {cmp.dates[-1].year}", fontsize=8.5)
            bottom = axes[1, c]
            x = np.array(cmp.dates, dtype="datetime64[D]")
            for k, actor in enumerate(a for a in key if a in actors):
                s = cmp.series(lens, actor, "security")
                colour = PALETTE[k % len(PALETTE)]
                bottom.fill_between(
                    x, s["ci_low"], s["ci_high"], color=colour, alpha=0.18, linewidth=0
                )
                bottom.plot(x, s["mean"], color=colour, linewidth=1.5, label=actor)
            bottom.axhline(0.0, color="#333333", linewidth=0.8)
            bottom.grid(alpha=0.3, linewidth=0.5)
            bottom.tick_params(axis="x", labelrotation=45)
            for label in bottom.get_xticklabels():
                label.set_horizontalalignment("right")
            if c == 0:
                bottom.set_ylabel("Δsecurity over time")
        handles = [
            Line2D([], [], color=PALETTE[k % len(PALETTE)], linewidth=2)
            for k in range(len([a for a in key if a in actors]))
        ]
        axes[1, -1].legend(
            handles,
            [a for a in key if a in actors],
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=8,
            frameon=False,
        )
        verdicts = [Line2D([], [], color=v, linewidth=3) for v in VERDICT_COLOURS.values()]
        axes[0, -1].legend(
            verdicts,
            ["less secure", "more secure", "no clear change", "unaffected"],
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=8,
            frameon=False,
            title="answer",
        )
        fig.suptitle(
            "As recorded − counterfactual world, paired by replicate: mean (dot), 90% CI of "
            "the mean (thick), 5-95% of replicates (thin)",
            fontsize=9,
            x=0.02,
            ha="left",
        )
    return fig


ANSWER_WORDS = {
    "less secure": "yes, less secure",
    "more secure": "no, more secure",
    "no clear change": "no clear change",
    "unaffected": "unaffected",
}
"""The answer to "did the moves leave it less secure?" for each verdict, in words (the
numbers are in the table below the answers, once)."""


def whatif_context(
    comparisons: Sequence[CounterfactualComparison], key: Sequence[str]
) -> list[dict[str, Any]]:
    """Per world: its description, what it removes, answers and tables for the template."""
    from .figures import data_uri

    out = []
    for cmp in comparisons:
        last = len(cmp.dates) - 1
        rows = []
        for actor in cmp.actors:
            cells = []
            for lens in cmp.lenses:
                e = cmp.effect(lens, actor, "security")
                span = cmp.effect(lens, actor, "security", step=None)
                cells.append(
                    {
                        "lens": lens,
                        "verdict": cmp.verdict(lens, actor),
                        "security": e,
                        "span": span,
                        "effort": cmp.effect(lens, actor, "effort"),
                        "threat": cmp.effect(lens, actor, "threat"),
                        "crisis_risk": cmp.effect(lens, actor, "crisis_risk"),
                        "adversaries": [
                            (b, cmp.effect(lens, actor, "crisis_prob", b))
                            for b in cmp.adversaries[lens][actor]
                        ],
                    }
                )
            rows.append({"actor": actor, "key": actor in key, "cells": cells})
        answers = {
            lens: [
                {
                    "actor": a,
                    "verdict": cmp.verdict(lens, a),
                    "text": ANSWER_WORDS[cmp.verdict(lens, a)],
                    "span_verdict": cmp.verdict(lens, a, step=None),
                    "span_text": ANSWER_WORDS[cmp.verdict(lens, a, step=None)],
                }
                for a in key
                if a in cmp.actors
            ]
            for lens in cmp.lenses
        }
        out.append(
            {
                "id": cmp.id,
                "changes": cmp.changes,
                "lenses": list(cmp.lenses),
                "year": cmp.dates[last].year,
                "first_year": cmp.dates[0].year,
                "replicates": cmp.replicates,
                "rows": rows,
                "answers": answers,
                "figure": data_uri(whatif_figure(cmp, key)),
            }
        )
    return out
