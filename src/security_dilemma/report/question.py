"""The case's question, which the headline leads with: per lens and year, the difference in one
actor's value between the case as recorded and the question's what-if world (recorded minus
the world), with two intervals: the replicates' (90% bootstrap interval of the mean paired
difference, at the case's parameters) and the parameters' (5-95% of the mean difference over
the sample of uncalibrated parameters, :mod:`security_dilemma.history.uncertainty`).

>>> row = QuestionYear(2009, {"pyramid": Delta(0.021, 0.010, 0.030, -0.002, 0.060)})
>>> row.cells["pyramid"].text()
'+0.021\\n[+0.010, +0.030]\\n{-0.002, +0.060}'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from .._tables import Column, FitTable, fixed

if TYPE_CHECKING:
    from ..history.uncertainty import ParameterSpread
    from ..scenario.schema import Case
    from ..whatif.compare import CounterfactualComparison

__all__ = [
    "Delta",
    "QuestionAnswer",
    "QuestionYear",
    "question_answer",
    "question_table",
    "year_ranges",
]


@dataclass(frozen=True)
class Delta:
    """One lens's difference in one year: the mean, the replicates' interval and the
    parameters' 5-95% spread (NaN without a parameter sample)."""

    mean: float
    ci_low: float
    ci_high: float
    spread_low: float = math.nan
    spread_high: float = math.nan

    def text(self, digits: int = 3) -> str:
        """Three lines: the mean, ``[replicates' interval]``, ``{parameters' spread}``."""

        def f(x: float) -> str:
            return fixed(x, digits, sign=True)

        out = f"{f(self.mean)}\n[{f(self.ci_low)}, {f(self.ci_high)}]"
        if math.isfinite(self.spread_low):
            out += f"\n{{{f(self.spread_low)}, {f(self.spread_high)}}}"
        return out

    def to_json(self) -> dict[str, float | None]:
        """JSON-ready fields (null for a missing spread)."""
        return {
            k: (v if math.isfinite(v) else None)
            for k, v in (
                ("mean", self.mean),
                ("ci_low", self.ci_low),
                ("ci_high", self.ci_high),
                ("spread_low", self.spread_low),
                ("spread_high", self.spread_high),
            )
        }


@dataclass(frozen=True)
class QuestionYear:
    """One year of the answer: a :class:`Delta` per lens."""

    year: int
    cells: Mapping[str, Delta]

    def unchanged(self, tolerance: float = 1e-12) -> bool:
        """No lens shows a difference this year, in any replicate or parameter sample."""
        return all(
            max(abs(v) for v in (d.mean, d.ci_low, d.ci_high, *_finite(d))) <= tolerance
            for d in self.cells.values()
        )


@dataclass(frozen=True)
class QuestionAnswer:
    """The question, where it comes from, and its answer by year (module docstring)."""

    text: str
    world: str
    world_title: str
    actor: str
    metric: str
    source: tuple[str, ...]
    asked: bool
    lenses: tuple[str, ...]
    years: tuple[QuestionYear, ...]
    replicates: int
    level: float
    spread_samples: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields (docs/report.md)."""
        return {
            "text": self.text,
            "world": self.world,
            "actor": self.actor,
            "metric": self.metric,
            "source": list(self.source),
            "asked_by_case": self.asked,
            "difference": "as recorded minus the world",
            "replicates": self.replicates,
            "level": self.level,
            "spread_samples": self.spread_samples,
            "years": [
                {"year": y.year, **{lens: d.to_json() for lens, d in y.cells.items()}}
                for y in self.years
            ],
        }


def _finite(d: Delta) -> tuple[float, ...]:
    return tuple(v for v in (d.spread_low, d.spread_high) if math.isfinite(v))


def question_answer(
    case: Case,
    comparisons: Sequence[CounterfactualComparison],
    spread: ParameterSpread | None = None,
) -> QuestionAnswer | None:
    """The answer to the case's question (or the fallback of
    :func:`~security_dilemma.history.uncertainty.question_of`) from the job's comparison of
    its world, with the spread's band; None when the case has no question or the world was
    not compared."""
    from ..history.uncertainty import question_of

    question = question_of(case)
    if question is None:
        return None
    found = [c for c in comparisons if c.id == question.world]
    if not found:
        return None
    comparison = found[0]
    band = spread.question if spread is not None else None
    years = []
    for k, date in enumerate(comparison.dates):
        cells = {}
        for lens in comparison.lenses:
            e = comparison.effect(lens, question.actor, question.metric, step=k)
            low = high = math.nan
            if band is not None and lens in band.values:
                lo, hi = band.band(lens)
                low, high = float(lo[k]), float(hi[k])
            cells[lens] = Delta(e["mean"], e["ci_low"], e["ci_high"], low, high)
        years.append(QuestionYear(date.year, cells))
    source = question.source
    return QuestionAnswer(
        text=question.text,
        world=question.world,
        world_title=comparison.changes.title,
        actor=question.actor,
        metric=question.metric,
        source=tuple([source] if isinstance(source, str) else source or []),
        asked=case.question is not None,
        lenses=comparison.lenses,
        years=tuple(years),
        replicates=comparison.replicates,
        level=comparison.level,
        spread_samples=len(spread.points) if spread is not None else 0,
    )


def question_table(answer: QuestionAnswer) -> FitTable:
    """The answer as a table: one row per year, one column per lens; each cell the mean
    difference, [the replicates' interval] and {the parameters' 5-95% spread}."""
    spread = (
        f" {{5-95% over {answer.spread_samples} parameter samples}}"
        if answer.spread_samples
        else ""
    )
    source = f" (source: {', '.join(answer.source)})" if answer.source else ""
    table = FitTable(
        [Column("year"), *(Column(lens, "right") for lens in answer.lenses)],
        title=f"[bold]{escape(answer.text)}[/bold]{escape(source)}",
        caption=(
            f"{answer.actor}'s {answer.metric}, as recorded minus '{answer.world}' "
            f"({escape(answer.world_title)}): above 0, {answer.actor} was better off with what "
            f"that world takes out. Mean, [{answer.level:.0%} interval over "
            f"{answer.replicates} paired replicates]{spread}."
        ),
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    same = [y.year for y in answer.years if y.unchanged()]
    for y in answer.years:
        if not y.unchanged():
            table.add_row(str(y.year), *(y.cells[lens].text() for lens in answer.lenses))
    if same:
        years = year_ranges(same)
        table.caption = f"{table.caption} {years}: no difference under any lens (not shown)."
    return table


def year_ranges(years: Sequence[int]) -> str:
    """Years as ranges.

    >>> year_ranges([2001, 2002, 2003, 2010])
    '2001-2003, 2010'
    """
    out: list[list[int]] = []
    for y in sorted(years):
        if out and y == out[-1][-1] + 1:
            out[-1].append(y)
        else:
            out.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in out)
