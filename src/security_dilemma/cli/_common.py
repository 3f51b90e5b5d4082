"""Conventions shared by every ``dilemma`` command: its options, and its words for them.

* ``--json`` prints one JSON document on stdout (documented, stable keys) and nothing else.
* Exit codes: 0 ok, 1 failure while running, 2 bad input (usage errors and case problems).
* Progress bars go to stderr, and only when stderr is a terminal and neither ``--quiet`` nor
  ``--json`` is given.
* An option used by several commands is defined here once (docs/cli.md lists the vocabulary);
  a spelling replaced in this release still works, with a warning on stderr
  (:data:`DEPRECATED`).
* The library names its Python parameters in problems (``chunk_size``,
  ``parameters['noise']``); :class:`Command` names the command's flag instead (``--chunk-size``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer._click.formatting import join_options
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from ..errors import BadInput, Problem, did_you_mean

if TYPE_CHECKING:
    from typer._click import Context  # typer's own click, which its commands take

    from ..experiments.params import Bound, ParameterSpec

__all__ = [
    "ALIASES",
    "ALL_LENSES",
    "CASE_LENSES",
    "DEFAULT_STORE",
    "DEPRECATED",
    "EXIT_BAD_INPUT",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "CaseArg",
    "Command",
    "DatabaseOpt",
    "JsonOpt",
    "LensRun",
    "LensesOpt",
    "MarkdownOpt",
    "MaxMemoryOpt",
    "MetricsOpt",
    "PlacesCaseOpt",
    "QuietOpt",
    "ReplicatesOpt",
    "RestraintOpt",
    "SeedOpt",
    "StoreOpt",
    "console",
    "err_console",
    "flag_problem",
    "modernise",
    "parse_lenses",
    "parse_metrics",
    "parse_parameter",
    "plain",
    "print_json",
    "progress_bar",
    "to_jsonable",
    "use_command_class",
    "warn_deprecated",
]

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT, as shells report it)."""
DEFAULT_STORE = Path("runs.duckdb")

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON on stdout (stable keys).")
]
MarkdownOpt = Annotated[
    bool,
    typer.Option(
        "--markdown",
        help="Print Markdown, as the docs show it (schema: the field reference; check theory: "
        "the table of docs/theory.md).",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or chatter.")]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, help="Random seed (same seed, same output).")
]
ReplicatesOpt = Annotated[
    int,
    typer.Option(
        "--replicates",
        "-n",
        min=1,
        help="Replicates: runs with their own random draws, per lens, world or parameter point.",
    ),
]
CaseArg = Annotated[str, typer.Argument(help="Built-in case name or path to a case file.")]
LensesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--lens",
        "-l",
        help="Comma-separated lens names (realism, liberalism, constructivism, pyramid), 'all' "
        "(every lens) or 'case' (each actor's lens from the case), plus ACTOR=LENS items that "
        "set one actor's lens in each run (sweep, sensitivity). Default: all (run, whatif, "
        "backtest) or case (sweep, sensitivity).",
        show_default=False,
    ),
]
MaxMemoryOpt = Annotated[
    str | None,
    typer.Option("--max-memory", help="Memory budget, e.g. 2GB or 512MiB (default 1GiB)."),
]
RestraintOpt = Annotated[
    bool,
    typer.Option(
        "--restraint/--no-restraint",
        help="Run the restraint copies the harm/self-defeat measures need (harm_done, "
        "self_defeat, no_adequate_policy; n + 1 times the work); --no-restraint drops them.",
    ),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Classroom database: sqlite:///PATH or postgresql://USER@HOST/DB (default: a "
        "SQLite file next to --store).",
    ),
]
StoreOpt = Annotated[
    Path,
    typer.Option("--store", help="DuckDB results store (created if missing by sweeps)."),
]
MetricsOpt = Annotated[
    str | None,
    typer.Option(
        "--metrics",
        help="Comma-separated metric names (default: every metric the engine reports): what a "
        "sweep stores, what `run --json` writes (docs/engine.md lists them).",
        show_default=False,
    ),
]
PlacesCaseOpt = Annotated[
    str | None, typer.Option("--case", help="Also know this case's named places.")
]


# --- deprecated spellings, and problems named by flags ----------------------------------------

_RESTRAINT = {"--counterfactual": "--restraint", "--no-counterfactual": "--no-restraint"}
DEPRECATED: dict[str, dict[str, str]] = {
    "run": _RESTRAINT,
    "sweep": {"-r": "--replicates", **_RESTRAINT},
    "sensitivity": {"-r": "--replicates", "--n": "--samples", "-o": "--output", **_RESTRAINT},
    "runs show": {"-o": "--output"},
    "fit richardson": {"--time": "--year"},
}
"""Per command, spellings replaced in this release: old -> new. They still work, with a warning
on stderr, until the next release."""

