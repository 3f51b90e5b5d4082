"""Terminal tables that fit the width they are drawn at, without cutting what a reader needs.

An id a user must type again (a case, site, event or run id) and a number are never cut: a
:class:`FitTable` gives their columns the width of their widest cell, lets text columns (titles,
descriptions) wrap between words, and when the terminal is too narrow drops the columns
marked as optional (``drop``: 1 first, then 2, ...), saying which in its caption. If the table
is still too wide it is drawn as one block of ``column: value`` lines per row.

>>> from rich.console import Console
>>> t = FitTable([Column("id"), Column("title", wrap=True), Column("events", "right", drop=1)],
...              title="Cases")
>>> t.add_row("cuban-missile-crisis", "The Cuban missile crisis (1962)", "13")
>>> console = Console(width=30, record=True)
>>> console.print(t)
Cases
...
>>> "cuban-missile-crisis" in console.export_text()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

__all__ = ["Column", "FitTable", "fixed"]

Justify = Literal["left", "right", "center"]


def fixed(x: float | None, digits: int = 3, *, sign: bool = False) -> str:
    """``x`` with ``digits`` decimals (a ``+`` before positive numbers if ``sign``), without the
    negative zero a rounded tiny number shows (``-0.000`` is ``0.000``); ``-`` for none or NaN.

    >>> fixed(-0.0001), fixed(0.01234, 2, sign=True), fixed(-2.5, 1), fixed(float("nan"))
    ('0.000', '+0.01', '-2.5', '-')
    """
    if x is None or x != x or x in (float("inf"), float("-inf")):
        return "-"
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    if float(text) == 0.0:
        return f"{0.0:.{digits}f}"
    return text


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header, alignment, whether its text may wrap (else it is never cut: ids
    and numbers), and ``drop``: 0 for a column always shown, else the order in which optional
    columns are left out when the table is too wide (1 first, then 2, ...)."""

    header: str
    justify: Justify = "left"
    wrap: bool = False
    drop: int = 0
    style: str | None = None
    name: str | None = None
    """The column's name on one line, when its header breaks a word (``"uncer-\\ntainty"``)."""


def _one_line(column: Column) -> str:
    """A column's name on one line: its ``name``, else its header with the line breaks
    joined (``"self-\\ndefeat"`` -> ``"self-defeat"``)."""
    return column.name or column.header.replace("-\n", "-").replace("\n", " ")


def _plain(cell: str | Text) -> str:
    return cell.plain if isinstance(cell, Text) else Text.from_markup(cell).plain


def _longest(text: str, words: bool) -> int:
    from rich.cells import cell_len

    parts = text.split() if words else text.splitlines()
    return max((cell_len(p) for p in parts), default=0)


SHORT_TEXT = 30
"""A text column at most this wide is given its whole width before longer ones grow."""

WRAP_MIN = 12
"""Narrowest a wrapping text column is made (fewer characters when its text is shorter); a
longer word folds onto the next line, whole."""


