"""``python -m benchmarks [SUITE ...] [--quick] [--out DIR]``: run the suites, record the figures.

A full run writes each suite's results to ``benchmarks/results/SUITE.json`` (or to ``--out``);
a ``--quick`` run (small sizes: checks the harness, not the targets) writes only with
``--out``. Every suite's results are also printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from security_dilemma.errors import did_you_mean

from . import SUITES, machine, run_suite

__all__ = ["RESULTS", "main"]

RESULTS = Path(__file__).parent / "results"
"""Where full runs record their figures."""


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure speed and memory against peers (Mesa, Axelrod) and check the "
        "targets. Needs the development extras (make setup-dev).",
    )
    p.add_argument(
        "suites",
        nargs="*",
        metavar="SUITE",
        help=f"suites to run: {', '.join(SUITES)} (default: all)",
    )
    p.add_argument(
        "--quick", action="store_true", help="small sizes: checks the harness, not the targets"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="directory for SUITE.json (default: benchmarks/results; none for --quick)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suites named in ``argv``; the exit code (2 for an unknown suite)."""
    p = parser()
    args = p.parse_args(argv)
    for name in args.suites:
        if name not in SUITES:
            p.error(f"unknown suite '{name}'{did_you_mean(name, SUITES)}; choose from "
                    f"{', '.join(SUITES)}")  # fmt: skip
    out: Path | None = args.out if args.out is not None or args.quick else RESULTS
    for name in args.suites or list(SUITES):
        print(f"{name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            result = run_suite(name, quick=args.quick)
        except ModuleNotFoundError as exc:
            print(
                f"error: suite {name} needs the development extras ({exc}): run `make setup-dev`",
                file=sys.stderr,
            )
            return 1
        result["wall_seconds"] = round(time.perf_counter() - t0, 2)
        doc = {"machine": machine(), "quick": args.quick, "suites": {name: result}}
        text = json.dumps(doc, indent=2, default=str) + "\n"
        print(text, end="")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{name}.json").write_text(text, encoding="utf-8")
            print(f"{name}: written to {out / f'{name}.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