ALIASES: dict[str, tuple[str, ...]] = {
    "parameters": ("param", "fit"),
    "bounds": ("param",),
    "lenses": ("lens",),
    "path": ("store",),
    "prefix": ("run",),
    "counterfactual": ("restraint",),
}
"""Library parameter names that differ from the command's own (its function's parameter names,
which are its option names: ``chunk_size`` is ``--chunk-size``); the first the command has."""


def warn_deprecated(old: str, new: str) -> None:
    """Say on stderr that ``old`` is deprecated in favour of ``new``."""
    err_console.print(
        f"warning: {old} is deprecated and will be removed in the next release; use {new}",
        markup=False,
        soft_wrap=True,
    )


def _takes_value(params: Sequence[Any]) -> set[str]:
    return {
        name
        for p in params
        if isinstance(p, TyperOption) and not p.is_flag and not p.count
        for name in (*p.opts, *p.secondary_opts)
    }


def rewrite_tokens(args: Sequence[str], rewrite: Callable[[str], tuple[str, bool]]) -> list[str]:
    """``args`` with ``rewrite`` applied to each token that is neither an option's value nor
    after ``--``; ``rewrite`` returns the new token and whether it takes the next as its value."""
    out: list[str] = []
    value_next = False
    for i, arg in enumerate(args):
        if value_next:
            out.append(arg)
            value_next = False
            continue
        if arg == "--":
            out += args[i:]
            break
        new, value_next = rewrite(arg)
        out.append(new)
    return out


def modernise(args: Sequence[str], old: dict[str, str], params: Sequence[Any]) -> list[str]:
    """``args`` with deprecated spellings replaced (each with a warning); values of options and
    everything after ``--`` are left alone."""
    valued = _takes_value(params)

    def rewrite(arg: str) -> tuple[str, bool]:
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in old and arg[:2] in old and not arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[:2], "=", arg[2:]  # a short option with its value: -r50
        if name in old:
            warn_deprecated(name, old[name])
            name = old[name]
            arg = f"{name}{eq}{value}"
        return arg, name in valued and not eq

    return rewrite_tokens(args, rewrite)


def flag_problem(problem: Problem, params: Sequence[Any]) -> Problem:
    """``problem`` with a library parameter name in its path replaced by the command's flag
    (or argument); problems located in a file, and other paths, are kept as they are."""
    root = re.match(r"[A-Za-z_]\w*", problem.path)
    if problem.file is not None or root is None:
        return problem
    by_name = {p.name: p for p in params}
    for name in (root.group(), *ALIASES.get(root.group(), ())):
        param = by_name.get(name)
        if param is not None:
            label = param.opts[0] if isinstance(param, TyperOption) else str(param.name).upper()
            return dataclasses.replace(problem, path=label)
    return problem


def coordinates_as_arguments(args: Sequence[str], params: Sequence[Any]) -> list[str]:
    """``args`` with every argument written as coordinates with a leading minus
    (``-33.86,151.21``) rewritten with its hemisphere (``33.86S,151.21``), so that it is read as
    an argument and not as an option; values of options are left alone (they may start with a
    minus). A ``--`` is dropped when all that follows it and starts with a minus is coordinates
    or the command's own options, so ``-- -33.86,151.21 40.71,-74.01 --json`` works too."""
    from ..geo.coordinates import with_hemisphere

    valued = _takes_value(params)
    known = {"--help"} | {
        name for p in params if isinstance(p, TyperOption) for name in (*p.opts, *p.secondary_opts)
    }

    def option_name(arg: str) -> str:
        return arg.partition("=")[0] if arg.startswith("--") else arg

    if "--" in args:
        cut = list(args).index("--")
        rest = args[cut + 1 :]
        if all(
            with_hemisphere(a) != a or option_name(a) in known
            for a in rest
            if a.startswith("-") and a != "-"
        ):
            args = [*args[:cut], *rest]

    def rewrite(arg: str) -> tuple[str, bool]:
        rewritten = with_hemisphere(arg)
        return rewritten, rewritten == arg and arg in valued

    return rewrite_tokens(args, rewrite)


_TYPE_WORDS = {"int": "INTEGER", "float": "NUMBER", "str": "TEXT", "path": "PATH", "bool": ""}


