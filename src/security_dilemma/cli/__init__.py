"""The ``dilemma`` command: one Typer application, commands grouped by domain in sibling modules."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption, UsageError

from ..errors import BadInput, Problem
from . import (
    bench,
    build,
    case,
    check,
    classroom,
    experiments,
    fit,
    games,
    geo,
    history,
    run,
    serve,
    whatif,
)
from ._common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    err_console,
    print_json,
    use_command_class,
)

__all__ = ["app", "main"]

app = typer.Typer(
    name="dilemma",
    help="A laboratory for the security dilemma: cases, lenses, games, geography, backtests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: fits any terminal width, never cuts an option's name
)


def _show_version(value: bool) -> None:
    if value:
        from .._version import __version__

        typer.echo(f"dilemma (security-dilemma) {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """A laboratory for the security dilemma: cases, lenses, games, geography, backtests."""


for module in (case, build, run, whatif, games, geo, history, fit, experiments, check, bench):
    module.register(app)
serve.register(app)
classroom.register(app)
use_command_class(app)


def usage_problem(exc: UsageError) -> Problem:
    """A command-line usage error as a :class:`Problem` naming the option or argument."""
    path = ""
    if isinstance(exc, NoSuchOption):
        path = exc.option_name
    else:
        param: Any = getattr(exc, "param", None)
        if param is not None:
            opts = [o for o in getattr(param, "opts", ()) if o.startswith("-")]
            path = opts[0] if opts else str(param.name).upper()
    message = exc.format_message()
    if exc.ctx is not None:
        message += f" (see '{exc.ctx.command_path} --help')"
    return Problem(message, path=path)


def _silence_stdout() -> None:
    """After a broken pipe (``dilemma ... | head``): send what is left on stdout nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (captured): nothing to flush
        pass


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the app; bad input exits 2 with located messages, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    command = typer.main.get_command(app)
    try:
        try:
            code = command.main(args=args, prog_name="dilemma", standalone_mode=False)
        except UsageError as exc:
            if isinstance(exc, NoArgsIsHelpError):  # `dilemma` alone: the help, on stdout
                typer.echo(exc.format_message())
            elif as_json:
                print_json(
                    {"ok": False, "error": "bad_input", "problems": [usage_problem(exc).to_dict()]}
                )
            else:
                exc.show()
            sys.exit(EXIT_BAD_INPUT)
        except ClickException as exc:  # a file Click could not open, and the like
            raise BadInput(Problem(exc.format_message())) from None
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.Abort:
            err_console.print("aborted", markup=False)
            sys.exit(EXIT_FAILURE)
        sys.exit(code if isinstance(code, int) else 0)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(EXIT_FAILURE)
    except BadInput as exc:
        problems = list(dict.fromkeys(exc.problems))
        try:
            if as_json:
                print_json(
                    {"ok": False, "error": "bad_input", "problems": [p.to_dict() for p in problems]}
                )
            else:
                for problem in problems:
                    err_console.print(f"error: {problem}", markup=False, soft_wrap=True)
        except BrokenPipeError:
            _silence_stdout()
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # a failure while running: one line, traceback only on request
        if os.environ.get("DILEMMA_DEBUG"):
            traceback.print_exc()
        message = f"{type(exc).__name__}: {exc}"
        try:
            if as_json:
                print_json({"ok": False, "error": "failure", "message": message})
            else:
                err_console.print(f"error: {message}", markup=False, soft_wrap=True)
                err_console.print("(set DILEMMA_DEBUG=1 to see the traceback)", markup=False)
        except BrokenPipeError:
            _silence_stdout()
        sys.exit(EXIT_FAILURE)
