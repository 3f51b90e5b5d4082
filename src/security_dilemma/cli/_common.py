"""Conventions shared by every ``dilemma`` command.

* ``--json`` prints one JSON document on stdout (documented, stable keys) and nothing else.
* Exit codes: 0 ok, 1 failure while running, 2 bad input (usage errors and case problems).
* Progress bars go to stderr, and only when stderr is a terminal and neither ``--quiet`` nor
  ``--json`` is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILURE",
    "JsonOpt",
    "QuietOpt",
    "SeedOpt",
    "console",
    "err_console",
    "print_json",
    "progress_bar",
    "to_jsonable",
]

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON on stdout (stable keys).")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or chatter.")]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, help="Random seed (same seed, same output).")
]
CaseArg = Annotated[str, typer.Argument(help="Built-in case name or path to a case file.")]
LensesOpt = Annotated[
    str,
    typer.Option(
        "--lens",
        "-l",
        help="realism, liberalism, constructivism, pyramid, a comma-separated list, all "
        "(default), or case (each actor decides by its own lens from the case).",
    ),
]
MaxMemoryOpt = Annotated[
    str | None,
    typer.Option("--max-memory", help="Memory budget, e.g. 2GB or 512MiB (default 1GiB)."),
]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _loaded(module: str, name: str) -> Any:
    """The class ``module.name`` if ``module`` is imported, else ``()`` (matches nothing).

    Only a program that imported pydantic, pandas or numpy can hold their objects, so
    :func:`to_jsonable` need not import them (``dilemma games equilibria --json`` skips pandas).
    """
    return getattr(sys.modules.get(module), name, ())


def to_jsonable(obj: Any) -> Any:
    """Plain JSON data from numpy scalars and arrays, dates, paths, dataclasses and models."""
    if isinstance(obj, _loaded("pydantic", "BaseModel")):
        return to_jsonable(obj.model_dump(mode="json", by_alias=True, exclude_none=True))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, _loaded("pandas", "DataFrame")):
        return to_jsonable(obj.to_dict(orient="records"))
    if isinstance(obj, _loaded("numpy", "ndarray")):
        return to_jsonable(obj.tolist())
    if isinstance(obj, _loaded("numpy", "bool_")):
        return bool(obj)
    if isinstance(obj, _loaded("numpy", "integer")):
        return int(obj)
    if isinstance(obj, (_loaded("numpy", "floating"), float)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    return obj


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (NaN and infinities become null)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False))
    sys.stdout.write("\n")
    sys.stdout.flush()


def show_progress(quiet: bool = False, as_json: bool = False) -> bool:
    """Whether to draw progress bars: not quiet, not JSON, and stderr is a terminal."""
    return not quiet and not as_json and err_console.is_terminal


@contextmanager
def progress_bar(quiet: bool = False, as_json: bool = False) -> Iterator[Progress]:
    """A Rich progress bar on stderr with ETA, disabled per :func:`show_progress`."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_progress(quiet, as_json),
        transient=False,
    )
    with progress:
        yield progress