def metavar(param: Any, ctx: Context) -> str:
    """How ``--help`` shows what a parameter takes: ``INTEGER``, ``TEXT``, ``PATH``, ``[a|b]``
    for a choice, nothing for a flag, and an argument's name in capitals (``CASE``,
    ``FILES...``)."""
    if isinstance(param, TyperArgument):
        name = (param.metavar or str(param.name)).upper()
        return f"{name}..." if param.nargs != 1 else name
    if param.is_flag or param.count:
        return ""
    if param.metavar is not None:
        return str(param.metavar)
    label = param.display_type(ctx).strip("<>").replace(" range", "")
    label = re.sub(r"^list\[(.*)\]$", r"\1", label)
    if "|" in label:
        return f"[{label}]"
    return _TYPE_WORDS.get(label, label.upper())


class Command(TyperCommand):
    """A ``dilemma`` command: accepts the spellings of :data:`DEPRECATED` (with a warning),
    reads coordinates with a leading minus as arguments, names its own flags in the problems
    the library reports, and writes its help in plain text that fits any terminal."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        """``[OPTIONS] CASE``: arguments by name, in capitals."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = metavar(param, ctx)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Context, formatter: Any) -> None:
        """Arguments and options, each with what it takes (no type labels on flags)."""
        sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                sections["Arguments"].append((metavar(param, ctx), record[1]))
                continue
            word = metavar(param, ctx)
            names = [
                join_options(param.opts)[0],
                *([join_options(param.secondary_opts)[0]] if param.secondary_opts else []),
            ]
            label = " / ".join(f"{n} {word}" if word else n for n in names)
            sections["Options"].append((label, record[1]))
        for title, rows in sections.items():
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Replace deprecated spellings, read negative coordinates, then parse as usual."""
        old = DEPRECATED.get(ctx.command_path.partition(" ")[2], {})
        args = modernise(args, old, self.params) if old else args
        return super().parse_args(ctx, coordinates_as_arguments(args, self.params))

    def invoke(self, ctx: Context) -> Any:
        """Run the command; problems name the command's flags."""
        try:
            return super().invoke(ctx)
        except BadInput as exc:
            raise BadInput([flag_problem(p, self.params) for p in exc.problems]) from None