class FitTable:
    """A Rich renderable: a table laid out for the width it is printed at (module docstring).

    ``wrap_min``: narrowest width of a text column (below it the rows are stacked instead);
    ``table_options`` go to :class:`rich.table.Table` (``box``, ``padding``, ...).
    """

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        title: str | None = None,
        caption: str | None = None,
        wrap_min: int = WRAP_MIN,
        **table_options: Any,
    ) -> None:
        self.columns = list(columns)
        self.wrap_min = wrap_min
        self.rows: list[list[str | Text]] = []
        self.title = title
        self.caption = caption
        self.options = {"title_justify": "left", "box": box.SIMPLE_HEAD, **table_options}

    def add_column(
        self,
        header: str,
        justify: Justify = "left",
        *,
        wrap: bool = False,
        drop: int = 0,
        style: str | None = None,
        name: str | None = None,
    ) -> None:
        """Add a column (before the first row): see :class:`Column`."""
        if self.rows:
            raise ValueError("add the columns before the rows")
        self.columns.append(Column(header, justify, wrap, drop, style, name))

    def add_row(self, *cells: str | Text) -> None:
        """Add a row (one cell per column; markup allowed in strings)."""
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(list(cells))

    def _range(self, k: int) -> tuple[int, int]:
        """(narrowest, natural) width of column ``k``'s text: an id or number column is never
        narrower than its widest cell (only its header may wrap, between words); a text
        column may wrap down to :data:`WRAP_MIN` characters or its longest word."""
        column = self.columns[k]
        cells = [_plain(row[k]) for row in self.rows]
        widest = max((_longest(c, words=False) for c in cells), default=0)
        header_word = _longest(column.header, words=True)
        natural = max(_longest(column.header, words=False), widest, 1)
        if column.wrap:  # a word longer than the column folds
            return max(header_word, min(widest, self.wrap_min), 1), natural
        return max(header_word, widest, 1), natural

    def table(
        self, widths: dict[int, int], caption: str | None = None, min_width: int | None = None
    ) -> Table:
        """The Rich table of the columns in ``widths`` (index -> width of its text), at least
        ``min_width`` wide."""
        table = Table(title=self.title, caption=caption, min_width=min_width, **self.options)
        for k, width in widths.items():
            c = self.columns[k]
            table.add_column(
                c.header, justify=c.justify, overflow="fold", width=width, style=c.style
            )
        for row in self.rows:
            table.add_row(*(row[k] for k in widths))
        return table

    def _fit(self, keep: Sequence[int], available: int) -> dict[int, int] | None:
        """Widths of the columns ``keep`` in ``available`` characters, or None."""
        ranges = {k: self._range(k) for k in keep}
        widths = {k: low for k, (low, _) in ranges.items()}
        spare = available - sum(widths.values())
        if spare < 0:
            return None
        for k in keep:  # first whole headers over the ids and numbers
            if not self.columns[k].wrap:
                add = min(spare, ranges[k][1] - widths[k])
                widths[k] += add
                spare -= add
        growing = [k for k in keep if self.columns[k].wrap]
        for k in growing:  # then short texts whole (row labels), then the rest evenly
            if ranges[k][1] <= SHORT_TEXT:
                add = min(spare, ranges[k][1] - widths[k])
                widths[k] += add
                spare -= add
        while spare > 0 and (growing := [k for k in growing if widths[k] < ranges[k][1]]):
            for k in growing[:spare]:
                widths[k] += 1
                spare -= 1
        return widths

    def layout(self, console: Console, width: int) -> Table | None:
        """The widest table of this one's columns that fits ``width`` (optional columns left
        out, ``drop`` 1 first), or None when even the required ones do not fit."""
        keep = list(range(len(self.columns)))
        dropped: list[int] = []
        options = console.options.update_width(width)
        while True:
            probe = self.table(dict.fromkeys(keep, 1))
            frame = Measurement.get(console, options, probe).minimum - len(keep)
            widths = self._fit(keep, width - frame)
            if widths is not None:
                caption = self.caption
                if dropped:
                    names = ", ".join(_one_line(self.columns[k]) for k in dropped)
                    note = f"Not shown at this width: {names} (use a wider terminal or --json)."
                    caption = f"{caption} {note}" if caption else note
                title = _longest(_plain(self.title), words=False) if self.title else 0
                return self.table(widths, caption, min_width=min(width, title) or None)
            optional = [k for k in keep if self.columns[k].drop > 0]
            if not optional:
                return None
            worst = min(optional, key=lambda k: (self.columns[k].drop, -k))
            keep.remove(worst)
            dropped.insert(0, worst)

    def stacked(self) -> Group:
        """Every row as ``column: value`` lines (for terminals too narrow for any table)."""
        parts: list[Any] = [Text(self.title, style="italic")] if self.title else []
        for row in self.rows:
            grid = Table.grid(padding=(0, 1))
            grid.add_column(
                style="bold",
                no_wrap=True,
                min_width=max(_longest(_one_line(c), words=False) for c in self.columns),
            )
            grid.add_column(overflow="fold")
            for column, cell in zip(self.columns, row, strict=True):
                grid.add_row(_one_line(column), cell)
            parts += [grid, Text("")]
        if self.caption:
            parts.append(Text(self.caption, style="dim"))
        return Group(*parts)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = self.layout(console, options.max_width)
        yield table if table is not None else self.stacked()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        table = self.layout(console, options.max_width)
        if table is None:
            return Measurement(1, options.max_width)
        return Measurement.get(console, options, table)
