"""The headline findings as a Rich table for the terminal (fits in 100 columns for 4 lenses)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich import box
from rich.table import Table

from .findings import LensFindings

__all__ = ["summary_table"]

_WORLDS = {
    1: "1 doubly dangerous",
    2: "2 dilemma, compatible",
    3: "3 no dilemma, aggression",
    4: "4 doubly safe",
}


def _f(x: float | None, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def _pct(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.0%}"


def _world(f: LensFindings) -> str:
    end = _WORLDS.get(f.jervis_world, str(f.jervis_world))
    if f.jervis_world_start is None or f.jervis_world_start == f.jervis_world:
        return end
    return f"{f.jervis_world_start} → {end}"


def _names(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "nobody"


def summary_table(findings: Sequence[LensFindings], title: str) -> Table:
    """One column per lens; rows: backtest, who arms, who ends less secure, Jervis's world,
    the four security-dilemma measures and the highest crisis risk."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_lines=False)
    table.add_column("", style="bold", no_wrap=True)
    for f in findings:
        table.add_column(f.lens, overflow="fold")
    rows: list[tuple[str, list[str]]] = []
    if any(f.brier is not None for f in findings):
        rows.append(
            (
                "Brier (skill)",
                [f"{_f(f.brier)} ({_f(f.brier_skill, 2)})" for f in findings],
            )
        )
    rows += [
        ("who arms", [_names([a for a, _ in f.arms]) for f in findings]),
        ("ends less secure", [_names([a for a, _ in f.less_secure]) for f in findings]),
        ("Jervis's world", [_world(f) for f in findings]),
        ("culture", [f.culture for f in findings]),
        ("(a) harm to others", [_f(f.harm, 4) for f in findings]),
        ("(b) self-defeat", [_pct(f.self_defeat_all) for f in findings]),
        (
            "(c) entropy · misread",
            [f"{_f(f.belief_entropy, 2)} bits · {_pct(f.misperception)}" for f in findings],
        ),
        ("(d) no adequate policy", [_pct(f.no_adequate_policy) for f in findings]),
        (
            "top crisis risk",
            [
                f"{f.top_crisis[0]}-{f.top_crisis[1]} {f.top_crisis[2]:.1%}/yr"
                if f.top_crisis
                else "-"
                for f in findings
            ],
        ),
    ]
    for label, cells in rows:
        table.add_row(label, *cells)
    return table