class Group(TyperGroup):
    """A group of ``dilemma`` commands: its help lists each command with the whole first
    sentence of its help, wrapped, never cut."""

    def format_commands(self, ctx: Context, formatter: Any) -> None:
        """The commands and their one-sentence summaries."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def use_command_class(app: typer.Typer) -> None:
    """Make every command of ``app`` and of its groups a :class:`Command`, every group a
    :class:`Group`."""
    if not isinstance(app.info.cls, type) or app.info.cls is TyperGroup:  # unset: a Default
        app.info.cls = Group
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = Command
    for group in app.registered_groups:
        if group.typer_instance is not None:
            use_command_class(group.typer_instance)


# --- --lens ----------------------------------------------------------------------------------

CASE_LENSES = "case"
"""``--lens case``: each actor decides by the lens its case names (default pyramid)."""
ALL_LENSES = "all"
"""``--lens all``: one run per lens."""


@dataclasses.dataclass(frozen=True, slots=True)
class LensRun:
    """One run asked for with ``--lens``: a lens for every actor (``case``: each actor's own)
    and the actors given their own lens (``ACTOR=LENS``)."""

    lens: str
    actors: tuple[tuple[str, str], ...] = ()


def parse_lenses(
    values: Sequence[str] | None,
    *,
    default: str,
    keywords: Sequence[str] = (ALL_LENSES, CASE_LENSES),
    actors: Sequence[str] | None = None,
) -> tuple[LensRun, ...]:
    """The runs asked for by ``--lens`` (``default`` when not given).

    A value is a comma-separated list: lens names and the ``keywords`` the command supports
    (``all``, ``case``) give one run each; ``ACTOR=LENS`` items (only where ``actors``, the
    case's actor ids, are given) set that actor's lens in every run, the others keeping the
    run's lens (the case's own when only ``ACTOR=LENS`` items are given).

    >>> runs = parse_lenses(["realism,pyramid,RUS=liberalism"], default="all", actors=["RUS"])
    >>> [(run.lens, run.actors) for run in runs]
    [('realism', (('RUS', 'liberalism'),)), ('pyramid', (('RUS', 'liberalism'),))]
    """
    texts = list(values or [])
    if len(texts) > 1:  # the old spelling of sweep and backtest: one run set per --lens
        warn_deprecated("repeating --lens", f"one comma-separated list: --lens {','.join(texts)}")
    problems: list[Problem] = []
    runs: list[LensRun] = []
    for text in texts or [default]:
        runs += _lens_runs(text, keywords, actors, problems)
    if problems:
        raise BadInput(list(dict.fromkeys(problems)))
    return tuple(dict.fromkeys(runs))


def _lens_runs(
    text: str, keywords: Sequence[str], actors: Sequence[str] | None, problems: list[Problem]
) -> list[LensRun]:
    from ..lenses import lens_names

    names = list(lens_names())
    choices = [*names, *keywords]
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        problems.append(Problem(f"give lens names or one of {', '.join(keywords)}", path="--lens"))
    lenses: list[str] = []
    pairs: dict[str, str] = {}

    def unknown(lens: str) -> None:
        problems.append(
            Problem(
                f"unknown lens '{lens}'{did_you_mean(lens, choices)}; lenses: "
                + ", ".join(choices),
                path="--lens",
            )
        )

    for item in items:
        actor, eq, lens = (part.strip() for part in item.partition("="))
        if not eq:
            if item == ALL_LENSES and item in keywords:
                lenses += names
            elif item in names or item in keywords:
                lenses.append(item)
            else:
                unknown(item)
        elif actors is None:
            problems.append(
                Problem(f"'{item}': this command takes lens names, not ACTOR=LENS", path="--lens")
            )
        else:
            if actor not in actors:
                problems.append(
                    Problem(f"unknown actor '{actor}'{did_you_mean(actor, actors)}", path="--lens")
                )
            if lens not in names:
                unknown(lens)
            if pairs.get(actor, lens) != lens:
                problems.append(Problem(f"actor '{actor}' is given two lenses", path="--lens"))
            pairs[actor] = lens
    overrides = tuple(sorted(pairs.items()))
    return [LensRun(lens, overrides) for lens in dict.fromkeys(lenses or [CASE_LENSES])]


def parse_metrics(text: str | None) -> list[str]:
    """The metric names of a ``--metrics`` value (``[]`` when not given: every metric).

    >>> parse_metrics("security, crisis_prob")
    ['security', 'crisis_prob']
    """
    return list(dict.fromkeys(m.strip() for m in (text or "").split(",") if m.strip()))


# --- NAME=VALUES -----------------------------------------------------------------------------

PARAMETER_FORMS = "NAME=LO:HI:N[:log], NAME=A,B,C, NAME=V or NAME=LO:HI"


def parse_parameter(text: str, flag: str) -> ParameterSpec | Bound:
    """``NAME=LO:HI:N[:log]`` (``N`` values from LO to HI), ``NAME=A,B,C`` and ``NAME=V`` as a
    :class:`~security_dilemma.experiments.params.ParameterSpec`; ``NAME=LO:HI`` as a
    :class:`~security_dilemma.experiments.params.Bound`. Problems name ``flag`` and the text.

    >>> parse_parameter("richardson.k=0.1:1:3", "--param")
    ParameterSpec(name='richardson.k', values=(0.1, 0.55, 1.0))
    >>> parse_parameter("noise=0:0.2", "--param")
    Bound(name='noise', low=0.0, high=0.2)
    """
    from ..experiments.params import Bound, ParameterSpec

    def bad(message: str) -> BadInput:
        return BadInput(Problem(f"{message} in '{text}'", path=flag))

    def number(token: str) -> float:
        try:
            value = float(token)
        except ValueError:
            raise bad(f"'{token}' is not a number") from None
        if not math.isfinite(value):
            raise bad(f"'{token}' is not a finite number")
        return value

    name, eq, body = (part.strip() for part in text.partition("="))
    if not eq or not name or not body:
        raise bad(f"expected {PARAMETER_FORMS}")
    try:
        if ":" not in body:
            return ParameterSpec(name, [number(t.strip()) for t in body.split(",")])
        parts = [p.strip() for p in body.split(":")]
        log = len(parts) == 4 and parts[3].lower() == "log"
        if len(parts) not in (2, 3, 4) or (len(parts) == 4 and not log):
            raise bad("a range is LO:HI, LO:HI:N or LO:HI:N:log")
        low, high = number(parts[0]), number(parts[1])
        if len(parts) == 2:
            return Bound(name, low, high)
        try:
            n = int(parts[2])
        except ValueError:
            raise bad(f"count '{parts[2]}' is not a whole number") from None
        return ParameterSpec.between(name, low, high, n, log=log)
    except BadInput as exc:
        if exc.problems and exc.problems[0].path == flag:
            raise
        raise BadInput(
            [Problem(f"{p.message} in '{text}'", path=flag) for p in exc.problems]
        ) from None


console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)
"""The consoles: no emoji codes (``:fire:`` stays text) and no highlighting; Rich markup only
in the command's own words, every user-supplied string going through :func:`plain`."""


def plain(value: object) -> str:
    r"""``value`` as text a console prints as it is: a case's title, a file's name, a place
    the user typed (Rich markup such as ``[bold]`` in it is escaped).

    >>> print(plain("Alpha [bold]beta[/bold]"))
    Alpha \[bold]beta\[/bold]
    """
    return escape(str(value))


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
