"""The ``dilemma`` command: one Typer application, commands grouped by domain in sibling modules."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import typer

from ..errors import BadInput
from . import bench, build, case, check, experiments, fit, games, geo, history, run, whatif
from ._common import EXIT_BAD_INPUT, EXIT_FAILURE, err_console, print_json, use_command_class

__all__ = ["app", "main"]

app = typer.Typer(
    name="dilemma",
    help="A laboratory for the security dilemma: cases, lenses, games, geography, backtests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

for module in (case, build, run, whatif, games, geo, history, fit, experiments, check, bench):
    module.register(app)
use_command_class(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the app; bad input exits 2 with located messages, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="dilemma", standalone_mode=True)
    except BadInput as exc:
        if as_json:
            print_json(
                {"ok": False, "error": "bad_input", "problems": [p.to_dict() for p in exc.problems]}
            )
        else:
            for problem in exc.problems:
                err_console.print(f"error: {problem}", markup=False, soft_wrap=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:  # a failure while running: one line, traceback only on request
        if os.environ.get("DILEMMA_DEBUG"):
            traceback.print_exc()
        message = f"{type(exc).__name__}: {exc}"
        if as_json:
            print_json({"ok": False, "error": "failure", "message": message})
        else:
            err_console.print(f"error: {message}", markup=False, soft_wrap=True)
            err_console.print("(set DILEMMA_DEBUG=1 to see the traceback)", markup=False)
        sys.exit(EXIT_FAILURE)
